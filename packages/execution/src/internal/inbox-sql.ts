/**
 * The inbox's three statements (see inbox.ts for the rules they serve):
 *
 *  1. `lockOrder`: the order an event names — client_order_id first, then broker
 *     order id — its id-map row locked FOR UPDATE, with the placing outbox row's
 *     terms (written once at enqueue and never changed, so no lock is needed for them).
 *  2. `readOrderState`: in a statement that starts after the lock is held, so in READ
 *     COMMITTED it sees everything the lock's previous holder committed: the id map's
 *     broker id, the outbox status, the order row, who else holds the event's broker
 *     id, the booked interval a fill would overlap, and — for a fill — the position
 *     row FOR UPDATE (always order first, then position, so two orders' events cannot
 *     deadlock). One statement cannot both wait for a lock and read fresh: a
 *     statement that waits reads the other tables as of its start.
 *  3. `writeEvent`: one statement — the inbox row (applied, or kept with its note)
 *     and, only when that insert took, everything the event changes. The unique keys
 *     of inbox (broker_message_id, execution_id) are the last word on duplicates: a
 *     second delivery inserts nothing, so nothing guarded by it happens (D2).
 */
import type { IntentId } from "@mqk/core";
import { prepared, sql, type OrderSide, type OrderState, type OrderType, type OutboxStatus, type RawBuilder, type TimeInForce } from "@mqk/db";
import type { BrokerEvent } from "./broker-event.js";
import type { Executor } from "./id-map.js";

/** The placing outbox row's terms and the order's ids, read under the order's lock. */
export interface LockedOrder {
  readonly intentId: IntentId;
  readonly clientOrderId: string;
  readonly placedId: bigint;
  readonly account: string;
  readonly symbol: string | null;
  readonly side: OrderSide | null;
  readonly orderType: OrderType | null;
  readonly timeInForce: TimeInForce | null;
  readonly qtyShares: bigint | null;
  readonly limitPriceMicros: bigint | null;
  readonly stopPriceMicros: bigint | null;
}

/** The order's local state when an event was applied to it before. */
export interface CurrentOrder {
  readonly id: bigint;
  readonly state: OrderState;
  readonly filledQtyShares: bigint;
  readonly filledAvgPriceMicros: bigint | null;
  readonly rejectReason: string | null;
  readonly brokerOrderId: string | null;
}

export interface PositionRow {
  readonly qtyShares: bigint;
  readonly avgCostMicros: bigint;
  readonly realizedPnlMicros: bigint;
}

export interface OrderStateRead {
  readonly mappedBrokerOrderId: string | null;
  readonly outboxStatus: OutboxStatus;
  readonly order: CurrentOrder | undefined;
  /** The client_order_id of the order that already holds the event's broker id, if any. */
  readonly brokerIdOwner: string | null;
  /** A fill only: the first booked interval of this order overlapping the fill's, as "a, b". */
  readonly bookedOverlap: string | null;
  /** A fill only: the position row, locked; null when the symbol has none yet. */
  readonly position: PositionRow | null;
}

export async function lockOrder(tx: Executor, event: BrokerEvent): Promise<LockedOrder | undefined> {
  const query = () =>
    tx
      .selectFrom("order_map as m")
      .innerJoin("outbox as o", "o.intent_id", "m.intent_id")
      .select([
        "m.intent_id",
        "m.client_order_id",
        "o.id",
        "o.account",
        "o.symbol",
        "o.side",
        "o.order_type",
        "o.time_in_force",
        "o.qty_shares",
        "o.limit_price_micros",
        "o.stop_price_micros",
      ])
      .forUpdate("m")
      .modifyEnd(prepared);
  let row = event.clientOrderId === null ? undefined : await query().where("m.client_order_id", "=", event.clientOrderId).executeTakeFirst();
  if (row === undefined && event.brokerOrderId !== null) row = await query().where("m.broker_order_id", "=", event.brokerOrderId).executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    intentId: row.intent_id as IntentId,
    clientOrderId: row.client_order_id,
    placedId: row.id,
    account: row.account,
    symbol: row.symbol,
    side: row.side,
    orderType: row.order_type,
    timeInForce: row.time_in_force,
    qtyShares: row.qty_shares,
    limitPriceMicros: row.limit_price_micros,
    stopPriceMicros: row.stop_price_micros,
  };
}

interface StateRow {
  readonly mapped_broker_order_id: string | null;
  readonly outbox_status: OutboxStatus;
  readonly order_id: bigint | null;
  readonly order_state: OrderState | null;
  readonly order_filled_qty_shares: bigint | null;
  readonly order_filled_avg_price_micros: bigint | null;
  readonly order_reject_reason: string | null;
  readonly order_broker_order_id: string | null;
  readonly broker_id_owner: string | null;
  readonly booked_overlap: string | null;
  readonly position_qty_shares: bigint | null;
  readonly position_avg_cost_micros: bigint | null;
  readonly position_realized_pnl_micros: bigint | null;
}

