// The audit log's filter as it travels in a URL (the page's GET form, its pager, the CSV
// link): read from a query string once, written back the same way. A value no form would
// send (a bad date, an action not in the vocabulary) is a field error, never a 500.
import { z } from "zod";
import { storable } from "./storable-text";
import {
  AUDIT_ACTIONS,
  AUDIT_SUBJECT_TYPES,
  type AuditAction,
  type AuditSubjectType,
} from "./audit";
import { fieldErrorsFrom, isCalendarDate, parseObject, type FieldErrors } from "./forms";

export const auditFilterFields = [
  "actor",
  "organisation",
  "action",
  "subjectType",
  "subjectId",
  "from",
  "to",
] as const;
export type AuditFilterValues = Partial<Record<(typeof auditFilterFields)[number], string>>;

export interface AuditFilter {
  /** Part of the actor's email or label, any case. */
  actor?: string;
  /** A partner's slug or part of its name, a business's id or part of its name. */
  organisation?: string;
  action?: AuditAction;
  subjectType?: AuditSubjectType;
  subjectId?: string;
  /** From this instant (the start of the day given), inclusive. */
  from?: Date;
  /** Before this instant (the day after the day given): the day given is included. */
  to?: Date;
  /** Scopes set by a page (an organisation's trail), not by the form. */
  partnerId?: string;
  businessId?: string;
}

const text = (max: number) =>
  z.string().trim().max(max).refine(storable, { message: "validation.invalid" }).optional();

const day = z
  .string()
  .trim()
  .refine((value) => /^\d{4}-\d{2}-\d{2}$/.test(value), { message: "validation.date" })
  .refine(isCalendarDate, { message: "validation.calendarDate" })
  .optional();

const FilterSchema = z
  .object({
    actor: text(254),
    organisation: text(120),
    action: z.enum(AUDIT_ACTIONS).optional(),
    subjectType: z.enum(AUDIT_SUBJECT_TYPES).optional(),
    subjectId: text(120),
    from: day,
    to: day,
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, {
    path: ["to"],
    message: "support:auditFilter.toBeforeFrom",
  })
  .refine((f) => !f.subjectId || f.subjectType, {
    path: ["subjectType"],
    message: "support:auditFilter.subjectTypeNeeded",
  });

export type ReadAuditFilter =
  | { ok: true; filter: AuditFilter; values: AuditFilterValues; cursor: string | null }
  | { ok: false; errors: FieldErrors; values: AuditFilterValues; cursor: null };

export function readAuditFilter(params: URLSearchParams): ReadAuditFilter {
  const values: AuditFilterValues = {};
  for (const field of auditFilterFields) {
    const value = params.get(field);
    if (value !== null && value !== "") values[field] = value;
  }
  const parsed = parseObject(FilterSchema, values);
  if (!parsed.success) {
    return { ok: false, errors: fieldErrorsFrom(parsed.error), values, cursor: null };
  }
  const data = parsed.data;
  const filter: AuditFilter = {};
  if (data.actor) filter.actor = data.actor;
  if (data.organisation) filter.organisation = data.organisation;
  if (data.action) filter.action = data.action;
  if (data.subjectType) filter.subjectType = data.subjectType;
  if (data.subjectId) filter.subjectId = data.subjectId;
  if (data.from) filter.from = new Date(`${data.from}T00:00:00Z`);
  if (data.to) filter.to = new Date(new Date(`${data.to}T00:00:00Z`).getTime() + 86_400_000);
  return { ok: true, filter, values, cursor: params.get("cursor") };
}

/** "?action=…&from=…" for the same filter (empty values left out), with extras. */
export function auditFilterQuery(
  values: AuditFilterValues,
  extra: Record<string, string> = {},
): string {
  const params = new URLSearchParams();
  for (const field of auditFilterFields) {
    const value = values[field];
    if (value) params.set(field, value);
  }
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  const query = params.toString();
  return query ? `?${query}` : "";
}

export function isAuditFiltered(values: AuditFilterValues): boolean {
  return auditFilterFields.some((field) => Boolean(values[field]));
}
