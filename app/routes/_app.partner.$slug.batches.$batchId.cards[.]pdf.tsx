// /partner/:slug/batches/:batchId/cards.pdf[?part=N] — a ready batch's outstanding codes as
// printable cards, ten per A4 page, rendered in a worker thread. Batches with more than
// CARDS_PER_FILE outstanding codes print as numbered parts. The cards are in the batch's
// language (chosen when generating); refusals in the language of the person asking.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { notFound, requirePartnerMember } from "~/auth/guards.server";
import { db } from "~/db.server";
import {
  BatchNotReady,
  CardPartOutOfRange,
  loadCodeCards,
  NothingToPrint,
  type CodeCardsData,
} from "~/domain/code-cards.server";
import { translatorFor } from "~/i18n";
import { pdfDownload, plainTextResponse } from "~/lib/downloads.server";
import { chooseLocale } from "~/lib/locale";
import { localeOfRequest } from "~/lib/request-locale.server";
import { codeCardsInput, renderCodeCardsPdf, RendererBusy } from "~/pdf/render.server";
import { clock } from "~/lib/clock.server";

const CardsQuery = z.object({
  part: z
    .string()
    .regex(/^[1-9]\d{0,8}$/)
    .transform(Number)
    .optional(),
});

/** "cards-spring-fair-2027-1a2b3c4d-part-2-of-3.pdf": ASCII only, so every browser keeps it. */
function fileName(cards: CodeCardsData): string {
  const label = (cards.batch.label ?? "")
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  const part = cards.parts > 1 ? `-part-${cards.part}-of-${cards.parts}` : "";
  return `cards-${label ? `${label}-` : ""}${cards.batch.id.slice(0, 8)}${part}.pdf`;
}

export async function loader(args: LoaderFunctionArgs) {
  const { user, partner } = await requirePartnerMember(args, args.params.slug);
  const locale = localeOfRequest(args.request, { user });
  const t = translatorFor(locale.language);
  const query = CardsQuery.safeParse(Object.fromEntries(new URL(args.request.url).searchParams));
  if (!query.success) return plainTextResponse(400, t("cards:partMalformed"));

  let cards: CodeCardsData | null;
  try {
    cards = await loadCodeCards(db, {
      partnerId: partner.id,
      batchId: args.params.batchId ?? "",
      part: query.data.part,
      now: clock(),
    });
  } catch (error) {
    if (error instanceof BatchNotReady) return plainTextResponse(409, t("cards:notReady"));
    if (error instanceof NothingToPrint) return plainTextResponse(409, t("cards:nothingToPrint"));
    if (error instanceof CardPartOutOfRange) {
      return plainTextResponse(400, t("cards:partOutOfRange", { parts: error.parts }));
    }
    throw error;
  }
  if (!cards) throw notFound();

  let pdf: Buffer<ArrayBuffer>;
  try {
    const cardLocale = chooseLocale({ organisation: cards.batch.locale });
    pdf = await renderCodeCardsPdf(
      codeCardsInput(cards, { partnerName: partner.name, locale: cardLocale }),
      { signal: args.request.signal },
    );
  } catch (error) {
    if (error instanceof RendererBusy) {
      return plainTextResponse(503, t("cards:busy"), { "Retry-After": "30" });
    }
    throw error;
  }
  return pdfDownload(pdf, fileName(cards));
}
