// /support/webhooks — the platform's endpoints (they receive every event; support adds, rolls,
// disables and deletes them like a partner owner does its own) and the health of every
// endpoint of every partner, disabled and failing ones first, each linking to its log.
import type {
  ActionFunctionArgs,
  HeadersFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireSupport } from "~/auth/guards.server";
import { Card, EmptyState, PageHeader, Pager, StaleCursorNotice, Table } from "~/components/Layout";
import { EndpointHealth, EndpointsPanel } from "~/components/webhooks/EndpointsPanel";
import { db } from "~/db.server";
import { readPage } from "~/domain/paging.server";
import { WEBHOOK_EVENTS } from "~/domain/webhooks/endpoints.server";
import { listEndpointHealth, listWebhookEndpoints } from "~/domain/webhooks/reads.server";
import { webhookEndpointsAction } from "~/lib/webhook-forms.server";

export const meta: MetaFunction = () => [{ title: "Webhooks · Support · 7stamp Partner Portal" }];

// The page can hold a new signing secret (after an add or a roll): never cache it.
export const headers: HeadersFunction = () => ({ "Cache-Control": "no-store" });

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  const cursor = new URL(args.request.url).searchParams.get("cursor");
  const health = await readPage(cursor?.slice(0, 500), (c) =>
    listEndpointHealth(db, { cursor: c, limit: 25 }),
  );
  return {
    eventTypes: WEBHOOK_EVENTS,
    platform: await listWebhookEndpoints(db, { partnerId: null }),
    health: health.rows,
    nextHref: health.nextCursor ? `?cursor=${health.nextCursor}` : null,
    firstHref: !cursor || health.staleCursor ? null : "?",
    staleCursor: health.staleCursor,
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = await requireSupport(args);
  return webhookEndpointsAction(await args.request.formData(), {
    request: args.request,
    owner: null,
    actor: { userId: user.id, label: user.email },
    ip: args.context.clientIp,
    here: "/support/webhooks",
  });
}

export default function SupportWebhooks() {
  const { t } = useTranslation(["webhooks", "common"]);
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <div className="space-y-10">
      <section>
        <PageHeader title={t("platform.title")} description={t("platform.subtitle")} />
        <EndpointsPanel
          endpoints={data.platform}
          eventTypes={data.eventTypes}
          actionData={actionData}
          canChange
          logHref={(id) => `/support/webhooks/${id}`}
        />
      </section>
      <section>
        <Card title={t("platform.healthTitle")}>
          <p className="mb-4 text-sm text-slate-600">{t("platform.healthSubtitle")}</p>
          <StaleCursorNotice show={data.staleCursor} />
          {data.health.length === 0 ? (
            <EmptyState title={t("platform.healthEmpty")} />
          ) : (
            <Table
              stackOnPhone
              caption={t("platform.healthTitle")}
              head={
                <tr>
                  <th className="px-4 py-2">{t("platform.owner")}</th>
                  <th className="px-4 py-2">{t("url")}</th>
                  <th className="px-4 py-2">{t("events")}</th>
                  <th className="px-4 py-2">{t("health")}</th>
                </tr>
              }
            >
              {data.health.map((endpoint) => (
                <tr key={endpoint.id}>
                  <td className="px-4 py-2 font-medium">
                    {endpoint.partnerSlug ? (
                      <Link
                        to={`/support/partners/${endpoint.partnerSlug}`}
                        className="text-brand-700 hover:underline"
                      >
                        {endpoint.partnerName}
                      </Link>
                    ) : (
                      t("platform.platformOwner")
                    )}
                  </td>
                  <td data-label={t("url")} className="break-all px-4 py-2 font-mono text-xs">
                    <Link
                      to={`/support/webhooks/${endpoint.id}`}
                      className="text-brand-700 hover:underline"
                      aria-label={t("logLabel", { url: endpoint.url })}
                    >
                      {endpoint.url}
                    </Link>
                  </td>
                  <td data-label={t("events")} className="px-4 py-2 text-xs">
                    {endpoint.events.join(", ")}
                  </td>
                  <td data-label={t("health")} className="px-4 py-2">
                    <EndpointHealth endpoint={endpoint} />
                  </td>
                </tr>
              ))}
            </Table>
          )}
          <Pager
            nextHref={data.nextHref}
            firstHref={data.firstHref}
            labels={{ first: t("common:paging.first"), next: t("common:paging.next") }}
          />
        </Card>
      </section>
    </div>
  );
}
