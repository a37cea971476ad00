// /partner/:slug/statements/:statementId.pdf — a final statement as a PDF, rendered once in a
// worker thread from its snapshot and then served from the database. A draft, another
// partner's statement or a malformed id is 404.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requirePartnerMember } from "~/auth/guards.server";
import { statementPdfDownload } from "~/lib/statement-download.server";

export async function loader(args: LoaderFunctionArgs) {
  const { user, partner } = await requirePartnerMember(args, args.params.slug);
  return statementPdfDownload({
    partnerId: partner.id,
    statementId: args.params.statementId,
    request: args.request,
    userLocale: user.locale,
  });
}
