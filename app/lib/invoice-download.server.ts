// An invoice's PDF as a download, the same answer for the owner's route and support's: the
// stored PDF (rendered once), 404 for another business's invoice or a malformed id, and 503
// with Retry-After when every renderer is busy.
import { notFound } from "~/auth/guards.server";
import { db } from "~/db.server";
import { getInvoicePdf, type InvoicePdf } from "~/domain/invoices/pdf.server";
import { translatorFor } from "~/i18n";
import { clock } from "~/lib/clock.server";
import { pdfDownload, plainTextResponse } from "~/lib/downloads.server";
import { isUuid } from "~/lib/ids";
import { resolveLocale } from "~/lib/locale";
import { RendererBusy } from "~/pdf/render.server";

export async function invoicePdfDownload({
  businessId,
  invoiceId,
  request,
  userLocale,
}: {
  businessId: string;
  invoiceId: string | undefined;
  request: Request;
  userLocale: string | null;
}): Promise<Response> {
  if (!isUuid(invoiceId)) throw notFound();
  let invoice: InvoicePdf | null;
  try {
    invoice = await getInvoicePdf(db, {
      businessId,
      invoiceId,
      now: clock(),
      signal: request.signal,
    });
  } catch (error) {
    if (error instanceof RendererBusy) {
      const locale = resolveLocale(userLocale, request.headers.get("accept-language"));
      return plainTextResponse(503, translatorFor(locale.language)("statements:pdf.busy"), {
        "Retry-After": "30",
      });
    }
    throw error;
  }
  if (!invoice) throw notFound();
  return pdfDownload(invoice.pdf, invoice.filename);
}
