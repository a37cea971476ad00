// Card operations reported by the 7stamp platform, each counted against exactly one unit of
// what the business has. The business row lock (taken in id order) serialises a business's
// operations; inside it the draws are computed once and written in bulk, so a batch of a
// thousand events costs the same handful of statements as a single one.
import { createHash } from "node:crypto";
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "~db/index.ts";
import { grantActive } from "./predicates.server";
import { isCalendarDate } from "~/lib/forms";
import {
  compareDrawOrder,
  openPlanPeriods,
  toGrantRow,
  type GrantRow,
} from "./entitlements/grants.server";
import { lockBusinessPlans, type GrantSource } from "./entitlements/plan.server";
import { inTransaction } from "./transaction.server";

export type CardOperationKind = "stamp" | "voucher";

export const CARD_OPERATION_LIMITS = {
  maxQuantity: 1000,
  maxBatchEvents: 1000,
  maxIdempotencyKeyLength: 200,
} as const;

const operationFields = {
  idempotency_key: z.string().min(1).max(CARD_OPERATION_LIMITS.maxIdempotencyKeyLength),
  kind: z.enum(["stamp", "voucher"]),
  quantity: z.number().int().min(1).max(CARD_OPERATION_LIMITS.maxQuantity).default(1),
  occurred_at: z
    .string()
    .datetime({ offset: true })
    .refine(isCalendarDate, { message: "validation.calendarDate" })
    .transform((value) => new Date(value))
    .optional(),
};

function toInput(
  businessId: string,
  body: { idempotency_key: string; kind: CardOperationKind; quantity: number; occurred_at?: Date },
): CardOperationInput {
  return {
    businessId,
    idempotencyKey: body.idempotency_key,
    kind: body.kind,
    quantity: body.quantity,
    occurredAt: body.occurred_at ?? null,
  };
}

/** The API's body for one operation of the business in the path. */
export function cardOperationBodySchema(businessId: string) {
  return z
    .object(operationFields)
    .strict()
    .transform((body) => toInput(businessId, body));
}

/** The API's body for a batch: up to 1,000 events, each naming its business. */
export const CardOperationBatchSchema = z
  .object({
    events: z
      .array(z.object({ business_id: z.string().uuid(), ...operationFields }).strict())
      .min(1)
      .max(CARD_OPERATION_LIMITS.maxBatchEvents),
  })
  .strict()
  .transform(({ events }) => events.map((event) => toInput(event.business_id, event)));

export interface CardOperationInput {
  businessId: string;
  idempotencyKey: string;
  kind: CardOperationKind;
  quantity: number;
  /** When it happened at the till; null means now. */
  occurredAt: Date | null;
}

/** The units one grant paid towards an operation. */
export interface OperationDraw {
  grantId: string;
  quantity: number;
}

export interface RecordedCardOperation {
  id: number;
  businessId: string;
  idempotencyKey: string;
  kind: CardOperationKind;
  quantity: number;
  occurredAt: Date;
  recordedAt: Date;
  /** Card operations the business had left right after this one. */
  remaining: number;
  /** The grants that paid for it: two entries when it was split across grants. */
  draws: OperationDraw[];
}

export type CardOperationResult =
  | { outcome: "recorded"; operation: RecordedCardOperation }
  | { outcome: "replayed"; operation: RecordedCardOperation }
  | { outcome: "limit_reached"; remaining: number; quantity: number }
  | { outcome: "idempotency_conflict"; idempotencyKey: string }
  | { outcome: "business_not_found" };

/**
 * What makes two requests with one idempotency key the same request. occurred_at left out
 * stays left out (a retry of "now" is the same request, not a new time).
 */
export function operationFingerprint(input: CardOperationInput): string {
  return createHash("sha256")
    .update(JSON.stringify([input.kind, input.quantity, input.occurredAt?.toISOString() ?? null]))
    .digest("base64url");
}

interface StoredOperation {
  id: number;
  business_id: string;
  idempotency_key: string;
  request_fingerprint: string;
  kind: CardOperationKind;
  quantity: number;
  occurred_at: Date;
  recorded_at: Date;
  remaining_after: number;
}

