// GET /api/v1/statements/{id}.pdf — a final statement of the key's partner as a PDF (the same
// bytes as the portal's download). Another partner's id, a draft or a malformed id is 404.
import { partnerApiRoute } from "~/api/handler.server";
import { ApiProblem, notFoundProblem } from "~/api/problem.server";
import { db } from "~/db.server";
import { pdfDownload } from "~/lib/downloads.server";
import { getStatementPdf, type StatementPdf } from "~/domain/statement-pdf.server";
import { StatementNotFound } from "~/domain/statements/model.server";
import { RendererBusy } from "~/pdf/render.server";

const route = partnerApiRoute("/api/v1/statements/{id}.pdf", {
  GET: async ({ request, params, auth }) => {
    let statement: StatementPdf;
    try {
      statement = await getStatementPdf(db, {
        partnerId: auth.partner.id,
        statementId: params.id ?? "",
        signal: request.signal,
      });
    } catch (error) {
      if (error instanceof StatementNotFound) throw notFoundProblem("No such statement.");
      if (error instanceof RendererBusy) {
        throw new ApiProblem("renderer_busy", 503, error.message, undefined, {
          "Retry-After": "30",
        });
      }
      throw error;
    }
    return pdfDownload(statement.pdf, statement.filename);
  },
});

export const loader = route.loader;
export const action = route.action;
