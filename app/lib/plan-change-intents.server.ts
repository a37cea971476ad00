// The two forms of an owner's plan change, shared by the billing page's EDIT TARIFF PLAN
// dialog and the Manage subscription page (ADR 027, ADR 032): `preview-plan` answers what
// the change would do without writing anything; `change-plan` makes it, refusing if the
// amount due today is no longer the one the owner confirmed.
import { z } from "zod";
import { db } from "~/db.server";
import type { AuditActor } from "~/domain/audit.server";
import { DomainError } from "~/domain/errors.server";
import type { Quote } from "~/domain/subscriptions/quote";
import {
  changeSubscription,
  previewSubscriptionChange,
} from "~/domain/subscriptions/subscriptions.server";
import { clock } from "./clock.server";
import { redirectWithFlash } from "./flash.server";
import { formatDate, formatMoney } from "./format";
import { intentForm, type IntentContext } from "./intents.server";
import { domainErrorMessage, labelKey, type Message } from "./messages";

const planFields = {
  planId: z.string().trim().min(1).max(40),
  // Only per-location plans read it; empty means "not given".
  locations: z
    .string()
    .trim()
    .max(7)
    .regex(/^\d*$/, { message: "validation.wholeNumber" })
    .optional()
    .transform((text) => (text ? Number(text) : null)),
};

export const PreviewPlanForm = z.object({ intent: z.literal("preview-plan"), ...planFields });

export const ChangePlanForm = z.object({
  intent: z.literal("change-plan"),
  ...planFields,
  // What the preview showed as due today; the change is refused if it is no longer so.
  expectedDueTodayCents: z
    .string()
    .trim()
    .max(12)
    .regex(/^-?\d*$/, { message: "validation.wholeNumber" })
    .optional()
    .transform((text) => (text ? Number(text) : null)),
});

/** A preview as the page shows it: plain values that travel to the browser. */
export interface ChangePreviewView {
  planId: string;
  locations: string;
  planName: string;
  outcome: Quote["outcome"];
  dueTodayCents: number;
  effectiveAt: string;
  lines: {
    kind: "plan" | "proration" | "credit";
    planName: string;
    quantity: number;
    days: number | null;
    periodDays: number | null;
    amountCents: number;
    periodStart: string;
    periodEnd: string;
  }[];
  next: { amountCents: number; interval: "month" | "year"; from: string } | null;
}

function toView(
  quote: Quote,
  input: { planId: string; locations: number | null },
  planName: string,
): ChangePreviewView {
  return {
    planId: input.planId,
    locations: input.locations === null ? "" : String(input.locations),
    planName,
    outcome: quote.outcome,
    dueTodayCents: quote.dueTodayCents,
    effectiveAt: quote.effectiveAt.toISOString(),
    lines: quote.lines.map((line) => ({
      kind: line.kind,
      planName: line.planName,
      quantity: line.quantity,
      days: line.days,
      periodDays: line.periodDays,
      amountCents: line.amountCents,
      periodStart: line.periodStart.toISOString(),
      periodEnd: line.periodEnd.toISOString(),
    })),
    next: quote.next && {
      amountCents: quote.next.amountCents,
      interval: quote.next.interval,
      from: quote.next.from.toISOString(),
    },
  };
}

function refusal(
  error: unknown,
  fail: IntentContext["fail"],
  values: Record<string, string>,
): ReturnType<IntentContext["fail"]> {
  if (!(error instanceof DomainError) || !error.field) throw error;
  return fail(
    {
      errors: { [error.field]: domainErrorMessage("business:planChange.errors", error.code) },
      values,
    },
    error.status,
  );
}

/** The flash after a change, in the owner's words: what was charged, or from when. */
function doneMessage(quote: Quote, planName: string, formattingLocale: string): Message {
  if (quote.outcome === "unchanged") return { key: "subscription:done.resume" };
  return {
    key: labelKey("subscription:done", quote.outcome),
    values: {
      plan: planName,
      today: formatMoney(quote.dueTodayCents, formattingLocale),
      date: formatDate(quote.effectiveAt, formattingLocale),
    },
  };
}

/** The preview and change forms for dispatchIntent, for one business's owner. */
export function planChangeIntents({
  request,
  businessId,
  actor,
  ip,
  back,
  formattingLocale,
}: {
  request: Request;
  businessId: string;
  actor: AuditActor;
  ip: string | null;
  back: string;
  formattingLocale: string;
}) {
  return {
    "preview-plan": intentForm(PreviewPlanForm, async (input, { fail }) => {
      const values = {
        planId: input.planId,
        locations: input.locations === null ? "" : String(input.locations),
      };
      try {
        const preview = await previewSubscriptionChange(db, {
          businessId,
          planId: input.planId,
          locations: input.locations,
          now: clock(),
        });
        return {
          errors: {},
          formError: null,
          values: { intent: input.intent, ...values },
          preview: toView(preview.quote, input, preview.planName),
        };
      } catch (error) {
        return refusal(error, fail, values);
      }
    }),
    "change-plan": intentForm(ChangePlanForm, async (input, { fail }) => {
      const values = {
        planId: input.planId,
        locations: input.locations === null ? "" : String(input.locations),
      };
      try {
        const change = await changeSubscription(db, {
          businessId,
          planId: input.planId,
          locations: input.locations,
          expectedDueTodayCents: input.expectedDueTodayCents,
          actor,
          ip,
          now: clock(),
        });
        return redirectWithFlash(request, back, {
          kind: "success",
          ...doneMessage(change.quote, change.planName, formattingLocale),
        });
      } catch (error) {
        return refusal(error, fail, values);
      }
    }),
  };
}
