/**
 * What `mqk calendar --json` prints: one object per trading day with the regular
 * open and close as UTC ISO instants. Dates come from an operator, so a bad one
 * is a value (Result), not a throw.
 */
import { err, invariant, ok, type Result } from "@mqk/core";
import { CalendarError, type CalendarInputError } from "./calendar-error.js";
import type { CalendarDate, ExchangeCalendar } from "./exchange-calendar.js";

export interface CalendarDayJson {
  readonly date: CalendarDate;
  /** Regular open, e.g. "2024-11-29T14:30:00.000Z". */
  readonly open: string;
  /** Regular close, e.g. "2024-11-29T18:00:00.000Z" on a 13:00 ET early close. */
  readonly close: string;
}

export function calendarDaysJson(calendar: ExchangeCalendar, from: CalendarDate, to: CalendarDate): Result<readonly CalendarDayJson[], CalendarInputError> {
  try {
    const days: CalendarDayJson[] = [];
    for (const date of calendar.tradingDaysBetween(from, to)) {
      const session = calendar.sessionFor(date);
      invariant(session !== undefined, `${calendar.exchange} calendar lists ${date} as a trading day but has no session for it`);
      days.push({ date, open: new Date(session.openMs).toISOString(), close: new Date(session.closeMs).toISOString() });
    }
    return ok(days);
  } catch (error: unknown) {
    if (error instanceof CalendarError) return err(error.toValue());
    throw error;
  }
}
