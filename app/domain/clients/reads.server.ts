// A partner's clients and one client: the aggregate over the partner's grants, keyset paged.
import { sql, type RawBuilder } from "kysely";
import type { Database } from "~db/index.ts";
import { isUuid } from "~/lib/ids";
import { getPartnerGrants } from "../entitlements/answer.server";
import { grantActive } from "../predicates.server";
import { InvalidCursor, keyset, pageSize, type Page } from "../paging.server";
import { escapeLike } from "~/lib/csv";
import { storable } from "~/lib/storable-text";
import {
  clientSorts,
  ClientSort,
  clientFilters,
  ClientFilter,
  sortDirections,
  SortDirection,
  defaultDirection,
  ENDS_SOON_DAYS,
  NEARLY_USED_UP_PERCENT,
  ClientRow,
  ClientListOptions,
  ClientCode,
  DailyUsage,
  ClientDetail,
  ClientNotFound,
  invalidOption,
} from "./model.server";

// ---- Reading ------------------------------------------------------------------------------

export interface ResolvedList {
  sort: ClientSort;
  direction: SortDirection;
  filter: ClientFilter | null;
  searchPattern: string | null;
}

/** Checks what TypeScript cannot promise at run time (the API and pages pass parsed input). */
export function resolveList(options: ClientListOptions): ResolvedList {
  const sort = options.sort ?? "name";
  if (!(clientSorts as readonly string[]).includes(sort)) throw invalidOption("sort");
  const direction = options.direction ?? defaultDirection(sort);
  if (!(sortDirections as readonly string[]).includes(direction)) throw invalidOption("direction");
  const filter = options.filter ?? null;
  if (filter !== null && !(clientFilters as readonly string[]).includes(filter))
    throw invalidOption("filter");
  const search = options.search?.trim() ?? "";
  if (!storable(search) || search.length > 100) throw invalidOption("search");
  return {
    sort,
    direction,
    filter,
    searchPattern: search ? `%${escapeLike(search)}%` : null,
  };
}

/** The current calendar month (UTC) as the usage write path stores it in grants.usage_month. */
function usageMonth(now: Date): string {
  return `${now.toISOString().slice(0, 7)}-01`;
}

/**
 * One row per business over the partner's grants: counts and sums as the module comment
 * defines them. `only` narrows the businesses (one client, or a page of them). Whether a
 * grant is active is worked out once per grant (the `offset 0` keeps PostgreSQL from
 * copying the expression into every aggregate); roll-backs are few and join by hash.
 */
function partnerGrantTotals(partnerId: string, now: Date, only: RawBuilder<unknown> | null) {
  return sql`
    select g.business_id,
      count(*)::int8 as codes_claimed,
      count(*) filter (where g.active)::int8 as active_codes,
      coalesce(sum(g.staff_seats) filter (where g.active), 0)::int8 as seats_granted,
      coalesce(sum(case when g.rolled_back then g.card_operations_used
        else g.card_operations end), 0)::int8 as card_operations_granted,
      coalesce(sum(g.card_operations_used), 0)::int8 as card_operations_used,
      coalesce(sum(g.card_operations_used_in_month)
        filter (where g.usage_month = ${usageMonth(now)}::date), 0)::int8
        as card_operations_used_this_month,
      coalesce(sum(g.card_operations) filter (where g.active), 0)::int8
        as active_card_operations_granted,
      coalesce(sum(g.card_operations_used) filter (where g.active), 0)::int8
        as active_card_operations_used,
      max(g.last_operation_at) as last_activity_at,
      min(g.ends_at) filter (where g.active) as soonest_ends_at
    from (
      select g.business_id, g.staff_seats, g.card_operations, g.card_operations_used,
        g.card_operations_used_in_month, g.usage_month, g.last_operation_at, g.ends_at,
        r.activation_code_id is not null as rolled_back,
        (${grantActive("g", now)} and r.activation_code_id is null) as active
      from grants g
      left join claim_rollbacks r
        on r.activation_code_id = g.activation_code_id and r.partner_id = ${partnerId}::uuid
      where g.partner_id = ${partnerId}::uuid ${only ? sql`and g.business_id ${only}` : sql``}
      offset 0
    ) g
    group by g.business_id`;
}

