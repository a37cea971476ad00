// The codes list as a streamed CSV download.
import { sql } from "kysely";
import { copyPool, type Database } from "~db/index.ts";
import { csvLine, csvStream } from "~/lib/csv";
import { copyCsvStream, csvLineSql, csvNumberSql, csvTextSql, csvTimeSql } from "~/lib/csv.server";
import { env } from "~/env.server";
import { CodeFilter, CodeRow } from "./model.server";
import {
  codesQuery,
  resolveFilter,
  selectCodes,
  redeemUrl,
  serialRange,
  type ResolvedFilter,
} from "./reads.server";

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

/** formatCode in SQL: the prefix (when not empty), then the code in groups of four, by dashes. */
function displaySql(code: string, prefix: string) {
  return sql<string>`concat_ws('-', nullif(${sql.ref(prefix)}, ''), nullif(regexp_replace(${sql.ref(code)}, '(.{4})(?!$)', '\\1-', 'g'), ''))`;
}

/** codeCsvLine in SQL, over codesQuery's columns (as "r"). */
function codeCsvLineSql() {
  const text = (column: string) => csvTextSql(sql.ref(`r.${column}`));
  const time = (column: string) => csvTimeSql(sql.ref(`r.${column}`));
  const claimed = sql`(r.claimed_by_id is not null and r.claimed_by_name is not null)`;
  return csvLineSql([
    csvNumberSql(sql.ref("r.id")),
    csvTextSql(displaySql("r.code", "r.prefix")),
    text("status"),
    text("bundle_name"),
    text("batch_label"),
    time("expires_at"),
    text("recipient_name"),
    text("recipient_email"),
    time("handed_out_at"),
    time("revoked_at"),
    text("revoke_reason"),
    csvTextSql(sql`(${`${env.PUBLIC_URL}/redeem/`} || ${displaySql("r.code", "r.prefix")})`),
    time("claimed_at"),
    csvTextSql(sql`case when ${claimed} then r.claimed_by_name end`),
    csvTextSql(sql`case when ${claimed} then (r.claimed_by_id)::text end`),
  ]).as("line");
}

/** The codes CSV written by PostgreSQL (COPY): the same lines, in the same order. */
function codesCopyCsv(
  db: Database,
  pool: NonNullable<ReturnType<typeof copyPool>>,
  partnerId: string,
  resolved: ResolvedFilter,
  bom: boolean,
  now: Date,
): ReadableStream<Uint8Array> {
  return copyCsvStream({
    pool,
    header: CSV_HEADER,
    bom,
    query: async () => {
      const range = resolved.none ? "none" : await serialRange(db, partnerId, resolved, null);
      if (range === "none") return null;
      const rows = codesQuery(db, partnerId, resolved, range, {
        beforeSerial: null,
        limit: null,
        readyBatchesOnly: true,
        now,
      });
      return db.selectFrom(rows.as("r")).select(codeCsvLineSql()).orderBy("r.id", "desc");
    },
  });
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
  const pool = copyPool(db);
  if (pool) return codesCopyCsv(db, pool, partnerId, resolved, bom, now);
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
