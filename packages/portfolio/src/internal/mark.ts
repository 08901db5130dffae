/**
 * Mark-to-market: values the open positions at given prices. A position without
 * a price cannot be valued, and a guess would understate risk, so the result is
 * an error value naming the tickers that lack one.
 */
import { err, ok, type Micros, type Result, type Ticker } from "@mqk/core";
import type { Portfolio } from "./portfolio.js";
import type { Position } from "./position.js";

export interface PositionMark {
  readonly position: Position;
  readonly markPriceMicros: Micros;
  /** qty × mark, signed (negative for a short). */
  readonly marketValueMicros: Micros;
  /** marketValue − costBasis. */
  readonly unrealisedPnlMicros: Micros;
}

export interface PortfolioMarks {
  readonly positions: readonly PositionMark[];
  readonly cashMicros: Micros;
  readonly realisedPnlMicros: Micros;
  readonly unrealisedPnlMicros: Micros;
  /** realised + unrealised. */
  readonly totalPnlMicros: Micros;
  /** Σ |qty| × mark. */
  readonly grossExposureMicros: Micros;
  /** Σ qty × mark. */
  readonly netExposureMicros: Micros;
  /** cash + net exposure. */
  readonly equityMicros: Micros;
}

export interface MissingPrices {
  readonly kind: "missing_price";
  readonly tickers: readonly Ticker[];
}

export function markToMarket(portfolio: Portfolio, pricesMicros: ReadonlyMap<Ticker, Micros>): Result<PortfolioMarks, MissingPrices> {
  const missing: Ticker[] = [];
  const positions: PositionMark[] = [];
  let unrealised = 0n;
  let gross = 0n;
  let net = 0n;
  const tickers = [...portfolio.positions.keys()].sort();
  for (const ticker of tickers) {
    const position = portfolio.positions.get(ticker);
    const mark = pricesMicros.get(ticker);
    if (position === undefined) continue;
    if (mark === undefined) {
      missing.push(ticker);
      continue;
    }
    const value = position.qtyShares * mark;
    const pnl = value - position.costBasisMicros;
    positions.push(Object.freeze({ position, markPriceMicros: mark, marketValueMicros: value as Micros, unrealisedPnlMicros: pnl as Micros }));
    unrealised += pnl;
    gross += value < 0n ? -value : value;
    net += value;
  }
  if (missing.length > 0) return err({ kind: "missing_price", tickers: missing });
  return ok(
    Object.freeze({
      positions,
      cashMicros: portfolio.cashMicros,
      realisedPnlMicros: portfolio.realisedPnlMicros,
      unrealisedPnlMicros: unrealised as Micros,
      totalPnlMicros: (portfolio.realisedPnlMicros + unrealised) as Micros,
      grossExposureMicros: gross as Micros,
      netExposureMicros: net as Micros,
      equityMicros: (portfolio.cashMicros + net) as Micros,
    }),
  );
}
