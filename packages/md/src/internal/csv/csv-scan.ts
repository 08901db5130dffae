/**
 * Streams a CSV bar file line by line (1 MiB chunks; memory stays flat however
 * long the file) through the one bar validation. Stops at the first bad line.
 *
 * Invariants:
 *  1. Every price goes through core's toMicros (via a cache of its results for
 *     repeated strings — the cache only ever holds what toMicros returned).
 *  2. Time is strictly increasing per symbol within a file; a file holds either
 *     dates or instants, never both.
 *  3. A bar after a bad line is never emitted; bars before it may have been
 *     (callers that must not act on a partly bad file validate first).
 */
import { createReadStream } from "node:fs";
import { err, ok, type Micros, type Result } from "@mqk/core";
import type { Bar, BarInterval } from "../bar.js";
import { BarSequenceGuard, normaliseBarValues, normalisePrice, type BarRejection, type PriceNormaliser } from "../bar-validation.js";
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

/** Remembers toMicros results by exact input text; bounded. */
export function cachingPriceNormaliser(maxEntries = 1 << 16): PriceNormaliser {
  const cache = new Map<string, Micros>();
  return (input, field) => {
    if (typeof input !== "string") return normalisePrice(input, field);
    const hit = cache.get(input);
    if (hit !== undefined) return hit;
    const value = normalisePrice(input, field);
    if (cache.size >= maxEntries) cache.clear();
    cache.set(input, value);
    return value;
  };
}

function fromRejection(line: number, rejection: BarRejection): CsvLineError {
  return { line, field: rejection.field, code: rejection.reason, reason: rejection.expected, found: rejection.found };
}

class LineChecker {
  readonly #guard = new BarSequenceGuard();
  readonly #normalise = cachingPriceNormaliser();
  readonly #symbols = new Set<string>();
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
    return [...this.#symbols].sort();
  }

  /** A bar, `undefined` for a bar checked but not wanted, or the line's error. */
  check(text: string, line: number): Bar | undefined | CsvLineError {
    const fields = text.split(",");
    if (fields.length !== 7) {
      return { line, field: "row", code: "field_count", reason: `7 comma-separated fields (${csvHeader})`, found: `${String(fields.length)} fields in ${quoteFound(text)}` };
    }
    if (text.includes('"')) return { line, field: "row", code: "quoted", reason: "unquoted fields (quotes are not part of the format)", found: quoteFound(text) };
    const [symbol = "", time = "", open, high, low, close, volume] = fields;
    let tsMs: number;
    if (time === this.#lastTimeText) {
      tsMs = this.#lastTsMs;
    } else {
      const parsed = parseCsvTimestamp(time);
      if (parsed.kind === "bad") return { line, field: "timestamp", code: "bad_timestamp", reason: parsed.reason, found: quoteFound(time) };
      if (this.#kind === undefined) this.#kind = parsed.kind;
      else if (parsed.kind !== this.#kind) {
        return { line, field: "timestamp", code: "mixed_timestamps", reason: `${this.#kind === "date" ? "a date" : "an instant"} like the earlier rows (one kind per file)`, found: quoteFound(time) };
      }
      tsMs = parsed.tsMs;
      this.#lastTimeText = time;
      this.#lastTsMs = tsMs;
    }
    const values = normaliseBarValues({ symbol, time, tsMs, open, high, low, close, volume }, this.#normalise);
    if (!values.ok) return fromRejection(line, values.error);
    const rejection = this.#guard.check(symbol, { symbol, time, tsMs });
    if (rejection !== undefined) return fromRejection(line, rejection);
    this.count += 1;
    if (tsMs < this.firstTsMs) this.firstTsMs = tsMs;
    if (tsMs > this.lastTsMs) this.lastTsMs = tsMs;
    this.#symbols.add(symbol);
    if (!this.#wantBars) return undefined;
    const interval = this.#kind === "date" ? "1day" : this.#instantInterval;
    if (interval === undefined) {
      return { line, field: "timestamp", code: "interval_unknown", reason: "a known interval for instant rows (name the file like bars-1min.csv or pass one)", found: quoteFound(time) };
    }
    const v = values.value;
    return { symbol: v.symbol, interval, tsMs: v.tsMs, open: v.open, high: v.high, low: v.low, close: v.close, volume: v.volume };
  }
}

function isLineError(value: Bar | CsvLineError | undefined): value is CsvLineError {
  return value !== undefined && "line" in value;
}

function ioCode(error: unknown): string {
  if (error instanceof Error && "code" in error && typeof error.code === "string") return error.code;
  return error instanceof Error ? error.message : typeof error;
}

export async function scanCsvFile(path: string, options: CsvScanOptions = {}): Promise<Result<CsvSummary, CsvLineError>> {
  const checker = new LineChecker(options);
  const onBar = options.onBar;
  const batch: Bar[] = [];
  let lineNo = 0;
  let carry = "";
  let blankAt = 0;
  let failure: CsvLineError | undefined;

  const take = (raw: string): boolean => {
    lineNo += 1;
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
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
    for (const bar of batch) {
      const pending = onBar(bar);
      if (pending !== undefined) await pending;
    }
    batch.length = 0;
  };

  const stream = createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) {
      const text = carry + String(chunk);
      let start = 0;
      for (let nl = text.indexOf("\n", start); nl !== -1; nl = text.indexOf("\n", start)) {
        const good = take(text.slice(start, nl));
        start = nl + 1;
        if (!good) break;
      }
      await flush();
      if (failure !== undefined) break;
      carry = text.slice(start);
    }
    if (failure === undefined && carry !== "") {
      take(carry);
      await flush();
    }
  } catch (error) {
    return err({ line: 0, field: "file", code: "unreadable", reason: "a readable CSV file", found: ioCode(error) });
  } finally {
    stream.destroy();
  }
  if (failure !== undefined) return err(failure);
  if (lineNo === 0) return err({ line: 1, field: "header", code: "bad_header", reason: `the header ${csvHeader}`, found: "an empty file" });
  const kind = checker.kind;
  if (checker.count === 0 || kind === undefined) return err({ line: 2, field: "row", code: "no_bars", reason: "at least one bar after the header", found: "none" });
  return ok({ bars: checker.count, symbols: checker.symbols(), firstTsMs: checker.firstTsMs, lastTsMs: checker.lastTsMs, timestampKind: kind });
}
