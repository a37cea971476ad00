// Service bundles: what a partner packs into its codes (DESIGN.md §4). A bundle is never
// changed in place — "editing" creates a new one (duplicatedFrom) and archiving stops new codes.
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "~db/index.ts";
import { BUNDLE_LIMITS, bundlePrice, type BundlePrice } from "~/lib/bundle-pricing";
import { isUuid } from "~/lib/ids";
import type { UnitPrices } from "~/lib/money";
import {
  nameField as nameFieldOf,
  optionalEuroCentsField,
  wholeNumberField as sharedWholeNumberField,
} from "~/lib/fields";
import { recordAudit, type AuditActor } from "./audit.server";
import { DomainError } from "./errors.server";
import { afterKey, fullPrecision, keyset, pageSize, timestampParam } from "./paging.server";

export class BundleNotFound extends DomainError {
  constructor() {
    super("not_found", "No such bundle.", "bundle");
  }
}

export class BundleArchived extends DomainError {
  constructor() {
    super(
      "bundle_archived",
      "This bundle is archived: no new codes can be made from it.",
      "bundle",
    );
  }
}

export interface BundleInput {
  name: string;
  staffSeats: number;
  cardOperations: number;
  termMonths: number;
  codeValidityDays: number;
  resalePriceCents: number | null;
}

export interface Bundle {
  id: string;
  partnerId: string;
  name: string;
  staffSeats: number;
  cardOperations: number;
  termMonths: number;
  codeValidityDays: number;
  resalePriceCents: number | null;
  status: "active" | "archived";
  createdAt: Date;
  archivedAt: Date | null;
  codeCount: number;
  duplicatedFrom: string | null;
  /** At the price list in effect now and the partner's current discount. */
  price: BundlePrice;
}

// ---- Input schemas -------------------------------------------------------------------
// Messages are keys (app/lib/forms.ts); "key|n" carries a limit for the message.

const EMPTY_BUNDLE = "bundles:validation.emptyBundle";

const nameField = nameFieldOf(BUNDLE_LIMITS.nameLength);

type Range = { readonly min: number; readonly max: number };

const bundleNumberMessages = {
  notWhole: "bundles:validation.wholeNumber",
  tooSmall: "bundles:validation.atLeast",
  tooBig: "bundles:validation.atMost",
} as const;

/** A whole number typed into a form ("1,000" allowed), within a range. */
function wholeNumberField(range: Range) {
  return sharedWholeNumberField({ ...range, messages: bundleNumberMessages });
}

/** The API's JSON numbers, worded as the form's. */
function rangeCheck(range: Range) {
  return z
    .number()
    .int(bundleNumberMessages.notWhole)
    .min(range.min, bundleNumberMessages.tooSmall)
    .max(range.max, bundleNumberMessages.tooBig);
}

/** Euros as typed ("12.50", "12,50"); empty means no resale price. */
const resalePriceField = optionalEuroCentsField({
  maxCents: BUNDLE_LIMITS.resalePriceCents.max,
  messages: {
    format: "bundles:validation.priceFormat",
    negative: "bundles:validation.negativePrice",
    tooBig: "bundles:validation.priceTooBig",
  },
});

/** A bundle must give something: staff seats, card operations or both (DESIGN §4). */
function givesNothing(staffSeats: number, cardOperations: number): boolean {
  return staffSeats === 0 && cardOperations === 0;
}

/** The page form: strings as typed. Field names are those of BundleInput (resalePrice in euros). */
export const BundleFormSchema = z
  .object({
    name: nameField,
    staffSeats: wholeNumberField(BUNDLE_LIMITS.staffSeats),
    cardOperations: wholeNumberField(BUNDLE_LIMITS.cardOperations),
    termMonths: wholeNumberField(BUNDLE_LIMITS.termMonths),
    // Left empty, a code stays claimable for the default number of days.
    codeValidityDays: z
      .string()
      .optional()
      .transform((text) =>
        text === undefined || text.trim() === ""
          ? String(BUNDLE_LIMITS.codeValidityDays.default)
          : text,
      )
      .pipe(wholeNumberField(BUNDLE_LIMITS.codeValidityDays)),
    resalePrice: resalePriceField,
  })
  .superRefine((value, ctx) => {
    if (givesNothing(value.staffSeats, value.cardOperations)) {
      ctx.addIssue({ code: "custom", path: ["staffSeats"], message: EMPTY_BUNDLE });
    }
  })
  .transform((value): BundleInput => ({
    name: value.name,
    staffSeats: value.staffSeats,
    cardOperations: value.cardOperations,
    termMonths: value.termMonths,
    codeValidityDays: value.codeValidityDays,
    resalePriceCents: value.resalePrice,
  }));

