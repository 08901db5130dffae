/**
 * The pure pre-trade checks (R1, R2, and the reducing classification). No I/O,
 * no clock: the same request and snapshot always give the same answer.
 *
 * Conventions (fail closed):
 *  - Reference price = the last trusted price of the ticker; none → no_trusted_price.
 *  - Pricing price (for notional, exposure, buying power) = the reference for a
 *    market order; for a limit order the higher of limit and reference, so an
 *    order is never valued below what it may cost.
 *  - Working orders count as if they fill in the direction of the new order:
 *    before-trade position for a buy = qty + open buys; for a sell = qty − open sells.
 *  - An order is reducing when that before-trade position is not zero, the order
 *    goes the other way, and it does not cross zero. A reducing order cannot
 *    raise position, gross exposure or buying-power use, so R2 does not apply to
 *    it: a lowered limit never traps the desk in a position it cannot cut.
 */
import { divRound, type Micros, type Shares, type Ticker } from "@mqk/core";
import type { NormalisedLimits } from "./limits.js";
import type { OrderRequest } from "./order-request.js";
import type { RiskRejection } from "./rejection.js";
import type { RiskSnapshot } from "./risk-snapshot.js";

const BPS = 10_000n;
const abs = (v: bigint): bigint => (v < 0n ? -v : v);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

export function pricingPrice(request: OrderRequest, referenceMicros: Micros): Micros {
  return request.type === "limit" ? (max(request.limitPriceMicros, referenceMicros) as Micros) : referenceMicros;
}

/** R1: max quantity, max notional, price collar. */
export function checkOrderLimits(request: OrderRequest, referenceMicros: Micros, limits: NormalisedLimits): RiskRejection | undefined {
  if (request.qtyShares > limits.maxOrderQtyShares) return { kind: "max_qty", limitShares: limits.maxOrderQtyShares, actualShares: request.qtyShares };
  const price = pricingPrice(request, referenceMicros);
  const notional = (price * request.qtyShares) as Micros;
  if (notional > limits.maxOrderNotionalMicros)
    return { kind: "max_notional", limitMicros: limits.maxOrderNotionalMicros, actualMicros: notional, priceMicros: price };
  if (request.type === "limit") {
    const diff = abs(request.limitPriceMicros - referenceMicros);
    // exact integer form of |limit − ref| / ref > bps / 10000
    if (diff * BPS > limits.priceCollarBps * referenceMicros) {
      return {
        kind: "price_collar",
        limitBps: Number(limits.priceCollarBps),
        actualBps: Number(divRound(diff * BPS, referenceMicros, "CEIL")),
        referencePriceMicros: referenceMicros,
        orderPriceMicros: request.limitPriceMicros,
        lowMicros: divRound(referenceMicros * (BPS - limits.priceCollarBps), BPS, "CEIL") as Micros,
        highMicros: divRound(referenceMicros * (BPS + limits.priceCollarBps), BPS, "FLOOR") as Micros,
      };
    }
  }
  return undefined;
}

interface WorkingQty {
  readonly buys: bigint;
  readonly sells: bigint;
}

function workingByTicker(snapshot: RiskSnapshot): Map<Ticker, WorkingQty> {
  const out = new Map<Ticker, WorkingQty>();
  for (const o of snapshot.openOrders) {
    const w = out.get(o.ticker) ?? { buys: 0n, sells: 0n };
    out.set(o.ticker, o.side === "buy" ? { buys: w.buys + o.qtyShares, sells: w.sells } : { buys: w.buys, sells: w.sells + o.qtyShares });
  }
  return out;
}

export interface OrderExposure {
  /** The ledger position now. */
  readonly positionShares: Shares;
  /** Worst case before this order, in its direction (working orders filled). */
  readonly beforeShares: Shares;
  /** Worst case after this order fills. */
  readonly afterShares: Shares;
  readonly reducing: boolean;
  /** The part of the order that opens or grows exposure (0 for a reducing order). */
  readonly openingShares: Shares;
}

