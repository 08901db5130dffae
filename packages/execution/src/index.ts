/**
 * @mqk/execution — the only road from an approved decision to a broker order,
 * and the only road back from a broker event to our positions.
 *
 * Entry points: `enqueueApprovedOrder`, `enqueueCancel`, `enqueueReplace` (the
 * gateway's way in: outbox rows in the caller's transaction, nothing else);
 * `openBrokerSession` (a broker handle with READS only: the snapshot reconcile
 * needs); `createDispatcher` (the one caller of submit/cancel/replace; it reads
 * the gates itself inside its claim transaction); `startBrokerIngest` (stream →
 * inbox, REST backfill after each reconnect); `recordBrokerOrderId` and the
 * `orderIdsBy*` lookups (the id map, A4); `applyBrokerEvent(db, event)` (the
 * inbox, D2); `nextOrderState` (the order state machine's table).
 *
 * Invariants:
 *  1. An order enters the outbox only as an ApprovedOrder minted by risk, in the
 *     caller's transaction (A1). There is no verb that sends anything to a broker.
 *  2. intent_id → client_order_id is a pure function (≤ 48 characters of
 *     [a-z0-9-]); the same intent enqueued twice is one outbox row (D3).
 *  3. The broker order id is persisted the moment it is learned and never
 *     changes; lookups work both ways after a restart (A4).
 *  4. A broker event is inserted and applied in one transaction; a duplicate
 *     message id or execution id applies nothing (D2).
 *  5. Order state moves only along pairs the state machine lists; any other event
 *     is kept unapplied for reconcile.
 *
 *  6. The broker is called only for a row claimed with FOR UPDATE SKIP LOCKED in a
 *     transaction that read the gates (armed, deadman clear, risk not halted,
 *     reconcile CLEAN and fresh); cancels alone pass shut gates (A2, A3, E2).
 *  7. An ambiguous send is resolved by looking the client_order_id up, never by
 *     a blind resend; a resend reuses the client_order_id (A3).
 *
 * Must never: export a broker adapter or a way to call one; accept a verdict on
 * the gates from a caller; accept an order that risk did not approve; apply a fill without its inbox row; read the environment.
 */
export {
  enqueueApprovedOrder,
  enqueueCancel,
  type EnqueueContext,
  type EnqueuedOrder,
  type EnqueuedCancel,
  type EnqueueCancelError,
  enqueueReplace,
  type EnqueuedReplace,
  type EnqueueReplaceError,
} from "./internal/gateway.js";
export { createDispatcher, type Dispatcher, type DispatcherOptions, type DispatchRound } from "./internal/dispatch/dispatcher.js";
export type { RowResult } from "./internal/dispatch/dispatch-row.js";
export { startBrokerIngest, type BrokerIngest, type BackfillReport, type IngestOptions } from "./internal/ingest/broker-ingest.js";
export { clientOrderIdFor } from "./internal/client-order-id.js";
export {
  recordBrokerOrderId,
  orderIdsByIntentId,
  orderIdsByClientOrderId,
  orderIdsByBrokerOrderId,
  type Executor,
  type OrderIds,
  type RecordBrokerOrderIdError,
} from "./internal/id-map.js";
export type { BrokerEvent, BrokerFill, BrokerOrderTerms } from "./internal/broker-event.js";
export { applyBrokerEvent, type ApplyOutcome } from "./internal/inbox.js";
export {
  openBrokerSession,
  setSimPrice,
  simSettled,
  type BrokerSession,
  type BrokerSnapshot,
  type BrokerOrder,
  type BrokerPosition,
  type OpenBrokerOptions,
} from "./internal/broker-session.js";
export { nextOrderState, isListedTransition, type OrderStateOrNone, type Transition } from "./internal/order-state-machine.js";
