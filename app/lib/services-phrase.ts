// "2 staff seats and 1,000 card operations": what a bundle or grant gives, in one phrase,
// for the /redeem preview (browser) and the claim's flash message (server).
import type { TFunction } from "i18next";
import { formatNumber } from "./format";

export function servicesPhrase(
  t: TFunction,
  { staffSeats, cardOperations }: { staffSeats: number; cardOperations: number },
  locale: string,
): string {
  const seats = t("redeem:gives.seats", {
    count: staffSeats,
    formatted: formatNumber(staffSeats, locale),
  });
  const operations = t("redeem:gives.operations", {
    count: cardOperations,
    formatted: formatNumber(cardOperations, locale),
  });
  if (staffSeats > 0 && cardOperations > 0) return t("redeem:gives.both", { seats, operations });
  return staffSeats > 0 ? seats : operations;
}
