/**
 * The timestamps a complete bar series must have: what gap detection compares
 * real bars against (E1).
 *
 *  - "1day": one per trading day, labelled 00:00 UTC of the session's local date
 *    (`Date.UTC(y, m − 1, d)`), the md daily-bar convention — a label, not the open.
 *  - intraday: bar open instants on a grid anchored at the exchange's normal open
 *    (09:30 ET on NYSE, so 1h bars are 09:30, 10:30, …, 15:30), one per slot that
 *    overlaps the regular session. An early close ends the series early (13:00 ET
 *    → last 1min bar 12:59); a late open starts it at the slot containing it.
 */
import { barIntervals, intervalMs, isBarInterval } from "../bar.js";
import { DAY_MS, formatDayNumber } from "./calendar-date.js";
import { CalendarError, describeInstant } from "./calendar-error.js";
import type { ExpectedBarsQuery } from "./exchange-calendar.js";
import type { SessionTable } from "./session-table.js";

export function expectedBarTimestamps(table: SessionTable, query: ExpectedBarsQuery, instantError: (tsMs: number) => CalendarError): readonly number[] {
  const { interval, fromMs, toMs } = query;
  if (!isBarInterval(interval)) {
    throw new CalendarError("invalid_interval", `expected a bar interval (${barIntervals.join(", ")}), found ${JSON.stringify(String(interval)).slice(0, 40)}`);
  }
  if (!Number.isFinite(fromMs)) throw instantError(fromMs);
  if (!Number.isFinite(toMs)) throw instantError(toMs);
  if (fromMs > toMs) throw new CalendarError("invalid_range", `expected fromMs ≤ toMs, found ${String(fromMs)} > ${String(toMs)}`);
  return interval === "1day" ? dailyLabels(table, fromMs, toMs) : intradayOpens(table, intervalMs(interval), fromMs, toMs, instantError);
}

function dailyLabels(table: SessionTable, fromMs: number, toMs: number): number[] {
  // Daily labels are UTC midnights of local dates, so the range is checked on their dates.
  const firstDay = Math.floor(fromMs / DAY_MS);
  const lastDay = Math.floor(toMs / DAY_MS);
  if (firstDay < table.firstDay || lastDay > table.lastDay) {
    throw new CalendarError(
      "out_of_range",
      `daily bar labels ${describeInstant(fromMs)} … ${describeInstant(toMs)} reach outside the supported dates ${formatDayNumber(table.firstDay)} … ${formatDayNumber(table.lastDay)}; ask inside them`,
    );
  }
  const labels: number[] = [];
  for (let day = Math.ceil(fromMs / DAY_MS); day <= lastDay; day += 1) {
    if (table.isTradingIndex(table.indexOfDay(day))) labels.push(day * DAY_MS);
  }
  return labels;
}

function intradayOpens(table: SessionTable, stepMs: number, fromMs: number, toMs: number, instantError: (tsMs: number) => CalendarError): number[] {
  if (!(fromMs >= table.minMs && fromMs < table.maxMs)) throw instantError(fromMs);
  if (!(toMs >= table.minMs && toMs < table.maxMs)) throw instantError(toMs);
  const opens: number[] = [];
  const last = Math.min(table.lastIndex, table.indexOfInstant(toMs) + 1);
  for (let i = Math.max(0, table.indexOfInstant(fromMs) - 1); i <= last; i += 1) {
    const open = table.open[i] ?? Number.NaN;
    const close = table.close[i] ?? Number.NaN;
    const anchor = table.anchor[i] ?? Number.NaN;
    if (Number.isNaN(open) || close <= fromMs) continue;
    for (let t = anchor + Math.floor((open - anchor) / stepMs) * stepMs; t < close && t <= toMs; t += stepMs) {
      if (t >= fromMs) opens.push(t);
    }
  }
  return opens;
}
