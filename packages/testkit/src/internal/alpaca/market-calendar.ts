/**
 * The fake's market calendar and clock: /v2/calendar lists trading days only
 * (holidays left out, `close:"13:00"` on early closes) and /v2/clock answers in
 * the Eastern offset with nanoseconds (API-BRIEF §1.9, §5).
 *
 * The built-in table is the reference table of API-BRIEF §5.4 (2024–2026); other
 * years have weekends only. Tests that need other days pass their own list.
 */
import type { AlpacaClockJson } from "./wire-types.js";
import { addDays, easternToUtcMs, easternWallClock, rfc3339Eastern, weekday } from "./wire-format.js";

/** One trading day as Alpaca's legacy calendar sends it. */
export interface FakeCalendarDay {
  readonly date: string;
  readonly open: string;
  readonly close: string;
  readonly session_open: string;
  readonly session_close: string;
  readonly settlement_date: string;
}

/** API-BRIEF §5.4, as printed there: full-day closures and 13:00 closes (2025-01-09: Carter mourning). */
const reference: Readonly<Record<string, { readonly closed: string; readonly early: string }>> = {
  "2024": { closed: "01-01 01-15 02-19 03-29 05-27 06-19 07-04 09-02 11-28 12-25", early: "07-03 11-29 12-24" },
  "2025": { closed: "01-01 01-09 01-20 02-17 04-18 05-26 06-19 07-04 09-01 11-27 12-25", early: "07-03 11-28 12-24" },
  "2026": { closed: "01-01 01-19 02-16 04-03 05-25 06-19 07-03 09-07 11-26 12-25", early: "11-27 12-24" },
};
const datesOf = (pick: "closed" | "early"): Set<string> =>
  new Set(Object.entries(reference).flatMap(([year, row]) => row[pick].split(" ").map((md) => `${year}-${md}`)));
const closures = datesOf("closed");
const earlyCloses = datesOf("early");

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

export class MarketCalendar {
  readonly #override: ReadonlyMap<string, FakeCalendarDay> | undefined;

  constructor(days?: readonly FakeCalendarDay[]) {
    if (days !== undefined) {
      for (const day of days) {
        if (!isoDate.test(day.date)) throw new RangeError(`calendar: expected YYYY-MM-DD dates, found ${JSON.stringify(day.date)}`);
      }
      this.#override = new Map(days.map((d) => [d.date, d]));
    }
  }

  isTradingDay(date: string): boolean {
    if (this.#override) return this.#override.has(date);
    const dow = weekday(date);
    return dow !== 0 && dow !== 6 && !closures.has(date);
  }

  /** The trading day at `date`, or undefined on a weekend or holiday. */
  day(date: string): FakeCalendarDay | undefined {
    if (this.#override) return this.#override.get(date);
    if (!this.isTradingDay(date)) return undefined;
    return {
      date,
      open: "09:30",
      close: earlyCloses.has(date) ? "13:00" : "16:00",
      session_open: "0400",
      session_close: "2000",
      settlement_date: this.nextTradingDay(date),
    };
  }

  /** The first trading day strictly after `date` (T+1 settlement). Searches at most a year ahead. */
  nextTradingDay(date: string): string {
    let d = date;
    for (let i = 0; i < 366; i += 1) {
      d = addDays(d, 1);
      if (this.isTradingDay(d)) return d;
    }
    throw new RangeError(`calendar: no trading day within a year after ${date}; extend the calendar given to the fake`);
  }

  /** Trading days from `start` to `end`, both included. */
  between(start: string, end: string): FakeCalendarDay[] {
    const out: FakeCalendarDay[] = [];
    for (let d = start; d <= end; d = addDays(d, 1)) {
      const day = this.day(d);
      if (day) out.push(day);
      if (out.length > 20_000) break;
    }
    return out;
  }
}

/** GET /v2/clock at `nowMs`: open in the regular session of a trading day. */
export function clockJson(calendar: MarketCalendar, nowMs: number, subMs: number): AlpacaClockJson {
  const wall = easternWallClock(nowMs);
  const today = calendar.day(wall.date);
  let isOpen = false;
  let nextOpenMs: number | undefined;
  let nextCloseMs: number | undefined;
  if (today) {
    const openMs = easternToUtcMs(today.date, today.open);
    const closeMs = easternToUtcMs(today.date, today.close);
    isOpen = nowMs >= openMs && nowMs < closeMs;
    if (nowMs < openMs) nextOpenMs = openMs;
    if (nowMs < closeMs) nextCloseMs = closeMs;
  }
  let d = wall.date;
  while (nextOpenMs === undefined || nextCloseMs === undefined) {
    d = calendar.nextTradingDay(d);
    const day = calendar.day(d);
    if (!day) continue;
    nextOpenMs ??= easternToUtcMs(day.date, day.open);
    nextCloseMs ??= easternToUtcMs(day.date, day.close);
  }
  return {
    timestamp: rfc3339Eastern(nowMs, subMs),
    is_open: isOpen,
    next_open: rfc3339Eastern(nextOpenMs, 0),
    next_close: rfc3339Eastern(nextCloseMs, 0),
  };
}

/** A calendar bound from the query: YYYY-MM-DD, or an RFC 3339 timestamp (the v4 SDK sends those). */
export function calendarBound(value: string | null, fallback: string): string | undefined {
  if (value === null || value === "") return fallback;
  if (isoDate.test(value)) return value;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms)) return undefined;
  return value.slice(0, 10);
}
