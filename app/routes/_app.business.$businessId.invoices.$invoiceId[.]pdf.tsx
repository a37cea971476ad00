// /business/:businessId/invoices/:invoiceId.pdf — an invoice or credit note as a PDF, rendered
// once in a worker thread from its snapshot, then served from the database. The owner's only:
// staff (who see nothing of money), another business's invoice or a malformed id are 404.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, requireBusinessMember } from "~/auth/guards.server";
import { invoicePdfDownload } from "~/lib/invoice-download.server";

export async function loader(args: LoaderFunctionArgs) {
  const { user, business, role } = await requireBusinessMember(args, args.params.businessId);
  if (role !== "owner") throw notFound();
  return invoicePdfDownload({
    businessId: business.id,
    invoiceId: args.params.invoiceId,
    request: args.request,
    userLocale: user.locale,
  });
}