/**
 * Records card operations in the order given. Each is recorded whole or not at all: when
 * its quantity does not fit what the business has left, nothing is written for it and the
 * answer is `limit_reached`. A key seen before answers with the first answer (`replayed`),
 * or `idempotency_conflict` when the body differs.
 */
export async function recordCardOperations(
  db: Database,
  { operations, now }: { operations: CardOperationInput[]; now: Date },
): Promise<CardOperationResult[]> {
  if (operations.length === 0) return [];
  const businessIds = [...new Set(operations.map((o) => o.businessId))].sort();
  return inTransaction(db, async (trx) => {
    const plans = await lockBusinessPlans(trx, { businessIds, now });
    const known = businessIds.filter((id) => plans.has(id));
    const { stored, grants } = await readUsageState(trx, {
      operations: operations.filter((o) => plans.has(o.businessId)),
      businessIds: known,
      now,
    });
    const withPlanGrant = new Set(
      grants.filter((g) => g.source === "plan").map((g) => g.businessId),
    );
    const opened = await openPlanPeriods(trx, {
      plans: known.filter((id) => !withPlanGrant.has(id)).map((id) => plans.get(id)!),
      now,
    });
    const grantsByBusiness = new Map<string, GrantRow[]>();
    for (const grant of [...grants, ...opened].sort(compareDrawOrder)) {
      const list = grantsByBusiness.get(grant.businessId) ?? [];
      list.push({ ...grant });
      grantsByBusiness.set(grant.businessId, list);
    }

    // First pass: decide every event in order, in memory (the locks make this state exact).
    type Decision =
      | { kind: "answered"; result: CardOperationResult }
      | { kind: "record"; row: number }
      | { kind: "replay_stored"; stored: StoredOperation }
      | { kind: "replay_of"; index: number };
    const decisions: Decision[] = [];
    const seen = new Map<string, { fingerprint: string; decision: Decision }>();
    for (const row of stored) {
      seen.set(operationKey(row.business_id, row.idempotency_key), {
        fingerprint: row.request_fingerprint,
        decision: { kind: "replay_stored", stored: row },
      });
    }
    const toInsert: UsageEntry[] = [];
    for (const input of operations) {
      const index = decisions.length;
      if (!plans.has(input.businessId)) {
        decisions.push({ kind: "answered", result: { outcome: "business_not_found" } });
        continue;
      }
      const fingerprint = operationFingerprint(input);
      const key = operationKey(input.businessId, input.idempotencyKey);
      const earlier = seen.get(key);
      if (earlier) {
        decisions.push(
          earlier.fingerprint !== fingerprint
            ? {
                kind: "answered",
                result: { outcome: "idempotency_conflict", idempotencyKey: input.idempotencyKey },
              }
            : earlier.decision,
        );
        continue;
      }
      const businessGrants = grantsByBusiness.get(input.businessId) ?? [];
      const left = businessGrants.reduce(
        (sum, g) => sum + g.cardOperations - g.cardOperationsUsed,
        0,
      );
      if (left < input.quantity) {
        // Nothing recorded, and the key stays free: a retry is a new attempt, not a replay.
        decisions.push({
          kind: "answered",
          result: { outcome: "limit_reached", remaining: left, quantity: input.quantity },
        });
        continue;
      }
      const row = toInsert.length;
      const draws: OperationDraw[] = [];
      let needed = input.quantity;
      for (const grant of businessGrants) {
        if (needed === 0) break;
        const take = Math.min(needed, grant.cardOperations - grant.cardOperationsUsed);
        if (take <= 0) continue;
        grant.cardOperationsUsed += take;
        needed -= take;
        draws.push({ grantId: grant.id, quantity: take });
      }
      toInsert.push({ input, fingerprint, remaining: left - input.quantity, draws });
      decisions.push({ kind: "record", row });
      seen.set(key, { fingerprint, decision: { kind: "replay_of", index } });
    }

    // Second pass: write it all in one statement.
    const ids = await writeUsage(trx, { entries: toInsert, now });
    const storedDraws = new Map(stored.map((row) => [row.id, row.draws]));

    // A recorded operation is what was written: the entry, its new id and the request's moment.
    const recorded = (row: number): RecordedCardOperation => {
      const entry = toInsert[row];
      const id = ids[row];
      if (!entry || id === undefined) throw new Error("card operations: a recorded row is missing");
      return {
        id,
        businessId: entry.input.businessId,
        idempotencyKey: entry.input.idempotencyKey,
        kind: entry.input.kind,
        quantity: entry.input.quantity,
        occurredAt: entry.input.occurredAt ?? now,
        recordedAt: now,
        remaining: entry.remaining,
        draws: entry.draws,
      };
    };
    const results: CardOperationResult[] = [];
    for (const decision of decisions) {
      switch (decision.kind) {
        case "answered":
          results.push(decision.result);
          break;
        case "record":
          results.push({ outcome: "recorded", operation: recorded(decision.row) });
          break;
        case "replay_stored":
          results.push({
            outcome: "replayed",
            operation: {
              ...toRecorded(decision.stored),
              draws: storedDraws.get(decision.stored.id) ?? [],
            },
          });
          break;
        case "replay_of": {
          const first = results[decision.index];
          if (first?.outcome !== "recorded")
            throw new Error("card operations: replay of a non-recorded event");
          results.push({ outcome: "replayed", operation: first.operation });
          break;
        }
      }
    }
    return results;
  });
}

