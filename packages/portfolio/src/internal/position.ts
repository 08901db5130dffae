/**
 * One symbol's position under average-cost accounting, longs and shorts.
 *
 * State is (qtyShares, costBasisMicros), both signed the same way: a long holds
 * a positive cost basis (what was paid), a short a negative one (what was
 * received). The average cost is derived:
 *
 *     avgCostMicros = divRound(|costBasis|, |qty|, AVG_COST_ROUNDING)   (HALF_EVEN)
 *
 * Transitions for a fill of signed size d at price p:
 *  - open / add (d has the sign of qty, or qty is 0): costBasis += d·p exactly.
 *  - reduce (|d| < |qty|, opposite sign): the remaining shares keep the average
 *    cost, so costBasis' = qty'·avgCost; the removed cost is costBasis − costBasis'
 *    and realised PnL is (proceeds − removed cost) with the position's sign.
 *  - close (|d| = |qty|): the whole cost basis is removed, no rounding at all.
 *  - flip (|d| > |qty|): close exactly, then open the remainder at p.
 *
 * Why this rule: the only rounding is the derived average (½ micro per share at
 * most, HALF_EVEN so it is unbiased), and a reduction leaves the average
 * unchanged, so the state after any reduction depends only on (average, new
 * qty). Hence a fill split into pieces of the same total at the same price
 * gives bit-identical qty, cost basis, average and realised PnL, and a full
 * round trip realises exactly proceeds − cost. Cash never depends on the
 * rounding, so equity is exact; rounding only moves less than a micro per share
 * between realised and unrealised PnL, whose sum stays exact.
 */
import { divRound, invariant, type Micros, type RoundingMode, type Shares, type Ticker } from "@mqk/core";
import { type Fill, signedQty } from "./fill.js";

export const AVG_COST_ROUNDING: RoundingMode = "HALF_EVEN";

export interface Position {
  readonly ticker: Ticker;
  /** Signed: > 0 long, < 0 short; never 0 (a flat symbol has no Position). */
  readonly qtyShares: Shares;
  /** Signed like qtyShares: total cost of the open shares (negative for a short's proceeds). */
  readonly costBasisMicros: Micros;
  /** Average cost per share, > 0, derived from the two fields above. */
  readonly avgCostMicros: Micros;
}

/** What one fill did to one position. */
export interface PositionChange {
  /** The position after the fill; undefined when it is flat. */
  readonly position: Position | undefined;
  /** Realised PnL of the reducing part, before fees. */
  readonly realisedMicros: Micros;
  /** Cash moved by the fill, fees included: −d·p − fee. */
  readonly cashDeltaMicros: Micros;
}

const abs = (v: bigint): bigint => (v < 0n ? -v : v);
const sign = (v: bigint): bigint => (v < 0n ? -1n : v > 0n ? 1n : 0n);

/** Average cost per share of a (qty, cost basis) pair, with the named rounding. */
export function averageCost(qtyShares: bigint, costBasisMicros: bigint): Micros {
  invariant(qtyShares !== 0n, "averageCost: a flat position has no average cost");
  return divRound(abs(costBasisMicros), abs(qtyShares), AVG_COST_ROUNDING) as Micros;
}

/**
 * Rebuilds a position from stored parts (a database row), checking the same
 * invariants the transitions keep. Returns undefined for qty 0.
 */
export function positionFromParts(ticker: Ticker, qtyShares: Shares, costBasisMicros: Micros): Position | undefined {
  if (qtyShares === 0n) {
    invariant(costBasisMicros === 0n, `position ${ticker}: flat but cost basis is ${String(costBasisMicros)}; expected 0`);
    return undefined;
  }
  invariant(
    sign(costBasisMicros) === sign(qtyShares),
    `position ${ticker}: cost basis ${String(costBasisMicros)} must have the sign of qty ${String(qtyShares)}`,
  );
  return Object.freeze({ ticker, qtyShares, costBasisMicros, avgCostMicros: averageCost(qtyShares, costBasisMicros) });
}

function build(ticker: Ticker, qty: bigint, costBasis: bigint): Position | undefined {
  return positionFromParts(ticker, qty as Shares, costBasis as Micros);
}

/** Applies one (already validated) fill to the position of its ticker. Pure. */
export function applyFillToPosition(current: Position | undefined, fill: Fill): PositionChange {
  invariant(current === undefined || current.ticker === fill.ticker, `fill ${fill.fillId} is for ${fill.ticker}, not ${String(current?.ticker)}`);
  const d = signedQty(fill);
  const p = fill.priceMicros;
  const cashDeltaMicros = (-d * p - fill.feeMicros) as Micros;
  const qty: bigint = current?.qtyShares ?? 0n;
  const costBasis: bigint = current?.costBasisMicros ?? 0n;

  // open or add: nothing is realised, the cost basis grows exactly
  if (qty === 0n || sign(d) === sign(qty)) {
    return { position: build(fill.ticker, qty + d, costBasis + d * p), realisedMicros: 0n as Micros, cashDeltaMicros };
  }

  const reducing = abs(d) <= abs(qty) ? d : -qty; // the part of d that moves qty towards 0
  const newQty = qty + reducing;
  // the remaining shares keep the average cost; a close removes the whole cost basis
  const remainingCost = newQty === 0n ? 0n : newQty * averageCost(qty, costBasis);
  const removedCost = costBasis - remainingCost;
  // proceeds of the reducing part are −reducing·p (positive when selling a long)
  const realisedMicros = (-reducing * p - removedCost) as Micros;

  const opening = d - reducing; // non-zero only when the fill flips through zero
  const position = opening === 0n ? build(fill.ticker, newQty, remainingCost) : build(fill.ticker, opening, opening * p);
  return { position, realisedMicros, cashDeltaMicros };
}
