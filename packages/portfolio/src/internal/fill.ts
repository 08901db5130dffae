/**
 * A fill as the portfolio sees it: one execution of some shares at one price.
 * The caller (the inbox, or the backtest engine) builds it from normalised
 * values (A5); a fill that breaks these rules is a bug upstream, so the check
 * throws InvariantError instead of returning a value.
 */
import { invariant, type Micros, type Shares, type Ticker } from "@mqk/core";

export type FillSide = "buy" | "sell";

export interface Fill {
  /** Unique per execution (a broker execution id, a backtest sequence). */
  readonly fillId: string;
  readonly ticker: Ticker;
  readonly side: FillSide;
  /** Whole shares, > 0. The side says the direction. */
  readonly qtyShares: Shares;
  /** Price per share in micros, > 0. */
  readonly priceMicros: Micros;
  /** Commission and fees in micros, ≥ 0. They reduce cash and realised PnL. */
  readonly feeMicros: Micros;
}

/** The signed change in shares: + for a buy, − for a sell. */
export function signedQty(fill: Fill): bigint {
  const qty: bigint = fill.qtyShares;
  return fill.side === "buy" ? qty : -qty;
}

export function assertValidFill(fill: Fill): void {
  invariant(typeof fill.fillId === "string" && fill.fillId.length > 0, `fill: expected a non-empty fill id, found ${JSON.stringify(fill.fillId)}`);
  invariant(fill.side === "buy" || fill.side === "sell", `fill ${fill.fillId}: expected side buy or sell, found ${String(fill.side)}`);
  invariant(typeof fill.qtyShares === "bigint" && fill.qtyShares > 0n, `fill ${fill.fillId}: expected bigint qtyShares > 0, found ${String(fill.qtyShares)}`);
  invariant(
    typeof fill.priceMicros === "bigint" && fill.priceMicros > 0n,
    `fill ${fill.fillId}: expected bigint priceMicros > 0, found ${String(fill.priceMicros)}`,
  );
  invariant(typeof fill.feeMicros === "bigint" && fill.feeMicros >= 0n, `fill ${fill.fillId}: expected bigint feeMicros ≥ 0, found ${String(fill.feeMicros)}`);
}
