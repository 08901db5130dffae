/**
 * Entry points over one CSV file: validate it (for `mqk data validate`), or
 * stream its bars. The interval of an intraday file comes from the caller or
 * from its name (`us-equities-1min.csv`); date files are always `1day`.
 */
import { basename } from "node:path";
import { ok, type Result } from "@mqk/core";
import { barIntervals, type Bar, type BarInterval } from "../bar.js";
import type { CsvLineError } from "./csv-format.js";
import { scanCsvFile, type CsvSummary } from "./csv-scan.js";

/** The interval a file's name carries as its last `-`, `_` or `.` token before `.csv`, if any. */
export function intervalFromFileName(path: string): BarInterval | undefined {
  const name = basename(path).toLowerCase();
  return barIntervals.find((interval) => name.endsWith(`-${interval}.csv`) || name.endsWith(`_${interval}.csv`) || name.endsWith(`.${interval}.csv`));
}

export interface CsvValidation {
  readonly bars: number;
  readonly symbols: readonly string[];
  readonly firstTsMs: number;
  readonly lastTsMs: number;
}

/** Checks every line of a file; the summary, or the first bad line with its field and why. */
export async function validateCsvFile(path: string): Promise<Result<CsvValidation & Pick<CsvSummary, "timestampKind">, CsvLineError>> {
  const scanned = await scanCsvFile(path);
  if (!scanned.ok) return scanned;
  return ok(scanned.value);
}

/** One line for a good file: `12,345 bars, 5 symbols (AAPL, …), 2024-01-02 … 2025-12-31`. */
export function formatCsvSummary(summary: CsvValidation): string {
  const shown = summary.symbols.slice(0, 8).join(", ") + (summary.symbols.length > 8 ? ", …" : "");
  const iso = (ms: number): string => new Date(ms).toISOString().replace(".000Z", "Z").replace("T00:00:00Z", "");
  return `${String(summary.bars)} bars, ${String(summary.symbols.length)} symbols (${shown}), ${iso(summary.firstTsMs)} … ${iso(summary.lastTsMs)}`;
}

export interface StreamCsvOptions {
  /** Interval of instant rows; defaults to the one the file name carries. */
  readonly interval?: BarInterval;
  readonly onBar: (bar: Bar) => void | Promise<void>;
}

/** Streams a file's bars to `onBar` in file order; stops at the first bad line (see csv-scan). */
export async function streamCsvBars(path: string, options: StreamCsvOptions): Promise<Result<CsvSummary, CsvLineError>> {
  const instantInterval = options.interval ?? intervalFromFileName(path);
  return scanCsvFile(path, instantInterval === undefined ? { onBar: options.onBar } : { onBar: options.onBar, instantInterval });
}
