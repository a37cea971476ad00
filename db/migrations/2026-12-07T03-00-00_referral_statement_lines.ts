// A partner's referral credits on its wholesale statements (issue 15, ADR 039): a credit line
// in the month the reward was granted, and a debit line in the month it was clawed back.
// They are lines of their own (no code, no bundle, no tax): statement_referral_lines, final
// like statement_lines, and two snapshot columns on statements — the count and the sum of
// those lines — so the total due is net + tax + referral. Frozen in time: never import app code.
import { sql, type Kysely } from "kysely";

const up_ = `
    alter table statements
      add column referral_count integer not null default 0 check (referral_count >= 0),
      add column referral_cents bigint not null default 0;
    do $$ declare c text; begin select conname into c from pg_constraint where conrelid = 'statements'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%total_cents%'; execute format('alter table statements drop constraint %I', c); end $$;
    alter table statements add constraint statements_totals_check
      check (net_cents = retail_cents - discount_cents
        and total_cents = net_cents + tax_cents + referral_cents);
    create table statement_referral_lines (
      statement_id uuid not null references statements(id),
      line_no integer not null check (line_no >= 1),
      kind text not null check (kind in ('referral_credit', 'referral_debit')),
      occurred_at timestamptz not null,
      -- A snapshot: the reward and the business may go, the statement keeps what it said.
      referral_reward_id uuid not null,
      business_id uuid not null,
      business_name text,
      amount_cents bigint not null,
      primary key (statement_id, line_no),
      unique (statement_id, referral_reward_id, kind),
      check ((kind = 'referral_credit') = (amount_cents < 0))
    );
    create trigger statement_referral_lines_final before update or delete on statement_referral_lines
      for each row execute function statements_are_final();
    create index referral_rewards_partner_granted_idx on referral_rewards (partner_id, granted_at)
      where partner_id is not null;
    create index referral_rewards_partner_clawed_idx on referral_rewards (partner_id, clawed_back_at)
      where partner_id is not null and clawed_back_at is not null
`;

const down_ = `
    drop index referral_rewards_partner_clawed_idx;
    drop index referral_rewards_partner_granted_idx;
    drop table statement_referral_lines;
    alter table statements drop constraint statements_totals_check;
    alter table statements drop column referral_cents, drop column referral_count;
    alter table statements add constraint statements_totals_check
      check (net_cents = retail_cents - discount_cents and total_cents = net_cents + tax_cents)
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
  await runStatements(db, down_);
}
