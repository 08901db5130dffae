/**
 * America/New_York by rule (Energy Policy Acts of 1986 and 2005):
 *  - 1987–2006: EDT from the first Sunday of April, 02:00 EST, to the last Sunday
 *    of October, 02:00 EDT;
 *  - 2007 on: EDT from the second Sunday of March, 02:00 EST, to the first Sunday
 *    of November, 02:00 EDT.
 * EST is UTC−5, EDT UTC−4. Years after today assume the 2007 rule still holds; if
 * Congress changes it, this file changes (the Intl cross-check test will say so).
 */
import { invariant } from "@mqk/core";
import { DAY_MS, SUNDAY, lastWeekdayOfMonth, nthWeekdayOfMonth } from "./calendar-date.js";
import type { ZoneRules } from "./zone-rules.js";

const EST = -300;
const EDT = -240;
const TWO_AM = 120;
const FIRST_RULE_YEAR = 1987;

interface DstDays {
  /** Local date (day number) on which clocks go forward at 02:00 EST. */
  readonly startDay: number;
  /** Local date (day number) on which clocks go back at 02:00 EDT. */
  readonly endDay: number;
}

function dstDays(year: number): DstDays {
  invariant(Number.isInteger(year) && year >= FIRST_RULE_YEAR, `America/New_York rules are coded from ${String(FIRST_RULE_YEAR)}, asked for ${String(year)}`);
  if (year >= 2007) return { startDay: nthWeekdayOfMonth(year, 3, SUNDAY, 2), endDay: nthWeekdayOfMonth(year, 11, SUNDAY, 1) };
  return { startDay: nthWeekdayOfMonth(year, 4, SUNDAY, 1), endDay: lastWeekdayOfMonth(year, 10, SUNDAY) };
}

/** UTC instants [start, end) during which EDT is in force in `year`. */
function dstInstants(year: number): { readonly startMs: number; readonly endMs: number } {
  const { startDay, endDay } = dstDays(year);
  return { startMs: startDay * DAY_MS + (TWO_AM - EST) * 60_000, endMs: endDay * DAY_MS + (TWO_AM - EDT) * 60_000 };
}

export const newYorkZone: ZoneRules = {
  name: "America/New_York",

  offsetMinutesAt(tsMs: number): number {
    const { startMs, endMs } = dstInstants(new Date(tsMs).getUTCFullYear());
    return tsMs >= startMs && tsMs < endMs ? EDT : EST;
  },

  localToUtcMs(dayNumber: number, minuteOfDay: number): number {
    const { startDay, endDay } = dstDays(new Date(dayNumber * DAY_MS).getUTCFullYear());
    let offset: number;
    if (dayNumber > startDay && dayNumber < endDay) offset = EDT;
    else if (dayNumber === startDay)
      offset = minuteOfDay < TWO_AM + 60 ? EST : EDT; // 02:00–02:59 does not exist: read as EST
    else if (dayNumber === endDay)
      offset = minuteOfDay < TWO_AM ? EDT : EST; // 01:00–01:59 happens twice: the EDT one
    else offset = EST;
    return dayNumber * DAY_MS + (minuteOfDay - offset) * 60_000;
  },
};