// The flags, written once: the list's columns and its filters both use these.
const nearlyUsedUpSql = sql`(c.active_card_operations_granted > 0 and
  c.active_card_operations_used * 100 >= c.active_card_operations_granted * ${sql.lit(NEARLY_USED_UP_PERCENT)})`;
const endsSoonSql = (now: Date) =>
  sql`(c.soonest_ends_at is not null and
    c.soonest_ends_at <= ${new Date(now.getTime() + ENDS_SOON_DAYS * 86_400_000)}::timestamptz)`;

const filterSql: Record<ClientFilter, (now: Date) => RawBuilder<unknown>> = {
  active: () => sql`c.active_codes > 0`,
  ended: () => sql`c.active_codes = 0`,
  nearly_used_up: () => nearlyUsedUpSql,
  ends_soon: endsSoonSql,
};

/**
 * Each sort's key. Numbers are float8 (times as epoch microseconds, usage in basis points of
 * whole units), exact in a JSON cursor; a missing value (no activity, nothing active) sorts
 * last in both directions.
 */
const sortKeys: Record<ClientSort, { key: RawBuilder<unknown>; text: boolean }> = {
  name: { key: sql`lower(b.name)`, text: true },
  codes: { key: sql`c.codes_claimed::float8`, text: false },
  used: { key: sql`c.card_operations_used::float8`, text: false },
  usage: {
    key: sql`(c.active_card_operations_used * 10000
      / nullif(c.active_card_operations_granted, 0))::float8`,
    text: false,
  },
  activity: { key: sql`(extract(epoch from c.last_activity_at) * 1000000)::float8`, text: false },
  ends: { key: sql`(extract(epoch from c.soonest_ends_at) * 1000000)::float8`, text: false },
};

/**
 * Where the previous page ended: [sort, direction, rank, key, business id]. A name is not
 * carried (120 characters of any script would not fit a cursor): the query reads it again
 * by the business id.
 */
export interface After {
  rank: number;
  key: number | null;
  businessId: string;
}

/** Each sort and direction is its own list: a cursor of another is refused. */
function clientsPaging(list: ResolvedList) {
  return keyset(`clients:${list.sort}:${list.direction}`, ["number", "number?", "uuid"]);
}

function readCursor(cursor: string | null | undefined, list: ResolvedList): After | null {
  const parts = clientsPaging(list).after(cursor);
  if (!parts) return null;
  const [rank, key, businessId] = parts;
  const keyFits = sortKeys[list.sort].text ? key === null : key !== null;
  if ((rank !== 0 && rank !== 1) || !keyFits) throw new InvalidCursor();
  return { rank, key, businessId };
}

interface ClientRowWithKey extends ClientRow {
  sortRank: number;
  sortKey: string | number;
}

interface TotalsRow {
  business_id: string;
  business_name: string;
  codes_claimed: number;
  active_codes: number;
  seats_granted: number;
  card_operations_granted: number;
  card_operations_used: number;
  card_operations_used_this_month: number;
  active_card_operations_granted: number;
  active_card_operations_used: number;
  last_activity_at: Date | null;
  soonest_ends_at: Date | null;
  nearly_used_up: boolean;
  ends_within_30_days: boolean;
  sort_rank: number;
  sort_key: string | number;
}

/** Members holding a seat on the partner's active grants, per business of the page. */
async function occupiedSeats(
  db: Database,
  { partnerId, businessIds, now }: { partnerId: string; businessIds: string[]; now: Date },
): Promise<Map<string, number>> {
  if (businessIds.length === 0) return new Map();
  const { rows } = await occupiedSeatsSql(partnerId, now, businessIds).execute(db);
  return new Map(rows.map((row) => [row.business_id, Number(row.occupied)]));
}

/**
 * The clients' totals in the list's order: by name without a filter (the list's first view)
 * the page is chosen from the partner's clients and their names alone — the distinct
 * businesses of grants_partner_idx — and only its businesses are totalled; any other sort or
 * filter needs every client's totals first. `limit` null reads them all (the CSV written by
 * COPY); the order is always (sort_rank, sort_key, business_id) in the list's direction.
 */