/** Statement 2; call it with the order's lock held (after `lockOrder`). */
export async function readOrderState(tx: Executor, locked: LockedOrder, event: BrokerEvent): Promise<OrderStateRead> {
  const fill = event.fill;
  const owner = event.brokerOrderId === null ? sql`NULL::text` : sql`(SELECT client_order_id FROM order_map WHERE broker_order_id = ${event.brokerOrderId})`;
  // The fill covers (high − qty, high] of the order's quantity; high is the broker's
  // cumulative, or what is booked so far plus this execution.
  const overlap =
    fill === null
      ? sql`NULL::text`
      : sql`(SELECT (i.fill_cum_qty_shares - i.fill_qty_shares)::text || ', ' || i.fill_cum_qty_shares::text
               FROM inbox i
              WHERE i.order_intent_id = m.intent_id AND i.applied_at IS NOT NULL AND i.fill_qty_shares IS NOT NULL
                AND i.fill_cum_qty_shares - i.fill_qty_shares < f.high AND i.fill_cum_qty_shares > f.high - ${fill.qtyShares}::bigint
              LIMIT 1)`;
  const fillJoins =
    fill === null || locked.symbol === null
      ? sql``
      : sql`CROSS JOIN LATERAL (SELECT coalesce(${fill.cumulativeQtyShares ?? null}::bigint, coalesce(r.filled_qty_shares, 0) + ${fill.qtyShares}::bigint) AS high) f
            LEFT JOIN LATERAL (SELECT qty_shares, avg_cost_micros, realized_pnl_micros FROM positions
                                WHERE account = ${locked.account} AND symbol = ${locked.symbol} FOR UPDATE) p ON true`;
  const positionColumns =
    fill === null || locked.symbol === null
      ? sql`NULL::bigint AS position_qty_shares, NULL::bigint AS position_avg_cost_micros, NULL::bigint AS position_realized_pnl_micros`
      : sql`p.qty_shares AS position_qty_shares, p.avg_cost_micros AS position_avg_cost_micros, p.realized_pnl_micros AS position_realized_pnl_micros`;
  const result = await sql<StateRow>`${prepared}
    SELECT m.broker_order_id AS mapped_broker_order_id, o.status AS outbox_status,
           r.id AS order_id, r.state AS order_state, r.filled_qty_shares AS order_filled_qty_shares,
           r.filled_avg_price_micros AS order_filled_avg_price_micros, r.reject_reason AS order_reject_reason,
           r.broker_order_id AS order_broker_order_id,
           ${owner} AS broker_id_owner,
           ${fill === null || locked.symbol === null ? sql`NULL::text` : overlap} AS booked_overlap,
           ${positionColumns}
      FROM order_map m
      JOIN outbox o ON o.intent_id = m.intent_id
      LEFT JOIN orders r ON r.intent_id = m.intent_id
      ${fillJoins}
     WHERE m.intent_id = ${locked.intentId}`.execute(tx);
  const row = result.rows[0];
  if (row === undefined) throw new Error(`inbox: the order ${locked.clientOrderId} vanished while its id-map row was locked`);
  const order: CurrentOrder | undefined =
    row.order_id === null || row.order_state === null || row.order_filled_qty_shares === null
      ? undefined
      : {
          id: row.order_id,
          state: row.order_state,
          filledQtyShares: row.order_filled_qty_shares,
          filledAvgPriceMicros: row.order_filled_avg_price_micros,
          rejectReason: row.order_reject_reason,
          brokerOrderId: row.order_broker_order_id,
        };
  const position: PositionRow | null =
    row.position_qty_shares === null || row.position_avg_cost_micros === null || row.position_realized_pnl_micros === null
      ? null
      : { qtyShares: row.position_qty_shares, avgCostMicros: row.position_avg_cost_micros, realizedPnlMicros: row.position_realized_pnl_micros };
  return {
    mappedBrokerOrderId: row.mapped_broker_order_id,
    outboxStatus: row.outbox_status,
    order,
    brokerIdOwner: row.broker_id_owner,
    bookedOverlap: row.booked_overlap,
    position,
  };
}

/** The symbol's first fill ever on this account: create the flat row, then lock it (order lock held). */
export async function createAndLockPosition(tx: Executor, account: string, symbol: string): Promise<PositionRow> {
  await tx
    .insertInto("positions")
    .values({ account, symbol })
    .onConflict((oc) => oc.columns(["account", "symbol"]).doNothing())
    .execute();
  const row = await tx
    .selectFrom("positions")
    .select(["qty_shares", "avg_cost_micros", "realized_pnl_micros"])
    .where("account", "=", account)
    .where("symbol", "=", symbol)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return { qtyShares: row.qty_shares, avgCostMicros: row.avg_cost_micros, realizedPnlMicros: row.realized_pnl_micros };
}

