/**
 * An ExchangeCalendar answered entirely from a precomputed SessionTable. An
 * exchange supplies rules (a SessionTableSource); every query lives here once.
 *
 * Invariants:
 *  1. Every query validates its input first and throws a CalendarError outside
 *     the supported range: no answer is ever extrapolated.
 *  2. `isOpen` does no allocation and no time-zone work.
 *  3. "next" is strictly after the instant; "previous" is at or before it.
 */
import { DAY_MS, formatDayNumber, parseDayNumber } from "./calendar-date.js";
import { CalendarError, describeInstant } from "./calendar-error.js";
import { expectedBarTimestamps } from "./expected-bars.js";
import type { CalendarDate, Closure, ExchangeCalendar, ExpectedBarsQuery, SessionKind, SessionQueryOptions, TradingSession } from "./exchange-calendar.js";
import type { SessionTable } from "./session-table.js";

type Edge = "open" | "close";

export class TableCalendar implements ExchangeCalendar {
  readonly exchange: string;
  readonly timeZone: string;
  readonly firstDate: CalendarDate;
  readonly lastDate: CalendarDate;
  readonly #table: SessionTable;

  constructor(exchange: string, table: SessionTable) {
    this.exchange = exchange;
    this.timeZone = table.zone.name;
    this.firstDate = formatDayNumber(table.firstDay);
    this.lastDate = formatDayNumber(table.lastDay);
    this.#table = table;
  }

  isOpen(tsMs: number, options?: SessionQueryOptions): boolean {
    const t = this.#table;
    if (!(tsMs >= t.minMs && tsMs < t.maxMs)) throw this.#instantError(tsMs);
    const extended = options?.session === "extended";
    const opens = extended ? t.extendedOpen : t.open;
    const closes = extended ? t.extendedClose : t.close;
    const i = t.indexOfInstant(tsMs);
    // A session can straddle UTC midnight (NYSE post-market ends 00:00/01:00 UTC), so the
    // instant's session is the one of its UTC day or of a neighbour; padding keeps i ± 1 inside.
    return (
      (tsMs >= (opens[i] ?? Number.NaN) && tsMs < (closes[i] ?? Number.NaN)) ||
      (tsMs >= (opens[i - 1] ?? Number.NaN) && tsMs < (closes[i - 1] ?? Number.NaN)) ||
      (tsMs >= (opens[i + 1] ?? Number.NaN) && tsMs < (closes[i + 1] ?? Number.NaN))
    );
  }

  isTradingDay(date: CalendarDate): boolean {
    return this.#table.isTradingIndex(this.#table.indexOfDay(this.#day(date)));
  }

  sessionFor(date: CalendarDate): TradingSession | undefined {
    const i = this.#table.indexOfDay(this.#day(date));
    return this.#sessionAt(i);
  }

  nextOpen(tsMs: number, options?: SessionQueryOptions): number {
    return this.#scanForward(tsMs, "open", options?.session ?? "regular");
  }

  nextClose(tsMs: number, options?: SessionQueryOptions): number {
    return this.#scanForward(tsMs, "close", options?.session ?? "regular");
  }

  previousOpen(tsMs: number, options?: SessionQueryOptions): number {
    return this.#scanBackward(tsMs, "open", options?.session ?? "regular");
  }

  previousClose(tsMs: number, options?: SessionQueryOptions): number {
    return this.#scanBackward(tsMs, "close", options?.session ?? "regular");
  }

  tradingDaysBetween(from: CalendarDate, to: CalendarDate): readonly CalendarDate[] {
    const [first, last] = this.#dayRange(from, to);
    const t = this.#table;
    const days: CalendarDate[] = [];
    for (let day = first; day <= last; day += 1) if (t.isTradingIndex(t.indexOfDay(day))) days.push(formatDayNumber(day));
    return days;
  }

  closuresBetween(from: CalendarDate, to: CalendarDate): readonly Closure[] {
    const [first, last] = this.#dayRange(from, to);
    const closures: Closure[] = [];
    for (let day = first; day <= last; day += 1) {
      const reason = this.#table.closures.get(day);
      if (reason !== undefined) closures.push({ date: formatDayNumber(day), reason });
    }
    return closures;
  }

