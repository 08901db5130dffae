/**
 * NYSE full-day holidays and 13:00 ET early closes by rule, for one year.
 *
 * Source: NYSE closings history as encoded in pandas_market_calendars
 * (holidays/nyse.py), summarised in the desk's API brief §5.1–5.2. Only the
 * rules in force from 2000 on are coded; the calendar refuses earlier dates.
 *
 * Weekend observance (the surprising edges):
 *  - New Year's Day on a Saturday is NOT observed: Friday Dec 31 trades, because
 *    it closes the accounting year (2000, 2005, 2011, 2022, 2028, 2033, 2039).
 *  - Juneteenth (from 2022), Independence Day and Christmas: Saturday → Friday,
 *    Sunday → Monday.
 *  - July 3 closes at 13:00 when it is Mon/Tue/Thu, and also Wednesday from 2013;
 *    before 2013 a Thursday July 4 moved the early close to Friday July 5.
 *  - Christmas Eve closes at 13:00 only Mon–Thu: a Friday Dec 24 is the observed
 *    Christmas holiday, and a weekend Dec 24 moves nothing.
 */
import {
  FRIDAY,
  MONDAY,
  SATURDAY,
  SUNDAY,
  THURSDAY,
  TUESDAY,
  WEDNESDAY,
  dayNumberOf,
  isWeekend,
  lastWeekdayOfMonth,
  nthWeekdayOfMonth,
  weekdayOf,
} from "./calendar-date.js";
import { easterSunday } from "./easter.js";

/** 13:00 local, in minutes after midnight. */
export const NYSE_EARLY_CLOSE_MINUTE = 13 * 60;

export type NyseRuleDay =
  | { readonly kind: "holiday"; readonly dayNumber: number; readonly name: string }
  | { readonly kind: "early_close"; readonly dayNumber: number; readonly closeMinute: number; readonly name: string };

/** Saturday → Friday before, Sunday → Monday after. */
function nearestWeekday(dayNumber: number): number {
  const w = weekdayOf(dayNumber);
  if (w === SATURDAY) return dayNumber - 1;
  if (w === SUNDAY) return dayNumber + 1;
  return dayNumber;
}

function holiday(dayNumber: number, name: string): NyseRuleDay {
  return { kind: "holiday", dayNumber, name };
}

function earlyClose(dayNumber: number, name: string): NyseRuleDay {
  return { kind: "early_close", dayNumber, closeMinute: NYSE_EARLY_CLOSE_MINUTE, name };
}

function newYearsDay(year: number): NyseRuleDay[] {
  const jan1 = dayNumberOf(year, 1, 1);
  const w = weekdayOf(jan1);
  if (w === SATURDAY) return []; // not observed: Dec 31 ends the accounting year and trades
  return [holiday(w === SUNDAY ? jan1 + 1 : jan1, "New Year's Day")];
}

function independenceDay(year: number): NyseRuleDay[] {
  const jul3 = dayNumberOf(year, 7, 3);
  const jul4 = jul3 + 1;
  const days = [holiday(nearestWeekday(jul4), "Independence Day")];
  const w3 = weekdayOf(jul3);
  if (w3 === MONDAY || w3 === TUESDAY || w3 === THURSDAY || (w3 === WEDNESDAY && year >= 2013)) {
    days.push(earlyClose(jul3, "Day before Independence Day"));
  } else if (w3 === WEDNESDAY) {
    days.push(earlyClose(jul4 + 1, "Day after Independence Day")); // before 2013: Friday July 5
  }
  return days;
}

function christmas(year: number): NyseRuleDay[] {
  const dec24 = dayNumberOf(year, 12, 24);
  const days = [holiday(nearestWeekday(dec24 + 1), "Christmas Day")];
  const w = weekdayOf(dec24);
  if (w !== FRIDAY && !isWeekend(dec24)) days.push(earlyClose(dec24, "Christmas Eve"));
  return days;
}

/** Every rule-based holiday and early close of `year` (from 2000), in calendar order. */
export function nyseRuleDays(year: number): readonly NyseRuleDay[] {
  const thanksgiving = nthWeekdayOfMonth(year, 11, THURSDAY, 4);
  const days: NyseRuleDay[] = [
    ...newYearsDay(year),
    holiday(nthWeekdayOfMonth(year, 1, MONDAY, 3), "Martin Luther King Jr. Day"),
    holiday(nthWeekdayOfMonth(year, 2, MONDAY, 3), "Washington's Birthday"),
    holiday(easterSunday(year) - 2, "Good Friday"),
    holiday(lastWeekdayOfMonth(year, 5, MONDAY), "Memorial Day"),
    ...(year >= 2022 ? [holiday(nearestWeekday(dayNumberOf(year, 6, 19)), "Juneteenth")] : []),
    ...independenceDay(year),
    holiday(nthWeekdayOfMonth(year, 9, MONDAY, 1), "Labor Day"),
    holiday(thanksgiving, "Thanksgiving Day"),
    earlyClose(thanksgiving + 1, "Day after Thanksgiving"),
    ...christmas(year),
  ];
  return days.sort((a, b) => a.dayNumber - b.dayNumber);
}