/** What statement 3 writes besides the inbox row, each only when the inbox insert took. */
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

/** Statement 3. Returns the inbox row's seq, or undefined when the event was a duplicate (nothing written). */
export async function writeEvent(tx: Executor, event: BrokerEvent, payloadJson: string, writes: EventWrites): Promise<bigint | undefined> {
  const fill = event.fill;
  const took = sql`EXISTS (SELECT 1 FROM ins)`;
  const seq = sql`(SELECT seq FROM ins)`;
  const ctes: RawBuilder<unknown>[] = [
    // No conflict target: ANY unique key (broker_message_id, or the partial unique index on
    // execution_id) turns the insert into nothing.
    sql`ins AS (
      INSERT INTO inbox (broker_message_id, account, kind, source, broker_order_id, client_order_id, execution_id, fill_qty_shares,
                         fill_price_micros, position_qty_shares, event_ns, fill_cum_qty_shares, payload, applied_at, order_intent_id, apply_note)
      VALUES (${event.brokerMessageId}, ${event.account}, ${event.kind}, ${event.source}, ${event.brokerOrderId}, ${event.clientOrderId},
              ${fill?.executionId ?? null}, ${fill?.qtyShares ?? null}, ${fill?.priceMicros ?? null}, ${event.positionQtyShares}, ${event.eventNs},
              ${writes.fillCumQtyShares}, ${payloadJson}, ${writes.applied ? sql`now()` : sql`NULL`}, ${writes.orderIntentId}, ${writes.applyNote})
      ON CONFLICT DO NOTHING
      RETURNING seq)`,
  ];
  if (writes.learnBrokerOrderId !== null && writes.orderIntentId !== null) {
    ctes.push(sql`map AS (
      UPDATE order_map SET broker_order_id = ${writes.learnBrokerOrderId}, broker_order_id_at = now()
       WHERE intent_id = ${writes.orderIntentId} AND broker_order_id IS NULL AND ${took})`);
  }
  if (writes.learnBrokerOrderId !== null && writes.orderIntentId !== null && writes.insertOrder === null && writes.updateOrder === null) {
    // A kept event that taught the broker id: the order row (if any) learns it too. (An
    // applied event sets it in its own order write: one statement must not update a row twice.)
    ctes.push(sql`order_broker AS (
      UPDATE orders SET broker_order_id = ${writes.learnBrokerOrderId}
       WHERE intent_id = ${writes.orderIntentId} AND broker_order_id IS NULL AND ${took})`);
  }
  const o = writes.insertOrder;
  if (o !== null) {
    ctes.push(sql`order_insert AS (
      INSERT INTO orders (intent_id, client_order_id, broker_order_id, account, symbol, side, order_type, time_in_force, state, qty_shares,
                          filled_qty_shares, limit_price_micros, stop_price_micros, filled_avg_price_micros, reject_reason, last_inbox_seq)
      SELECT ${o.intentId}, ${o.clientOrderId}, ${o.brokerOrderId}, ${o.account}, ${o.symbol}, ${o.side}, ${o.orderType}, ${o.timeInForce},
             ${o.state}, ${o.qtyShares}::bigint, ${o.filledQtyShares}::bigint, ${o.limitPriceMicros}::bigint, ${o.stopPriceMicros}::bigint,
             ${o.filledAvgPriceMicros}::bigint, ${o.rejectReason}::text, seq
        FROM ins)`);
  }
  const u = writes.updateOrder;
  if (u !== null) {
    ctes.push(sql`order_update AS (
      UPDATE orders SET state = ${u.state}, filled_qty_shares = ${u.filledQtyShares}::bigint, filled_avg_price_micros = ${u.filledAvgPriceMicros}::bigint,
                        reject_reason = ${u.rejectReason}::text, last_inbox_seq = ${seq}, updated_at = now()
                        ${u.brokerOrderId === null ? sql`` : sql`, broker_order_id = ${u.brokerOrderId}`}
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
      UPDATE outbox SET status = ${s.status}${rejected}, claimed_by = NULL, claimed_at = NULL, lease_expires_at = NULL, updated_at = now()
       WHERE intent_id = ${s.intentId} AND status IN (${sql.join([...s.from])}) AND ${took})`);
  }
  const result = await sql<{ readonly seq: bigint }>`${prepared} WITH ${sql.join(ctes)} SELECT seq FROM ins`.execute(tx);
  return result.rows[0]?.seq;
}