  expectedBarTimestamps(query: ExpectedBarsQuery): readonly number[] {
    return expectedBarTimestamps(this.#table, query, (tsMs) => this.#instantError(tsMs));
  }

  localDateOf(tsMs: number): CalendarDate {
    const t = this.#table;
    if (!(tsMs >= t.minMs && tsMs < t.maxMs)) throw this.#instantError(tsMs);
    return formatDayNumber(Math.floor((tsMs + t.zone.offsetMinutesAt(tsMs) * 60_000) / DAY_MS));
  }

  #sessionAt(i: number): TradingSession | undefined {
    const t = this.#table;
    const openMs = t.open[i];
    const closeMs = t.close[i];
    const extendedOpenMs = t.extendedOpen[i];
    const extendedCloseMs = t.extendedClose[i];
    if (openMs === undefined || closeMs === undefined || extendedOpenMs === undefined || extendedCloseMs === undefined || Number.isNaN(openMs))
      return undefined;
    return {
      date: formatDayNumber(i + t.indexBase),
      openMs,
      closeMs,
      extendedOpenMs,
      extendedCloseMs,
      earlyClose: t.earlyCloseAt(i),
      lateOpen: t.lateOpenAt(i),
    };
  }

  #edges(edge: Edge, session: SessionKind): Float64Array {
    const t = this.#table;
    if (session === "extended") return edge === "open" ? t.extendedOpen : t.extendedClose;
    return edge === "open" ? t.open : t.close;
  }

  #scanForward(tsMs: number, edge: Edge, session: SessionKind): number {
    const t = this.#table;
    if (!(tsMs >= t.minMs && tsMs < t.maxMs)) throw this.#instantError(tsMs);
    const edges = this.#edges(edge, session);
    // Edges grow with the day, so the first one after tsMs is the answer.
    for (let i = Math.max(0, t.indexOfInstant(tsMs) - 1); i <= t.lastIndex; i += 1) {
      const at = edges[i] ?? Number.NaN;
      if (at > tsMs) return at;
    }
    throw new CalendarError(
      "out_of_range",
      `${this.exchange} calendar: no ${session} ${edge} after ${describeInstant(tsMs)} on or before ${this.lastDate}, the last supported date; ` +
        "extend the calendar's range to answer this",
    );
  }

  #scanBackward(tsMs: number, edge: Edge, session: SessionKind): number {
    const t = this.#table;
    if (!(tsMs >= t.minMs && tsMs < t.maxMs)) throw this.#instantError(tsMs);
    const edges = this.#edges(edge, session);
    for (let i = Math.min(t.lastIndex, t.indexOfInstant(tsMs) + 1); i >= 0; i -= 1) {
      const at = edges[i] ?? Number.NaN;
      if (at <= tsMs) return at;
    }
    throw new CalendarError(
      "out_of_range",
      `${this.exchange} calendar: no ${session} ${edge} at or before ${describeInstant(tsMs)} on or after ${this.firstDate}, the first supported date; ` +
        "extend the calendar's range to answer this",
    );
  }

  #day(date: CalendarDate): number {
    const day = typeof date === "string" ? parseDayNumber(date) : undefined;
    if (day === undefined) {
      throw new CalendarError("invalid_date", `${this.exchange} calendar: expected a date as YYYY-MM-DD, found ${describe(date)}`);
    }
    if (day < this.#table.firstDay || day > this.#table.lastDay) {
      throw new CalendarError(
        "out_of_range",
        `${this.exchange} calendar: ${date} is outside the supported range ${this.firstDate} … ${this.lastDate}; ask for a date inside it`,
      );
    }
    return day;
  }

  #dayRange(from: CalendarDate, to: CalendarDate): readonly [number, number] {
    const first = this.#day(from);
    const last = this.#day(to);
    if (first > last) throw new CalendarError("invalid_range", `${this.exchange} calendar: expected from ≤ to, found from ${from} after to ${to}`);
    return [first, last];
  }

  #instantError(tsMs: number): CalendarError {
    if (typeof tsMs !== "number" || !Number.isFinite(tsMs)) {
      return new CalendarError("invalid_instant", `${this.exchange} calendar: expected a finite UTC epoch-ms instant, found ${describe(tsMs)}`);
    }
    return new CalendarError(
      "out_of_range",
      `${this.exchange} calendar: instant ${describeInstant(tsMs)} is outside the supported range ` +
        `(${this.timeZone} dates ${this.firstDate} … ${this.lastDate}); ask for an instant inside it`,
    );
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.slice(0, 40));
  if (typeof value === "number") return String(value);
  return typeof value;
}
