// Business invoices (issue 14, ADR 032): billing details, the per-year counters that make
// INV-/CN- numbers gapless, invoices (and credit notes) with their lines, and their PDFs.
// An issued invoice never changes: a trigger refuses any update but the status moving on
// from open (to paid or void), and refuses every delete; lines and PDFs are never changed.
// Frozen in time: never import app code here.
import { sql, type Kysely } from "kysely";

const up_ = `
    create table billing_details (
      business_id uuid primary key references businesses(id) on delete cascade,
      legal_name text not null check (length(legal_name) between 1 and 200),
      address text not null check (length(address) between 1 and 500),
      country text not null check (country ~ '^[A-Z]{2}$'),
      vat_id text check (vat_id ~ '^[A-Z]{2}[A-Z0-9]{2,13}$'),
      updated_at timestamptz(3) not null
    );
    create table invoice_counters (
      kind text not null check (kind in ('invoice', 'credit_note')),
      year integer not null check (year between 2000 and 9999),
      last_number integer not null check (last_number >= 1),
      primary key (kind, year)
    );
    create table invoices (
      id uuid primary key default gen_random_uuid(),
      business_id uuid not null references businesses(id) on delete restrict,
      subscription_id uuid references subscriptions(id) on delete set null,
      kind text not null check (kind in ('invoice', 'credit_note')),
      year integer not null,
      sequence integer not null check (sequence >= 1),
      number text not null unique,
      credits_invoice_id uuid references invoices(id),
      issued_at timestamptz(3) not null,
      period_start timestamptz(3),
      period_end timestamptz(3),
      billing_snapshot jsonb not null,
      currency text not null default 'EUR',
      net_cents bigint not null,
      vat_rate_bps integer not null check (vat_rate_bps between 0 and 10000),
      vat_cents bigint not null,
      total_cents bigint not null,
      reverse_charge boolean not null,
      status text not null check (status in ('open', 'paid', 'void')),
      status_changed_at timestamptz(3),
      status_reason text check (length(status_reason) <= 500),
      unique (kind, year, sequence),
      check (total_cents = net_cents + vat_cents),
      check ((kind = 'credit_note') = (credits_invoice_id is not null)),
      check ((status = 'open') = (status_changed_at is null))
    );
    create index invoices_business_issued_idx on invoices (business_id, issued_at desc, id desc);
    create index invoices_issued_idx on invoices (issued_at desc, id desc);
    create table invoice_lines (
      invoice_id uuid not null references invoices(id) on delete restrict,
      position integer not null,
      kind text not null check (kind in ('plan', 'proration', 'credit')),
      plan_name text not null,
      billing_interval text not null,
      quantity integer not null,
      unit_price_cents integer not null,
      days integer,
      period_days integer,
      amount_cents integer not null,
      period_start timestamptz(3) not null,
      period_end timestamptz(3) not null,
      primary key (invoice_id, position)
    );
    create table invoice_pdfs (
      invoice_id uuid primary key references invoices(id) on delete restrict,
      pdf bytea not null,
      rendered_at timestamptz(3) not null default now()
    );
    alter table invoice_items add column invoice_id uuid references invoices(id);
    create index invoice_items_uninvoiced_idx on invoice_items (business_id) where invoice_id is null;
    create function invoices_are_issued() returns trigger language plpgsql as $$ begin if tg_op = 'UPDATE' then if old.status = 'open' and new.status in ('paid', 'void') and (to_jsonb(new) - 'status' - 'status_changed_at' - 'status_reason') = (to_jsonb(old) - 'status' - 'status_changed_at' - 'status_reason') then return new; end if; end if; raise exception 'an issued invoice never changes (% on %)', tg_op, tg_table_name using errcode = 'check_violation'; end $$;
    create function invoice_rows_never_change() returns trigger language plpgsql as $$ begin raise exception 'an issued invoice never changes (% on %)', tg_op, tg_table_name using errcode = 'check_violation'; end $$;
    create trigger invoices_issued before update or delete on invoices
      for each row execute function invoices_are_issued();
    create trigger invoice_lines_issued before update or delete on invoice_lines
      for each row execute function invoice_rows_never_change();
    create trigger invoice_pdfs_issued before update or delete on invoice_pdfs
      for each row execute function invoice_rows_never_change()
`;

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
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, up_);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `drop table invoice_pdfs, invoice_lines;
    alter table invoice_items drop column invoice_id;
    drop table invoices, invoice_counters, billing_details;
    drop function invoices_are_issued();
    drop function invoice_rows_never_change()`,
  );
}
