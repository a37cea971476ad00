// Claims, grants, card operations (with the grants that paid for them), seat attribution
// and the outbox. Frozen in time: never import app code here.
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(
    db,
    `
    -- The claim's price snapshot lives on the code; who claimed it is the code's grant.
    alter table activation_codes
      add column claimed_at timestamptz,
      add column retail_cents bigint check (retail_cents >= 0),
      add column discount_bps integer check (discount_bps between 0 and 10000),
      add column discount_cents bigint check (discount_cents >= 0),
      add column wholesale_cents bigint check (wholesale_cents >= 0),
      add constraint activation_codes_claim_check check (
        (status = 'claimed') = (claimed_at is not null)
        and (claimed_at is null or (retail_cents is not null and discount_bps is not null
          and discount_cents is not null and wholesale_cents is not null
          and wholesale_cents = retail_cents - discount_cents))
      );
    create index activation_codes_claimed_idx on activation_codes (partner_id, claimed_at) where claimed_at is not null;

    create table grants (
      id uuid primary key default gen_random_uuid(),
      business_id uuid not null references businesses(id) on delete cascade,
      source text not null check (source in ('plan', 'code', 'referral', 'support')),
      activation_code_id bigint unique references activation_codes(id),
      partner_id uuid references partners(id),
      claimed_by uuid references users(id) on delete set null,
      staff_seats integer not null check (staff_seats >= 0),
      card_operations integer not null check (card_operations >= 0),
      card_operations_used integer not null default 0,
      starts_at timestamptz not null,
      ends_at timestamptz not null,
      created_at timestamptz not null default now(),
      check (card_operations_used between 0 and card_operations),
      check (ends_at >= starts_at),
      check ((source = 'code') = (activation_code_id is not null)),
      check ((source = 'code') = (partner_id is not null))
    );
    -- One plan allowance per business and period: concurrent first operations of a period
    -- create it once.
    create unique index grants_plan_period_key on grants (business_id, starts_at) where source = 'plan';
    create index grants_business_idx on grants (business_id, ends_at);
    create index grants_partner_idx on grants (partner_id, business_id) where partner_id is not null;

    create table card_operations (
      id bigint generated always as identity primary key,
      business_id uuid not null references businesses(id) on delete cascade,
      idempotency_key text not null check (length(idempotency_key) between 1 and 200),
      request_fingerprint text not null,
      kind text not null check (kind in ('stamp', 'voucher')),
      quantity integer not null check (quantity between 1 and 1000),
      occurred_at timestamptz not null,
      recorded_at timestamptz not null default now(),
      remaining_after integer not null check (remaining_after >= 0),
      constraint card_operations_idempotency_key unique (business_id, idempotency_key)
    );

    -- Which grant paid for how many units of an operation (two rows when it was split).
    create table card_operation_draws (
      card_operation_id bigint not null references card_operations(id) on delete cascade,
      grant_id uuid not null references grants(id) on delete cascade,
      quantity integer not null check (quantity > 0),
      primary key (card_operation_id, grant_id)
    );
    create index card_operation_draws_grant_idx on card_operation_draws (grant_id, card_operation_id);

    -- Seat attribution: a member holds a plan seat (no grant), a grant's seat, or none
    -- (over the limit since a time: cannot sign in, is never deleted).
    alter table business_members
      add column seat_grant_id uuid references grants(id) on delete set null,
      add column over_seat_limit_since timestamptz,
      add constraint business_members_seat_check check (over_seat_limit_since is null or seat_grant_id is null);
    create index business_members_seat_grant_idx on business_members (seat_grant_id) where seat_grant_id is not null;

    -- Events for the outside world, written in the transaction that caused them.
    create table outbox_events (
      id bigint generated always as identity primary key,
      topic text not null,
      business_id uuid references businesses(id) on delete set null,
      partner_id uuid references partners(id) on delete set null,
      payload jsonb not null,
      created_at timestamptz not null default now(),
      published_at timestamptz
    );
    create index outbox_events_unpublished_idx on outbox_events (id) where published_at is null;
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
    drop table outbox_events;
    alter table business_members drop column seat_grant_id, drop column over_seat_limit_since;
    drop table card_operation_draws, card_operations, grants;
    drop index activation_codes_claimed_idx;
    alter table activation_codes drop constraint activation_codes_claim_check,
      drop column claimed_at, drop column retail_cents, drop column discount_bps,
      drop column discount_cents, drop column wholesale_cents;
  `,
  );
}
