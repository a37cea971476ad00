// A partner owner's "Referrals" page (issue 15): its personal link, rule, funnel and list.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { requirePartnerMember } from "~/auth/guards.server";
import { ReferrerPage } from "~/components/referrals/ReferrerPage";
import { referrerPageData } from "~/lib/referrer-page.server";

export const meta: MetaFunction = () => [{ title: "Referrals · 7stamp Partner Portal" }];

export async function loader(args: LoaderFunctionArgs) {
  const { partner } = await requirePartnerMember(args, args.params.slug, "owner");
  return referrerPageData(args.request, { partnerId: partner.id });
}

export default function PartnerReferrals() {
  return <ReferrerPage />;
}
