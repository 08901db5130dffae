/**
 * Streams a CSV bar file line by line (2 MiB chunks; memory stays flat however
 * long the file) through the one bar validation. Stops at the first bad line.
 *
 * Invariants:
 *  1. Every price goes through core's toMicros and every volume through its
 *     toShares, via bounded caches of their results keyed by the decimal the
 *     text spells (see plainDecimalKey): a cache only ever holds what
 *     toMicros/toShares returned for an equivalent text, and a text they refuse
 *     is never cached, so the semantics are exactly theirs.
 *  2. Time is strictly increasing per symbol within a file; a file holds either
 *     dates or instants, never both.
 *  3. A bar after a bad line is never emitted; bars before it may have been
 *     (callers that must not act on a partly bad file validate first).
 */
import { createReadStream } from "node:fs";
import { err, InvariantError, ok, toDeskError, type Result, type Ticker } from "@mqk/core";
import type { Bar, BarInterval } from "../bar.js";
import { barTicker, normaliseBarValues, relationProblem, SeriesCursor, type BarRejection, type BarValues } from "../bar-validation.js";
import { DecimalCaches, symbolKey } from "./decimal-cache.js";
import { csvHeader, parseCsvTimestamp, quoteFound, type CsvLineError, type TimestampKind } from "./csv-format.js";

export interface CsvSummary {
  readonly bars: number;
  readonly symbols: readonly string[];
  readonly firstTsMs: number;
  readonly lastTsMs: number;
  readonly timestampKind: TimestampKind;
}

export interface CsvScanOptions {
  /** Interval given to instant rows; required when bars are emitted from an intraday file. */
  readonly instantInterval?: BarInterval;
  /** Receives each good bar, in file order. Without it the scan only validates. */
  readonly onBar?: (bar: Bar) => void | Promise<void>;
}

function fromRejection(line: number, rejection: BarRejection): CsvLineError {
  return { line, field: rejection.field, code: rejection.reason, reason: rejection.expected, found: rejection.found };
}

function quoted(line: number, text: string): CsvLineError {
  return { line, field: "row", code: "quoted", reason: "unquoted fields (quotes are not part of the format)", found: quoteFound(text) };
}

interface SymbolState {
  readonly text: string;
  readonly ticker: Ticker;
  readonly cursor: SeriesCursor;
}

class LineChecker {
  readonly #caches = new DecimalCaches();
  readonly #byKey = new Map<number, SymbolState>();
  readonly #byText = new Map<string, SymbolState>();
  readonly #wantBars: boolean;
  readonly #instantInterval: BarInterval | undefined;
  #kind: TimestampKind | undefined;
  #lastTimeText = "";
  #lastTsMs = 0;
  count = 0;
  firstTsMs = Number.POSITIVE_INFINITY;
  lastTsMs = Number.NEGATIVE_INFINITY;

  constructor(options: CsvScanOptions) {
    this.#wantBars = options.onBar !== undefined;
    this.#instantInterval = options.instantInterval;
  }

  get kind(): TimestampKind | undefined {
    return this.#kind;
  }

  symbols(): string[] {
    return [...this.#byText.keys()].sort();
  }

  #symbolState(text: string, end: number): SymbolState | undefined {
    const key = symbolKey(text, end);
    const known = key >= 0 ? this.#byKey.get(key) : this.#byText.get(text.slice(0, end));
    if (known !== undefined) return known;
    const symbol = text.slice(0, end);
    const ticker = barTicker(symbol);
    if (ticker === undefined) return undefined;
    const state = this.#byText.get(symbol) ?? { text: symbol, ticker, cursor: new SeriesCursor() };
    this.#byText.set(symbol, state);
    if (key >= 0) this.#byKey.set(key, state);
    return state;
  }

