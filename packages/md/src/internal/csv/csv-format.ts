/**
 * The CSV bar format, documented in data/README.md:
 *
 *   symbol,timestamp,open,high,low,close,volume
 *   AAPL,2024-01-02,187.15,188.44,183.89,185.64,82488700
 *   AAPL,2024-11-29T14:30:00Z,237.10,237.31,236.95,237.02,412093
 *
 * `timestamp` is either a date `YYYY-MM-DD` (a daily bar; tsMs = 00:00 UTC of
 * that date) or an ISO 8601 instant WITH an offset (`Z` or `±HH:MM`; the bar's
 * open instant). One file holds one kind. No quoting, no extra columns.
 */
import { dailyTsMsFromDate } from "../bar.js";
import type { BarField } from "../bar-validation.js";

export const csvHeader = "symbol,timestamp,open,high,low,close,volume";

export type CsvField = BarField | "header" | "row" | "file";

/** The first problem in a CSV file: where, which field, why, and what was there. */
export interface CsvLineError {
  /** 1-based line number (the header is line 1); 0 when the file itself could not be read. */
  readonly line: number;
  readonly field: CsvField;
  /** Machine-readable reason, e.g. "high_below_open_or_close", "malformed", "bad_header". */
  readonly code: string;
  /** What was expected, in words. */
  readonly reason: string;
  /** What was found (quoted text). */
  readonly found: string;
}

/** One line for `mqk data validate`: `line 17, high: expected …, found "99.10"`. */
export function formatCsvLineError(error: CsvLineError, file?: string): string {
  const where = error.line === 0 ? "file" : `line ${String(error.line)}, ${error.field}`;
  return `${file === undefined ? "" : `${file}: `}${where}: expected ${error.reason}, found ${error.found}`;
}

export function quoteFound(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

export type TimestampKind = "date" | "instant";

export type ParsedTimestamp = { readonly kind: TimestampKind; readonly tsMs: number } | { readonly kind: "bad"; readonly reason: string };

const instantPattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})$/;

function parseInstant(text: string): ParsedTimestamp {
  const m = instantPattern.exec(text);
  if (!m) {
    return /^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(text)
      ? { kind: "bad", reason: "an ISO 8601 instant with an offset (Z or ±HH:MM); a time without one is ambiguous" }
      : { kind: "bad", reason: "a date YYYY-MM-DD or an ISO 8601 instant such as 2024-11-29T14:30:00Z" };
  }
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6] ?? 0);
  const millis = Number((m[7] ?? "").padEnd(3, "0"));
  const zone = m[8] ?? "Z";
  if (hour > 23 || minute > 59 || second > 59 || dailyTsMsFromDate(`${m[1] ?? ""}-${m[2] ?? ""}-${m[3] ?? ""}`) === undefined) {
    return { kind: "bad", reason: "a real calendar date and time" };
  }
  let offsetMin = 0;
  if (zone !== "Z") {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 14 || om > 59) return { kind: "bad", reason: "an offset within ±14:00" };
    offsetMin = (zone.startsWith("-") ? -1 : 1) * (oh * 60 + om);
  }
  return { kind: "instant", tsMs: Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMin * 60_000 };
}

export function parseCsvTimestamp(text: string): ParsedTimestamp {
  if (text.length === 10) {
    const tsMs = dailyTsMsFromDate(text);
    return tsMs === undefined ? { kind: "bad", reason: "a real date YYYY-MM-DD" } : { kind: "date", tsMs };
  }
  return parseInstant(text);
}
