// /partner/:slug/statements/:statementId.pdf — a final statement as a PDF, rendered once in a
// worker thread from its snapshot and then served from the database. A draft, another
// partner's statement or a malformed id is 404.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, requirePartnerMember } from "~/auth/guards.server";
import { db } from "~/db.server";
import { getStatementPdf, type StatementPdf } from "~/domain/statement-pdf.server";
import { StatementNotFound } from "~/domain/statements.server";
import { translatorFor } from "~/i18n";
import { resolveLocale } from "~/lib/locale";
import { RendererBusy } from "~/pdf/render.server";

export async function loader(args: LoaderFunctionArgs) {
  const { user, partner } = await requirePartnerMember(args, args.params.slug);
  let statement: StatementPdf;
  try {
    statement = await getStatementPdf(db, {
      partnerId: partner.id,
      statementId: args.params.statementId ?? "",
      signal: args.request.signal,
    });
  } catch (error) {
    if (error instanceof StatementNotFound) throw notFound();
    if (error instanceof RendererBusy) {
      const locale = resolveLocale(user.locale, args.request.headers.get("accept-language"));
      return new Response(`${translatorFor(locale.language)("statements:pdf.busy")}\n`, {
        status: 503,
        headers: {
          "Content-Type": "text/plain; charset=utf-8",
          "Cache-Control": "no-store",
          "Retry-After": "30",
        },
      });
    }
    throw error;
  }
  const { pdf, filename } = statement;
  return new Response(pdf, {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Length": String(pdf.byteLength),
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "private, no-store",
    },
  });
}
