/**
 * Easter Sunday (Western, Gregorian) by the anonymous Gregorian computus
 * (Meeus/Jones/Butcher). NYSE closes on Good Friday = Easter − 2 days, which no
 * federal-holiday source carries, so it is computed here.
 */
import { dayNumberOf } from "./calendar-date.js";

/** Day number of Easter Sunday in `year` (valid for every Gregorian year). */
export function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return dayNumberOf(year, month, day);
}
