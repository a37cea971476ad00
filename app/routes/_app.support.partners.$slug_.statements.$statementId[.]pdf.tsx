// /support/partners/:slug/statements/:statementId.pdf — the partner's final statement as the
// partner downloads it (the same stored PDF), for support. A draft, another partner's
// statement or a malformed id is 404.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, requireSupport } from "~/auth/guards.server";
import { db } from "~/db.server";
import { findPartnerForSupport } from "~/domain/partner-admin.server";
import { isPartnerSlug } from "~/lib/ids";
import { statementPdfDownload } from "~/lib/statement-download.server";

export async function loader(args: LoaderFunctionArgs) {
  const user = await requireSupport(args);
  const slug = args.params.slug;
  if (!isPartnerSlug(slug)) throw notFound();
  const partner = await findPartnerForSupport(db, slug);
  if (!partner) throw notFound();
  return statementPdfDownload({
    partnerId: partner.id,
    statementId: args.params.statementId,
    request: args.request,
    userLocale: user.locale,
  });
}
