/**
 * One `trade_updates` message (`data` of the frame, API-BRIEF §1.10) → a
 * BrokerEvent for the inbox.
 *
 * Message ids (D2) come from the message itself, so a redelivery carries the
 * same one: `alpaca:fill:<execution_id>` for fill and partial_fill, else
 * `alpaca:<event>:<order id>:<timestamp ?? order.updated_at>` (the raw text, every
 * nanosecond digit). `qty`/`price` of a fill are this execution's; the order's
 * `filled_qty` is the cumulative fill after it.
 *
 * Only the order fields the inbox needs are read, so an event about an order
 * shape we never place (say a trailing stop) still parses.
 */
import { asBrokerMessageId, DeskError, type Micros } from "@mqk/core";
import { inboxKinds, type InboxKind } from "@mqk/db";
import type { BrokerEvent, BrokerFill, BrokerOrderTerms } from "../../broker-event.js";
import { parseTimestampNs } from "./alpaca-time.js";
import { bad, brokerOrderId, money, record, shares, text, toJsonValue, type JsonRecord } from "./alpaca-wire.js";

const refusals: ReadonlySet<InboxKind> = new Set(["rejected", "order_replace_rejected", "order_cancel_rejected"]);

function reasonOf(data: JsonRecord, order: JsonRecord): string | null {
  for (const v of [order["reject_reason"], data["reason"], data["reject_reason"]]) if (typeof v === "string" && v !== "") return v;
  return null;
}

/** The order's symbol, side and qty as the message says them; null when it does not say all three (a notional order). */
function orderTermsOf(order: JsonRecord): BrokerOrderTerms | null {
  const { symbol, side, qty } = order;
  if (typeof symbol !== "string" || (side !== "buy" && side !== "sell") || typeof qty !== "string") return null;
  return { symbol, side, qtyShares: shares(order, "qty", "trade_updates.data.order", "positive") };
}

/** Parses one trade update; throws DeskError BAD_INPUT on anything malformed or unknown. */
export function parseTradeUpdate(value: unknown, account: string): BrokerEvent {
  const data = record(value, "trade_updates.data");
  const event = data["event"];
  const kind = inboxKinds.find((k) => k === event);
  if (kind === undefined) throw bad("trade_updates.data.event", `one of ${inboxKinds.join(", ")}`, event);
  const order = record(data["order"], "trade_updates.data.order");
  const where = "trade_updates.data";
  const orderId = brokerOrderId(order, "id", `${where}.order`);
  const clientOrderId = text(order, "client_order_id", `${where}.order`);
  const stampKey = data["timestamp"] === undefined || data["timestamp"] === null ? null : "timestamp";
  const stampText = stampKey === null ? text(order, "updated_at", `${where}.order`) : text(data, "timestamp", where);
  const eventNs = parseTimestampNs(stampText, stampKey === null ? `Alpaca ${where}.order.updated_at` : `Alpaca ${where}.timestamp`);
  const positionQty = data["position_qty"] === undefined || data["position_qty"] === null ? null : shares(data, "position_qty", where, "any");

  let fill: BrokerFill | null = null;
  let messageId: string;
  if (kind === "fill" || kind === "partial_fill") {
    const executionId = text(data, "execution_id", where);
    fill = {
      executionId,
      qtyShares: shares(data, "qty", where, "positive"),
      priceMicros: money(data, "price", where, "positive"),
      feeMicros: 0n as Micros,
      cumulativeQtyShares: shares(order, "filled_qty", `${where}.order`, "positive"),
    };
    if (fill.cumulativeQtyShares !== null && fill.cumulativeQtyShares !== undefined && fill.cumulativeQtyShares < fill.qtyShares) {
      throw new DeskError(
        "BAD_INPUT",
        `Alpaca ${where}: expected order.filled_qty ≥ this execution's qty, found filled_qty ${String(fill.cumulativeQtyShares)} < qty ${String(fill.qtyShares)}`,
      );
    }
    messageId = `alpaca:fill:${executionId}`;
  } else {
    messageId = `alpaca:${kind}:${orderId}:${stampText}`;
  }
  return {
    brokerMessageId: asBrokerMessageId(messageId),
    account,
    kind,
    source: "stream",
    clientOrderId,
    brokerOrderId: orderId,
    orderTerms: orderTermsOf(order),
    fill,
    positionQtyShares: positionQty,
    eventNs,
    reason: refusals.has(kind) ? reasonOf(data, order) : null,
    payload: toJsonValue(data, "trade_updates.data"),
  };
}