export function clientsTotalsQuery({
  partnerId,
  list,
  after,
  limit,
  now,
  businessId = null,
}: {
  partnerId: string;
  list: ResolvedList;
  after: After | null;
  limit: number | null;
  now: Date;
  businessId?: string | null;
}): RawBuilder<TotalsRow> {
  const { key, text } = sortKeys[list.sort];
  const descending = list.direction === "desc";
  const direction = sql.raw(descending ? "desc" : "asc");
  const beyond = sql.raw(descending ? "<" : ">");
  const limited = limit === null ? sql`` : sql`limit ${limit}`;
  const oneBusiness = businessId === null ? null : sql`= ${businessId}::uuid`;
  // Both sides folded by the database, so that a name and a search agree on what "any case"
  // means (the database's locale decides it beyond ASCII).
  const search = list.searchPattern ? sql`lower(b.name) like lower(${list.searchPattern})` : null;
  // A name is read again by the cursor's business id (see After); only the partner's own.
  const afterName = after
    ? sql`(
        select lower(b.name), b.id from businesses b
        where b.id = ${after.businessId}::uuid and exists (select 1 from grants g
          where g.partner_id = ${partnerId}::uuid and g.business_id = b.id))`
    : null;
  const flags = sql`${nearlyUsedUpSql} as nearly_used_up,
    ${endsSoonSql(now)} as ends_within_30_days`;

  if (list.sort === "name" && list.filter === null) {
    const conditions = [search, afterName && sql`(lower(b.name), b.id) ${beyond} ${afterName}`];
    return sql<TotalsRow>`
      with page as (
        select b.id as business_id, lower(b.name) as sort_key
        from (
          select distinct g.business_id from grants g
          where g.partner_id = ${partnerId}::uuid
            ${oneBusiness ? sql`and g.business_id ${oneBusiness}` : sql``}
        ) clients
        join businesses b on b.id = clients.business_id
        ${whereAll(conditions)}
        order by lower(b.name) ${direction}, b.id ${direction}
        ${limited}
      )
      select c.*, b.name as business_name, ${flags}, 0 as sort_rank, page.sort_key
      from page
      join (${partnerGrantTotals(partnerId, now, sql`in (select business_id from page)`)}) c
        on c.business_id = page.business_id
      join businesses b on b.id = page.business_id
      order by page.sort_key ${direction}, page.business_id ${direction}`;
  }
  // Rank 1 sorts after rank 0 ascending and before it descending: missing keys go last.
  const rank = text
    ? sql`0`
    : descending
      ? sql`(${key} is not null)::int`
      : sql`(${key} is null)::int`;
  const keyset = !after
    ? null
    : text
      ? sql`(k.sort_key, k.business_id) ${beyond} ${afterName}`
      : sql`(k.sort_rank, k.sort_key, k.business_id) ${beyond}
          (${after.rank}::int, ${after.key}::float8, ${after.businessId}::uuid)`;
  // Names are joined before the sort only when the sort or the search needs them; else
  // only the page's rows look their name up.
  const names = text || search ? sql`join businesses b on b.id = c.business_id` : sql``;
  return sql<TotalsRow>`
    select p.*, b.name as business_name from (
      select k.* from (
        select c.*, ${flags}, ${rank} as sort_rank,
          ${text ? key : sql`coalesce(${key}, 0::float8)`} as sort_key
        from (${partnerGrantTotals(partnerId, now, oneBusiness)}) c
        ${names}
        ${whereAll([list.filter ? filterSql[list.filter](now) : null, search])}
      ) k
      ${whereAll([keyset])}
      order by k.sort_rank ${direction}, k.sort_key ${direction}, k.business_id ${direction}
      ${limited}
    ) p
    join businesses b on b.id = p.business_id
    order by p.sort_rank ${direction}, p.sort_key ${direction}, p.business_id ${direction}`;
}

/**
 * Members holding a seat on the partner's active grants (not rolled back), one row per
 * business that has any: of `businessIds` (a page), or of every client (null, the CSV).
 */
