// What a message the user reads is, typed from the catalogues (app/locales/en): a key that
// names a namespace ("support:errors.x") or the common one ("validation.required"), and the
// values it interpolates. A key that is not in a catalogue fails `npm run typecheck` (ADR 027).
import type { ParseKeys } from "i18next";
import type { namespaces } from "~/locales";

/** Every key of every catalogue: "common"'s bare, the others as "namespace:key". */
export type MessageKey = ParseKeys<typeof namespaces>;

export type MessageValues = Record<string, string | number>;

/** A message for the user: shown by the one component of its kind (Field, FormAlert, Flash). */
export interface Message {
  key: MessageKey;
  values?: MessageValues;
}

/** A catalogue key checked at compile time, for places that hold keys as plain strings. */
export function messageKey<K extends MessageKey>(key: K): K {
  return key;
}

/**
 * The message for a domain error's code under a catalogue block that lists one message per
 * code ("support:errors", "business:planChange.errors"). The code is only known at run time,
 * so this is the one place that asserts such a key exists; the error-code registry (issue 10
 * §4) replaces it with a checked mapping.
 */
export function domainErrorMessage(
  block:
    | "support:errors"
    | "batches:errors"
    | "codes:errors"
    | "staff:errors"
    | "redeem:errors"
    | "referrals:errors"
    | "business:planChange.errors",
  code: string,
  values?: MessageValues,
): Message {
  const key = `${block}.${code}` as MessageKey;
  return values ? { key, values } : { key };
}

/** Catalogue blocks that hold one label per value a column or a type takes. */
export type LabelBlock =
  | "common:roles"
  | "common:partnerTypes"
  | "common:partnerStatus"
  | "support:business.interval"
  | "support:plans.intervals"
  | "business:plan.pricePer"
  | "business:planChange.price"
  | "business:codes.source"
  | "clients:list.filters"
  | "bundles:form"
  | "codes:history"
  | "email"
  | "subscription:status"
  | "subscription:interval"
  | "subscription:preview.every"
  | "subscription:preview.line"
  | "subscription:preview"
  | "subscription:done"
  | "invoices:status"
  | "invoices:detail.line";

/**
 * The key of a value's label ("common:roles" + "owner"). Such values are read from the
 * database as text, so this is the one place that asserts the label exists; a block name
 * that is not one of the catalogue's fails the typecheck.
 */
export function labelKey<B extends LabelBlock>(
  block: B,
  value: string,
): Extract<MessageKey, `${B}.${string}`> {
  return `${block}.${value}` as Extract<MessageKey, `${B}.${string}`>;
}
