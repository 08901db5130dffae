/**
 * What the caller tells risk about the world at the moment of the check. Risk
 * reads nothing else about positions or prices: the ledger (portfolio), the
 * last TRUSTED prices (integrity-checked; a ticker without one is unpriced),
 * the broker's buying power, and the orders already working.
 */
import type { Micros, Shares, Ticker } from "@mqk/core";
import type { Portfolio } from "@mqk/portfolio";
import type { OrderSide } from "./order-request.js";

export interface OpenOrderExposure {
  readonly ticker: Ticker;
  readonly side: OrderSide;
  /** Shares still unfilled, > 0. */
  readonly qtyShares: Shares;
}

export interface RiskSnapshot {
  readonly portfolio: Portfolio;
  readonly trustedPricesMicros: ReadonlyMap<Ticker, Micros>;
  /** Buying power as the account reports it, already net of working orders. */
  readonly buyingPowerMicros: Micros;
  /** Orders sent or queued that have not fully filled; counted as if they fill (worst case). */
  readonly openOrders: readonly OpenOrderExposure[];
}
