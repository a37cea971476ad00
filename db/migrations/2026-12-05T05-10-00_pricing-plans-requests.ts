// Price list (one version per day) and plans as support edits them, and Custom / Enterprise requests (ADR 019).
// - plan_versions: the terms of a plan (price, interval, allowance, seats) from a moment on.
//   A business's period runs on the version in force when the period started, so an edit
//   applies from each business's next period. The rows of today's plans start the history.
// - enterprise_requests: a business asks for a Custom / Enterprise plan; support handles it once.
// Frozen in time: never import app code here.
import { sql, type Kysely } from "kysely";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // One price-list version per UTC day: a version added "today" starts at the moment it is
  // added (not at midnight, which would reprice the day's earlier claims), so exact
  // effective_from values of the same day could differ; the day is what must be unique.
  await sql`
    create unique index price_list_effective_day
      on price_list (((effective_from at time zone 'UTC')::date))
  `.execute(db);
  await sql`
    create table plan_versions (
      id integer generated always as identity primary key,
      plan_id text not null references plans(id),
      effective_from timestamptz not null,
      price_cents integer not null check (price_cents between 0 and 100000000),
      billing_interval text not null check (billing_interval in ('none', 'month', 'year', 'custom')),
      card_operations_per_month integer check (card_operations_per_month between 0 and 100000000),
      staff_seats integer check (staff_seats between 0 and 100000),
      created_by uuid references users(id) on delete set null,
      created_at timestamptz not null default now(),
      unique (plan_id, effective_from)
    )
  `.execute(db);
  // The plans as they stand have applied since before any business existed.
  await sql`
    insert into plan_versions
      (plan_id, effective_from, price_cents, billing_interval, card_operations_per_month, staff_seats)
    select id, '2000-01-01T00:00:00Z', price_cents, billing_interval, card_operations_per_month,
      staff_seats
    from plans
  `.execute(db);
  await sql`alter table plans add constraint plans_name_length check (length(name) between 1 and 60)`.execute(
    db,
  );

  await sql`
    create table enterprise_requests (
      id uuid primary key default gen_random_uuid(),
      business_id uuid not null references businesses(id) on delete cascade,
      requested_by uuid references users(id) on delete set null,
      locations integer not null check (locations between 1 and 100000),
      card_operations_per_month integer not null check (card_operations_per_month between 0 and 1000000000),
      message text not null default '' check (length(message) <= 2000),
      status text not null default 'open' check (status in ('open', 'handled')),
      handled_by uuid references users(id) on delete set null,
      handled_at timestamptz,
      note text not null default '' check (length(note) <= 500),
      created_at timestamptz not null,
      check ((status = 'open') = (handled_at is null))
    )
  `.execute(db);
  await sql`create index enterprise_requests_status_created on enterprise_requests (status, created_at desc, id desc)`.execute(
    db,
  );
  await sql`create index enterprise_requests_created on enterprise_requests (created_at desc, id desc)`.execute(
    db,
  );
  await sql`create index enterprise_requests_business on enterprise_requests (business_id)`.execute(
    db,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table enterprise_requests`.execute(db);
  await sql`alter table plans drop constraint plans_name_length`.execute(db);
  await sql`drop table plan_versions`.execute(db);
  await sql`drop index price_list_effective_day`.execute(db);
}
