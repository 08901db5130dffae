/**
 * The broker port: what the dispatcher, the event ingest and the snapshot reader
 * need from a broker, and nothing more. Two adapters implement it — Alpaca
 * (`alpaca/`) and the in-process sim (`sim/`) — and both live under
 * `src/internal/broker/`, which no other package can reach (A1): the package's
 * `exports` map has only ".", and index.ts exports no adapter, no port and no
 * send verb.
 *
 * Every answer is a value that says what is KNOWN about the broker's side:
 *  - `accepted` / `rejected` / `duplicate`: definite;
 *  - `ambiguous`: the request may or may not have taken effect (timeout, reset,
 *    5xx, 429 once the body was sent). The caller must look the order up by
 *    client_order_id and never resend blindly (A3);
 *  - `not_sent`: definitely not accepted (401 credentials, the client refused to
 *    send), safe to try again later.
 * Adapters never retry a send themselves: the dispatcher owns retries.
 * Numbers are already normalised (A5): Micros, Shares, epoch nanoseconds.
 */
import type { BrokerOrderId, ClientOrderId, Micros, Shares, Ticker } from "@mqk/core";
import type { OrderSide, OrderState, OrderType, TimeInForce } from "@mqk/db";
import type { BrokerEvent } from "../broker-event.js";

/** A new order, exactly as the outbox row describes it. */
export interface BrokerOrderRequest {
  readonly clientOrderId: ClientOrderId;
  readonly symbol: Ticker;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly qtyShares: Shares;
  readonly limitPriceMicros: Micros | null;
  readonly stopPriceMicros: Micros | null;
}

/** A replace (Alpaca PATCH /v2/orders/{id}): the new order gets its own client_order_id. */
export interface BrokerReplaceRequest {
  readonly brokerOrderId: BrokerOrderId;
  readonly newClientOrderId: ClientOrderId;
  /** null: unchanged. */
  readonly qtyShares: Shares | null;
  readonly limitPriceMicros: Micros | null;
  readonly stopPriceMicros: Micros | null;
  readonly timeInForce: TimeInForce | null;
}

/** The broker's view of one order (REST answer or lookup), normalised. */
export interface BrokerOrder {
  readonly brokerOrderId: BrokerOrderId;
  /** As the broker holds it; may be an order we never placed. */
  readonly clientOrderId: string;
  readonly symbol: Ticker;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly status: OrderState;
  readonly qtyShares: Shares;
  readonly filledQtyShares: Shares;
  readonly filledAvgPriceMicros: Micros | null;
  readonly limitPriceMicros: Micros | null;
  readonly stopPriceMicros: Micros | null;
  readonly replacesBrokerOrderId: BrokerOrderId | null;
  readonly replacedByBrokerOrderId: BrokerOrderId | null;
  /** The broker's last change of this order, epoch nanoseconds. */
  readonly updatedAtNs: bigint;
}

export type SendOutcome =
  | { readonly kind: "accepted"; readonly order: BrokerOrder }
  /** 422 "client_order_id must be unique": the first send arrived — look it up and adopt it. */
  | { readonly kind: "duplicate"; readonly message: string }
  /** A definite refusal of this order (403, 422 validation, 404 on replace): final. */
  | { readonly kind: "rejected"; readonly status: number; readonly code: number | null; readonly message: string }
  /** The outcome is unknown: look up by client_order_id before anything else. */
  | { readonly kind: "ambiguous"; readonly reason: string }
  /** Definitely not accepted and worth trying later (401, client refused to send). */
  | { readonly kind: "not_sent"; readonly reason: string };

export type LookupOutcome =
  | { readonly kind: "found"; readonly order: BrokerOrder }
  /** 404 — NOT proof the order was never accepted (a send may still be in flight). */
  | { readonly kind: "not_found" }
  | { readonly kind: "unavailable"; readonly reason: string };

export type CancelOutcome =
  /** 204: cancellation requested (asynchronous; the stream says `canceled`). */
  | { readonly kind: "requested" }
  /** 422: the order can no longer be canceled (filled, canceled, expired…). */
  | { readonly kind: "not_cancelable"; readonly message: string }
  | { readonly kind: "not_found" }
  | { readonly kind: "ambiguous"; readonly reason: string }
  | { readonly kind: "not_sent"; readonly reason: string };

export interface BrokerPosition {
  readonly symbol: Ticker;
  /** Signed: short < 0. */
  readonly qtyShares: bigint;
  readonly avgEntryPriceMicros: Micros;
}

/** One consistent-enough read of the broker's side, for reconcile. */
export interface BrokerSnapshotData {
  /** The broker's own clock when the snapshot was taken, epoch nanoseconds (watermark, B2). */
  readonly brokerTimeNs: bigint;
  readonly cashMicros: Micros;
  readonly positions: readonly BrokerPosition[];
  readonly openOrders: readonly BrokerOrder[];
}

export interface StreamHandlers {
  /** Called once per event, in arrival order; the next waits for the returned promise. */
  onEvent(event: BrokerEvent): Promise<void>;
  /** After every successful (re)connect and subscribe; `reconnect` is false the first time. Backfill here. */
  onConnected(info: { readonly reconnect: boolean }): Promise<void>;
  /** The stream broke (and will be retried) or a frame could not be parsed; never throws. */
  onProblem(message: string): void;
}

export interface BrokerAdapter {
  /** The adapter's name as config says it: "alpaca" or "sim". */
  readonly name: string;
  /** The account label every row of this broker carries (outbox.account, inbox.account…). */
  readonly account: string;
  submit(request: BrokerOrderRequest): Promise<SendOutcome>;
  replace(request: BrokerReplaceRequest): Promise<SendOutcome>;
  cancel(brokerOrderId: BrokerOrderId): Promise<CancelOutcome>;
  lookupByClientOrderId(clientOrderId: ClientOrderId): Promise<LookupOutcome>;
  /**
   * Orders of any status SUBMITTED at or after `afterMs` (all of them for null), oldest
   * first: the REST backfill. Alpaca's `after` filters on submission time, so the caller
   * passes the creation time of the oldest order that may still change (the sim returns
   * orders updated since, a superset).
   */
  listOrders(afterMs: number | null): Promise<readonly BrokerOrder[]>;
  snapshot(): Promise<BrokerSnapshotData>;
  /** Starts the trade-update stream (once); reconnects by itself until `close`. */
  subscribe(handlers: StreamHandlers): Promise<void>;
  close(): Promise<void>;
}
