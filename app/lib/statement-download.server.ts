// A final statement's PDF as a download, the same answer for the partner's own route and
// support's: the stored PDF (rendered once), 404 for a draft, another partner's statement or a
// malformed id, and 503 with Retry-After when every renderer is busy.
import { notFound } from "~/auth/guards.server";
import { db } from "~/db.server";
import { getStatementPdf, type StatementPdf } from "~/domain/statement-pdf.server";
import { StatementNotFound } from "~/domain/statements/model.server";
import { translatorFor } from "~/i18n";
import { pdfDownload, plainTextResponse } from "~/lib/downloads.server";
import { resolveLocale } from "~/lib/locale";
import { RendererBusy } from "~/pdf/render.server";

export async function statementPdfDownload({
  partnerId,
  statementId,
  request,
  userLocale,
}: {
  partnerId: string;
  statementId: string | undefined;
  request: Request;
  userLocale: string | null;
}): Promise<Response> {
  let statement: StatementPdf;
  try {
    statement = await getStatementPdf(db, {
      partnerId,
      statementId: statementId ?? "",
      signal: request.signal,
    });
  } catch (error) {
    if (error instanceof StatementNotFound) throw notFound();
    if (error instanceof RendererBusy) {
      const locale = resolveLocale(userLocale, request.headers.get("accept-language"));
      return plainTextResponse(503, translatorFor(locale.language)("statements:pdf.busy"), {
        "Retry-After": "30",
      });
    }
    throw error;
  }
  return pdfDownload(statement.pdf, statement.filename);
}