function toRecorded(row: StoredOperation): Omit<RecordedCardOperation, "draws"> {
  return {
    id: row.id,
    businessId: row.business_id,
    idempotencyKey: row.idempotency_key,
    kind: row.kind,
    quantity: row.quantity,
    occurredAt: row.occurred_at,
    recordedAt: row.recorded_at,
    remaining: row.remaining_after,
  };
}

/** An operation decided to be recorded: what is written, and the grants it draws from. */
interface UsageEntry {
  input: CardOperationInput;
  fingerprint: string;
  remaining: number;
  draws: OperationDraw[];
}

/** One business's idempotency key, as a map key. */
function operationKey(businessId: string, idempotencyKey: string): string {
  return `${businessId}\n${idempotencyKey}`;
}

interface StoredOperationWithDraws extends StoredOperation {
  draws: OperationDraw[];
}

/**
 * Under the business locks, in one statement: the grants in force and the operations already
 * recorded under the given keys (with the grants that paid for them, in draw order).
 */
async function readUsageState(
  trx: Database,
  {
    operations,
    businessIds,
    now,
  }: { operations: CardOperationInput[]; businessIds: string[]; now: Date },
): Promise<{ stored: StoredOperationWithDraws[]; grants: GrantRow[] }> {
  if (businessIds.length === 0) return { stored: [], grants: [] };
  const { rows } = await sql<{ grants: GrantJson[]; stored: StoredJson[] }>`
    select
      (select coalesce(json_agg(json_build_object(
          'id', g.id, 'business_id', g.business_id, 'source', g.source,
          'staff_seats', g.staff_seats, 'card_operations', g.card_operations,
          'card_operations_used', g.card_operations_used, 'starts_at', g.starts_at,
          'ends_at', g.ends_at, 'created_at', g.created_at)), '[]'::json)
        from grants g
        where g.business_id = any(${businessIds}::uuid[])
          and ${grantActive("g", now)}) as grants,
      (select coalesce(json_agg(json_build_object(
          'id', o.id, 'business_id', o.business_id, 'idempotency_key', o.idempotency_key,
          'request_fingerprint', o.request_fingerprint, 'kind', o.kind, 'quantity', o.quantity,
          'occurred_at', o.occurred_at, 'recorded_at', o.recorded_at,
          'remaining_after', o.remaining_after,
          'draws', (select coalesce(json_agg(json_build_object('grantId', d.grant_id, 'quantity', d.quantity)
                      order by (dg.source <> 'plan'), dg.ends_at, dg.created_at, dg.id), '[]'::json)
                    from card_operation_draws d join grants dg on dg.id = d.grant_id
                    where d.card_operation_id = o.id))), '[]'::json)
        from card_operations o
        where (o.business_id, o.idempotency_key) in (
          select * from unnest(${operations.map((o) => o.businessId)}::uuid[],
            ${operations.map((o) => o.idempotencyKey)}::text[]))) as stored`.execute(trx);
  const { grants, stored } = rows[0] ?? { grants: [], stored: [] };
  return {
    grants: grants.map((g) =>
      toGrantRow({
        ...g,
        starts_at: new Date(g.starts_at),
        ends_at: new Date(g.ends_at),
        created_at: new Date(g.created_at),
      }),
    ),
    stored: stored.map((o) => ({
      ...o,
      occurred_at: new Date(o.occurred_at),
      recorded_at: new Date(o.recorded_at),
    })),
  };
}

