/**
 * One order in the fake broker's book and its wire shape (API-BRIEF §1.5):
 * money and quantities as decimal strings, nanosecond timestamps, every key
 * present (null when unset) so strict parsers and the SDK's `instanceOfOrder`
 * both accept it.
 */
import { divRound, formatMicros } from "@mqk/core";
import type { OrderSide, OrderType, TimeInForce } from "./order-request.js";
import type { Stamp } from "./wire-format.js";
import type { AlpacaOrderJson } from "./wire-types.js";

/** Every status of spec 2.0.1 (API-BRIEF §1.6). */
export type OrderStatus =
  | "new"
  | "partially_filled"
  | "filled"
  | "done_for_day"
  | "canceled"
  | "expired"
  | "replaced"
  | "pending_cancel"
  | "pending_replace"
  | "accepted"
  | "pending_new"
  | "accepted_for_bidding"
  | "stopped"
  | "rejected"
  | "suspended"
  | "calculated"
  | "held";

/** Statuses from which nothing moves: the order is finished. */
export const terminalStatuses: ReadonlySet<OrderStatus> = new Set(["filled", "canceled", "expired", "replaced", "rejected"]);

/** Statuses from which a replace is refused (API-BRIEF §1.3). */
export const notReplaceableStatuses: ReadonlySet<OrderStatus> = new Set(["accepted", "pending_new", "pending_cancel", "pending_replace"]);

export type PositionIntent = "buy_to_open" | "buy_to_close" | "sell_to_open" | "sell_to_close";

export interface FakeOrder {
  readonly id: string;
  readonly clientOrderId: string;
  readonly seq: number;
  readonly symbol: string;
  readonly assetId: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  timeInForce: TimeInForce;
  qty: bigint;
  limitPrice: bigint | null;
  stopPrice: bigint | null;
  trailPrice: bigint | null;
  trailPercent: bigint | null;
  readonly extendedHours: boolean;
  readonly orderClass: "" | "simple";
  readonly positionIntent: PositionIntent;
  status: OrderStatus;
  filledQty: bigint;
  /** Sum of qty × price over the fills, in micros: the numerator of filled_avg_price. */
  filledNotional: bigint;
  readonly created: Stamp;
  updatedAt: string;
  filledAt: string | null;
  expiredAt: string | null;
  canceledAt: string | null;
  failedAt: string | null;
  replacedAt: string | null;
  replacedBy: string | null;
  readonly replaces: string | null;
  /** Set once a stop or stop_limit has been triggered by the price. */
  triggered: boolean;
}

export function remainingQty(order: FakeOrder): bigint {
  return order.qty - order.filledQty;
}

export function isOpen(order: FakeOrder): boolean {
  return !terminalStatuses.has(order.status);
}

function money(value: bigint | null): string | null {
  return value === null ? null : formatMicros(value);
}

/** filled_avg_price: the volume-weighted price of the fills, rounded half-even to micros. */
export function averageFillPrice(order: FakeOrder): bigint | null {
  return order.filledQty === 0n ? null : divRound(order.filledNotional, order.filledQty, "HALF_EVEN");
}

/** The Order object exactly as the REST endpoints and `trade_updates.data.order` carry it. */
export function orderJson(order: FakeOrder): AlpacaOrderJson {
  return {
    id: order.id,
    client_order_id: order.clientOrderId,
    created_at: order.created.text,
    updated_at: order.updatedAt,
    submitted_at: order.created.text,
    filled_at: order.filledAt,
    expired_at: order.expiredAt,
    expires_at: null,
    canceled_at: order.canceledAt,
    failed_at: order.failedAt,
    replaced_at: order.replacedAt,
    replaced_by: order.replacedBy,
    replaces: order.replaces,
    asset_id: order.assetId,
    symbol: order.symbol,
    asset_class: "us_equity",
    notional: null,
    qty: order.qty.toString(),
    filled_qty: order.filledQty.toString(),
    filled_avg_price: money(averageFillPrice(order)),
    order_class: order.orderClass,
    order_type: order.type,
    type: order.type,
    side: order.side,
    position_intent: order.positionIntent,
    time_in_force: order.timeInForce,
    limit_price: money(order.limitPrice),
    stop_price: money(order.stopPrice),
    status: order.status,
    extended_hours: order.extendedHours,
    legs: null,
    trail_percent: money(order.trailPercent),
    trail_price: money(order.trailPrice),
    hwm: null,
    source: null,
    subtag: null,
  };
}
