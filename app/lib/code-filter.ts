// The codes list's filter as it travels in a URL (the page's GET form, its pager and the
// CSV link): read from a query string once, written back to one the same way.
import { z } from "zod";
import type { CodeFilter, CodeStatusFilter } from "~/domain/codes/model.server";
import { parseObject, fieldErrorsFrom, type FieldErrors } from "./forms";
import { storable } from "./storable-text";

export const codeStatusFilters = [
  "issued",
  "outstanding",
  "expired",
  "claimed",
  "revoked",
] as const satisfies readonly CodeStatusFilter[];

export const filterFields = [
  "search",
  "status",
  "bundle",
  "batch",
  "recipient",
  "handedOut",
] as const;
export type FilterValues = Partial<Record<(typeof filterFields)[number], string>>;

const text = (max: number) =>
  z.string().trim().max(max).refine(storable, { message: "validation.invalid" }).optional();

const FilterQuerySchema = z.object({
  search: text(100),
  status: z.enum(codeStatusFilters).or(z.literal("")).optional(),
  bundle: text(64),
  batch: text(64),
  recipient: text(120),
  handedOut: z.enum(["yes", "no", ""]).optional(),
});

export type ReadFilter =
  | { ok: true; filter: CodeFilter; values: FilterValues; cursor: string | null }
  | { ok: false; errors: FieldErrors; values: FilterValues; cursor: null };

/** The filter in a query string; a value no form would send is a field error, not a 500. */
export function readCodeFilter(params: URLSearchParams): ReadFilter {
  const values: FilterValues = {};
  for (const field of filterFields) {
    const value = params.get(field);
    if (value !== null && value !== "") values[field] = value;
  }
  const parsed = parseObject(FilterQuerySchema, values);
  if (!parsed.success)
    return { ok: false, errors: fieldErrorsFrom(parsed.error), values, cursor: null };
  const data = parsed.data;
  const filter: CodeFilter = {};
  if (data.search) filter.search = data.search;
  if (data.status) filter.status = data.status;
  if (data.bundle) filter.bundleId = data.bundle;
  if (data.batch) filter.batchId = data.batch;
  if (data.recipient) filter.recipient = data.recipient;
  if (data.handedOut) filter.handedOut = data.handedOut === "yes";
  return { ok: true, filter, values, cursor: params.get("cursor") };
}

/** "?status=expired&batch=…" for the same filter (empty values left out), with extras. */
export function filterQuery(values: FilterValues, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const field of filterFields) {
    const value = values[field];
    if (value) params.set(field, value);
  }
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  const query = params.toString();
  return query ? `?${query}` : "";
}

/** True when anything narrows the list (search included). */
export function isFiltered(values: FilterValues): boolean {
  return filterFields.some((field) => Boolean(values[field]));
}
