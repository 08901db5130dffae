/**
 * Reads FMP end-of-day bodies (API brief §4). Two generations are accepted:
 * the stable endpoint's bare array of rows and the legacy v3 object
 * `{ symbol, historical: [rows] }`. An object with no data array is an error
 * (FMP reports some errors as `{"Error Message": …}` with HTTP 200).
 */
import { dailyTsMsFromDate } from "../bar.js";
import type { RawBar } from "../bar-validation.js";

type Row = Readonly<Record<string, unknown>>;

export type FmpBody =
  | { readonly kind: "rows"; readonly symbol: string | undefined; readonly rows: readonly Row[] }
  | { readonly kind: "error"; readonly message: string }
  | { readonly kind: "malformed"; readonly problem: string };

function isRecord(value: unknown): value is Row {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function rowsOf(values: readonly unknown[]): Row[] | string {
  const rows: Row[] = [];
  for (const [index, row] of values.entries()) {
    if (!isRecord(row)) return `row ${String(index)} is not an object`;
    rows.push(row);
  }
  return rows;
}

export function readFmpBody(body: unknown): FmpBody {
  if (Array.isArray(body)) {
    const rows = rowsOf(body);
    return typeof rows === "string" ? { kind: "malformed", problem: rows } : { kind: "rows", symbol: undefined, rows };
  }
  if (!isRecord(body)) return { kind: "malformed", problem: `expected an array or an object, found ${typeof body}` };
  const errorMessage = body["Error Message"] ?? body["error"] ?? body["message"];
  const historical = body["historical"];
  if (Array.isArray(historical)) {
    const rows = rowsOf(historical);
    if (typeof rows === "string") return { kind: "malformed", problem: rows };
    return { kind: "rows", symbol: typeof body["symbol"] === "string" ? body["symbol"] : undefined, rows };
  }
  if (typeof errorMessage === "string") return { kind: "error", message: errorMessage };
  const keys = Object.keys(body).slice(0, 5).join(", ");
  return { kind: "malformed", problem: `expected an array of bars or {historical: […]}, found an object with ${keys === "" ? "no keys" : `keys ${keys}`}` };
}

/** Rows → raw daily bars, oldest first (FMP answers newest first). */
export function fmpRawBars(symbol: string, rows: readonly Row[]): RawBar[] {
  const bars: RawBar[] = rows.map((row) => {
    const date = typeof row["date"] === "string" ? row["date"] : "";
    const tsMs = dailyTsMsFromDate(date);
    return {
      symbol: typeof row["symbol"] === "string" ? row["symbol"] : symbol,
      interval: "1day",
      time: date,
      tsMs,
      ...(tsMs === undefined ? { timeProblem: "a trading date YYYY-MM-DD" } : {}),
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
