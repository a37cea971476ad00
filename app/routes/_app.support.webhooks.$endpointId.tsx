// /support/webhooks/:endpointId — any endpoint's delivery log (a partner's or the platform's):
// support reads it, resends a delivery and sends a test event, as the owner could.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireSupport } from "~/auth/guards.server";
import { DeliveryLogPage } from "~/components/webhooks/DeliveryLog";
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
  const data = useLoaderData<typeof loader>();
  return (
    <DeliveryLogPage
      backHref="/support/webhooks"
      endpoint={data.endpoint}
      deliveries={data.deliveries}
      eventTypes={data.eventTypes}
      filter={data.filter}
      nextHref={data.nextHref}
      firstHref={data.firstHref}
      staleCursor={data.staleCursor}
      canChange
    />
  );
}
