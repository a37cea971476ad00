import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requirePartnerMember } from "~/auth/guards.server";
import { PageHeader } from "~/components/Layout";
import { DeliveryLog } from "~/components/webhooks/DeliveryLog";
import { EndpointHealth } from "~/components/webhooks/EndpointsPanel";
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
  const { t } = useTranslation("webhooks");
  const data = useLoaderData<typeof loader>();
  return (
    <>
      <p className="mb-2 text-sm">
        <Link
          to={`/partner/${data.partner.slug}/webhooks`}
          className="text-brand-700 hover:underline"
        >
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
        canChange={data.canChange}
      />
    </>
  );
}
