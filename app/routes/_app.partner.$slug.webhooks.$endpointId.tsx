import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requirePartnerMember } from "~/auth/guards.server";
import { DeliveryLogPage } from "~/components/webhooks/DeliveryLog";
import { readDeliveryLog, deliveryLogAction } from "~/lib/webhook-forms.server";

export const meta: MetaFunction = () => [{ title: "Webhook delivery log · 7stamp Partner Portal" }];

// Every member reads the log; only owners resend or send a test event.
export async function loader(args: LoaderFunctionArgs) {
  const { partner, role } = await requirePartnerMember(args, args.params.slug);
  const log = await readDeliveryLog(args.request, {
    endpointId: args.params.endpointId,
    owner: partner.id,
  });
  return { ...log, partner: { slug: partner.slug }, canChange: role === "owner" };
}

export async function action(args: ActionFunctionArgs) {
  const { partner } = await requirePartnerMember(args, args.params.slug, "owner");
  const { endpoint } = await readDeliveryLog(args.request, {
    endpointId: args.params.endpointId,
    owner: partner.id,
  });
  return deliveryLogAction(await args.request.formData(), {
    request: args.request,
    owner: partner.id,
    endpointId: endpoint.id,
    here: `/partner/${partner.slug}/webhooks/${endpoint.id}`,
  });
}

export default function PartnerWebhookLog() {
  const data = useLoaderData<typeof loader>();
  return (
    <DeliveryLogPage
      backHref={`/partner/${data.partner.slug}/webhooks`}
      endpoint={data.endpoint}
      deliveries={data.deliveries}
      eventTypes={data.eventTypes}
      filter={data.filter}
      nextHref={data.nextHref}
      firstHref={data.firstHref}
      staleCursor={data.staleCursor}
      canChange={data.canChange}
    />
  );
}
