/**
 * The inbox's reads (see inbox.ts for how they are used):
 *
 *  - `readOrder`: everything the inbox decides from, in one statement — the order an
 *    event names (client_order_id first, then broker order id), the placing outbox
 *    row's terms and status, the id map's broker id, the order row, who else holds
 *    the event's broker id, the booked interval a fill would overlap and, for a fill,
 *    the position row — each with its row version (xmin and ctid), so a later write
 *    can prove that nothing it relied on has changed since.
 *  - `lockOrder` (the careful path): the order's id-map row FOR UPDATE. A read AFTER
 *    it (a new statement, so in READ COMMITTED a new snapshot) sees everything the
 *    lock's previous holder committed; one statement cannot both wait for a lock and
 *    read fresh, since a statement that waited still reads the other tables as of its
 *    start. With `lockPosition`, the read then also locks the position row (order
 *    first, then position: two orders' events cannot deadlock).
 */
import type { IntentId } from "@mqk/core";
import { prepared, sql, type OrderSide, type OrderState, type OrderType, type OutboxStatus, type TimeInForce } from "@mqk/db";
import type { BrokerEvent } from "./broker-event.js";
import type { Executor } from "./id-map.js";

/** The placing outbox row's terms and the order's ids (written once at enqueue, never changed). */
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
  /** A fill only: the position row; null when the symbol has none yet. */
  readonly position: PositionRow | null;
}

/** Row versions ("xmin:ctid") as read; every update of the row changes them. */
export interface RowVersions {
  readonly map: string;
  /** null: the order had no row yet. */
  readonly order: string | null;
  /** A fill only; null: no position row (or not a fill). */
  readonly position: string | null;
}

export interface ReadOrder {
  readonly locked: LockedOrder;
  readonly state: OrderStateRead;
  readonly versions: RowVersions;
}

interface OrderRow {
  readonly intent_id: string;
  readonly client_order_id: string;
  readonly map_version: string;
  readonly placed_id: bigint;
  readonly account: string;
  readonly symbol: string | null;
  readonly side: OrderSide | null;
  readonly order_type: OrderType | null;
  readonly time_in_force: TimeInForce | null;
  readonly qty_shares: bigint | null;
  readonly limit_price_micros: bigint | null;
  readonly stop_price_micros: bigint | null;
  readonly outbox_status: OutboxStatus;
  readonly mapped_broker_order_id: string | null;
  readonly order_id: bigint | null;
  readonly order_version: string | null;
  readonly order_state: OrderState | null;
  readonly order_filled_qty_shares: bigint | null;
  readonly order_filled_avg_price_micros: bigint | null;
  readonly order_reject_reason: string | null;
  readonly order_broker_order_id: string | null;
  readonly broker_id_owner: string | null;
  readonly booked_overlap: string | null;
  readonly position_version: string | null;
  readonly position_qty_shares: bigint | null;
  readonly position_avg_cost_micros: bigint | null;
  readonly position_realized_pnl_micros: bigint | null;
}

/** The careful path's lock: the id-map row of the order the event names, FOR UPDATE. */
export async function lockOrder(tx: Executor, event: BrokerEvent): Promise<IntentId | undefined> {
  const query = () => tx.selectFrom("order_map").select("intent_id").forUpdate().modifyEnd(prepared);
  let row = event.clientOrderId === null ? undefined : await query().where("client_order_id", "=", event.clientOrderId).executeTakeFirst();
  if (row === undefined && event.brokerOrderId !== null) row = await query().where("broker_order_id", "=", event.brokerOrderId).executeTakeFirst();
  return row?.intent_id as IntentId | undefined;
}

/**
 * Reads the order `of` names (an intent locked by `lockOrder`, or "the event's"),
 * and for a fill its position — locked FOR UPDATE when `lockPosition`.
 */
