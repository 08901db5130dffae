/**
 * The one place where a bar from outside becomes a `Bar` (A5). Every source —
 * TwelveData, FMP, CSV, a test provider — hands its raw values here.
 *
 * Invariants:
 *  1. Prices pass through core's `toMicros` (sign "positive"); volume through
 *     `toShares` (sign "nonNegative", whole). Nothing else converts a number.
 *  2. A bar with high < max(open, close) or low > min(open, close) is rejected.
 *  3. Timestamps are strictly increasing per series (symbol + interval): a repeat
 *     is a duplicate, a step back is out of order.
 *  4. A bad bar is rejected with its symbol, time, field and reason. Nothing is
 *     repaired: a value either passes unchanged (as micros) or the bar is refused.
 */
import { asTicker, err, formatMicros, NormalisationError, ok, toMicros, toShares, type Micros, type NormalisationReason, type Result, type Ticker } from "@mqk/core";
import type { Bar, BarInterval } from "./bar.js";

export type BarField = "symbol" | "timestamp" | "open" | "high" | "low" | "close" | "volume";
export type PriceField = "open" | "high" | "low" | "close";

export type BarRejectReason =
  | NormalisationReason
  | "missing"
  | "bad_symbol"
  | "bad_timestamp"
  | "high_below_open_or_close"
  | "low_above_open_or_close"
  | "duplicate_timestamp"
  | "timestamp_not_increasing";

export interface BarRejection {
  readonly kind: "bad_bar";
  readonly symbol: string;
  /** The bar's time as the source printed it. */
  readonly time: string;
  /** The bar's instant when it could be read. */
  readonly tsMs: number | undefined;
  readonly field: BarField;
  readonly reason: BarRejectReason;
  /** What was expected, in words. */
  readonly expected: string;
  /** The offending value as found (quoted text or a short description). */
  readonly found: string;
  /** One line for an operator: "<symbol> <time>: <field>: expected …, found …". */
  readonly message: string;
}

/** A bar as a source gives it: untrusted values, a time already read (or not). */
export interface RawBarValues {
  readonly symbol: string;
  /** The time as printed by the source, for messages. */
  readonly time: string;
  /** UTC epoch ms of the bar (see bar.ts for the convention), or undefined when the time could not be read. */
  readonly tsMs: number | undefined;
  /** Why the time could not be read, when tsMs is undefined. */
  readonly timeProblem?: string;
  readonly open: unknown;
  readonly high: unknown;
  readonly low: unknown;
  readonly close: unknown;
  readonly volume: unknown;
}

export interface RawBar extends RawBarValues {
  readonly interval: BarInterval;
}

export type BarValues = Omit<Bar, "interval">;

/** Converts one price; must be core's toMicros or something that only ever calls it (a cache). */
export type PriceNormaliser = (input: string | number, field: PriceField) => Micros;

export const normalisePrice: PriceNormaliser = (input, field) => toMicros(input, { sign: "positive", field });

const tickers = new Map<string, Ticker>();

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value === null) return "null";
  return typeof value;
}

export function rejectBar(raw: Pick<RawBarValues, "symbol" | "time" | "tsMs">, field: BarField, reason: BarRejectReason, expected: string, found: string): BarRejection {
  const symbol = raw.symbol.length > 20 ? `${raw.symbol.slice(0, 20)}…` : raw.symbol;
  return {
    kind: "bad_bar",
    symbol,
    time: raw.time,
    tsMs: raw.tsMs,
    field,
    reason,
    expected,
    found,
    message: `${symbol || "(no symbol)"} ${raw.time || "(no time)"}: ${field}: expected ${expected}, found ${found}`,
  };
}

function tickerOf(symbol: string): Ticker | undefined {
  const known = tickers.get(symbol);
  if (known !== undefined) return known;
  if (!/^[A-Z][A-Z0-9.-]{0,11}$/.test(symbol)) return undefined;
  const ticker = asTicker(symbol);
  if (tickers.size < 10_000) tickers.set(symbol, ticker);
  return ticker;
}

function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

type Step<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly rejection: BarRejection };

function price(raw: RawBarValues, field: PriceField, normalise: PriceNormaliser): Step<Micros> {
  const value = raw[field];
  if (isMissing(value)) return { ok: false, rejection: rejectBar(raw, field, "missing", "a price", describe(value)) };
  if (typeof value !== "string" && typeof value !== "number") {
    return { ok: false, rejection: rejectBar(raw, field, "malformed", "a decimal price as a number or string", describe(value)) };
  }
  try {
    return { ok: true, value: normalise(value, field) };
  } catch (error) {
    if (error instanceof NormalisationError) return { ok: false, rejection: rejectBar(raw, field, error.reason, expectedFor(error.reason, "a price > 0"), describe(value)) };
    throw error;
  }
}

