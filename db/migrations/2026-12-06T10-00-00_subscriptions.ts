// Paid plans as subscriptions (issue 14, ADR 032): one row per business that has ever had a
// paid plan (interval, locations as quantity, the unit price it was sold at, billing anchor,
// current period, status, a change waiting for the next billing date), and the charges and
// credits made by changes and renewals that wait for their invoice.
// Frozen in time: never import app code here.
import { sql, type Kysely } from "kysely";

const up_ = `
    create table subscriptions (
      id uuid primary key default gen_random_uuid(),
      business_id uuid not null unique references businesses(id) on delete cascade,
      plan_id text not null references plans(id),
      plan_version_id integer references plan_versions(id),
      billing_interval text not null check (billing_interval in ('month', 'year')),
      quantity integer not null check (quantity between 1 and 1000),
      unit_price_cents integer not null check (unit_price_cents between 0 and 100000000),
      billing_anchor_at timestamptz(3) not null,
      current_period_start timestamptz(3) not null,
      current_period_end timestamptz(3) not null,
      status text not null check (status in ('active', 'past_due', 'cancel_at_period_end', 'ended')),
      pending_plan_id text references plans(id),
      pending_quantity integer check (pending_quantity between 1 and 1000),
      ended_at timestamptz(3),
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null,
      check (current_period_end > current_period_start),
      check ((pending_plan_id is null) = (pending_quantity is null)),
      check ((status = 'ended') = (ended_at is not null)),
      check (status <> 'cancel_at_period_end' or pending_plan_id is null)
    );
    create index subscriptions_due_idx on subscriptions (current_period_end) where status <> 'ended';
    create table invoice_items (
      id bigint generated always as identity primary key,
      business_id uuid not null references businesses(id) on delete cascade,
      subscription_id uuid not null references subscriptions(id) on delete cascade,
      kind text not null check (kind in ('plan', 'proration', 'credit')),
      plan_id text not null references plans(id),
      plan_name text not null,
      billing_interval text not null check (billing_interval in ('month', 'year')),
      quantity integer not null check (quantity between 1 and 1000),
      unit_price_cents integer not null check (unit_price_cents >= 0),
      days integer check (days >= 0),
      period_days integer check (period_days > 0),
      amount_cents integer not null,
      period_start timestamptz(3) not null,
      period_end timestamptz(3) not null,
      created_at timestamptz(3) not null,
      check ((kind = 'credit') = (amount_cents < 0) or amount_cents = 0),
      check ((days is null) = (period_days is null))
    );
    create index invoice_items_business_idx on invoice_items (business_id, id);
    create unique index invoice_items_one_plan_per_period
      on invoice_items (subscription_id, period_start) where kind = 'plan'
`;

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
  await runStatements(db, `drop table invoice_items, subscriptions`);
}
