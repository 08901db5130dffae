/**
 * The bar: one OHLCV candle of one symbol at one interval, as the desk holds it.
 *
 * Time convention (the same for every provider and for CSV):
 *  - intraday bars: `tsMs` is the bar's OPEN instant, UTC epoch ms;
 *  - daily bars (`1day`): `tsMs` is 00:00 UTC of the trading date the exchange
 *    printed (its local date), so the date survives a round trip unchanged and
 *    no calendar is needed to label a bar. It is a label, not the session open.
 */
import type { Micros, Ticker } from "@mqk/core";

export const barIntervals = ["1min", "5min", "15min", "30min", "1h", "1day"] as const;
export type BarInterval = (typeof barIntervals)[number];

export interface Bar {
  readonly symbol: Ticker;
  readonly interval: BarInterval;
  /** Bar open instant (intraday) or 00:00 UTC of the trading date (1day), UTC epoch ms. */
  readonly tsMs: number;
  readonly open: Micros;
  readonly high: Micros;
  readonly low: Micros;
  readonly close: Micros;
  /** Shares traded in the bar. */
  readonly volume: bigint;
}

const minuteMs = 60_000;
const intervalDurations: Record<BarInterval, number> = {
  "1min": minuteMs,
  "5min": 5 * minuteMs,
  "15min": 15 * minuteMs,
  "30min": 30 * minuteMs,
  "1h": 60 * minuteMs,
  "1day": 24 * 60 * minuteMs,
};

export const dayMs = intervalDurations["1day"];

export function isBarInterval(value: unknown): value is BarInterval {
  return typeof value === "string" && (barIntervals as readonly string[]).includes(value);
}

/** Nominal length of one bar of `interval`, in ms. */
export function intervalMs(interval: BarInterval): number {
  return intervalDurations[interval];
}

/**
 * The instant from which a bar is final. Intraday: open + interval. Daily: 00:00
 * UTC of the next date, which is after every US close (16:00 ET is 20:00 or 21:00
 * UTC), so a daily bar is never treated as closed early. E3's staleness check
 * compares `now` with this plus its grace.
 */
export function barCloseTimeMs(bar: Pick<Bar, "tsMs" | "interval">): number {
  return bar.tsMs + intervalDurations[bar.interval];
}

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` → 00:00 UTC of that date, or undefined when it is not a real date. */
export function dailyTsMsFromDate(date: string): number | undefined {
  const m = datePattern.exec(date);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const tsMs = Date.UTC(year, month - 1, day);
  const back = new Date(tsMs);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return undefined;
  return tsMs;
}

/** 00:00 UTC epoch ms → `YYYY-MM-DD` (the UTC date of any instant). */
export function utcDateOf(tsMs: number): string {
  return new Date(tsMs).toISOString().slice(0, 10);
}