/** The API body (JSON numbers, snake_case, price in cents), parsed into a BundleInput. */
export const BundleInputSchema = z
  .object({
    name: nameField,
    staff_seats: rangeCheck(BUNDLE_LIMITS.staffSeats),
    card_operations: rangeCheck(BUNDLE_LIMITS.cardOperations),
    term_months: rangeCheck(BUNDLE_LIMITS.termMonths),
    code_validity_days: rangeCheck(BUNDLE_LIMITS.codeValidityDays).default(
      BUNDLE_LIMITS.codeValidityDays.default,
    ),
    resale_price_cents: rangeCheck(BUNDLE_LIMITS.resalePriceCents).nullable().default(null),
  })
  // A misspelt optional field is an error, not silently ignored.
  .strict()
  .superRefine((value, ctx) => {
    if (givesNothing(value.staff_seats, value.card_operations)) {
      ctx.addIssue({ code: "custom", path: ["staff_seats"], message: EMPTY_BUNDLE });
    }
  })
  .transform((value): BundleInput => ({
    name: value.name,
    staffSeats: value.staff_seats,
    cardOperations: value.card_operations,
    termMonths: value.term_months,
    codeValidityDays: value.code_validity_days,
    resalePriceCents: value.resale_price_cents,
  }));

// ---- Reads ---------------------------------------------------------------------------

/**
 * The retail unit prices in force at `now`: the newest price-list version already started
 * (ADR 019). Bundle previews and claims both price here.
 */
export async function getCurrentPrices(db: Database, now: Date): Promise<UnitPrices> {
  return unitPricesOf(await pricesInForce(db, now).executeTakeFirst());
}

/** getCurrentPrices' query, for a statement that reads it with more (the claim's, ADR 041). */
export function pricesInForce(db: Database, now: Date) {
  return db
    .selectFrom("price_list")
    .select(["staff_seat_month_cents", "card_operation_cents"])
    .where("effective_from", "<=", now)
    .orderBy("effective_from", "desc")
    .limit(1);
}

/** The prices `pricesInForce` found; there is always a row (the migration's). */
export function unitPricesOf(
  row: { staff_seat_month_cents: number | null; card_operation_cents: number | null } | undefined,
): UnitPrices {
  if (row?.staff_seat_month_cents == null || row.card_operation_cents == null) {
    throw new Error("The price list has no row in effect.");
  }
  return {
    staffSeatMonthCents: row.staff_seat_month_cents,
    cardOperationCents: row.card_operation_cents,
  };
}

/**
 * The codes made for a bundle, without counting a million index entries: each batch's
 * generated_count moves in the same transaction as the codes it counts (and a failed batch
 * keeps neither), so the batches' sum is exact.
 */
const codeCount = sql<number>`coalesce((
  select sum(cb.generated_count) from code_batches cb
  where cb.partner_id = bundles.partner_id and cb.bundle_id = bundles.id
), 0)`;

function selectBundles(db: Database, partnerId: string) {
  return db
    .selectFrom("bundles")
    .innerJoin("partners", "partners.id", "bundles.partner_id")
    .select([
      "bundles.id",
      "bundles.partner_id",
      "bundles.name",
      "bundles.staff_seats",
      "bundles.card_operations",
      "bundles.term_months",
      "bundles.code_validity_days",
      "bundles.resale_price_cents",
      "bundles.status",
      "bundles.created_at",
      "bundles.archived_at",
      "bundles.duplicated_from",
      "partners.discount_bps",
      fullPrecision(sql.ref("bundles.created_at")).as("created_at_key"),
      codeCount.as("code_count"),
    ])
    .where("bundles.partner_id", "=", partnerId);
}

type BundleRow = Awaited<ReturnType<ReturnType<typeof selectBundles>["executeTakeFirstOrThrow"]>>;

function toBundle(row: BundleRow, prices: UnitPrices): Bundle {
  const quantities = {
    staffSeats: row.staff_seats,
    cardOperations: row.card_operations,
    termMonths: row.term_months,
    resalePriceCents: row.resale_price_cents === null ? null : Number(row.resale_price_cents),
  };
  return {
    id: row.id,
    partnerId: row.partner_id,
    name: row.name,
    ...quantities,
    codeValidityDays: row.code_validity_days,
    status: row.status === "archived" ? "archived" : "active",
    createdAt: row.created_at,
    archivedAt: row.archived_at,
    codeCount: Number(row.code_count),
    duplicatedFrom: row.duplicated_from,
    price: bundlePrice(quantities, prices, row.discount_bps),
  };
}

