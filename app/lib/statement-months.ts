// Statement months: a calendar month in UTC, named "YYYY-MM". Shared by server and client.
import { formatMonth } from "./format";

export interface StatementPeriod {
  /** "YYYY-MM" */
  month: string;
  year: number;
  /** The month's first instant, UTC. */
  start: Date;
  /** The next month's first instant, UTC (exclusive). */
  end: Date;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isStatementMonth(value: string): boolean {
  const match = MONTH.exec(value);
  return match !== null && Number(match[1]) >= 2000;
}

/** The period of a "YYYY-MM" month; throws RangeError on anything else. */
export function statementPeriod(month: string): StatementPeriod {
  const match = MONTH.exec(month);
  if (!match || Number(match[1]) < 2000) throw new RangeError(`not a month: ${month}`);
  const year = Number(match[1]);
  const index = Number(match[2]) - 1;
  return {
    month,
    year,
    start: new Date(Date.UTC(year, index, 1)),
    end: new Date(Date.UTC(year, index + 1, 1)),
  };
}

/** The month an instant falls in, UTC. */
export function monthOf(instant: Date): string {
  return `${instant.getUTCFullYear()}-${String(instant.getUTCMonth() + 1).padStart(2, "0")}`;
}

export function addMonths(month: string, count: number): string {
  const { start } = statementPeriod(month);
  return monthOf(new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + count, 1)));
}

/** Months from `first` to `last`, both included, in order (empty when first > last). */
export function monthsBetween(first: string, last: string): string[] {
  const months: string[] = [];
  for (let month = first; month <= last; month = addMonths(month, 1)) months.push(month);
  return months;
}

/** `{PREFIX}-{YYYY}-{NNNN}`: the statement number, per partner and year. */
export function statementNumber(prefix: string, year: number, sequence: number): string {
  return `${prefix}-${year}-${String(sequence).padStart(4, "0")}`;
}

/** "October 2026": a month's name as the locale writes it. */
export function formatStatementMonth(month: string, locale: string): string {
  return formatMonth(statementPeriod(month).start, locale);
}

/** Lines per page of a statement page (partner's and support's). */
export const STATEMENT_LINES_PAGE = 50;
