// The forms of a webhooks page (a partner's endpoints, support's platform endpoints, and an
// endpoint's delivery log), written once: add an endpoint and roll its secret (both answered
// with the secret this once, as action data — never across a redirect), enable, disable,
// delete, send a test event and resend a delivery (each redirecting with a flash message).
import { data } from "@remix-run/node";
import { z } from "zod";
import { notFound } from "~/auth/guards.server";
import { db } from "~/db.server";
import type { AuditActor } from "~/domain/audit.server";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  rollWebhookSecret,
  setWebhookEndpointEnabled,
  TEST_EVENT_TOPIC,
  TooManyWebhookEndpoints,
  WEBHOOK_EVENTS,
  eventsFor,
  WebhookEndpointNotFound,
  WebhookEventsRefused,
  type EndpointOwner,
  type EndpointScope,
} from "~/domain/webhooks/endpoints.server";
import { resendDelivery, sendTestEvent } from "~/domain/webhooks/resend.server";
import { readPage } from "~/domain/paging.server";
import { getWebhookEndpoint, listDeliveries } from "~/domain/webhooks/reads.server";
import { WebhookUrlRefused } from "~/domain/webhooks/ssrf.server";
import { enqueueWebhookDelivery } from "~/jobs/queue.server";
import { clock } from "./clock.server";
import type { FormFailure } from "./form-responses.server";
import { redirectWithFlash } from "./flash.server";
import { dispatchIntent, intentForm, type IntentContext } from "./intents.server";

/** A secret just made (an endpoint added or its secret rolled): shown this once. */
export interface ShownSecret {
  endpointId: string;
  url: string;
  secret: string;
  rolled: boolean;
}

export type WebhookActionData = FormFailure & { secret?: ShownSecret | null };

/** The checkbox name of an event in the add form. */
export const eventField = (topic: string) => `event:${topic}`;

const EndpointIdSchema = z.object({ endpointId: z.string().default("") });

// One checkbox per event: a checked box posts its name, an unchecked one nothing.
const CreateSchema = z
  .object({ url: z.string().trim().min(1).max(2000) })
  .and(z.record(z.string(), z.string()))
  .transform(({ url, ...fields }) => ({
    url,
    events: WEBHOOK_EVENTS.filter((topic) => fields[eventField(topic)] !== undefined),
  }));

export interface WebhookFormsOptions {
  request: Request;
  owner: EndpointOwner;
  actor: AuditActor;
  ip: string | null;
  /** The list page, where enable/disable/delete/test redirect back to. */
  here: string;
}

function noStore<T>(body: T) {
  return data(body, { headers: { "Cache-Control": "no-store" } });
}

function refusal(error: unknown, fail: IntentContext["fail"], values: Record<string, string>) {
  if (error instanceof WebhookUrlRefused) {
    return fail({ values, errors: { url: { key: `webhooks:errors.url.${error.problem}` } } });
  }
  if (error instanceof WebhookEventsRefused) {
    return fail({ values, errors: { events: { key: `webhooks:errors.events.${error.problem}` } } });
  }
  if (error instanceof TooManyWebhookEndpoints) {
    return fail({ values, errors: { url: { key: "webhooks:errors.tooMany" } } });
  }
  if (error instanceof WebhookEndpointNotFound) throw notFound();
  throw error;
}

async function endpointUrl(endpointId: string, owner: EndpointScope): Promise<string> {
  return (await getWebhookEndpoint(db, { endpointId, partnerId: owner })).url;
}

/** The action of an endpoints page (partner or platform). */
export function webhookEndpointsAction(formData: FormData, options: WebhookFormsOptions) {
  const { request, owner, actor, ip, here } = options;
  const forms = {
    create: intentForm(CreateSchema, async ({ url, events }, { fail }) => {
      const values: Record<string, string> = { url };
      for (const topic of events) values[eventField(topic)] = "on";
      try {
        const created = await createWebhookEndpoint(db, {
          partnerId: owner,
          url,
          events,
          actor,
          ip,
        });
        return noStore<WebhookActionData>({
          errors: {},
          values: {},
          formError: null,
          secret: {
            endpointId: created.id,
            url: created.url,
            secret: created.secret,
            rolled: false,
          },
        });
      } catch (error) {
        // Both fields wrong: say both at once, not one per attempt.
        if (error instanceof WebhookUrlRefused && events.length === 0) {
          return fail({
            values,
            errors: {
              url: { key: `webhooks:errors.url.${error.problem}` },
              events: { key: "webhooks:errors.events.none" },
            },
          });
        }
        return refusal(error, fail, values);
      }
    }),
    roll: intentForm(EndpointIdSchema, async ({ endpointId }, { fail }) => {
      try {
        const secret = await rollWebhookSecret(db, {
          endpointId,
          partnerId: owner,
          now: clock(),
          actor,
          ip,
        });
        const url = await endpointUrl(endpointId, owner);
        return noStore<WebhookActionData>({
          errors: {},
          values: {},
          formError: null,
          secret: { endpointId, url, secret, rolled: true },
        });
      } catch (error) {
        return refusal(error, fail, {});
      }
    }),
    enable: intentForm(EndpointIdSchema, ({ endpointId }, context) =>
      toggle(endpointId, true, context),
    ),
    disable: intentForm(EndpointIdSchema, ({ endpointId }, context) =>
      toggle(endpointId, false, context),
    ),
    delete: intentForm(EndpointIdSchema, async ({ endpointId }, { fail }) => {
      try {
        const { url } = await deleteWebhookEndpoint(db, {
          endpointId,
          partnerId: owner,
          actor,
          ip,
        });
        return redirectWithFlash(request, here, {
          kind: "success",
          key: "webhooks:deleted",
          values: { url },
        });
      } catch (error) {
        return refusal(error, fail, {});
      }
    }),
    test: intentForm(EndpointIdSchema, async ({ endpointId }, { fail }) => {
      try {
        await sendTestEvent(db, { endpointId, partnerId: owner, now: clock() });
        await enqueueWebhookDelivery();
        const url = await endpointUrl(endpointId, owner);
        return redirectWithFlash(request, `${here}/${endpointId}`, {
          kind: "success",
          key: "webhooks:testQueued",
          values: { url },
        });
      } catch (error) {
        return refusal(error, fail, {});
      }
    }),
  };
  async function toggle(endpointId: string, enabled: boolean, { fail }: IntentContext) {
    try {
      const { url } = await setWebhookEndpointEnabled(db, {
        endpointId,
        partnerId: owner,
        enabled,
        now: clock(),
        actor,
        ip,
      });
      return redirectWithFlash(request, here, {
        kind: "success",
        key: enabled ? "webhooks:enabledFlash" : "webhooks:disabledFlash",
        values: { url },
      });
    } catch (error) {
      return refusal(error, fail, {});
    }
  }
  return dispatchIntent(formData, forms, { failureFields: { secret: null } });
}