/** A bundle of this partner; null when missing, another partner's, or not a uuid. */
export async function getBundle(
  db: Database,
  {
    partnerId,
    bundleId,
    now,
  }: { partnerId: string; bundleId: string; /** Prices at this moment. */ now: Date },
): Promise<Bundle | null> {
  if (!isUuid(bundleId)) return null;
  const [row, prices] = await Promise.all([
    selectBundles(db, partnerId).where("bundles.id", "=", bundleId).executeTakeFirst(),
    getCurrentPrices(db, now),
  ]);
  return row ? toBundle(row, prices) : null;
}

const bundlesPaging = keyset("bundles", ["timestamp", "uuid"]);

/** The partner's bundles, newest first, keyset paged. */
export async function listBundles(
  db: Database,
  {
    partnerId,
    status = "active",
    cursor,
    limit = 25,
    now,
  }: {
    partnerId: string;
    status?: "active" | "archived" | "all";
    cursor?: string | null;
    limit?: number;
    /** Prices at this moment. */
    now: Date;
  },
): Promise<{ rows: Bundle[]; nextCursor: string | null }> {
  const size = pageSize(limit, 25, 100);
  const after = bundlesPaging.after(cursor);
  let query = selectBundles(db, partnerId)
    .orderBy("bundles.created_at", "desc")
    .orderBy("bundles.id", "desc")
    .limit(size + 1);
  if (status !== "all") query = query.where("bundles.status", "=", status);
  if (after) {
    query = query.where(
      afterKey(
        [sql.ref("bundles.created_at"), sql.ref("bundles.id")],
        [timestampParam(after[0]), after[1]],
        "desc",
      ),
    );
  }
  const [rows, prices] = await Promise.all([query.execute(), getCurrentPrices(db, now)]);
  const page = bundlesPaging.page(rows, size, (row) => [row.created_at_key, row.id]);
  return { rows: page.rows.map((row) => toBundle(row, prices)), nextCursor: page.nextCursor };
}

// ---- Changes -------------------------------------------------------------------------

function auditSnapshot(input: BundleInput, duplicatedFrom: string | null) {
  return { ...input, duplicatedFrom };
}

/** A new bundle (a duplicate when duplicatedFrom names one of the partner's bundles). */
export async function createBundle(
  db: Database,
  {
    partnerId,
    input,
    actor,
    ip = null,
    duplicatedFrom = null,
    now,
  }: {
    partnerId: string;
    input: BundleInput;
    actor: AuditActor;
    ip?: string | null;
    duplicatedFrom?: string | null;
    now: Date;
  },
): Promise<Bundle> {
  const bundleId = await db.transaction().execute(async (trx) => {
    if (duplicatedFrom !== null) {
      const source = isUuid(duplicatedFrom)
        ? await trx
            .selectFrom("bundles")
            .select("id")
            .where("partner_id", "=", partnerId)
            .where("id", "=", duplicatedFrom)
            .executeTakeFirst()
        : undefined;
      if (!source) throw new BundleNotFound();
    }
    const row = await trx
      .insertInto("bundles")
      .values({
        partner_id: partnerId,
        name: input.name,
        staff_seats: input.staffSeats,
        card_operations: input.cardOperations,
        term_months: input.termMonths,
        code_validity_days: input.codeValidityDays,
        resale_price_cents: input.resalePriceCents,
        duplicated_from: duplicatedFrom,
        created_by: actor.userId,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor,
      action: "bundle.created",
      partnerId,
      subject: { type: "bundle", id: row.id },
      after: auditSnapshot(input, duplicatedFrom),
      ip,
    });
    return row.id;
  });
  const bundle = await getBundle(db, { partnerId, bundleId, now });
  if (!bundle) throw new BundleNotFound();
  return bundle;
}

/** Archives a bundle: no new codes from it; its codes stay valid. Archiving twice is a no-op. */
export async function archiveBundle(
  db: Database,
  {
    partnerId,
    bundleId,
    actor,
    ip = null,
    now,
  }: { partnerId: string; bundleId: string; actor: AuditActor; ip?: string | null; now: Date },
): Promise<Bundle> {
  if (!isUuid(bundleId)) throw new BundleNotFound();
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("bundles")
      .select(["id", "status"])
      .where("partner_id", "=", partnerId)
      .where("id", "=", bundleId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new BundleNotFound();
    if (row.status === "archived") return;
    await trx
      .updateTable("bundles")
      .set({ status: "archived", archived_at: now })
      .where("partner_id", "=", partnerId)
      .where("id", "=", bundleId)
      .execute();
    await recordAudit(trx, {
      actor,
      action: "bundle.archived",
      partnerId,
      subject: { type: "bundle", id: bundleId },
      before: { status: "active" },
      after: { status: "archived" },
      ip,
    });
  });
  const bundle = await getBundle(db, { partnerId, bundleId, now });
  if (!bundle) throw new BundleNotFound();
  return bundle;
}