  /** A bar, `undefined` for a bar checked but not wanted, or the line's error. */
  check(text: string, line: number): Bar | undefined | CsvLineError {
    // Six commas located by indexOf: cheaper than split() on the hot path.
    const c1 = text.indexOf(",");
    const c2 = text.indexOf(",", c1 + 1);
    const c3 = text.indexOf(",", c2 + 1);
    const c4 = text.indexOf(",", c3 + 1);
    const c5 = text.indexOf(",", c4 + 1);
    const c6 = text.indexOf(",", c5 + 1);
    if (c1 < 0 || c2 < 0 || c3 < 0 || c4 < 0 || c5 < 0 || c6 < 0 || text.indexOf(",", c6 + 1) >= 0) {
      return {
        line,
        field: "row",
        code: "field_count",
        reason: `7 comma-separated fields (${csvHeader})`,
        found: `${String(text.split(",").length)} fields in ${quoteFound(text)}`,
      };
    }

    let time: string;
    let tsMs: number;
    const last = this.#lastTimeText;
    if (c2 - c1 - 1 === last.length && text.startsWith(last, c1 + 1)) {
      time = last;
      tsMs = this.#lastTsMs;
    } else {
      if (text.includes('"')) return quoted(line, text);
      time = text.slice(c1 + 1, c2);
      const parsed = parseCsvTimestamp(time);
      if (parsed.kind === "bad") return { line, field: "timestamp", code: "bad_timestamp", reason: parsed.reason, found: quoteFound(time) };
      if (this.#kind === undefined) this.#kind = parsed.kind;
      else if (parsed.kind !== this.#kind) {
        return {
          line,
          field: "timestamp",
          code: "mixed_timestamps",
          reason: `${this.#kind === "date" ? "a date" : "an instant"} like the earlier rows (one kind per file)`,
          found: quoteFound(time),
        };
      }
      tsMs = parsed.tsMs;
      this.#lastTimeText = time;
      this.#lastTsMs = tsMs;
    }

    const state = this.#symbolState(text, c1);
    // Fast path: every value already converted once by toMicros / toShares (cached by its decimal).
    const caches = this.#caches;
    const o = caches.knownPrice(text, c2 + 1, c3, "open");
    const h = caches.knownPrice(text, c3 + 1, c4, "high");
    const l = caches.knownPrice(text, c4 + 1, c5, "low");
    const c = caches.knownPrice(text, c5 + 1, c6, "close");
    const v = caches.knownVolume(text, c6 + 1, text.length);
    let values: BarValues | undefined;
    if (
      state !== undefined &&
      o !== undefined &&
      h !== undefined &&
      l !== undefined &&
      c !== undefined &&
      v !== undefined &&
      relationProblem(o, h, l, c) === undefined
    ) {
      values = undefined; // all five known good: no intermediate object
    } else {
      // Slow path: the one validation module converts (through the caches) and says what is wrong.
      // (The fast path cannot meet a quote: every field it accepts is plain.)
      if (text.includes('"')) return quoted(line, text);
      const raw = {
        symbol: text.slice(0, c1),
        time,
        tsMs,
        open: text.slice(c2 + 1, c3),
        high: text.slice(c3 + 1, c4),
        low: text.slice(c4 + 1, c5),
        close: text.slice(c5 + 1, c6),
        volume: text.slice(c6 + 1),
      };
      const checked = normaliseBarValues(raw, caches.price, caches.volume);
      if (!checked.ok) return fromRejection(line, checked.error);
      values = checked.value;
    }
    const series = state ?? this.#symbolState(text, c1);
    if (series === undefined) throw new InvariantError("csv: a symbol passed validation but has no series state");
    const rejection = series.cursor.advance(series.text, time, tsMs);
    if (rejection !== undefined) return fromRejection(line, rejection);
    this.count += 1;
    if (tsMs < this.firstTsMs) this.firstTsMs = tsMs;
    if (tsMs > this.lastTsMs) this.lastTsMs = tsMs;
    if (!this.#wantBars) return undefined;
    const interval = this.#kind === "date" ? "1day" : this.#instantInterval;
    if (interval === undefined) {
      return {
        line,
        field: "timestamp",
        code: "interval_unknown",
        reason: "a known interval for instant rows (name the file like bars-1min.csv or pass one)",
        found: quoteFound(time),
      };
    }
    if (values !== undefined)
      return { symbol: values.symbol, interval, tsMs, open: values.open, high: values.high, low: values.low, close: values.close, volume: values.volume };
    if (o === undefined || h === undefined || l === undefined || c === undefined || v === undefined) throw new InvariantError("csv: fast path without values");
    return { symbol: series.ticker, interval, tsMs, open: o, high: h, low: l, close: c, volume: v };
  }
}

function isLineError(value: Bar | CsvLineError | undefined): value is CsvLineError {
  return value !== undefined && "line" in value;
}

/** An error from reading the file (ENOENT, EISDIR, EACCES…), as opposed to a bug or a callback's error. */
function fileErrorCode(error: unknown): string | undefined {
  if (error instanceof Error && "code" in error && typeof error.code === "string" && "syscall" in error) return error.code;
  return undefined;
}

/** Carries an error thrown by `onBar` past the file-error handling, unchanged. */
class CallbackFailure extends Error {
  readonly original: unknown;
  constructor(original: unknown) {
    super("onBar failed");
    this.original = original;
  }
}

export async function scanCsvFile(path: string, options: CsvScanOptions = {}): Promise<Result<CsvSummary, CsvLineError>> {
  const checker = new LineChecker(options);
  const onBar = options.onBar;
  const batch: Bar[] = [];
  let lineNo = 0;
  let carry = "";
  let blankAt = 0;
  let failure: CsvLineError | undefined;

  const take = (text: string): boolean => {
    lineNo += 1;
    if (lineNo === 1) {
      const header = text.startsWith("\ufeff") ? text.slice(1) : text;
      if (header !== csvHeader) failure = { line: 1, field: "header", code: "bad_header", reason: `the header ${csvHeader}`, found: quoteFound(header) };
      return failure === undefined;
    }
    if (text === "") {
      if (blankAt === 0) blankAt = lineNo;
      return true;
    }
    if (blankAt !== 0) {
      failure = { line: blankAt, field: "row", code: "blank_line", reason: "no blank lines between bars", found: '""' };
      return false;
    }
    const result = checker.check(text, lineNo);
    if (result === undefined) return true;
    if (isLineError(result)) {
      failure = result;
      return false;
    }
    batch.push(result);
    return true;
  };

  const flush = async (): Promise<void> => {
    if (onBar === undefined) return;
    try {
      for (const bar of batch) {
        const pending = onBar(bar);
        if (pending !== undefined) await pending;
      }
    } catch (error) {
      throw new CallbackFailure(error);
    }
    batch.length = 0;
  };

  const stream = createReadStream(path, { encoding: "utf8", highWaterMark: 2 << 20 });
  try {
    for await (const chunk of stream) {
      const text = carry + String(chunk);
      let start = 0;
      for (let nl = text.indexOf("\n", start); nl !== -1; nl = text.indexOf("\n", start)) {
        const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        const good = take(text.slice(start, end));
        start = nl + 1;
        if (!good) break;
      }
      await flush();
      if (failure !== undefined) break;
      carry = text.slice(start);
    }
    if (failure === undefined && carry !== "") {
      take(carry.endsWith("\r") ? carry.slice(0, -1) : carry);
      await flush();
    }
  } catch (error) {
    if (error instanceof CallbackFailure) {
      const original = error.original;
      if (original instanceof Error) throw original;
      throw toDeskError(original);
    }
    const code = fileErrorCode(error);
    if (code === undefined) throw error;
    return err({ line: 0, field: "file", code: "unreadable", reason: "a readable CSV file", found: code });
  } finally {
    stream.destroy();
  }
  if (failure !== undefined) return err(failure);
  if (lineNo === 0) return err({ line: 1, field: "header", code: "bad_header", reason: `the header ${csvHeader}`, found: "an empty file" });
  const kind = checker.kind;
  if (checker.count === 0 || kind === undefined)
    return err({ line: 2, field: "row", code: "no_bars", reason: "at least one bar after the header", found: "none" });
  return ok({ bars: checker.count, symbols: checker.symbols(), firstTsMs: checker.firstTsMs, lastTsMs: checker.lastTsMs, timestampKind: kind });
}