/** The action of an endpoint's delivery log: resend a delivery, send a test event. */
export function deliveryLogAction(
  formData: FormData,
  {
    request,
    owner,
    endpointId,
    here,
  }: { request: Request; owner: EndpointScope; endpointId: string; here: string },
) {
  return dispatchIntent(formData, {
    resend: intentForm(
      z.object({ deliveryId: z.coerce.number().int().positive() }),
      async ({ deliveryId }) => {
        try {
          const { eventId } = await resendDelivery(db, {
            endpointId,
            deliveryId,
            partnerId: owner,
            now: clock(),
          });
          await enqueueWebhookDelivery();
          return redirectWithFlash(request, here, {
            kind: "success",
            key: "webhooks:resent",
            values: { eventId },
          });
        } catch (error) {
          if (error instanceof WebhookEndpointNotFound) throw notFound();
          throw error;
        }
      },
    ),
    test: intentForm(z.object({}), async () => {
      try {
        await sendTestEvent(db, { endpointId, partnerId: owner, now: clock() });
        await enqueueWebhookDelivery();
        const url = await endpointUrl(endpointId, owner);
        return redirectWithFlash(request, here, {
          kind: "success",
          key: "webhooks:testQueued",
          values: { url },
        });
      } catch (error) {
        if (error instanceof WebhookEndpointNotFound) throw notFound();
        throw error;
      }
    }),
  });
}

const LogQuery = z.object({
  type: z
    .enum([TEST_EVENT_TOPIC, ...WEBHOOK_EVENTS])
    .nullable()
    .catch(null),
  outcome: z.enum(["pending", "delivered", "failed"]).nullable().catch(null),
  cursor: z.string().max(500).nullable().catch(null),
});

function logHref(filter: { type: string | null; outcome: string | null }, cursor?: string) {
  const params = new URLSearchParams();
  if (filter.type) params.set("type", filter.type);
  if (filter.outcome) params.set("outcome", filter.outcome);
  if (cursor) params.set("cursor", cursor);
  return `?${params.toString()}`;
}

/**
 * What an endpoint's log page shows: the endpoint (the owner's, else 404) and one page of its
 * deliveries, filtered as the URL says; an out-of-date cursor reads the first page.
 */
export async function readDeliveryLog(
  request: Request,
  { endpointId, owner }: { endpointId: string | undefined; owner: EndpointScope },
) {
  const params = new URL(request.url).searchParams;
  const query = LogQuery.parse({
    type: params.get("type") || null,
    outcome: params.get("outcome") || null,
    cursor: params.get("cursor"),
  });
  try {
    const endpoint = await getWebhookEndpoint(db, {
      endpointId: endpointId ?? "",
      partnerId: owner,
    });
    const page = await readPage(query.cursor, (cursor) =>
      listDeliveries(db, {
        endpointId: endpoint.id,
        partnerId: owner,
        type: query.type,
        outcome: query.outcome,
        cursor,
      }),
    );
    const filter = { type: query.type, outcome: query.outcome };
    return {
      endpoint,
      deliveries: page.rows,
      filter,
      staleCursor: page.staleCursor,
      nextHref: page.nextCursor ? logHref(filter, page.nextCursor) : null,
      firstHref: !query.cursor || page.staleCursor ? null : logHref(filter),
      eventTypes: [...eventsFor(endpoint.partnerId), TEST_EVENT_TOPIC],
    };
  } catch (error) {
    if (error instanceof WebhookEndpointNotFound) throw notFound();
    throw error;
  }
}
