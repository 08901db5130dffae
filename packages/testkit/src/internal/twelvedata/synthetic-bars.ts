/**
 * Deterministic synthetic bars for the market-data fakes (TwelveData and FMP
 * share it). The same symbol, interval and slot always give the same bar, so a
 * range can be served from anywhere without storing a series. Prices are held
 * as integers of 1/10 000 of a dollar and are always consistent
 * (low ≤ open, close ≤ high, all > 0). Sessions are weekdays 09:30–16:00
 * exchange time; the fake knows no holidays unless told (`closedDates`).
 */

export type FakeInterval = "1min" | "5min" | "15min" | "30min" | "45min" | "1h" | "2h" | "4h" | "1day";

export const fakeIntervalMinutes: Readonly<Record<FakeInterval, number>> = {
  "1min": 1,
  "5min": 5,
  "15min": 15,
  "30min": 30,
  "45min": 45,
  "1h": 60,
  "2h": 120,
  "4h": 240,
  "1day": 1440,
};

export function isFakeInterval(value: string): value is FakeInterval {
  return Object.hasOwn(fakeIntervalMinutes, value);
}

/** One bar in exchange wall time; prices in 1/10 000 dollar. */
export interface SyntheticBar {
  /** `YYYY-MM-DD` (daily) or `YYYY-MM-DD HH:MM:SS` (intraday), exchange wall time. */
  readonly datetime: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function mix(seed: number, n: number): number {
  let x = (seed ^ Math.imul(n | 0, 0x9e3779b1) ^ Math.imul(Math.floor(n / 4294967296), 0x85ebca6b)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

export function formatDate(dayNumber: number): string {
  const d = new Date(dayNumber * 86_400_000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function dayNumberOf(date: string): number {
  return Math.floor(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000);
}

export function isWeekday(dayNumber: number): boolean {
  const weekday = new Date(dayNumber * 86_400_000).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/** The bar of `symbol` at `interval` starting at `minuteOfDay` (ignored for 1day) on `dayNumber`. */
export function syntheticBar(symbol: string, interval: FakeInterval, dayNumber: number, minuteOfDay: number): SyntheticBar {
  const seed = fnv1a(`${symbol}|${interval}`);
  const base = 200_000 + (fnv1a(symbol) % 4_800_000); // $20 … $500
  const slot = interval === "1day" ? dayNumber : dayNumber * 1440 + minuteOfDay;
  const swing = Math.max(2, Math.floor(base / 50));
  const price = (n: number): number => base - Math.floor(swing / 2) + (mix(seed, n) % swing);
  const open = price(slot * 2);
  const close = price(slot * 2 + 1);
  const wick = Math.max(1, Math.floor(base / 400));
  const high = Math.max(open, close) + 1 + (mix(seed ^ 0x51, slot) % wick);
  const low = Math.min(open, close) - 1 - (mix(seed ^ 0xa7, slot) % wick);
  const volume = (interval === "1day" ? 390_000 : 1_000) + (mix(seed ^ 0x3c, slot) % (interval === "1day" ? 40_000_000 : 100_000));
  const datetime = interval === "1day" ? formatDate(dayNumber) : `${formatDate(dayNumber)} ${pad(Math.floor(minuteOfDay / 60))}:${pad(minuteOfDay % 60)}:00`;
  return { datetime, open, high, low, close, volume };
}

const sessionOpenMinute = 9 * 60 + 30;
const sessionCloseMinute = 16 * 60;

/** Start minutes (of the exchange day) of the session's bars at `interval`. */
export function sessionSlots(interval: FakeInterval): number[] {
  const step = fakeIntervalMinutes[interval];
  if (interval === "1day") return [0];
  const slots: number[] = [];
  for (let m = sessionOpenMinute; m < sessionCloseMinute; m += step) slots.push(m);
  return slots;
}

export interface BarWindow {
  /** Wall-time bounds as `YYYY-MM-DD HH:MM:SS` strings; `from` inclusive, `to` exclusive (daily compares dates). */
  readonly from: string | undefined;
  readonly to: string | undefined;
  /** Inclusive upper bound used when no `to` is given ("now" in exchange time). */
  readonly notAfter: string;
  readonly limit: number;
  readonly closedDates: ReadonlySet<string>;
}

/** The newest `limit` bars inside the window, oldest first. */
export function barsInWindow(symbol: string, interval: FakeInterval, window: BarWindow): SyntheticBar[] {
  const daily = interval === "1day";
  const key = (text: string): string => (daily ? text.slice(0, 10) : text.length === 10 ? `${text} 00:00:00` : text);
  const from = window.from === undefined ? undefined : key(window.from);
  const to = window.to === undefined ? undefined : key(window.to);
  const notAfter = key(window.notAfter);
  const lastDay = dayNumberOf((to ?? notAfter).slice(0, 10));
  const firstDay = from === undefined ? lastDay - 40 * 366 : dayNumberOf(from.slice(0, 10));
  const slots = sessionSlots(interval);
  const newestFirst: SyntheticBar[] = [];
  for (let day = lastDay; day >= firstDay && newestFirst.length < window.limit; day -= 1) {
    if (!isWeekday(day) || window.closedDates.has(formatDate(day))) continue;
    for (let i = slots.length - 1; i >= 0 && newestFirst.length < window.limit; i -= 1) {
      const bar = syntheticBar(symbol, interval, day, slots[i] ?? 0);
      const k = key(bar.datetime);
      if (to !== undefined ? k >= to : k > notAfter) continue;
      if (from !== undefined && k < from) continue;
      newestFirst.push(bar);
    }
  }
  return newestFirst.reverse();
}
