/**
 * R3 daily loss: realised + unrealised PnL now against the same figure at the
 * first mark of the trading day. Pure; the engine persists the baseline.
 */
import { err, ok, type Micros, type Result, type Ticker } from "@mqk/core";
import { markToMarket, type PortfolioMarks } from "@mqk/portfolio";
import type { RiskSnapshot } from "./risk-snapshot.js";

export const DAY_MS = 86_400_000;

/** The UTC midnight at or before `nowMs` (the default day boundary). */
export function utcDayStartMs(nowMs: number): number {
  return nowMs - (((nowMs % DAY_MS) + DAY_MS) % DAY_MS);
}

export function markSnapshot(snapshot: RiskSnapshot): Result<PortfolioMarks, { readonly kind: "no_trusted_price"; readonly ticker: Ticker }> {
  const marks = markToMarket(snapshot.portfolio, snapshot.trustedPricesMicros);
  if (!marks.ok) {
    const ticker = marks.error.tickers[0];
    if (ticker === undefined) throw new Error("markToMarket reported missing prices without a ticker");
    return err({ kind: "no_trusted_price", ticker });
  }
  return ok(marks.value);
}

/** Loss since the baseline, positive when money was lost. */
export function lossSince(baselinePnlMicros: Micros, pnlNowMicros: Micros): Micros {
  return (baselinePnlMicros - pnlNowMicros) as Micros;
}
