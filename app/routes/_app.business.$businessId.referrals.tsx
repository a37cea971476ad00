// A business owner's "Referrals" page (issue 15): its personal link, rule, funnel and list.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { requireBusinessMember } from "~/auth/guards.server";
import { ReferrerPage } from "~/components/referrals/ReferrerPage";
import { referrerPageData } from "~/lib/referrer-page.server";

export const meta: MetaFunction = () => [{ title: "Referrals · 7stamp Partner Portal" }];

export async function loader(args: LoaderFunctionArgs) {
  const { business } = await requireBusinessMember(args, args.params.businessId, "owner");
  return referrerPageData(args.request, { businessId: business.id });
}

export default function BusinessReferrals() {
  return <ReferrerPage />;
}
