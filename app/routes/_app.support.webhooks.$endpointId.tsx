// /support/webhooks/:endpointId — any endpoint's delivery log (a partner's or the platform's):
// support reads it, resends a delivery and sends a test event, as the owner could.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireSupport } from "~/auth/guards.server";
import { PageHeader } from "~/components/Layout";
import { DeliveryLog } from "~/components/webhooks/DeliveryLog";
import { EndpointHealth } from "~/components/webhooks/EndpointsPanel";
import { deliveryLogAction, readDeliveryLog } from "~/lib/webhook-forms.server";

export const meta: MetaFunction = () => [
  { title: "Webhook delivery log · Support · 7stamp Partner Portal" },
];

export async function loader(args: LoaderFunctionArgs) {
  await requireSupport(args);
  return readDeliveryLog(args.request, { endpointId: args.params.endpointId, owner: "any" });
}

export async function action(args: ActionFunctionArgs) {
  await requireSupport(args);
  const { endpoint } = await readDeliveryLog(args.request, {
    endpointId: args.params.endpointId,
    owner: "any",
  });
  return deliveryLogAction(await args.request.formData(), {
    request: args.request,
    owner: "any",
    endpointId: endpoint.id,
    here: `/support/webhooks/${endpoint.id}`,
  });
}

export default function SupportWebhookLog() {
  const { t } = useTranslation("webhooks");
  const data = useLoaderData<typeof loader>();
  return (
    <>
      <p className="mb-2 text-sm">
        <Link to="/support/webhooks" className="text-brand-700 hover:underline">
          ← {t("back")}
        </Link>
      </p>
      <PageHeader
        title={t("logTitle")}
        description={
          <span className="break-all">{t("logSubtitle", { url: data.endpoint.url })}</span>
        }
      />
      <div className="mb-4">
        <EndpointHealth endpoint={data.endpoint} />
      </div>
      <DeliveryLog
        deliveries={data.deliveries}
        eventTypes={data.eventTypes}
        filter={data.filter}
        nextHref={data.nextHref}
        firstHref={data.firstHref}
        staleCursor={data.staleCursor}
        canChange
      />
    </>
  );
}