export function occupiedSeatsSql(
  partnerId: string,
  now: Date,
  businessIds: string[] | null,
): RawBuilder<{ business_id: string; occupied: number }> {
  const only =
    businessIds === null
      ? sql``
      : sql`and g.business_id in (${sql.join(businessIds.map((id) => sql`${id}::uuid`))})`;
  return sql<{ business_id: string; occupied: number }>`
    select g.business_id, count(*)::int8 as occupied
    from grants g
    join business_members m on m.seat_grant_id = g.id
    left join claim_rollbacks r on r.activation_code_id = g.activation_code_id
    where g.partner_id = ${partnerId}::uuid ${only}
      and g.starts_at <= ${now}::timestamptz and g.ends_at > ${now}::timestamptz
      and r.activation_code_id is null
    group by g.business_id`;
}

/** A page of clients with their totals and occupied seats, in the list's order. */
export async function selectClients(
  db: Database,
  options: {
    partnerId: string;
    list: ResolvedList;
    after: After | null;
    limit: number;
    now: Date;
    businessId?: string | null;
  },
): Promise<ClientRowWithKey[]> {
  const { rows } = await clientsTotalsQuery(options).execute(db);
  const seats = await occupiedSeats(db, {
    partnerId: options.partnerId,
    businessIds: rows.map((row) => row.business_id),
    now: options.now,
  });
  return rows.map((row) => toClientRow(row, seats.get(row.business_id) ?? 0));
}

function whereAll(conditions: (RawBuilder<unknown> | null)[]): RawBuilder<unknown> {
  const present = conditions.filter((c): c is RawBuilder<unknown> => c !== null);
  return present.length > 0 ? sql`where ${sql.join(present, sql` and `)}` : sql``;
}

function toClientRow(row: TotalsRow, seatsOccupied: number): ClientRowWithKey {
  const activeGranted = Number(row.active_card_operations_granted);
  const activeUsed = Number(row.active_card_operations_used);
  return {
    businessId: row.business_id,
    businessName: row.business_name,
    codesClaimed: Number(row.codes_claimed),
    activeCodes: Number(row.active_codes),
    seatsGranted: Number(row.seats_granted),
    seatsOccupied,
    cardOperationsGranted: Number(row.card_operations_granted),
    cardOperationsUsed: Number(row.card_operations_used),
    cardOperationsUsedThisMonth: Number(row.card_operations_used_this_month),
    activeCardOperationsGranted: activeGranted,
    activeCardOperationsUsed: activeUsed,
    usagePercent: activeGranted > 0 ? Math.floor((activeUsed * 100) / activeGranted) : null,
    lastActivityAt: row.last_activity_at ? new Date(row.last_activity_at) : null,
    soonestEndsAt: row.soonest_ends_at ? new Date(row.soonest_ends_at) : null,
    nearlyUsedUp: row.nearly_used_up,
    endsWithin30Days: row.ends_within_30_days,
    sortRank: Number(row.sort_rank),
    sortKey: row.sort_key,
  };
}

function withoutKey({ sortRank: _rank, sortKey: _key, ...row }: ClientRowWithKey): ClientRow {
  return row;
}

export function afterRow(list: ResolvedList, row: ClientRowWithKey): After {
  return {
    rank: row.sortRank,
    key: sortKeys[list.sort].text ? null : Number(row.sortKey),
    businessId: row.businessId,
  };
}

export function keyOf(list: ResolvedList, row: ClientRowWithKey): [number, number | null, string] {
  const { rank, key, businessId } = afterRow(list, row);
  return [rank, key, businessId];
}

/**
 * One keyset page of the partner's clients. A cursor made for another sort or direction, or
 * tampered with, is InvalidCursor (400), never a query error.
 */
export async function listClients(
  db: Database,
  {
    partnerId,
    sort,
    direction,
    filter,
    search,
    cursor,
    limit = 50,
    now,
  }: ClientListOptions & {
    partnerId: string;
    cursor?: string | null;
    limit?: number;
    now: Date;
  },
): Promise<Page<ClientRow>> {
  const list = resolveList({ sort, direction, filter, search });
  const size = pageSize(limit, 50, 500);
  const after = readCursor(cursor, list);
  const rows = await selectClients(db, { partnerId, list, after, limit: size + 1, now });
  const page = clientsPaging(list).page(rows, size, (row) => keyOf(list, row));
  return { rows: page.rows.map(withoutKey), nextCursor: page.nextCursor };
}

