/**
 * A broker event as the inbox takes it: one trade_updates message (or a REST
 * backfill synthesising one), already normalised (A5) by whoever parsed the wire.
 *
 * Message ids (D2) are derived from the message, never random, so a redelivery
 * carries the same id: `<broker>:fill:<execution_id>` for fills and
 * `<broker>:<event>:<broker_order_id>:<broker timestamp or updated_at>` for the rest;
 * REST backfills use `backfill:<broker_order_id>:<what>`.
 */
import type { BrokerMessageId, BrokerOrderId, Micros, Shares } from "@mqk/core";
import type { InboxKind, InboxSource, JsonValue, OrderSide } from "@mqk/db";

/** What the broker says the order is, when the message carries it: checked against the order we placed. */
export interface BrokerOrderTerms {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly qtyShares: Shares;
}

export interface BrokerFill {
  /** This execution's id (not the order's): the same execution is booked once, whatever message carries it. */
  readonly executionId: string;
  /** This execution's shares, > 0 (not the cumulative fill). */
  readonly qtyShares: Shares;
  readonly priceMicros: Micros;
  /** Commission and fees, ≥ 0. */
  readonly feeMicros: Micros;
  /**
   * The order's cumulative filled quantity after this execution, when the broker
   * says (Alpaca: `order.filled_qty` of the message). The execution then covers
   * the interval (cumulative − qty, cumulative] of the order's quantity, and the
   * inbox books an interval only once, whichever message carries it: a REST
   * backfill that booked (0, 20] makes a late stream fill of (10, 20] book nothing.
   * Absent or null: taken to follow the fills already booked.
   */
  readonly cumulativeQtyShares?: Shares | null;
}

export interface BrokerEvent {
  /** Unique per message (D2): a redelivery carries the same one. */
  readonly brokerMessageId: BrokerMessageId;
  readonly account: string;
  readonly kind: InboxKind;
  readonly source: InboxSource;
  /** As the broker sent it; may name an order we never placed. */
  readonly clientOrderId: string | null;
  readonly brokerOrderId: BrokerOrderId | null;
  /** Present exactly for fill and partial_fill. */
  readonly fill: BrokerFill | null;
  /** The broker's position after the event, when it says (kept for reconcile). */
  readonly positionQtyShares: bigint | null;
  /** The broker's time of the event, epoch nanoseconds. */
  readonly eventNs: bigint | null;
  /**
   * The order's symbol, side and quantity as the message states them. When present and
   * different from the order we placed under that id, the event is kept, not applied:
   * a client_order_id match alone does not make a broker order ours.
   */
  readonly orderTerms?: BrokerOrderTerms | null;
  /** The broker's text for rejections. */
  readonly reason?: string | null;
  /** The message as received, for the record. */
  readonly payload: JsonValue;
}
