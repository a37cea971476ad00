// The clients list as a streamed CSV download.
import type { Database } from "~db/index.ts";
import { csvLine, csvStream } from "~/lib/csv";
import { ClientRow, ClientListOptions } from "./model.server";
import { resolveList, After, selectClients, afterRow } from "./reads.server";

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

/**
 * The clients the list shows for these options, in its order, as CSV — read in keyset
 * chunks as the consumer pulls: one chunk in memory at a time, however many clients there
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
