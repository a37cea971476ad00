// The codes list as a streamed CSV download.
import type { Database } from "~db/index.ts";
import { csvLine, csvStream } from "~/lib/csv";
import { CodeFilter, CodeRow } from "./model.server";
import { resolveFilter, selectCodes, redeemUrl } from "./reads.server";

// ---- CSV ----------------------------------------------------------------------------------

const CSV_HEADER = [
  "serial",
  "code",
  "status",
  "bundle",
  "batch_label",
  "expires_at",
  "recipient_name",
  "recipient_email",
  "handed_out_at",
  "revoked_at",
  "revoke_reason",
  "redeem_url",
  "claimed_at",
  "claimed_by_business",
  "claimed_by_business_id",
];

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

function codeCsvLine(row: CodeRow): string {
  return csvLine([
    row.serial,
    row.display,
    row.status,
    row.bundleName,
    row.batchLabel,
    iso(row.expiresAt),
    row.recipientName,
    row.recipientEmail,
    iso(row.handedOutAt),
    iso(row.revokedAt),
    row.revokeReason,
    redeemUrl(row.code, row.prefix),
    iso(row.claimedAt),
    row.claimedBy?.name ?? null,
    row.claimedBy?.businessId ?? null,
  ]);
}

/**
 * The filtered codes as CSV, newest first, read in keyset chunks as the consumer pulls: one
 * chunk of rows in memory at a time, however many codes match. A search it cannot read
 * throws here, before anything is streamed. `bom` starts the file with a UTF-8 byte order
 * mark, which spreadsheet programs need to read non-ASCII names correctly.
 */
export function codesCsv(
  db: Database,
  {
    partnerId,
    filter = {},
    chunkSize = 5000,
    bom = false,
    now,
  }: {
    partnerId: string;
    filter?: CodeFilter;
    chunkSize?: number;
    bom?: boolean;
    now: Date;
  },
): ReadableStream<Uint8Array> {
  const resolved = resolveFilter(filter);
  return csvStream({
    header: CSV_HEADER,
    bom,
    chunkSize,
    readChunk: async (beforeSerial: number | null, limit) =>
      resolved.none
        ? []
        : selectCodes(db, partnerId, resolved, {
            beforeSerial,
            limit,
            readyBatchesOnly: true,
            now,
          }),
    lineOf: codeCsvLine,
    keyOf: (row) => row.serial,
  });
}