interface GrantJson {
  id: string;
  business_id: string;
  source: GrantSource;
  staff_seats: number;
  card_operations: number;
  card_operations_used: number;
  starts_at: string;
  ends_at: string;
  created_at: string;
}

type StoredJson = Omit<StoredOperationWithDraws, "occurred_at" | "recorded_at"> & {
  occurred_at: string;
  recorded_at: string;
};

/**
 * The operations, the draws that paid for them and the grants' new counters, in one
 * statement. The check constraint on grants (used ≤ granted) is the last line of defence:
 * were the arithmetic ever wrong, the transaction fails rather than spending a unit twice.
 */
async function writeUsage(
  trx: Database,
  { entries, now }: { entries: UsageEntry[]; now: Date },
): Promise<number[]> {
  if (entries.length === 0) return [];
  const draws = entries.flatMap(({ input, draws: own }) => own.map((d) => ({ input, ...d })));
  const perGrant = new Map<string, number>();
  for (const d of draws) perGrant.set(d.grantId, (perGrant.get(d.grantId) ?? 0) + d.quantity);
  // Only the ids come back: every other column is what this statement was sent.
  const { rows } = await sql<{ id: number; business_id: string; idempotency_key: string }>`
    with ops as (
      insert into card_operations (business_id, idempotency_key, request_fingerprint, kind,
        quantity, occurred_at, recorded_at, remaining_after)
      select business_id, idempotency_key, request_fingerprint, kind, quantity, occurred_at,
        ${now}::timestamptz, remaining_after
      from unnest(
        ${entries.map((e) => e.input.businessId)}::uuid[],
        ${entries.map((e) => e.input.idempotencyKey)}::text[],
        ${entries.map((e) => e.fingerprint)}::text[],
        ${entries.map((e) => e.input.kind)}::text[],
        ${entries.map((e) => e.input.quantity)}::int[],
        ${entries.map((e) => (e.input.occurredAt ?? now).toISOString())}::timestamptz[],
        ${entries.map((e) => e.remaining)}::int[]
      ) as t(business_id, idempotency_key, request_fingerprint, kind, quantity, occurred_at,
        remaining_after)
      returning id, business_id, idempotency_key
    ), drawn as (
      insert into card_operation_draws (card_operation_id, grant_id, quantity)
      select ops.id, d.grant_id, d.quantity
      from unnest(
        ${draws.map((d) => d.input.businessId)}::uuid[],
        ${draws.map((d) => d.input.idempotencyKey)}::text[],
        ${draws.map((d) => d.grantId)}::uuid[],
        ${draws.map((d) => d.quantity)}::int[]
      ) as d(business_id, idempotency_key, grant_id, quantity)
      join ops on ops.business_id = d.business_id and ops.idempotency_key = d.idempotency_key
    ), used as (
      -- The month's and the last use ride on the row update that counts the units.
      update grants set card_operations_used = grants.card_operations_used + u.quantity,
        last_operation_at = ${now}::timestamptz,
        card_operations_used_in_month = case
          when grants.usage_month = date_trunc('month', ${now}::timestamptz at time zone 'UTC')::date
          then grants.card_operations_used_in_month + u.quantity else u.quantity end,
        usage_month = date_trunc('month', ${now}::timestamptz at time zone 'UTC')::date
      from unnest(${[...perGrant.keys()]}::uuid[], ${[...perGrant.values()]}::int[])
        as u(grant_id, quantity)
      where grants.id = u.grant_id
    )
    select * from ops`.execute(trx);
  if (rows.length !== entries.length) throw new Error("card operations: insert count mismatch");
  const ids = new Map(
    rows.map((row) => [operationKey(row.business_id, row.idempotency_key), row.id]),
  );
  return entries.map(({ input }) => {
    const id = ids.get(operationKey(input.businessId, input.idempotencyKey));
    if (id === undefined)
      throw new Error("card operations: an inserted row came back without its key");
    return id;
  });
}
