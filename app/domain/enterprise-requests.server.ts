// Custom / Enterprise by request (DESIGN.md §3): a business owner asks from the billing page,
// the request lands in support's inbox, and one support person marks it handled with a note.
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "~db/index.ts";
import { isUuid } from "~/lib/ids";
import { wholeNumberField } from "~/lib/fields";
import { ENTERPRISE_LIMITS } from "~/lib/pricing-limits";
import { storable } from "~/lib/storable-text";
import { recordAudit, type AuditActor } from "./audit.server";
import { DomainError, RateLimited } from "./errors.server";
import {
  afterKey,
  fullPrecision,
  keyset,
  pageSize,
  timestampParam,
  type Page,
} from "./paging.server";
import { hitRateLimit, rateLimitRules } from "./rate-limits.server";

function countField(range: { min: number; max: number }) {
  return wholeNumberField(range);
}

/** The owner's form on the billing page. */
export const EnterpriseRequestSchema = z.object({
  locations: countField(ENTERPRISE_LIMITS.locations),
  cardOperationsPerMonth: countField(ENTERPRISE_LIMITS.cardOperationsPerMonth),
  message: z
    .string()
    .trim()
    .max(ENTERPRISE_LIMITS.messageLength)
    .refine(storable, "validation.invalid")
    .default(""),
});
export type EnterpriseRequestInput = z.infer<typeof EnterpriseRequestSchema>;

/** Support's "mark handled" form. */
export const HandleRequestSchema = z.object({
  requestId: z.string().trim().uuid(),
  note: z
    .string()
    .trim()
    .min(1)
    .max(ENTERPRISE_LIMITS.noteLength)
    .refine(storable, "validation.invalid"),
});

export class RequestNotFound extends DomainError {
  constructor() {
    super("request_not_found", "No such request.");
  }
}

export class RequestAlreadyHandled extends DomainError {
  constructor(
    readonly handledBy: string | null,
    readonly handledAt: Date | null,
  ) {
    super(
      "request_already_handled",
      "This request was handled already by someone else: nothing was changed.",
    );
  }
}

/**
 * Records a business's request for Custom / Enterprise, with an audit entry. At most
 * `enterpriseRequestsPerBusiness` per window: counted in the same transaction, so a refused
 * request counts nothing and a failed insert leaves the counter as it was.
 */
export async function requestEnterprise(
  db: Database,
  {
    businessId,
    input,
    actor,
    ip = null,
    now,
  }: {
    businessId: string;
    input: EnterpriseRequestInput;
    actor: AuditActor;
    ip?: string | null;
    now: Date;
  },
): Promise<{ id: string }> {
  return db.transaction().execute(async (trx) => {
    const counted = await hitRateLimit(
      trx,
      `enterprise-request:business:${businessId}`,
      rateLimitRules.enterpriseRequestsPerBusiness,
      now,
    );
    if (counted.limited) throw new RateLimited(counted.retryAfterSeconds);
    const row = await trx
      .insertInto("enterprise_requests")
      .values({
        business_id: businessId,
        requested_by: actor.userId,
        locations: input.locations,
        card_operations_per_month: input.cardOperationsPerMonth,
        message: input.message,
        created_at: now,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: "enterprise.requested",
      businessId,
      subject: { type: "enterprise_request", id: row.id },
      after: {
        locations: input.locations,
        card_operations_per_month: input.cardOperationsPerMonth,
        message: input.message,
      },
      ip,
    });
    return { id: row.id };
  });
}

export type RequestStatus = "open" | "handled";

export interface EnterpriseRequestRow {
  id: string;
  businessId: string;
  businessName: string;
  planName: string;
  requestedBy: string | null;
  locations: number;
  cardOperationsPerMonth: number;
  message: string;
  status: RequestStatus;
  handledBy: string | null;
  handledAt: Date | null;
  note: string;
  createdAt: Date;
}

const requestsPaging = keyset("enterprise-requests", ["timestamp", "uuid"]);

/**
 * Requests newest first (open, handled or all), keyset paged on (created_at, id) by the one
 * paginator (ADR 021); a cursor of another list throws InvalidCursor.
 */
