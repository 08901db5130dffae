/**
 * The inbox's write: ONE statement — the inbox row (applied, or kept with its note)
 * and, only when that insert took, everything the event changes (the order row, the
 * id map's broker id, the position, the cash entries, the outbox row). The unique
 * keys of inbox (broker_message_id, execution_id) are the last word on duplicates: a
 * second delivery inserts nothing, so nothing guarded by it happens (D2).
 *
 * With a guard (the quick path, no transaction around it), the statement first locks
 * the order's id-map row, then its order row and position row (the same order as the
 * careful path: order before position), and compares their versions with the ones
 * read; on any difference it writes nothing at all and says so. Equal versions mean
 * the rows are as read — every applied event changes the order row, so a fill applied
 * meanwhile shows too — and they stay so, locked, until the statement commits.
 */
import type { IntentId } from "@mqk/core";
import { prepared, sql, type OrderSide, type OrderState, type OrderType, type OutboxStatus, type RawBuilder, type TimeInForce } from "@mqk/db";
import type { BrokerEvent } from "./broker-event.js";
import type { Executor } from "./id-map.js";
import type { RowVersions } from "./inbox-read.js";

/** What the write changes besides the inbox row, each only when the inbox insert took. */
export interface EventWrites {
  /** Set when the event is applied: the inbox row gets applied_at and the order's intent. */
  readonly applied: boolean;
  readonly orderIntentId: IntentId | null;
  readonly applyNote: string | null;
  readonly fillCumQtyShares: bigint | null;
  /** The broker id learned from this event (A4): recorded in the id map. */
  readonly learnBrokerOrderId: string | null;
  readonly insertOrder: OrderInsert | null;
  readonly updateOrder: OrderUpdate | null;
  readonly position: PositionUpdate | null;
  readonly cash: readonly CashEntry[];
  readonly settleOutbox: OutboxSettlement | null;
}

export interface OrderInsert {
  readonly intentId: IntentId;
  readonly clientOrderId: string;
  readonly brokerOrderId: string | null;
  readonly account: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly orderType: OrderType;
  readonly timeInForce: TimeInForce;
  readonly state: OrderState;
  readonly qtyShares: bigint;
  readonly filledQtyShares: bigint;
  readonly limitPriceMicros: bigint | null;
  readonly stopPriceMicros: bigint | null;
  readonly filledAvgPriceMicros: bigint | null;
  readonly rejectReason: string | null;
}

export interface OrderUpdate {
  readonly id: bigint;
  readonly state: OrderState;
  readonly filledQtyShares: bigint;
  readonly filledAvgPriceMicros: bigint | null;
  readonly rejectReason: string | null;
  /** Set when the row had no broker id and this event teaches it. */
  readonly brokerOrderId: string | null;
}

export interface PositionUpdate {
  readonly account: string;
  readonly symbol: string;
  readonly qtyShares: bigint;
  readonly avgCostMicros: bigint;
  readonly realizedPnlMicros: bigint;
}

export interface CashEntry {
  readonly account: string;
  readonly amountMicros: bigint;
  readonly reason: "FILL" | "FEE";
  readonly sourceRef: string;
  readonly symbol: string;
}

export interface OutboxSettlement {
  readonly intentId: IntentId;
  readonly status: "ACKED" | "REJECTED";
  readonly rejectReason: string | null;
  /** Only rows in these states change (the row may have moved on since it was read). */
  readonly from: readonly OutboxStatus[];
}

/** The versions the quick path read, to be proven unchanged inside the write. */
export interface WriteGuard {
  readonly intentId: IntentId;
  readonly versions: RowVersions;
  /** The order row read (null: there was none, and there must still be none). */
  readonly orderId: bigint | null;
  /** A fill: the position row read (its version is versions.position). */
  readonly position: { readonly account: string; readonly symbol: string } | null;
}

export interface Written {
  /** false: the guard found a row changed since it was read, and nothing was written. */
  readonly guarded: boolean;
  /** The inbox row's seq; undefined when nothing was inserted (a duplicate, or not guarded). */
  readonly seq: bigint | undefined;
}

