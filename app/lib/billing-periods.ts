// Billing periods from an anchor: a monthly plan renews on the anchor's day of the month
// (the last day in shorter months), a yearly plan on the anchor's anniversary. All in UTC.

function daysInMonth(year: number, monthIndex: number): number {
  return new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
}

/** The anchor moved forward by whole months, its day clamped to each month's length. */
export function addMonthsClamped(anchor: Date, months: number): Date {
  const year = anchor.getUTCFullYear();
  const month = anchor.getUTCMonth() + months;
  const targetYear = year + Math.floor(month / 12);
  const targetMonth = ((month % 12) + 12) % 12;
  const day = Math.min(anchor.getUTCDate(), daysInMonth(targetYear, targetMonth));
  return new Date(
    Date.UTC(
      targetYear,
      targetMonth,
      day,
      anchor.getUTCHours(),
      anchor.getUTCMinutes(),
      anchor.getUTCSeconds(),
      anchor.getUTCMilliseconds(),
    ),
  );
}

export interface BillingPeriod {
  start: Date;
  end: Date;
}

/** The period (of `months` months) that contains `now`, counted from the anchor. */
export function periodContaining(anchor: Date, months: number, now: Date): BillingPeriod {
  if (now.getTime() < anchor.getTime())
    return { start: anchor, end: addMonthsClamped(anchor, months) };
  const elapsedMonths =
    (now.getUTCFullYear() - anchor.getUTCFullYear()) * 12 +
    (now.getUTCMonth() - anchor.getUTCMonth());
  let n = Math.max(0, Math.floor(elapsedMonths / months) - 1);
  while (addMonthsClamped(anchor, (n + 1) * months).getTime() <= now.getTime()) n += 1;
  return {
    start: addMonthsClamped(anchor, n * months),
    end: addMonthsClamped(anchor, (n + 1) * months),
  };
}

/** When the next charge happens for a plan billed every `months` months. */
export function nextBillingDate(anchor: Date, months: number, now: Date): Date {
  return periodContaining(anchor, months, now).end;
}
