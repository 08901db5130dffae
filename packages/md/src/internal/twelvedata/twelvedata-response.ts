/**
 * Reads a `/time_series` body (API brief §2.2, §2.4): every field is `unknown`
 * until checked here. Bar values stay untouched strings; bar-validation converts.
 */
import { dailyTsMsFromDate, type BarInterval } from "../bar.js";
import type { RawBar } from "../bar-validation.js";
import { isKnownTimeZone, parseWallTime, utcMsFromWallTime } from "../exchange-time.js";

export type TimeSeriesBody =
  | { readonly kind: "error"; readonly code: number | undefined; readonly message: string }
  | {
      readonly kind: "series";
      readonly symbol: string;
      readonly interval: string;
      readonly timeZone: string;
      readonly rows: readonly Readonly<Record<string, unknown>>[];
    }
  | { readonly kind: "malformed"; readonly problem: string };

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function readTimeSeriesBody(body: unknown): TimeSeriesBody {
  if (!isRecord(body)) return { kind: "malformed", problem: `expected a JSON object, found ${Array.isArray(body) ? "an array" : typeof body}` };
  if (body["status"] === "error") {
    const code = typeof body["code"] === "number" && Number.isSafeInteger(body["code"]) ? body["code"] : undefined;
    const message = typeof body["message"] === "string" ? body["message"] : "(no message)";
    return { kind: "error", code, message };
  }
  const meta = body["meta"];
  const values = body["values"];
  if (!isRecord(meta)) return { kind: "malformed", problem: "expected a `meta` object" };
  if (!Array.isArray(values)) return { kind: "malformed", problem: "expected a `values` array" };
  const symbol = meta["symbol"];
  const interval = meta["interval"];
  const timeZone = meta["exchange_timezone"];
  if (typeof symbol !== "string" || typeof interval !== "string") return { kind: "malformed", problem: "expected meta.symbol and meta.interval strings" };
  if (typeof timeZone !== "string" || !isKnownTimeZone(timeZone)) {
    return { kind: "malformed", problem: `expected meta.exchange_timezone to be an IANA zone, found ${JSON.stringify(timeZone)}` };
  }
  const rows: Readonly<Record<string, unknown>>[] = [];
  for (const [index, row] of values.entries()) {
    if (!isRecord(row)) return { kind: "malformed", problem: `values[${String(index)}] is not an object` };
    rows.push(row);
  }
  return { kind: "series", symbol, interval, timeZone, rows };
}

function timeOf(datetime: string, interval: BarInterval, timeZone: string): { tsMs: number | undefined; problem?: string } {
  if (interval === "1day") {
    const tsMs = dailyTsMsFromDate(datetime);
    return tsMs === undefined ? { tsMs, problem: "a trading date YYYY-MM-DD" } : { tsMs };
  }
  const wall = parseWallTime(datetime);
  if (wall === undefined) return { tsMs: undefined, problem: `an exchange time YYYY-MM-DD HH:MM:SS in ${timeZone}` };
  const utc = utcMsFromWallTime(wall, timeZone);
  if (utc.ok) return { tsMs: utc.value };
  const why = utc.error === "ambiguous" ? "it occurs twice (DST ends)" : utc.error === "nonexistent" ? "it does not exist (DST gap)" : "it is not a valid time";
  return { tsMs: undefined, problem: `an exchange time that exists exactly once in ${timeZone}; ${why}` };
}

/**
 * Rows → raw bars, oldest first. TwelveData answers newest first unless asked
 * otherwise; both orders are accepted and the series guard catches any other.
 */
export function rawBarsOf(symbol: string, interval: BarInterval, timeZone: string, rows: readonly Readonly<Record<string, unknown>>[]): RawBar[] {
  const bars: RawBar[] = rows.map((row) => {
    const datetime = typeof row["datetime"] === "string" ? row["datetime"] : "";
    const { tsMs, problem } = timeOf(datetime, interval, timeZone);
    return {
      symbol,
      interval,
      time: datetime,
      tsMs,
      ...(problem === undefined ? {} : { timeProblem: problem }),
      open: row["open"],
      high: row["high"],
      low: row["low"],
      close: row["close"],
      volume: row["volume"],
    };
  });
  const first = bars[0];
  const last = bars[bars.length - 1];
  if (first !== undefined && last !== undefined && first.time > last.time) bars.reverse();
  return bars;
}
