import type {
  ActionFunctionArgs,
  HeadersFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requirePartnerMember } from "~/auth/guards.server";
import { PageHeader } from "~/components/Layout";
import { EndpointsPanel } from "~/components/webhooks/EndpointsPanel";
import { db } from "~/db.server";
import { PARTNER_WEBHOOK_EVENTS } from "~/domain/webhooks/endpoints.server";
import { listWebhookEndpoints } from "~/domain/webhooks/reads.server";
import { webhookEndpointsAction } from "~/lib/webhook-forms.server";

export const meta: MetaFunction = () => [{ title: "Webhooks · 7stamp Partner Portal" }];

// The page can hold a new signing secret (after an add or a roll): never cache it.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

// Every member sees the endpoints and their health; only owners change them (the action).
export async function loader(args: LoaderFunctionArgs) {
  const { partner, role } = await requirePartnerMember(args, args.params.slug);
  const endpoints = await listWebhookEndpoints(db, { partnerId: partner.id });
  return {
    partner: { slug: partner.slug },
    canChange: role === "owner",
    eventTypes: PARTNER_WEBHOOK_EVENTS,
    endpoints,
  };
}

export async function action(args: ActionFunctionArgs) {
  const { user, partner } = await requirePartnerMember(args, args.params.slug, "owner");
  return webhookEndpointsAction(await args.request.formData(), {
    request: args.request,
    owner: partner.id,
    actor: { userId: user.id, label: user.email },
    ip: args.context.clientIp,
    here: `/partner/${partner.slug}/webhooks`,
  });
}

export default function PartnerWebhooks() {
  const { t } = useTranslation("webhooks");
  const { partner, canChange, eventTypes, endpoints } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <>
      <PageHeader
        title={t("title")}
        description={
          <>
            {t("subtitle")} {canChange ? null : t("subtitleReadOnly")}
          </>
        }
        actions={
          <a
            href="/api/v1/openapi.json"
            className="text-sm font-medium text-brand-700 hover:underline"
          >
            {t("docs")}
          </a>
        }
      />
      <EndpointsPanel
        endpoints={endpoints}
        eventTypes={eventTypes}
        actionData={actionData}
        canChange={canChange}
        logHref={(id) => `/partner/${partner.slug}/webhooks/${id}`}
      />
    </>
  );
}