export async function listEnterpriseRequests(
  db: Database,
  {
    status,
    cursor,
    limit = 25,
  }: { status: RequestStatus | "all"; cursor?: string | null; limit?: number },
): Promise<Page<EnterpriseRequestRow>> {
  const size = pageSize(limit, 25, 100);
  const after = requestsPaging.after(cursor);
  let query = db
    .selectFrom("enterprise_requests as r")
    .innerJoin("businesses as b", "b.id", "r.business_id")
    .innerJoin("plans as p", "p.id", "b.plan_id")
    .leftJoin("users as requester", "requester.id", "r.requested_by")
    .leftJoin("users as handler", "handler.id", "r.handled_by")
    .select([
      "r.id",
      "r.business_id",
      "b.name as business_name",
      "p.name as plan_name",
      "requester.email as requested_by",
      "r.locations",
      "r.card_operations_per_month",
      "r.message",
      "r.status",
      "handler.email as handled_by",
      "r.handled_at",
      "r.note",
      "r.created_at",
      fullPrecision(sql.ref("r.created_at")).as("created_at_key"),
    ])
    .orderBy("r.created_at", "desc")
    .orderBy("r.id", "desc")
    .limit(size + 1);
  if (status !== "all") query = query.where("r.status", "=", status);
  if (after) {
    query = query.where(
      afterKey(
        [sql.ref("r.created_at"), sql.ref("r.id")],
        [timestampParam(after[0]), after[1]],
        "desc",
      ),
    );
  }
  const rows = await query.execute();
  const page = requestsPaging.page(rows, size, (row) => [row.created_at_key, row.id]);
  return {
    rows: page.rows.map((row) => ({
      id: row.id,
      businessId: row.business_id,
      businessName: row.business_name,
      planName: row.plan_name,
      requestedBy: row.requested_by,
      locations: row.locations,
      cardOperationsPerMonth: row.card_operations_per_month,
      message: row.message,
      status: row.status === "handled" ? "handled" : "open",
      handledBy: row.handled_by,
      handledAt: row.handled_at,
      note: row.note,
      createdAt: row.created_at,
    })),
    nextCursor: page.nextCursor,
  };
}

/** How many requests wait for support (for the navigation). */
export async function countOpenRequests(db: Database): Promise<number> {
  const row = await db
    .selectFrom("enterprise_requests")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("status", "=", "open")
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Marks an open request handled, with support's note. The conditional update decides when
 * two support people handle it at once: one matches `status = 'open'`, the other learns who
 * was first and changes nothing.
 */
export async function handleEnterpriseRequest(
  db: Database,
  {
    requestId,
    note,
    actor,
    ip = null,
    now,
  }: { requestId: string; note: string; actor: AuditActor; ip?: string | null; now: Date },
): Promise<{ businessName: string }> {
  if (!isUuid(requestId)) throw new RequestNotFound();
  return db.transaction().execute(async (trx) => {
    const handled = await trx
      .updateTable("enterprise_requests")
      .set({ status: "handled", handled_by: actor.userId, handled_at: now, note })
      .where("id", "=", requestId)
      .where("status", "=", "open")
      .returning(["business_id", "locations", "card_operations_per_month"])
      .executeTakeFirst();
    if (!handled) {
      const existing = await trx
        .selectFrom("enterprise_requests as r")
        .leftJoin("users as u", "u.id", "r.handled_by")
        .select(["u.email", "r.handled_at"])
        .where("r.id", "=", requestId)
        .executeTakeFirst();
      if (!existing) throw new RequestNotFound();
      throw new RequestAlreadyHandled(existing.email, existing.handled_at);
    }
    await recordAudit(trx, {
      actor,
      action: "enterprise.request_handled",
      businessId: handled.business_id,
      subject: { type: "enterprise_request", id: requestId },
      before: { status: "open" },
      after: { status: "handled", note, handled_at: now.toISOString() },
      reason: note,
      ip,
    });
    const business = await trx
      .selectFrom("businesses")
      .select("name")
      .where("id", "=", handled.business_id)
      .executeTakeFirstOrThrow();
    return { businessName: business.name };
  });
}
