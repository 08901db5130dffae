/**
 * @mqk/portfolio — positions, cash and PnL from fills, in bigint micros. Pure.
 *
 * Entry points: `emptyPortfolio` / `portfolioFromParts` build a state,
 * `applyFill` / `applyFills` move it, `markToMarket` values it (unrealised PnL,
 * gross and net exposure, equity). `applyFillToPosition` is the per-symbol
 * transition for callers that persist positions row by row.
 *
 * Invariants:
 *  1. Every amount is bigint micros or whole shares; no float enters or leaves.
 *  2. Average-cost accounting with shorts: open, add, reduce, close and flip
 *     through zero in one fill; realised PnL only on the reducing part. The
 *     average cost is divRound(|cost basis|, |qty|, HALF_EVEN); a reduction keeps
 *     it, so any split of a fill gives the same state (see position.ts).
 *  3. cash + cost basis of open positions = start cash + realised PnL (fees
 *     included), so equity = start cash + realised + unrealised, exactly.
 *  4. Fees reduce cash and realised PnL.
 *  5. A fill id is applied at most once; a second time is an InvariantError.
 *  6. States are immutable: a transition returns a new state.
 *
 * Must never: do I/O, read the clock, round money outside divRound, or accept a
 * fill twice.
 */
export type { Fill, FillSide } from "./internal/fill.js";
export { AppliedFillIds } from "./internal/applied-fill-ids.js";
export { applyFillToPosition, averageCost, positionFromParts, AVG_COST_ROUNDING, type Position, type PositionChange } from "./internal/position.js";
export { emptyPortfolio, portfolioFromParts, applyFill, applyFills, hasAppliedFill, type Portfolio, type PortfolioParts } from "./internal/portfolio.js";
export { markToMarket, type PortfolioMarks, type PositionMark, type MissingPrices } from "./internal/mark.js";