export function orderExposure(request: OrderRequest, snapshot: RiskSnapshot): OrderExposure {
  const position: bigint = snapshot.portfolio.positions.get(request.ticker)?.qtyShares ?? 0n;
  const working = workingByTicker(snapshot).get(request.ticker) ?? { buys: 0n, sells: 0n };
  const q: bigint = request.qtyShares;
  const before = request.side === "buy" ? position + working.buys : position - working.sells;
  const after = request.side === "buy" ? before + q : before - q;
  const closing = request.side === "buy" ? (before < 0n ? (q < -before ? q : -before) : 0n) : before > 0n ? (q < before ? q : before) : 0n;
  const opening = q - closing;
  return {
    positionShares: position as Shares,
    beforeShares: before as Shares,
    afterShares: after as Shares,
    reducing: opening === 0n,
    openingShares: opening as Shares,
  };
}

/** Worst-case gross exposure over all tickers; the order's ticker is valued at `orderPrice`. */
function grossExposure(
  snapshot: RiskSnapshot,
  extra: OrderRequest | undefined,
  orderTicker: Ticker,
  orderPrice: Micros,
): { ok: true; micros: bigint } | { ok: false; ticker: Ticker } {
  const working = workingByTicker(snapshot);
  if (extra !== undefined) {
    const w = working.get(extra.ticker) ?? { buys: 0n, sells: 0n };
    working.set(extra.ticker, extra.side === "buy" ? { buys: w.buys + extra.qtyShares, sells: w.sells } : { buys: w.buys, sells: w.sells + extra.qtyShares });
  }
  const tickers = new Set<Ticker>([...snapshot.portfolio.positions.keys(), ...working.keys()]);
  let gross = 0n;
  for (const t of [...tickers].sort()) {
    const position: bigint = snapshot.portfolio.positions.get(t)?.qtyShares ?? 0n;
    const w = working.get(t) ?? { buys: 0n, sells: 0n };
    const worst = max(abs(position + w.buys), abs(position - w.sells));
    if (worst === 0n) continue;
    const price = t === orderTicker ? orderPrice : snapshot.trustedPricesMicros.get(t);
    if (price === undefined) return { ok: false, ticker: t };
    gross += worst * price;
  }
  return { ok: true, micros: gross };
}

/** R2: max position, max gross exposure, buying power. Not applied to reducing orders. */
export function checkExposure(
  request: OrderRequest,
  referenceMicros: Micros,
  exposure: OrderExposure,
  snapshot: RiskSnapshot,
  limits: NormalisedLimits,
): RiskRejection | undefined {
  if (exposure.reducing) return undefined;
  const after = abs(exposure.afterShares) as Shares;
  if (after > limits.maxPositionShares && after > abs(exposure.beforeShares)) {
    return { kind: "max_position", limitShares: limits.maxPositionShares, actualShares: after, positionShares: exposure.positionShares };
  }
  const price = pricingPrice(request, referenceMicros);
  const grossBefore = grossExposure(snapshot, undefined, request.ticker, price);
  const grossAfter = grossExposure(snapshot, request, request.ticker, price);
  if (!grossBefore.ok) return { kind: "no_trusted_price", ticker: grossBefore.ticker };
  if (!grossAfter.ok) return { kind: "no_trusted_price", ticker: grossAfter.ticker };
  if (grossAfter.micros > limits.maxGrossExposureMicros && grossAfter.micros > grossBefore.micros) {
    return { kind: "max_gross_exposure", limitMicros: limits.maxGrossExposureMicros, actualMicros: grossAfter.micros as Micros };
  }
  const required = (exposure.openingShares * price) as Micros;
  if (required > snapshot.buyingPowerMicros) return { kind: "buying_power", limitMicros: snapshot.buyingPowerMicros, actualMicros: required };
  return undefined;
}