export async function writeEvent(
  executor: Executor,
  event: BrokerEvent,
  payloadJson: string,
  writes: EventWrites,
  guard: WriteGuard | null = null,
): Promise<Written> {
  const fill = event.fill;
  const took = sql`EXISTS (SELECT 1 FROM ins)`;
  const seq = sql`(SELECT seq FROM ins)`;
  const ctes: RawBuilder<unknown>[] = [];
  if (guard !== null) {
    const order =
      guard.orderId === null
        ? sql`NOT EXISTS (SELECT 1 FROM orders r WHERE r.intent_id = ${guard.intentId})`
        : sql`(SELECT r.xmin::text || ':' || r.ctid::text FROM orders r WHERE r.id = ${guard.orderId} FOR UPDATE) = ${guard.versions.order}`;
    const position =
      guard.position === null
        ? sql`true`
        : sql`(SELECT q.xmin::text || ':' || q.ctid::text FROM positions q
                WHERE q.account = ${guard.position.account} AND q.symbol = ${guard.position.symbol} FOR UPDATE) = ${guard.versions.position}`;
    // The id-map row first (its own CTE, so it is locked before the others), then order and position.
    ctes.push(sql`lm AS (SELECT m.xmin::text || ':' || m.ctid::text AS version FROM order_map m WHERE m.intent_id = ${guard.intentId} FOR UPDATE)`);
    ctes.push(sql`guard AS (SELECT 1 AS ok FROM lm WHERE lm.version = ${guard.versions.map} AND ${order} AND ${position})`);
  }
  const values = sql`${event.brokerMessageId}::text, ${event.account}::text, ${event.kind}::text, ${event.source}::text, ${event.brokerOrderId}::text,
              ${event.clientOrderId}::text, ${fill?.executionId ?? null}::text, ${fill?.qtyShares ?? null}::bigint, ${fill?.priceMicros ?? null}::bigint,
              ${event.positionQtyShares}::bigint, ${event.eventNs}::bigint, ${writes.fillCumQtyShares}::bigint, ${payloadJson}::jsonb,
              ${writes.applied ? sql`now()` : sql`NULL::timestamptz`}, ${writes.orderIntentId}::text, ${writes.applyNote}::text`;
  // No conflict target: ANY unique key (broker_message_id, or the partial unique index on
  // execution_id) turns the insert into nothing.
  ctes.push(sql`ins AS (
      INSERT INTO inbox (broker_message_id, account, kind, source, broker_order_id, client_order_id, execution_id, fill_qty_shares,
                         fill_price_micros, position_qty_shares, event_ns, fill_cum_qty_shares, payload, applied_at, order_intent_id, apply_note)
      SELECT ${values} ${guard === null ? sql`` : sql`WHERE EXISTS (SELECT 1 FROM guard)`}
      ON CONFLICT DO NOTHING
      RETURNING seq)`);
  if (writes.learnBrokerOrderId !== null && writes.orderIntentId !== null) {
    ctes.push(sql`map AS (
      UPDATE order_map SET broker_order_id = ${writes.learnBrokerOrderId}::text, broker_order_id_at = now()
       WHERE intent_id = ${writes.orderIntentId} AND broker_order_id IS NULL AND ${took})`);
  }
  if (writes.learnBrokerOrderId !== null && writes.orderIntentId !== null && writes.insertOrder === null && writes.updateOrder === null) {
    // A kept event that taught the broker id: the order row (if any) learns it too. (An
    // applied event sets it in its own order write: one statement must not update a row twice.)
    ctes.push(sql`order_broker AS (
      UPDATE orders SET broker_order_id = ${writes.learnBrokerOrderId}::text
       WHERE intent_id = ${writes.orderIntentId} AND broker_order_id IS NULL AND ${took})`);
  }
  const o = writes.insertOrder;
  if (o !== null) {
    ctes.push(sql`order_insert AS (
      INSERT INTO orders (intent_id, client_order_id, broker_order_id, account, symbol, side, order_type, time_in_force, state, qty_shares,
                          filled_qty_shares, limit_price_micros, stop_price_micros, filled_avg_price_micros, reject_reason, last_inbox_seq)
      SELECT ${o.intentId}::text, ${o.clientOrderId}::text, ${o.brokerOrderId}::text, ${o.account}::text, ${o.symbol}::text, ${o.side}::text,
             ${o.orderType}::text, ${o.timeInForce}::text, ${o.state}::text, ${o.qtyShares}::bigint, ${o.filledQtyShares}::bigint, ${o.limitPriceMicros}::bigint, ${o.stopPriceMicros}::bigint,
             ${o.filledAvgPriceMicros}::bigint, ${o.rejectReason}::text, seq
        FROM ins)`);
  }
  const u = writes.updateOrder;
  if (u !== null) {
    ctes.push(sql`order_update AS (
      UPDATE orders SET state = ${u.state}::text, filled_qty_shares = ${u.filledQtyShares}::bigint, filled_avg_price_micros = ${u.filledAvgPriceMicros}::bigint,
                        reject_reason = ${u.rejectReason}::text, last_inbox_seq = ${seq}, updated_at = now()
                        ${u.brokerOrderId === null ? sql`` : sql`, broker_order_id = ${u.brokerOrderId}::text`}
       WHERE id = ${u.id} AND ${took})`);
  }
  const p = writes.position;
  if (p !== null) {
    ctes.push(sql`position_update AS (
      UPDATE positions SET qty_shares = ${p.qtyShares}::bigint, avg_cost_micros = ${p.avgCostMicros}::bigint,
                           realized_pnl_micros = ${p.realizedPnlMicros}::bigint, last_inbox_seq = ${seq}, updated_at = now()
       WHERE account = ${p.account} AND symbol = ${p.symbol} AND ${took})`);
  }
  if (writes.cash.length > 0) {
    const rows = writes.cash.map((c) => sql`(${c.account}::text, ${c.amountMicros}::bigint, ${c.reason}::text, ${c.sourceRef}::text, ${c.symbol}::text)`);
    ctes.push(sql`cash AS (
      INSERT INTO cash_ledger (account, amount_micros, reason, source_ref, inbox_seq, symbol)
      SELECT v.account, v.amount, v.reason, v.source_ref, ins.seq, v.symbol
        FROM (VALUES ${sql.join(rows)}) AS v (account, amount, reason, source_ref, symbol) CROSS JOIN ins)`);
  }
  const s = writes.settleOutbox;
  if (s !== null) {
    const rejected = s.status === "REJECTED" ? sql`, reject_reason = ${s.rejectReason}::text` : sql``;
    ctes.push(sql`settle AS (
      UPDATE outbox SET status = ${s.status}::text${rejected}, claimed_by = NULL, claimed_at = NULL, lease_expires_at = NULL, updated_at = now()
       WHERE intent_id = ${s.intentId} AND status IN (${sql.join([...s.from])}) AND ${took})`);
  }
  const guarded = guard === null ? sql`true` : sql`EXISTS (SELECT 1 FROM guard)`;
  const result = await sql<{ readonly guarded: boolean; readonly seq: bigint | null }>`${prepared}
    WITH ${sql.join(ctes)} SELECT ${guarded} AS guarded, (SELECT seq FROM ins) AS seq`.execute(executor);
  const row = result.rows[0];
  return { guarded: row?.guarded === true, seq: row?.seq ?? undefined };
}
