/**
 * What a strategy asks risk to approve, and the deterministic identity of the
 * decision behind it (R4): the same (strategy, decision key) always gives the
 * same intent id, so a replayed or repeated decision is recognised.
 */
import { asIntentId, canonicalJson, sha256Hex, type IntentId, type Micros, type Shares, type StrategyId, type Ticker } from "@mqk/core";

export type OrderSide = "buy" | "sell";
export type TimeInForce = "day" | "gtc" | "ioc" | "fok";

interface OrderRequestBase {
  readonly strategyId: StrategyId;
  /**
   * Names the decision inside the strategy, stable across restarts and replays
   * (for example `${barTsMs}:${signal}`). Never a random value or a wall-clock read.
   */
  readonly decisionKey: string;
  readonly ticker: Ticker;
  readonly side: OrderSide;
  /** Whole shares, > 0. */
  readonly qtyShares: Shares;
  /** Default "day". */
  readonly timeInForce?: TimeInForce;
}

export type MarketOrderRequest = OrderRequestBase & { readonly type: "market" };
export type LimitOrderRequest = OrderRequestBase & { readonly type: "limit"; readonly limitPriceMicros: Micros };
export type OrderRequest = MarketOrderRequest | LimitOrderRequest;

export const MAX_DECISION_KEY_LENGTH = 200;

/** The deterministic intent id of a strategy decision: sha256 of its canonical identity. */
export function intentIdFor(strategyId: StrategyId, decisionKey: string): IntentId {
  return asIntentId(sha256Hex(canonicalJson({ decisionKey, strategyId, v: 1 })));
}

/** A problem with the request's shape, or undefined when it is well formed. */
export function requestProblem(request: OrderRequest): string | undefined {
  if (typeof request.decisionKey !== "string" || request.decisionKey.length === 0 || request.decisionKey.length > MAX_DECISION_KEY_LENGTH) {
    return `decisionKey: expected 1–${String(MAX_DECISION_KEY_LENGTH)} characters, found ${typeof request.decisionKey === "string" ? String(request.decisionKey.length) : typeof request.decisionKey}`;
  }
  if (request.side !== "buy" && request.side !== "sell") return `side: expected buy or sell, found ${String(request.side)}`;
  if (typeof request.qtyShares !== "bigint" || request.qtyShares <= 0n) return `qtyShares: expected whole shares > 0, found ${String(request.qtyShares)}`;
  if (request.type === "limit") {
    if (typeof request.limitPriceMicros !== "bigint" || request.limitPriceMicros <= 0n)
      return `limitPriceMicros: expected micros > 0, found ${String(request.limitPriceMicros)}`;
  } else if (request.type !== "market") {
    return `type: expected market or limit, found ${String((request as { type: unknown }).type)}`;
  }
  const tif = request.timeInForce;
  if (tif !== undefined && tif !== "day" && tif !== "gtc" && tif !== "ioc" && tif !== "fok")
    return `timeInForce: expected day, gtc, ioc or fok, found ${String(tif)}`;
  return undefined;
}
