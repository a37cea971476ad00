// Wholesale statements (final ones are stored snapshots with gapless numbers per partner and
// year), claim roll-backs (credit lines), tax in the claim's price snapshot, the partner's
// locale for its documents, and per-grant usage counters for the partner's client views.
// Frozen in time: never import app code here.
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
    -- Amounts on a partner's documents are formatted for this locale (always EUR).
    alter table partners
      add column locale text not null default 'en-IE' check (locale ~ '^[a-z]{2,3}(-[A-Z]{2})?$');

    -- Tax joins the claim's price snapshot: the partner's rate at claim time, rounded half-even
    -- once, on the claim's own wholesale amount.
    alter table activation_codes
      add column tax_rate_bps integer check (tax_rate_bps between 0 and 10000),
      add column tax_cents bigint check (tax_cents >= 0);
    update activation_codes c
       set tax_rate_bps = p.tax_rate_bps,
           tax_cents = (c.wholesale_cents * p.tax_rate_bps) / 10000
             + case
                 when ((c.wholesale_cents * p.tax_rate_bps) % 10000) * 2 > 10000 then 1
                 when ((c.wholesale_cents * p.tax_rate_bps) % 10000) * 2 = 10000
                   and ((c.wholesale_cents * p.tax_rate_bps) / 10000) % 2 = 1 then 1
                 else 0
               end
      from partners p
     where p.id = c.partner_id and c.claimed_at is not null;
    alter table activation_codes
      add constraint activation_codes_claim_tax_check check (
        (claimed_at is null) = (tax_rate_bps is null) and (claimed_at is null) = (tax_cents is null)
      );

    -- A claim rolled back by support: the grant ends, and the claim's snapshot comes back as a
    -- credit line on the statement of the month the roll-back happened in. Once per claim.
    create table claim_rollbacks (
      activation_code_id bigint primary key references activation_codes(id),
      partner_id uuid not null references partners(id),
      business_id uuid not null references businesses(id),
      grant_id uuid not null references grants(id),
      rolled_back_at timestamptz not null default now(),
      reason text not null check (length(reason) between 1 and 500),
      rolled_back_by uuid references users(id) on delete set null,
      rolled_back_by_label text not null default ''
    );
    create index claim_rollbacks_partner_idx on claim_rollbacks (partner_id, rolled_back_at);

    -- What a grant's units were used for lately, kept in the same row update that counts them:
    -- the partner's client list reads them without touching card_operations.
    alter table grants
      add column last_operation_at timestamptz,
      add column usage_month date,
      add column card_operations_used_in_month integer not null default 0
        check (card_operations_used_in_month >= 0);

    -- One final statement per partner and calendar month (UTC). Its lines, summary and
    -- totals are a snapshot taken at finalisation and never change afterwards.
    create table statements (
      id uuid primary key default gen_random_uuid(),
      partner_id uuid not null references partners(id),
      period_start timestamptz not null,
      period_end timestamptz not null,
      year integer not null check (year between 2000 and 9999),
      sequence integer not null check (sequence >= 1),
      number text not null unique,
      issued_at timestamptz not null default now(),
      finalized_by text not null,
      partner_snapshot jsonb not null,
      bundle_summary jsonb not null,
      line_count integer not null check (line_count >= 0),
      claim_count integer not null check (claim_count >= 0),
      credit_count integer not null check (credit_count >= 0),
      retail_cents bigint not null,
      discount_cents bigint not null,
      net_cents bigint not null,
      tax_cents bigint not null,
      total_cents bigint not null,
      codes_issued integer not null check (codes_issued >= 0),
      codes_outstanding integer not null check (codes_outstanding >= 0),
      codes_revoked integer not null check (codes_revoked >= 0),
      check (period_end > period_start),
      check (net_cents = retail_cents - discount_cents and total_cents = net_cents + tax_cents),
      constraint statements_partner_period_key unique (partner_id, period_start),
      constraint statements_partner_number_key unique (partner_id, year, sequence)
    );
    create index statements_partner_idx on statements (partner_id, period_start desc);

    create table statement_lines (
      statement_id uuid not null references statements(id),
      line_no integer not null check (line_no >= 1),
      kind text not null check (kind in ('claim', 'credit')),
      occurred_at timestamptz not null,
      activation_code_id bigint not null,
      business_id uuid not null,
      business_name text not null,
      bundle_id uuid not null,
      bundle_name text not null,
      staff_seats integer not null,
      card_operations integer not null,
      term_months integer not null,
      discount_bps integer not null,
      tax_rate_bps integer not null,
      retail_cents bigint not null,
      discount_cents bigint not null,
      wholesale_cents bigint not null,
      tax_cents bigint not null,
      primary key (statement_id, line_no),
      check (wholesale_cents = retail_cents - discount_cents)
    );

    -- The last number given per partner and year: the row lock that makes numbers gapless.
    create table statement_sequences (
      partner_id uuid not null references partners(id),
      year integer not null,
      last_sequence integer not null check (last_sequence >= 1),
      primary key (partner_id, year)
    );

    -- A final statement's PDF, rendered once from the snapshot.
    create table statement_pdfs (
      statement_id uuid primary key references statements(id) on delete cascade,
      pdf bytea not null,
      page_count integer not null check (page_count >= 1),
      rendered_at timestamptz not null default now()
    );

    -- Final means final: the snapshot rows refuse any update or delete.
    create function statements_are_final() returns trigger language plpgsql as $$ begin raise exception 'a final statement never changes (% on %)', tg_op, tg_table_name using errcode = 'check_violation'; end $$;
    create trigger statements_final before update or delete on statements
      for each row execute function statements_are_final();
    create trigger statement_lines_final before update or delete on statement_lines
      for each row execute function statements_are_final();
  `,
  );
}

// PGlite runs one statement per query (extended protocol), so a script is sent statement by statement.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function runStatements(db: Kysely<any>, script: string): Promise<void> {
  for (const statement of script
    .split(/;\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    await sql.raw(statement).execute(db);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
    drop table statement_pdfs, statement_sequences, statement_lines, statements;
    drop function statements_are_final();
    alter table grants drop column last_operation_at, drop column usage_month,
      drop column card_operations_used_in_month;
    drop table claim_rollbacks;
    alter table activation_codes drop constraint activation_codes_claim_tax_check,
      drop column tax_rate_bps, drop column tax_cents;
    alter table partners drop column locale;
  `,
  );
}
