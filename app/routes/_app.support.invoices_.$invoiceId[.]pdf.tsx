// /support/invoices/:invoiceId.pdf — any business's invoice or credit note as its owner
// downloads it (the same stored PDF), for support. An unknown or malformed id is 404.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, requireSupport } from "~/auth/guards.server";
import { db } from "~/db.server";
import { findInvoiceBusiness } from "~/domain/invoices/reads.server";
import { isUuid } from "~/lib/ids";
import { invoicePdfDownload } from "~/lib/invoice-download.server";

export async function loader(args: LoaderFunctionArgs) {
  const user = await requireSupport(args);
  const invoiceId = args.params.invoiceId;
  if (!isUuid(invoiceId)) throw notFound();
  const business = await findInvoiceBusiness(db, { invoiceId });
  if (!business) throw notFound();
  return invoicePdfDownload({
    businessId: business.id,
    invoiceId,
    request: args.request,
    userLocale: user.locale,
  });
}
