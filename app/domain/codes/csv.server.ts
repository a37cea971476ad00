// The codes list as a streamed CSV download.
import { sql } from "kysely";
import { copyPool, type Database } from "~db/index.ts";
import { csvLine, csvStream } from "~/lib/csv";
import {
  copyCsvStream,
  csvLineSql,
  csvNumberSql,
  csvTextSql,
  csvTimeSql,
  inlineParameters,
} from "~/lib/csv.server";
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

/**
 * formatCode in SQL: the prefix (when there is one), then the code in groups of four, by
 * dashes. The table's checks make every code 16 symbols and a prefix 1–8 letters or digits,
 * so substrings do what formatCode's /.{1,4}/g does (a regular expression cost 8 µs a row).
 */
const displaySql = sql<string>`concat_ws('-', nullif(r0.prefix, ''), substr(r0.code, 1, 4),
  substr(r0.code, 5, 4), substr(r0.code, 9, 4), nullif(substr(r0.code, 13), ''))`;

/** codeCsvLine in SQL, over codesQuery's columns and the display code (as "r"). */
function codeCsvLineSql() {
  const text = (column: string) => csvTextSql(sql.ref(`r.${column}`));
  const time = (column: string) => csvTimeSql(sql.ref(`r.${column}`));
  return csvLineSql([
    csvNumberSql(sql.ref("r.id")),
    text("display"),
    text("status"),
    text("bundle_name"),
    text("batch_label"),
    time("expires_at"),
    text("recipient_name"),
    text("recipient_email"),
    time("handed_out_at"),
    time("revoked_at"),
    text("revoke_reason"),
    text("redeem_url"),
    time("claimed_at"),
    text("claimed_by_name"),
    text("claimed_by_id"),
  ]).as("line");
}

/**
 * The query COPY runs: one text column, each code's CSV line, newest first; null: no rows.
 * The cells' values are computed once per row in a fenced subquery (`offset 0`): inlined,
 * PostgreSQL would compute each again wherever csvTextSql writes it.
 */
async function codesCopyQuery(
  db: Database,
  partnerId: string,
  resolved: ResolvedFilter,
  now: Date,
  publicUrl: string,
) {
  const range = resolved.none ? "none" : await serialRange(db, partnerId, resolved, null);
  if (range === "none") return null;
  const rows = codesQuery(db, partnerId, resolved, range, {
    beforeSerial: null,
    limit: null,
    readyBatchesOnly: true,
    now,
  });
  const claimed = sql`(r0.claimed_by_id is not null and r0.claimed_by_name is not null)`;
  const values = db
    .selectFrom(rows.as("r0"))
    .select([
      "r0.id",
      "r0.status",
      "r0.bundle_name",
      "r0.batch_label",
      "r0.expires_at",
      "r0.recipient_name",
      "r0.recipient_email",
      "r0.handed_out_at",
      "r0.revoked_at",
      "r0.revoke_reason",
      "r0.claimed_at",
      displaySql.as("display"),
      sql<string>`${`${publicUrl}/redeem/`} || ${displaySql}`.as("redeem_url"),
      sql<string | null>`case when ${claimed} then r0.claimed_by_name end`.as("claimed_by_name"),
      sql<string | null>`case when ${claimed} then (r0.claimed_by_id)::text end`.as(
        "claimed_by_id",
      ),
    ])
    .orderBy("r0.id", "desc")
    .offset(0);
  return db.selectFrom(values.as("r")).select(codeCsvLineSql()).orderBy("r.id", "desc");
}

/**
 * The SELECT the codes CSV's COPY runs, as plain SQL text (null: no rows), for
 * `npm run bench:codes -- --csv` to time the same query through psql.
 */
export async function codesCsvSelectSql(
  db: Database,
  {
    partnerId,
    filter = {},
    now,
    publicUrl = env.PUBLIC_URL,
  }: { partnerId: string; filter?: CodeFilter; now: Date; publicUrl?: string },
): Promise<string | null> {
  const query = await codesCopyQuery(db, partnerId, resolveFilter(filter), now, publicUrl);
  return query === null ? null : inlineParameters(query);
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
    query: () => codesCopyQuery(db, partnerId, resolved, now, env.PUBLIC_URL),
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