function expectedFor(reason: NormalisationReason, fallback: string): string {
  switch (reason) {
    case "not_a_number":
    case "not_finite":
      return "a finite number";
    case "malformed":
      return "a decimal number such as 187.25";
    case "negative":
      return "a value ≥ 0";
    case "not_positive":
      return "a value > 0";
    case "out_of_range":
      return "a value within the desk's range (≤ 10^12)";
    case "not_whole":
      return "a whole number";
    default:
      return fallback;
  }
}

function volumeOf(raw: RawBarValues): Step<bigint> {
  const value = raw.volume;
  if (isMissing(value)) return { ok: false, rejection: rejectBar(raw, "volume", "missing", "a share volume ≥ 0", describe(value)) };
  if (typeof value !== "string" && typeof value !== "number") {
    return { ok: false, rejection: rejectBar(raw, "volume", "malformed", "a whole share volume as a number or string", describe(value)) };
  }
  try {
    return { ok: true, value: toShares(value, { sign: "nonNegative", field: "volume" }) };
  } catch (error) {
    if (error instanceof NormalisationError) return { ok: false, rejection: rejectBar(raw, "volume", error.reason, expectedFor(error.reason, "a whole volume ≥ 0"), describe(value)) };
    throw error;
  }
}

/**
 * Checks and converts one bar's values (no series checks). Used directly by the
 * CSV reader; providers go through `normaliseBar` / `validateBarSeries`.
 */
export function normaliseBarValues(raw: RawBarValues, normalise: PriceNormaliser = normalisePrice): Result<BarValues, BarRejection> {
  const symbol = tickerOf(raw.symbol);
  if (symbol === undefined) return err(rejectBar(raw, "symbol", "bad_symbol", "an upper-case ticker such as AAPL or BRK.B", describe(raw.symbol)));
  if (raw.tsMs === undefined || !Number.isSafeInteger(raw.tsMs)) {
    return err(rejectBar(raw, "timestamp", "bad_timestamp", raw.timeProblem ?? "a valid bar time", describe(raw.time)));
  }
  const open = price(raw, "open", normalise);
  if (!open.ok) return err(open.rejection);
  const high = price(raw, "high", normalise);
  if (!high.ok) return err(high.rejection);
  const low = price(raw, "low", normalise);
  if (!low.ok) return err(low.rejection);
  const close = price(raw, "close", normalise);
  if (!close.ok) return err(close.rejection);
  const volume = volumeOf(raw);
  if (!volume.ok) return err(volume.rejection);
  const o = open.value;
  const h = high.value;
  const l = low.value;
  const c = close.value;
  const top = o > c ? o : c;
  const bottom = o < c ? o : c;
  if (h < top) {
    return err(rejectBar(raw, "high", "high_below_open_or_close", `high ≥ max(open, close) = ${formatMicros(top)}`, describe(raw.high)));
  }
  if (l > bottom) {
    return err(rejectBar(raw, "low", "low_above_open_or_close", `low ≤ min(open, close) = ${formatMicros(bottom)}`, describe(raw.low)));
  }
  return ok({ symbol, tsMs: raw.tsMs, open: o, high: h, low: l, close: c, volume: volume.value });
}

/** One bar, values only (the series guard is separate). */
export function normaliseBar(raw: RawBar, normalise: PriceNormaliser = normalisePrice): Result<Bar, BarRejection> {
  const values = normaliseBarValues(raw, normalise);
  if (!values.ok) return values;
  return ok({ ...values.value, interval: raw.interval });
}

/** Invariant 3: strictly increasing time per series key. */
export class BarSequenceGuard {
  readonly #last = new Map<string, { readonly tsMs: number; readonly time: string }>();

  /** Records the bar when it is later than the series' last one; otherwise returns why not. */
  check(seriesKey: string, raw: Pick<RawBarValues, "symbol" | "time"> & { readonly tsMs: number }): BarRejection | undefined {
    const last = this.#last.get(seriesKey);
    if (last !== undefined && raw.tsMs <= last.tsMs) {
      return raw.tsMs === last.tsMs
        ? rejectBar(raw, "timestamp", "duplicate_timestamp", `one bar per time (this time already has a bar)`, describe(raw.time))
        : rejectBar(raw, "timestamp", "timestamp_not_increasing", `a time after the previous bar's ${last.time}`, describe(raw.time));
    }
    this.#last.set(seriesKey, { tsMs: raw.tsMs, time: raw.time });
    return undefined;
  }
}

/**
 * A provider response, oldest first: every bar normalised, the series strictly
 * increasing. The first bad bar fails the whole series; no bar is returned then.
 */
export function validateBarSeries(raws: readonly RawBar[]): Result<Bar[], BarRejection> {
  const guard = new BarSequenceGuard();
  const bars: Bar[] = [];
  for (const raw of raws) {
    const bar = normaliseBar(raw);
    if (!bar.ok) return bar;
    const rejection = guard.check(`${bar.value.symbol}|${bar.value.interval}`, { symbol: raw.symbol, time: raw.time, tsMs: bar.value.tsMs });
    if (rejection !== undefined) return err(rejection);
    bars.push(bar.value);
  }
  return ok(bars);
}
