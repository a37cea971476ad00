// Webhooks, stage 2 (issue 16, ADR 033): per-business order and delivery right after commit.
// - webhook_deliveries.business_id (copied from the event at fan-out) and an index of the
//   pending ones per (endpoint, business, event), so the claim can ask "is an earlier event of
//   this business still pending for this endpoint?" in the database.
// - A statement-level trigger NOTIFYs `webhooks_outbox` when outbox rows are inserted;
//   PostgreSQL delivers a NOTIFY only when its transaction commits (and folds repeats within
//   one transaction), so a listener learns of events exactly when they become visible.
// Frozen in time: never import app code here.
import { sql, type Kysely } from "kysely";

const up_ = `
    alter table webhook_deliveries add column business_id uuid;
    update webhook_deliveries d set business_id = ev.business_id
      from outbox_events ev where ev.id = d.event_id;
    create index webhook_deliveries_order_idx on webhook_deliveries (endpoint_id, business_id, event_id)
      where status = 'pending' and business_id is not null;
    create function webhooks_outbox_notify() returns trigger language plpgsql as $$
    begin
      perform pg_notify('webhooks_outbox', '');
      return null;
    end
    $$;
    create trigger outbox_events_notify after insert on outbox_events
      for each statement execute function webhooks_outbox_notify()
`;

const down_ = `
    drop trigger outbox_events_notify on outbox_events;
    drop function webhooks_outbox_notify();
    drop index webhook_deliveries_order_idx;
    alter table webhook_deliveries drop column business_id
`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function runStatements(db: Kysely<any>, script: string): Promise<void> {
  // Statements end with ";" at a line's end; the function body's own ";" lines are inside $$.
  const statements: string[] = [];
  let current = "";
  let inBody = false;
  for (const line of script.split("\n")) {
    current += `${line}\n`;
    if ((line.match(/\$\$/g) ?? []).length % 2 === 1) inBody = !inBody;
    if (!inBody && /;\s*$/.test(line)) {
      statements.push(current.trim().replace(/;$/, ""));
      current = "";
    }
  }
  if (current.trim()) statements.push(current.trim());
  for (const statement of statements) await sql.raw(statement).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, up_);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, down_);
}
