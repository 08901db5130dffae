/**
 * The face every exchange calendar shows the desk (E1). NYSE is the first
 * implementation; another exchange is a new set of rules feeding the same
 * session table, not a rewrite of gap detection or the stale-feed check.
 *
 * Conventions shared by every implementation:
 *  - instants are UTC epoch ms; dates are exchange-local `YYYY-MM-DD` strings;
 *  - a session is half-open: open at `openMs`, closed from `closeMs` on;
 *  - outside the supported date range every query throws a `CalendarError`
 *    (reason "out_of_range"): the calendar never guesses.
 */
import type { BarInterval } from "../bar.js";

/** Exchange-local calendar date, `YYYY-MM-DD`. */
export type CalendarDate = string;

/** "regular": the core session (09:30–16:00 ET on NYSE); "extended": pre-market through post-market. */
export type SessionKind = "regular" | "extended";

/** The bar intervals the calendar lays out: md's own bar intervals. */
export type CalendarBarInterval = BarInterval;

export interface TradingSession {
  readonly date: CalendarDate;
  /** Regular open and close, UTC epoch ms. */
  readonly openMs: number;
  readonly closeMs: number;
  /** Extended session (pre-market open, post-market close), UTC epoch ms. */
  readonly extendedOpenMs: number;
  readonly extendedCloseMs: number;
  /** The regular close is earlier than the exchange's normal close (e.g. 13:00 ET). */
  readonly earlyClose: boolean;
  /** The regular open is later than the exchange's normal open (e.g. 12:00 ET on 2002-09-11). */
  readonly lateOpen: boolean;
}

/** A day, other than a weekend, on which the exchange does not trade, with the reason (holiday or event). */
export interface Closure {
  readonly date: CalendarDate;
  readonly reason: string;
}

export interface SessionQueryOptions {
  /** Which session the question is about; "regular" when omitted. */
  readonly session?: SessionKind;
}

export interface ExpectedBarsQuery {
  readonly interval: CalendarBarInterval;
  /** Inclusive bounds on the bar timestamps, UTC epoch ms. */
  readonly fromMs: number;
  readonly toMs: number;
}

export interface ExchangeCalendar {
  /** ISO 10383 MIC, e.g. "XNYS". */
  readonly exchange: string;
  /** IANA zone of the exchange-local dates and hours, e.g. "America/New_York". */
  readonly timeZone: string;
  /** First and last supported local dates (inclusive). */
  readonly firstDate: CalendarDate;
  readonly lastDate: CalendarDate;

  /** Is the instant inside a session? Fast: a table lookup, no time-zone work. */
  isOpen(tsMs: number, options?: SessionQueryOptions): boolean;
  isTradingDay(date: CalendarDate): boolean;
  /** The session of a local date, or undefined on a weekend, holiday or closure. */
  sessionFor(date: CalendarDate): TradingSession | undefined;
  /** The first open strictly after `tsMs` (while a session runs, that is the next session's). */
  nextOpen(tsMs: number, options?: SessionQueryOptions): number;
  /** The first close strictly after `tsMs`. */
  nextClose(tsMs: number, options?: SessionQueryOptions): number;
  /** The last open at or before `tsMs`. */
  previousOpen(tsMs: number, options?: SessionQueryOptions): number;
  /** The last close at or before `tsMs`. */
  previousClose(tsMs: number, options?: SessionQueryOptions): number;
  /** Trading dates from `from` to `to`, both inclusive, ascending. */
  tradingDaysBetween(from: CalendarDate, to: CalendarDate): readonly CalendarDate[];
  /** Non-weekend days without a session from `from` to `to`, both inclusive, ascending. */
  closuresBetween(from: CalendarDate, to: CalendarDate): readonly Closure[];
  /**
   * The timestamps a complete bar series has within [fromMs, toMs], ascending.
   *  - "1day": one per trading day, labelled 00:00 UTC of the session date
   *    (`Date.UTC(y, m − 1, d)`), the md daily-bar convention;
   *  - intraday: bar open instants on a grid anchored at the exchange's normal
   *    open (09:30 ET on NYSE), one for every grid slot that overlaps the regular
   *    session — so early closes end the series early, and a late open starts it
   *    at the slot that contains it.
   */
  expectedBarTimestamps(query: ExpectedBarsQuery): readonly number[];
  /** The exchange-local date of an instant. */
  localDateOf(tsMs: number): CalendarDate;
}
