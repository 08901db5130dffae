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
import {
  asTicker,
  err,
  formatMicros,
  InvariantError,
  NormalisationError,
  ok,
  toMicros,
  toShares,
  type Micros,
  type NormalisationReason,
  type Result,
  type Ticker,
} from "@mqk/core";
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

export function rejectBar(
  raw: Pick<RawBarValues, "symbol" | "time" | "tsMs">,
  field: BarField,
  reason: BarRejectReason,
  expected: string,
  found: string,
): BarRejection {
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

/** The Ticker for a symbol text, or undefined when it is not a valid ticker. */
export function barTicker(symbol: string): Ticker | undefined {
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

/** Converts one volume; must be core's toShares or something that only ever calls it (a cache). */
export type VolumeNormaliser = (input: string | number) => bigint;

export const normaliseVolume: VolumeNormaliser = (input) => toShares(input, { sign: "nonNegative", field: "volume" });

const priceFields: readonly PriceField[] = ["open", "high", "low", "close"];

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

/** Why a value that is not a string or number was refused (missing or of the wrong type). */
function isValue(value: unknown): value is string | number {
  return (typeof value === "string" && value !== "") || typeof value === "number";
}

function shapeRejection(raw: RawBarValues, field: PriceField | "volume"): BarRejection | undefined {
  const value = raw[field];
  if (isValue(value)) return undefined;
  if (isMissing(value)) return rejectBar(raw, field, "missing", field === "volume" ? "a share volume ≥ 0" : "a price", describe(value));
  return rejectBar(
    raw,
    field,
    "malformed",
    field === "volume" ? "a whole share volume as a number or string" : "a decimal price as a number or string",
    describe(value),
  );
}

/**
 * Checks and converts one bar's values (no series checks). Used directly by the
 * CSV reader; providers go through `normaliseBar` / `validateBarSeries`.
 * Written for speed (the CSV path runs it a million times a second): no
 * allocation on the happy path beyond the result.
 */
export function normaliseBarValues(
  raw: RawBarValues,
  normalise: PriceNormaliser = normalisePrice,
  normaliseVol: VolumeNormaliser = normaliseVolume,
): Result<BarValues, BarRejection> {
  const symbol = barTicker(raw.symbol);
  if (symbol === undefined) return err(rejectBar(raw, "symbol", "bad_symbol", "an upper-case ticker such as AAPL or BRK.B", describe(raw.symbol)));
  const tsMs = raw.tsMs;
  if (tsMs === undefined || !Number.isSafeInteger(tsMs)) {
    return err(rejectBar(raw, "timestamp", "bad_timestamp", raw.timeProblem ?? "a valid bar time", describe(raw.time)));
  }
  const { open, high, low, close, volume } = raw;
  if (!(isValue(open) && isValue(high) && isValue(low) && isValue(close) && isValue(volume))) {
    for (const field of [...priceFields, "volume" as const]) {
      const rejection = shapeRejection(raw, field);
      if (rejection !== undefined) return err(rejection);
    }
    throw new InvariantError("bar-validation: a value failed isValue but no field was rejected");
  }
  let o: Micros;
  let h: Micros;
  let l: Micros;
  let c: Micros;
  let v: bigint;
  let field: PriceField | "volume" = "open";
  try {
    o = normalise(open, field);
    field = "high";
    h = normalise(high, field);
    field = "low";
    l = normalise(low, field);
    field = "close";
    c = normalise(close, field);
    field = "volume";
    v = normaliseVol(volume);
  } catch (error) {
    if (!(error instanceof NormalisationError)) throw error;
    const fallback = field === "volume" ? "a whole volume ≥ 0" : "a price > 0";
    return err(rejectBar(raw, field, error.reason, expectedFor(error.reason, fallback), describe(raw[field])));
  }
  const relation = relationRejection(raw, o, h, l, c);
  if (relation !== undefined) return err(relation);
  return ok({ symbol, tsMs, open: o, high: h, low: l, close: c, volume: v });
}

/** Invariant 2 on values already normalised: high ≥ max(open, close), low ≤ min(open, close). */
export function relationProblem(o: Micros, h: Micros, l: Micros, c: Micros): "high_below_open_or_close" | "low_above_open_or_close" | undefined {
  if (h < (o > c ? o : c)) return "high_below_open_or_close";
  if (l > (o < c ? o : c)) return "low_above_open_or_close";
  return undefined;
}

function relationRejection(
  raw: Pick<RawBarValues, "symbol" | "time" | "tsMs" | "high" | "low">,
  o: Micros,
  h: Micros,
  l: Micros,
  c: Micros,
): BarRejection | undefined {
  switch (relationProblem(o, h, l, c)) {
    case "high_below_open_or_close":
      return rejectBar(raw, "high", "high_below_open_or_close", `high ≥ max(open, close) = ${formatMicros(o > c ? o : c)}`, describe(raw.high));
    case "low_above_open_or_close":
      return rejectBar(raw, "low", "low_above_open_or_close", `low ≤ min(open, close) = ${formatMicros(o < c ? o : c)}`, describe(raw.low));
    case undefined:
      return undefined;
  }
}

/** One bar, values only (the series guard is separate). */
export function normaliseBar(raw: RawBar, normalise: PriceNormaliser = normalisePrice): Result<Bar, BarRejection> {
  const values = normaliseBarValues(raw, normalise);
  if (!values.ok) return values;
  return ok({ ...values.value, interval: raw.interval });
}

/** Invariant 3 for one series: the last time seen, and the check of the next. */
export class SeriesCursor {
  #lastTsMs = Number.NEGATIVE_INFINITY;
  #lastTime = "";

  /** Moves to the bar when it is later than the last one; otherwise returns why not (and stays). */
  advance(symbol: string, time: string, tsMs: number): BarRejection | undefined {
    if (tsMs <= this.#lastTsMs) {
      const raw = { symbol, time, tsMs };
      return tsMs === this.#lastTsMs
        ? rejectBar(raw, "timestamp", "duplicate_timestamp", `one bar per time (this time already has a bar)`, describe(time))
        : rejectBar(raw, "timestamp", "timestamp_not_increasing", `a time after the previous bar's ${this.#lastTime}`, describe(time));
    }
    this.#lastTsMs = tsMs;
    this.#lastTime = time;
    return undefined;
  }
}

/** Invariant 3 for many series, by key (symbol + interval). */
export class BarSequenceGuard {
  readonly #cursors = new Map<string, SeriesCursor>();

  /** Records the bar when it is later than the series' last one; otherwise returns why not. */
  check(seriesKey: string, raw: Pick<RawBarValues, "symbol" | "time"> & { readonly tsMs: number }): BarRejection | undefined {
    let cursor = this.#cursors.get(seriesKey);
    if (cursor === undefined) {
      cursor = new SeriesCursor();
      this.#cursors.set(seriesKey, cursor);
    }
    return cursor.advance(raw.symbol, raw.time, raw.tsMs);
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