export async function readOrder(executor: Executor, event: BrokerEvent, of: IntentId | "event", lockPosition: boolean): Promise<ReadOrder | undefined> {
  const fill = event.fill;
  const which =
    of === "event"
      ? sql`coalesce((SELECT x.intent_id FROM order_map x WHERE x.client_order_id = ${event.clientOrderId}::text),
                     (SELECT x.intent_id FROM order_map x WHERE x.broker_order_id = ${event.brokerOrderId}::text))`
      : sql`${of}::text`;
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
    fill === null
      ? sql``
      : sql`CROSS JOIN LATERAL (SELECT coalesce(${fill.cumulativeQtyShares ?? null}::bigint, coalesce(r.filled_qty_shares, 0) + ${fill.qtyShares}::bigint) AS high) f
            LEFT JOIN LATERAL (SELECT q.xmin::text || ':' || q.ctid::text AS version, q.qty_shares, q.avg_cost_micros, q.realized_pnl_micros
                                 FROM positions q WHERE q.account = o.account AND q.symbol = o.symbol
                                 ${lockPosition ? sql`FOR UPDATE` : sql``}) p ON true`;
  const positionColumns =
    fill === null
      ? sql`NULL::text AS position_version, NULL::bigint AS position_qty_shares, NULL::bigint AS position_avg_cost_micros,
            NULL::bigint AS position_realized_pnl_micros`
      : sql`p.version AS position_version, p.qty_shares AS position_qty_shares, p.avg_cost_micros AS position_avg_cost_micros,
            p.realized_pnl_micros AS position_realized_pnl_micros`;
  const owner =
    event.brokerOrderId === null ? sql`NULL::text` : sql`(SELECT x.client_order_id FROM order_map x WHERE x.broker_order_id = ${event.brokerOrderId})`;
  // Prepared: key lookups only (order_map's keys, outbox_intent_id_key, orders' intent_id,
  // positions' key, inbox_intent_fills_idx) — checked by prepared-plans.test.ts.
  const result = await sql<OrderRow>`${prepared}
    SELECT m.intent_id, m.client_order_id, m.xmin::text || ':' || m.ctid::text AS map_version,
           o.id AS placed_id, o.account, o.symbol, o.side, o.order_type, o.time_in_force, o.qty_shares,
           o.limit_price_micros, o.stop_price_micros, o.status AS outbox_status, m.broker_order_id AS mapped_broker_order_id,
           r.id AS order_id, r.xmin::text || ':' || r.ctid::text AS order_version, r.state AS order_state,
           r.filled_qty_shares AS order_filled_qty_shares, r.filled_avg_price_micros AS order_filled_avg_price_micros,
           r.reject_reason AS order_reject_reason, r.broker_order_id AS order_broker_order_id,
           ${owner} AS broker_id_owner, ${overlap} AS booked_overlap, ${positionColumns}
      FROM order_map m
      JOIN outbox o ON o.intent_id = m.intent_id
      LEFT JOIN orders r ON r.intent_id = m.intent_id
      ${fillJoins}
     WHERE m.intent_id = ${which}`.execute(executor);
  const row = result.rows[0];
  return row === undefined ? undefined : fromRow(row);
}

function fromRow(row: OrderRow): ReadOrder {
  const locked: LockedOrder = {
    intentId: row.intent_id as IntentId,
    clientOrderId: row.client_order_id,
    placedId: row.placed_id,
    account: row.account,
    symbol: row.symbol,
    side: row.side,
    orderType: row.order_type,
    timeInForce: row.time_in_force,
    qtyShares: row.qty_shares,
    limitPriceMicros: row.limit_price_micros,
    stopPriceMicros: row.stop_price_micros,
  };
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
    locked,
    state: {
      mappedBrokerOrderId: row.mapped_broker_order_id,
      outboxStatus: row.outbox_status,
      order,
      brokerIdOwner: row.broker_id_owner,
      bookedOverlap: row.booked_overlap,
      position,
    },
    versions: { map: row.map_version, order: row.order_id === null ? null : row.order_version, position: row.position_version },
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
