/**
 * Civil (proleptic Gregorian) dates as day numbers: days since 1970-01-01.
 *
 * An exchange-local date such as "2024-11-29" is a label, not an instant; the
 * calendar keys everything by its day number so no time zone is involved until
 * a session is turned into UTC instants.
 */
export const DAY_MS = 86_400_000;

/** 0 = Sunday … 6 = Saturday, as `Date.prototype.getUTCDay`. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export const SUNDAY = 0;
export const MONDAY = 1;
export const TUESDAY = 2;
export const WEDNESDAY = 3;
export const THURSDAY = 4;
export const FRIDAY = 5;
export const SATURDAY = 6;

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The day number of a civil date (month 1–12). No validation: see `parseDayNumber`. */
export function dayNumberOf(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

/** `YYYY-MM-DD` → day number, or undefined when the text is not a real date. */
export function parseDayNumber(text: string): number | undefined {
  const m = datePattern.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const dayNumber = dayNumberOf(year, month, day);
  // Date.UTC rolls 02-30 over to 03-01; a real date survives the round trip.
  return formatDayNumber(dayNumber) === text ? dayNumber : undefined;
}

/** Day number → `YYYY-MM-DD`. */
export function formatDayNumber(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

export function weekdayOf(dayNumber: number): Weekday {
  // 1970-01-01 was a Thursday.
  return ((((dayNumber + 4) % 7) + 7) % 7) as Weekday;
}

export function isWeekend(dayNumber: number): boolean {
  const w = weekdayOf(dayNumber);
  return w === SATURDAY || w === SUNDAY;
}

/** The `n`th (1-based) `weekday` of a month, e.g. the 3rd Monday of January. */
export function nthWeekdayOfMonth(year: number, month: number, weekday: Weekday, n: number): number {
  const first = dayNumberOf(year, month, 1);
  const shift = (weekday - weekdayOf(first) + 7) % 7;
  return first + shift + (n - 1) * 7;
}

/** The last `weekday` of a month, e.g. the last Monday of May. */
export function lastWeekdayOfMonth(year: number, month: number, weekday: Weekday): number {
  const last = dayNumberOf(year, month + 1, 0);
  const shift = (weekdayOf(last) - weekday + 7) % 7;
  return last - shift;
}

/** The civil year of a day number. */
export function yearOf(dayNumber: number): number {
  return new Date(dayNumber * DAY_MS).getUTCFullYear();
}
