// The clients list as a streamed CSV download.
import { sql } from "kysely";
import { copyPool, type Database } from "~db/index.ts";
import { csvLine, csvStream } from "~/lib/csv";
import {
  copyCsvStream,
  csvBooleanSql,
  csvLineSql,
  csvNumberSql,
  csvTextSql,
  csvTimeSql,
} from "~/lib/csv.server";
import { ClientRow, ClientListOptions } from "./model.server";
import {
  resolveList,
  After,
  selectClients,
  afterRow,
  clientsTotalsQuery,
  occupiedSeatsSql,
  type ResolvedList,
} from "./reads.server";

// ---- CSV ----------------------------------------------------------------------------------

const CSV_HEADER = [
  "business_id",
  "business_name",
  "codes_claimed",
  "active_codes",
  "staff_seats_granted",
  "staff_seats_occupied",
  "card_operations_granted",
  "card_operations_used",
  "card_operations_used_this_month",
  "active_card_operations_granted",
  "active_card_operations_used",
  "usage_percent",
  "last_activity_at",
  "soonest_ends_at",
  "nearly_used_up",
  "ends_within_30_days",
];

function clientCsvLine(row: ClientRow): string {
  return csvLine([
    row.businessId,
    row.businessName,
    row.codesClaimed,
    row.activeCodes,
    row.seatsGranted,
    row.seatsOccupied,
    row.cardOperationsGranted,
    row.cardOperationsUsed,
    row.cardOperationsUsedThisMonth,
    row.activeCardOperationsGranted,
    row.activeCardOperationsUsed,
    row.usagePercent,
    row.lastActivityAt?.toISOString() ?? null,
    row.soonestEndsAt?.toISOString() ?? null,
    row.nearlyUsedUp,
    row.endsWithin30Days,
  ]);
}

/** clientCsvLine in SQL, over clientsTotalsQuery's columns (as "t") and the seats (as "s"). */
function clientCsvLineSql() {
  const number = (column: string) => csvNumberSql(sql.ref(`t.${column}`));
  return csvLineSql([
    csvTextSql(sql`(t.business_id)::text`),
    csvTextSql(sql.ref("t.business_name")),
    number("codes_claimed"),
    number("active_codes"),
    number("seats_granted"),
    csvNumberSql(sql`coalesce(s.occupied, 0)`),
    number("card_operations_granted"),
    number("card_operations_used"),
    number("card_operations_used_this_month"),
    number("active_card_operations_granted"),
    number("active_card_operations_used"),
    // Whole units: an int8 division rounds down, as Math.floor does for these non-negative sums.
    csvNumberSql(sql`case when t.active_card_operations_granted > 0
      then t.active_card_operations_used * 100 / t.active_card_operations_granted end`),
    csvTimeSql(sql.ref("t.last_activity_at")),
    csvTimeSql(sql.ref("t.soonest_ends_at")),
    csvBooleanSql(sql.ref("t.nearly_used_up")),
    csvBooleanSql(sql.ref("t.ends_within_30_days")),
  ]);
}

/** The clients CSV written by PostgreSQL (COPY): the same lines, in the same order. */
function clientsCopyCsv(
  db: Database,
  pool: NonNullable<ReturnType<typeof copyPool>>,
  { partnerId, list, bom, now }: { partnerId: string; list: ResolvedList; bom: boolean; now: Date },
): ReadableStream<Uint8Array> {
  const direction = sql.raw(list.direction === "desc" ? "desc" : "asc");
  return copyCsvStream({
    pool,
    header: CSV_HEADER,
    bom,
    // Built when the stream is read (copyCsvStream awaits it there), as before.
    query: () =>
      Promise.resolve(
        sql`select ${clientCsvLineSql()} as line
        from (${clientsTotalsQuery({ partnerId, list, after: null, limit: null, now })}) t
        left join (${occupiedSeatsSql(partnerId, now, null)}) s on s.business_id = t.business_id
        order by t.sort_rank ${direction}, t.sort_key ${direction}, t.business_id ${direction}`.compile(
          db,
        ),
      ),
  });
}

/**
 * The clients the list shows for these options, in its order, as CSV: on PostgreSQL written
 * by `COPY … TO STDOUT` (ADR 030, 036); else read in keyset chunks as the consumer pulls: one chunk in memory at a time, however many clients there
 * are. Bad options throw here, before anything is streamed. `bom` starts the file with a
 * UTF-8 byte order mark, which spreadsheet programs need to read non-ASCII names correctly.
 */
export function clientsCsv(
  db: Database,
  {
    partnerId,
    sort,
    direction,
    filter,
    search,
    now,
    chunkSize = 2000,
    bom = false,
  }: ClientListOptions & { partnerId: string; now: Date; chunkSize?: number; bom?: boolean },
): ReadableStream<Uint8Array> {
  const list = resolveList({ sort, direction, filter, search });
  const pool = copyPool(db);
  if (pool) return clientsCopyCsv(db, pool, { partnerId, list, bom, now });
  return csvStream({
    header: CSV_HEADER,
    bom,
    chunkSize,
    readChunk: (after: After | null, limit) =>
      selectClients(db, { partnerId, list, after, limit, now }),
    lineOf: (row) => clientCsvLine(row),
    keyOf: (row) => afterRow(list, row),
  });
}
