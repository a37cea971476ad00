// A partner's clients: every business that claimed at least one of the partner's codes, with
// what those codes gave it and how that was used — never the business's plan, another
// partner's grants or its people. The list is one aggregate over the partner's grants
// (index grants_partner_idx), keyset paged on the sort key and the business id; it reads the
// per-grant counters the usage write path keeps, never card_operations.
//
// What counts (the partner's code grants of one business, nothing else):
// - A grant is *active* when it is in force now (starts_at ≤ now < ends_at) and its claim
//   was not rolled back. A rolled-back claim still counts in `codesClaimed`, but its grant
//   is over: it gives no seats or operations from then on.
// - Seats (granted, occupied) and the flags are about active grants: what the client has
//   now. The list counts occupied seats from the stored attribution (members whose seat is
//   on an active grant); the client page counts them by the rule getEntitlements applies,
//   exactly as the business's billing page shows them (the two agree once the seat sweep
//   has caught up with a grant that ended).
// - `cardOperationsGranted` / `cardOperationsUsed` are all-time over every claim: a
//   rolled-back claim counts as granted only the operations used before the roll-back (the
//   rest was taken back). "This month" is the current calendar month (UTC).
// - "Usage" is operations used of those granted on active grants; "nearly used up" is
//   usage ≥ 80 % (where active grants give any operations); "ends within 30 days" is the
//   soonest end among active grants within 30 days from now.
//
// The clients list's types, errors and query string (the page, its CSV and the API read it alike).
import { z } from "zod";
import { fieldErrorsFrom, parseObject, type FieldErrors } from "~/lib/forms";
import { type GrantEntitlement } from "../entitlements/answer.server";
import { DomainError } from "../errors.server";
import { storable } from "~/lib/storable-text";

// ---- Types --------------------------------------------------------------------------------

export const clientSorts = ["name", "codes", "used", "usage", "activity", "ends"] as const;
export type ClientSort = (typeof clientSorts)[number];

export const clientFilters = ["active", "ended", "nearly_used_up", "ends_soon"] as const;
export type ClientFilter = (typeof clientFilters)[number];

export const sortDirections = ["asc", "desc"] as const;
export type SortDirection = (typeof sortDirections)[number];

/** The way a sort reads first: names A→Z and the soonest end first, the rest biggest first. */
export function defaultDirection(sort: ClientSort): SortDirection {
  return sort === "name" || sort === "ends" ? "asc" : "desc";
}

export const ENDS_SOON_DAYS = 30;
export const NEARLY_USED_UP_PERCENT = 80;

export interface ClientRow {
  businessId: string;
  businessName: string;
  /** Every claim of the partner's codes, ended and rolled-back ones included. */
  codesClaimed: number;
  /** Claims whose grant is active now. */
  activeCodes: number;
  /** Staff seats of the active grants. */
  seatsGranted: number;
  /** Members holding a seat on an active grant. */
  seatsOccupied: number;
  /** All time, every claim (a rolled-back one counts what was used before the roll-back). */
  cardOperationsGranted: number;
  /** All time, every claim. */
  cardOperationsUsed: number;
  /** In the current calendar month (UTC). */
  cardOperationsUsedThisMonth: number;
  /** Operations the active grants give, and how many of them are used. */
  activeCardOperationsGranted: number;
  activeCardOperationsUsed: number;
  /** Whole percent of the active operations used (rounded down); null when none are given. */
  usagePercent: number | null;
  /** The last operation drawn from any of the partner's grants; null if none ever was. */
  lastActivityAt: Date | null;
  /** The soonest end among the active grants; null when none is active. */
  soonestEndsAt: Date | null;
  nearlyUsedUp: boolean;
  endsWithin30Days: boolean;
}

export interface ClientListOptions {
  sort?: ClientSort;
  /** Defaults to the sort's own direction (defaultDirection). */
  direction?: SortDirection;
  filter?: ClientFilter | null;
  /** Part of the business name, any case. */
  search?: string | null;
}

/** A code of the partner the client claimed, as its "Code #N — Claimed" block shows it. */
export interface ClientCode extends GrantEntitlement {
  /** When support rolled the claim back; its grant has ended. */
  rolledBackAt: Date | null;
}

export interface DailyUsage {
  /** The UTC day, YYYY-MM-DD. */
  date: string;
  cardOperations: number;
}

export interface ClientDetail {
  client: ClientRow;
  /** In force first, newest claim first; then ended ones. */
  codes: ClientCode[];
  /** One entry per UTC day, oldest first, ending today. */
  dailyUsage: DailyUsage[];
}

// ---- Errors -------------------------------------------------------------------------------

/** Not a client of this partner: unknown, malformed, or only another partner's client. */
export class ClientNotFound extends DomainError {
  constructor() {
    super("not_found", "No such client.");
  }
}

export function invalidOption(field: string): DomainError {
  return new DomainError("invalid_request", `The ${field} is not one this list knows.`, field);
}

// ---- The query string (the list page, its CSV and the API read it alike) ------------------

export const ClientListQuerySchema = z.object({
  search: z.string().trim().max(100).refine(storable, { message: "validation.invalid" }).optional(),
  filter: z.enum(clientFilters).optional(),
  sort: z.enum(clientSorts).optional(),
  direction: z.enum(sortDirections).optional(),
  cursor: z.string().max(500).optional(),
});

export const clientQueryFields = ["search", "filter", "sort", "direction"] as const;
export type ClientQueryValues = Partial<Record<(typeof clientQueryFields)[number], string>>;

export type ReadClientQuery =
  | { ok: true; options: ClientListOptions; values: ClientQueryValues; cursor: string | null }
  | { ok: false; errors: FieldErrors; values: ClientQueryValues; cursor: null };

/** The list's query string as a form sends it (empty fields left out); bad values are field errors. */
export function readClientQuery(params: URLSearchParams): ReadClientQuery {
  const values: ClientQueryValues = {};
  for (const field of clientQueryFields) {
    const value = params.get(field);
    if (value !== null && value !== "") values[field] = value;
  }
  const cursor = params.get("cursor") || null;
  const parsed = parseObject(ClientListQuerySchema, { ...values, cursor: cursor ?? undefined });
  if (!parsed.success)
    return { ok: false, errors: fieldErrorsFrom(parsed.error), values, cursor: null };
  const { search, filter, sort, direction } = parsed.data;
  return { ok: true, options: { search, filter, sort, direction }, values, cursor };
}
