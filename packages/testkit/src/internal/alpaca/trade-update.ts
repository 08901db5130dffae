/**
 * trade_updates events as the fake broker produces them (API-BRIEF §1.10):
 * `{stream:"trade_updates", data:{event, order, timestamp?, execution_id?, price?, qty?, position_qty?}}`.
 */
import type { FakeOrder } from "./fake-order.js";
import { orderJson } from "./fake-order.js";

/** Every event name of the SDK's TradeUpdateEvent (common and rarer). */
export type TradeUpdateEventName =
  | "new"
  | "fill"
  | "partial_fill"
  | "canceled"
  | "expired"
  | "done_for_day"
  | "replaced"
  | "rejected"
  | "pending_new"
  | "stopped"
  | "pending_cancel"
  | "pending_replace"
  | "calculated"
  | "suspended"
  | "order_replace_rejected"
  | "order_cancel_rejected";

/** One event the broker produced, whether or not any socket received it. */
export interface TradeUpdate {
  /** 1, 2, 3… in the order the broker produced them. */
  readonly seq: number;
  readonly event: TradeUpdateEventName;
  readonly orderId: string;
  readonly clientOrderId: string;
  /** Set on fill and partial_fill: the de-duplication key of an execution. */
  readonly executionId: string | null;
  /** The `data` object of the frame, exactly as sent. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** Events that carry `timestamp` on the real stream. */
const timestamped: ReadonlySet<TradeUpdateEventName> = new Set(["fill", "partial_fill", "canceled", "expired", "replaced"]);

export interface Execution {
  readonly executionId: string;
  readonly price: string;
  readonly qty: string;
  readonly positionQty: string;
}

export function tradeUpdateData(event: TradeUpdateEventName, order: FakeOrder, timestamp: string, execution: Execution | null): Record<string, unknown> {
  const data: Record<string, unknown> = { event };
  if (execution) {
    data["execution_id"] = execution.executionId;
    data["price"] = execution.price;
    data["qty"] = execution.qty;
    data["position_qty"] = execution.positionQty;
  }
  if (timestamped.has(event)) data["timestamp"] = timestamp;
  data["order"] = orderJson(order);
  return data;
}

/** The frame text for one event. */
export function tradeUpdateFrame(update: TradeUpdate): string {
  return JSON.stringify({ stream: "trade_updates", data: update.data });
}
