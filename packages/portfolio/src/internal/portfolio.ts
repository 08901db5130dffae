/**
 * The portfolio: cash, positions, realised PnL and fees, built from fills.
 * Immutable: every transition returns a new state and leaves the old one valid.
 */
import { invariant, type Micros, type Ticker } from "@mqk/core";
import { AppliedFillIds } from "./applied-fill-ids.js";
import { assertValidFill, type Fill } from "./fill.js";
import { applyFillToPosition, type Position } from "./position.js";

export interface Portfolio {
  /** May go negative (margin) or grow with a short's proceeds. */
  readonly cashMicros: Micros;
  /** Open positions only; a flat ticker has no entry. */
  readonly positions: ReadonlyMap<Ticker, Position>;
  /** Realised PnL after fees: Σ(proceeds − removed cost) − Σ fees. */
  readonly realisedPnlMicros: Micros;
  /** Σ fees paid; already included in cash and realised PnL. */
  readonly feesMicros: Micros;
  readonly appliedFillIds: AppliedFillIds;
}

export interface PortfolioParts {
  readonly cashMicros: Micros;
  readonly positions?: readonly Position[];
  readonly realisedPnlMicros?: Micros;
  readonly feesMicros?: Micros;
  readonly appliedFillIds?: Iterable<string>;
}

/** A portfolio with cash and nothing else. */
export function emptyPortfolio(cashMicros: Micros): Portfolio {
  return portfolioFromParts({ cashMicros });
}

/** Rebuilds a portfolio from stored parts (for example database rows). */
export function portfolioFromParts(parts: PortfolioParts): Portfolio {
  const positions = new Map<Ticker, Position>();
  for (const position of parts.positions ?? []) {
    invariant(!positions.has(position.ticker), `portfolio: two positions for ${position.ticker}`);
    invariant(position.qtyShares !== 0n, `portfolio: position ${position.ticker} is flat; leave it out`);
    positions.set(position.ticker, position);
  }
  return Object.freeze({
    cashMicros: parts.cashMicros,
    positions,
    realisedPnlMicros: parts.realisedPnlMicros ?? (0n as Micros),
    feesMicros: parts.feesMicros ?? (0n as Micros),
    appliedFillIds: AppliedFillIds.of(parts.appliedFillIds ?? []),
  });
}

/** True when this fill id has already been applied to the portfolio. */
export function hasAppliedFill(portfolio: Portfolio, fillId: string): boolean {
  return portfolio.appliedFillIds.has(fillId);
}

/**
 * Applies one fill. A fill id applied twice, or a malformed fill, throws
 * InvariantError: the inbox's unique key must make that impossible (D2).
 */
export function applyFill(portfolio: Portfolio, fill: Fill): Portfolio {
  assertValidFill(fill);
  const appliedFillIds = portfolio.appliedFillIds.with(fill.fillId); // throws on a duplicate
  const change = applyFillToPosition(portfolio.positions.get(fill.ticker), fill);
  const positions = new Map(portfolio.positions);
  if (change.position === undefined) positions.delete(fill.ticker);
  else positions.set(fill.ticker, change.position);
  return Object.freeze({
    cashMicros: (portfolio.cashMicros + change.cashDeltaMicros) as Micros,
    positions,
    realisedPnlMicros: (portfolio.realisedPnlMicros + change.realisedMicros - fill.feeMicros) as Micros,
    feesMicros: (portfolio.feesMicros + fill.feeMicros) as Micros,
    appliedFillIds,
  });
}

/** Applies fills in order. */
export function applyFills(portfolio: Portfolio, fills: Iterable<Fill>): Portfolio {
  let state = portfolio;
  for (const fill of fills) state = applyFill(state, fill);
  return state;
}
