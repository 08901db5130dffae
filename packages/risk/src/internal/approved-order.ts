/**
 * ApprovedOrder: the proof that risk said yes. Execution accepts nothing else,
 * so skipping risk is a type error.
 *
 * How it stays unforgeable:
 *  - the class has a private constructor and an ES private field, so an object
 *    literal or another class is not assignable to it (tsc), and `new` is refused;
 *  - index.ts exports only the TYPE, so no other module holds the class value;
 *  - `mintApprovedOrder` is exported from this internal file only, which no other
 *    package can import (the exports map names only ".");
 *  - `isApprovedOrder` checks the private field at run time (`#approved in x`),
 *    which a cast or a structural copy cannot fake.
 */
import type { IntentId, Micros, Shares, StrategyId, Ticker } from "@mqk/core";
import type { OrderSide, TimeInForce } from "./order-request.js";

export interface ApprovedOrderFields {
  readonly intentId: IntentId;
  readonly strategyId: StrategyId;
  readonly decisionKey: string;
  readonly ticker: Ticker;
  readonly side: OrderSide;
  readonly qtyShares: Shares;
  readonly type: "market" | "limit";
  /** Set for limit orders, null for market orders. */
  readonly limitPriceMicros: Micros | null;
  readonly timeInForce: TimeInForce;
  /** The last trusted price the checks used. */
  readonly referencePriceMicros: Micros;
  readonly approvedAtMs: number;
}

let mint: ((fields: ApprovedOrderFields) => ApprovedOrder) | undefined;

export class ApprovedOrder implements ApprovedOrderFields {
  readonly #approved = true;
  readonly intentId: IntentId;
  readonly strategyId: StrategyId;
  readonly decisionKey: string;
  readonly ticker: Ticker;
  readonly side: OrderSide;
  readonly qtyShares: Shares;
  readonly type: "market" | "limit";
  readonly limitPriceMicros: Micros | null;
  readonly timeInForce: TimeInForce;
  readonly referencePriceMicros: Micros;
  readonly approvedAtMs: number;

  static {
    mint = (fields) => new ApprovedOrder(fields);
  }

  private constructor(fields: ApprovedOrderFields) {
    this.intentId = fields.intentId;
    this.strategyId = fields.strategyId;
    this.decisionKey = fields.decisionKey;
    this.ticker = fields.ticker;
    this.side = fields.side;
    this.qtyShares = fields.qtyShares;
    this.type = fields.type;
    this.limitPriceMicros = fields.limitPriceMicros;
    this.timeInForce = fields.timeInForce;
    this.referencePriceMicros = fields.referencePriceMicros;
    this.approvedAtMs = fields.approvedAtMs;
    Object.freeze(this);
  }

  /** True only for an instance that approve() minted. */
  static isApprovedOrder(value: unknown): value is ApprovedOrder {
    return typeof value === "object" && value !== null && #approved in value;
  }
}

/** Internal: approve() is the only caller. */
export function mintApprovedOrder(fields: ApprovedOrderFields): ApprovedOrder {
  if (mint === undefined) throw new Error("ApprovedOrder: class not initialised");
  return mint(fields);
}

export const isApprovedOrder = (value: unknown): value is ApprovedOrder => ApprovedOrder.isApprovedOrder(value);
