// What a batch's printable code cards hold: the batch, its bundle and its outstanding codes
// (issued, not expired — a card for a claimed, revoked or expired code would only let its
// holder down), one file of at most CARDS_PER_FILE cards at a time.
import type { Database } from "~db/index.ts";
import { formatCode } from "~/lib/activation-code";
import { isUuid } from "~/lib/ids";
import { redeemUrl } from "./codes/reads.server";
import { DomainError } from "./errors.server";
import { codeOutstanding } from "./predicates.server";

/**
 * Cards per PDF file (100 A4 pages). react-pdf lays out a whole document in memory before
 * it writes a byte: about 8 ms of CPU and 0.25 MB per card, so a file takes some 10 s and
 * 0.4 GB in its worker. Larger batches print as numbered parts: a download that is not
 * much slower than the first one, and that no proxy time-out cuts off.
 */
export const CARDS_PER_FILE = 1_000;

export class BatchNotReady extends DomainError {
  constructor() {
    super("batch_not_ready", "The batch is not ready: its codes cannot be printed yet.", "batch");
  }
}

export class NothingToPrint extends DomainError {
  constructor() {
    super("nothing_to_print", "The batch has no outstanding codes to print.", "batch");
  }
}

export class CardPartOutOfRange extends DomainError {
  constructor(readonly parts: number) {
    super("invalid_request", `part must be a whole number from 1 to ${parts}.`, "part");
  }
}

export interface CodeCardsData {
  /** `locale`: the tag the cards print in, chosen when the batch was generated. */
  batch: {
    id: string;
    label: string | null;
    prefix: string | null;
    locale: string;
    createdAt: Date;
  };
  bundle: { name: string; staffSeats: number; cardOperations: number; termMonths: number };
  /** 1-based part of the batch's outstanding codes in this file, of `parts`. */
  part: number;
  parts: number;
  /** Outstanding codes of the batch, all parts together. */
  outstanding: number;
  codes: {
    serial: number;
    /** The stored 16 symbols. */
    code: string;
    /** With the prefix and grouped, as printed. */
    display: string;
    redeemUrl: string;
    expiresAt: Date;
  }[];
}

/** How many files the cards of this many codes take. */
export function cardFileParts(outstanding: number): number {
  return Math.max(1, Math.ceil(outstanding / CARDS_PER_FILE));
}

/**
 * The cards of one part of a batch, codes in serial order. Null when the batch is missing,
 * another partner's or its id is malformed. Throws BatchNotReady (generating or failed),
 * NothingToPrint (no outstanding code) and CardPartOutOfRange.
 */
export async function loadCodeCards(
  db: Database,
  {
    partnerId,
    batchId,
    part = 1,
    now,
  }: { partnerId: string; batchId: string; part?: number; now: Date },
): Promise<CodeCardsData | null> {
  if (!isUuid(batchId)) return null;
  const batch = await db
    .selectFrom("code_batches as cb")
    .innerJoin("bundles as b", (join) =>
      join.onRef("b.id", "=", "cb.bundle_id").on("b.partner_id", "=", partnerId),
    )
    .select([
      "cb.id",
      "cb.label",
      "cb.prefix",
      "cb.status",
      "cb.locale",
      "cb.created_at",
      "b.name as bundleName",
      "b.staff_seats",
      "b.card_operations",
      "b.term_months",
    ])
    .where("cb.id", "=", batchId)
    .where("cb.partner_id", "=", partnerId)
    .executeTakeFirst();
  if (!batch) return null;
  if (batch.status !== "ready") throw new BatchNotReady();

  const outstandingCodes = db
    .selectFrom("activation_codes")
    .where("partner_id", "=", partnerId)
    .where("batch_id", "=", batchId)
    .where(codeOutstanding("activation_codes", now));
  const { count } = await outstandingCodes
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .executeTakeFirstOrThrow();
  const outstanding = Number(count);
  if (outstanding === 0) throw new NothingToPrint();
  const parts = cardFileParts(outstanding);
  if (!Number.isSafeInteger(part) || part < 1 || part > parts) throw new CardPartOutOfRange(parts);

  // OFFSET rather than a keyset: a part is a stable, nameable slice ("part 3 of 50") that
  // the batch page can link from the count alone, and skipping even 998,000 index entries
  // costs far less than rendering the 1,000 cards that follow.
  const rows = await outstandingCodes
    .select(["id", "code", "expires_at"])
    .orderBy("id")
    .offset((part - 1) * CARDS_PER_FILE)
    .limit(CARDS_PER_FILE)
    .execute();

  return {
    batch: {
      id: batch.id,
      label: batch.label,
      prefix: batch.prefix,
      locale: batch.locale,
      createdAt: new Date(batch.created_at),
    },
    bundle: {
      name: batch.bundleName,
      staffSeats: batch.staff_seats,
      cardOperations: batch.card_operations,
      termMonths: batch.term_months,
    },
    part,
    parts,
    outstanding,
    codes: rows.map((row) => ({
      serial: Number(row.id),
      code: row.code,
      display: formatCode(row.code, batch.prefix),
      redeemUrl: redeemUrl(row.code, batch.prefix),
      expiresAt: row.expires_at,
    })),
  };
}