/**
 * One client: its row, each of the partner's codes it claimed as the business's own billing
 * page shows it (the same numbers, from getPartnerGrants), and its daily use of them.
 */
export async function getClient(
  db: Database,
  { partnerId, businessId, now }: { partnerId: string; businessId: string; now: Date },
): Promise<ClientDetail> {
  if (!isUuid(businessId)) throw new ClientNotFound();
  const [row] = await selectClients(db, {
    partnerId,
    list: resolveList({}),
    after: null,
    limit: 1,
    now,
    businessId,
  });
  if (!row) throw new ClientNotFound();
  const [grants, rollbacks, dailyUsage] = await Promise.all([
    getPartnerGrants(db, { businessId, partnerId, now }),
    db
      .selectFrom("claim_rollbacks")
      .select(["grant_id", "rolled_back_at"])
      .where("partner_id", "=", partnerId)
      .where("business_id", "=", businessId)
      .execute(),
    clientDailyUsage(db, { partnerId, businessId, now }),
  ]);
  const rolledBack = new Map(rollbacks.map((r) => [r.grant_id, new Date(r.rolled_back_at)]));
  const codes = grants.map((grant): ClientCode => {
    const rolledBackAt = rolledBack.get(grant.id) ?? null;
    // A roll-back ends the grant; should its end not have been written, it shows ended anyway.
    if (rolledBackAt === null || grant.state === "ended") return { ...grant, rolledBackAt };
    return {
      ...grant,
      state: "ended",
      staffSeatsTaken: 0,
      endsAt: grant.endsAt < rolledBackAt ? grant.endsAt : rolledBackAt,
      rolledBackAt,
    };
  });
  // The page's seats are its blocks' seats: counted by the rule the billing page shows.
  const seatsOccupied = codes
    .filter((code) => code.state === "active")
    .reduce((sum, code) => sum + code.staffSeatsTaken, 0);
  return { client: { ...withoutKey(row), seatsOccupied }, codes, dailyUsage };
}

export const DAILY_USAGE_DAYS = 90;
const DAY_MS = 86_400_000;

/**
 * Card operations drawn from the partner's grants of one business per UTC day (by when they
 * were recorded), the last `days` days up to today, oldest first; days without any are 0.
 */
export async function clientDailyUsage(
  db: Database,
  {
    partnerId,
    businessId,
    now,
    days = DAILY_USAGE_DAYS,
  }: { partnerId: string; businessId: string; now: Date; days?: number },
): Promise<DailyUsage[]> {
  if (!isUuid(businessId)) throw new ClientNotFound();
  const count = Math.min(Math.max(Math.trunc(days) || DAILY_USAGE_DAYS, 1), 366);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const from = new Date(today - (count - 1) * DAY_MS);
  const to = new Date(today + DAY_MS);
  const day = sql<string>`to_char(o.recorded_at at time zone 'UTC', 'YYYY-MM-DD')`;
  const rows = await db
    .selectFrom("grants as g")
    .innerJoin("card_operation_draws as d", "d.grant_id", "g.id")
    .innerJoin("card_operations as o", "o.id", "d.card_operation_id")
    .select([day.as("day"), (eb) => eb.fn.sum<number>("d.quantity").as("units")])
    .where("g.partner_id", "=", partnerId)
    .where("g.business_id", "=", businessId)
    .where("o.business_id", "=", businessId)
    .where("o.recorded_at", ">=", from)
    .where("o.recorded_at", "<", to)
    .groupBy(day)
    .execute();
  const units = new Map(rows.map((row) => [row.day, Number(row.units)]));
  return Array.from({ length: count }, (_, index) => {
    const date = new Date(from.getTime() + index * DAY_MS).toISOString().slice(0, 10);
    return { date, cardOperations: units.get(date) ?? 0 };
  });
}
