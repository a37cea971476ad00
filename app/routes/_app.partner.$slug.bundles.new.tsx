import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { notFound, requirePartnerMember } from "~/auth/guards.server";
import { db } from "~/db.server";
import {
  BundleFormSchema,
  BundleNotFound,
  createBundle,
  getBundle,
  getCurrentPrices,
} from "~/domain/bundles.server";
import { getPartnerTerms } from "~/domain/partners.server";
import { redirectWithFlash } from "~/lib/flash.server";
import { formFailure } from "~/lib/form-responses.server";
import { centsToDecimalString } from "~/lib/format";
import { parseForm } from "~/lib/forms";
import { NewBundlePage } from "~/components/bundles/NewBundlePage";
import { clock } from "~/lib/clock.server";

export const meta: MetaFunction = () => [{ title: "New bundle · 7stamp Partner Portal" }];

/** `?from=<bundleId>`: duplicate that bundle. Any other value is a bundle that is not there. */
function duplicatedFrom(request: Request): string | null {
  return new URL(request.url).searchParams.get("from");
}

export async function loader(args: LoaderFunctionArgs) {
  const { partner } = await requirePartnerMember(args, args.params.slug);
  const from = duplicatedFrom(args.request);
  const [prices, terms, source] = await Promise.all([
    getCurrentPrices(db, clock()),
    getPartnerTerms(db, { partnerId: partner.id }),
    from === null ? null : getBundle(db, { partnerId: partner.id, bundleId: from, now: clock() }),
  ]);
  if (from !== null && !source) throw notFound();
  return {
    prices,
    discountBps: terms.discountBps,
    source: source
      ? {
          id: source.id,
          name: source.name,
          staffSeats: String(source.staffSeats),
          cardOperations: String(source.cardOperations),
          termMonths: String(source.termMonths),
          codeValidityDays: String(source.codeValidityDays),
          resalePrice:
            source.resalePriceCents === null ? "" : centsToDecimalString(source.resalePriceCents),
        }
      : null,
  };
}

// Partner members, not only owners, create bundles (DESIGN.md §2).
export async function action(args: ActionFunctionArgs) {
  const { user, partner } = await requirePartnerMember(args, args.params.slug);
  const form = parseForm(BundleFormSchema, await args.request.formData());
  if (!form.success) return formFailure(form);
  let bundle;
  try {
    bundle = await createBundle(db, {
      partnerId: partner.id,
      input: form.data,
      actor: { userId: user.id, label: user.email },
      ip: args.context.clientIp,
      duplicatedFrom: duplicatedFrom(args.request),
      now: clock(),
    });
  } catch (error) {
    // The bundle to duplicate is not this partner's (or not there): like any unknown id.
    if (error instanceof BundleNotFound) throw notFound();
    throw error;
  }
  return redirectWithFlash(args.request, `/partner/${partner.slug}/bundles/${bundle.id}`, {
    kind: "success",
    key: "bundles:flash.created",
    values: { name: bundle.name },
  });
}

export default function NewBundle() {
  return <NewBundlePage />;
}
