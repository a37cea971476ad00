// /support/partners/:slug/statements/:statementId.pdf — the partner's final statement as the
// partner downloads it (the same stored PDF), for support. A draft, another partner's
// statement or a malformed id is 404.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, requireSupport } from "~/auth/guards.server";
import { db } from "~/db.server";
import { findPartnerForSupport } from "~/domain/partner-admin.server";
import { getStatementPdf, type StatementPdf } from "~/domain/statement-pdf.server";
import { StatementNotFound } from "~/domain/statements.server";
import { translatorFor } from "~/i18n";
import { pdfDownload, plainTextResponse } from "~/lib/downloads.server";
import { isPartnerSlug } from "~/lib/ids";
import { resolveLocale } from "~/lib/locale";
import { RendererBusy } from "~/pdf/render.server";

export async function loader(args: LoaderFunctionArgs) {
  const user = await requireSupport(args);
  const slug = args.params.slug;
  if (!isPartnerSlug(slug)) throw notFound();
  const partner = await findPartnerForSupport(db, slug);
  if (!partner) throw notFound();
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
      return plainTextResponse(503, translatorFor(locale.language)("statements:pdf.busy"), {
        "Retry-After": "30",
      });
    }
    throw error;
  }
  return pdfDownload(statement.pdf, statement.filename);
}
