// Webhooks out (issue 16, stage 1): endpoints (a partner's, or the platform's when partner_id
// is null), one delivery per (endpoint, outbox event), and one row per attempt for the log.
// Frozen in time: never import app code here.
import { sql, type Kysely } from "kysely";

const up_ = `
    create table webhook_endpoints (
      id uuid primary key default gen_random_uuid(),
      partner_id uuid references partners(id) on delete cascade,
      url text not null,
      events text[] not null,
      secret text not null,
      previous_secret text,
      previous_secret_expires_at timestamptz(3),
      enabled boolean not null default true,
      disabled_reason text,
      disabled_at timestamptz(3),
      consecutive_failures integer not null default 0,
      failing_since timestamptz(3),
      created_at timestamptz(3) not null default now(),
      constraint webhook_endpoints_disabled_check check (enabled or disabled_reason is not null)
    );
    create index webhook_endpoints_partner_idx on webhook_endpoints (partner_id);
    create table webhook_deliveries (
      id bigint generated always as identity primary key,
      endpoint_id uuid not null references webhook_endpoints(id) on delete cascade,
      event_id bigint not null references outbox_events(id) on delete cascade,
      status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
      attempts integer not null default 0,
      next_attempt_at timestamptz(3),
      created_at timestamptz(3) not null default now(),
      unique (endpoint_id, event_id)
    );
    create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where status = 'pending';
    create table webhook_attempts (
      id bigint generated always as identity primary key,
      delivery_id bigint not null references webhook_deliveries(id) on delete cascade,
      attempted_at timestamptz(3) not null,
      status_code integer,
      duration_ms integer not null,
      response_excerpt text not null default '',
      error text,
      next_attempt_at timestamptz(3)
    );
    create index webhook_attempts_delivery_idx on webhook_attempts (delivery_id, id)
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
  await runStatements(db, `drop table webhook_attempts, webhook_deliveries, webhook_endpoints`);
}
