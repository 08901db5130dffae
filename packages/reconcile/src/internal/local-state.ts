/**
 * The desk's own side of a reconcile, read from the database in one consistent
 * (REPEATABLE READ, read-only) snapshot: open positions, open orders, cash and the
 * inbox position the state reflects.
 *
 * Open orders come from two places:
 *  - `orders` rows not in a final state (filled, canceled, expired, replaced, rejected):
 *    orders the broker has told us about;
 *  - in-flight outbox rows: SUBMIT/REPLACE rows CLAIMED, AMBIGUOUS, SENT or ACKED that
 *    have no `orders` row yet — sent (or maybe sent) but no broker event applied. They
 *    carry `status: null`. The diff counts such an order as known when the broker holds
 *    it open (its fields must still agree), and as missing at the broker otherwise: the
 *    send may not have arrived, or the order ended and its events were not applied. Either
 *    way the local state is not settled, and reconcile says DIRTY (fail closed).
 *
 * The inbox half of the watermark is max(seq) over ALL of the account's inbox rows,
 * applied or kept unapplied: an event is inserted and processed in one transaction (D2),
 * so every committed row has been looked at; a kept row (unmatched, illegal transition) is
 * processed too — its disagreement shows in the diff, not in the watermark.
 */
import type { Database, Kysely, OrderSide, OrderState, OrderType, OutboxStatus, TimeInForce } from "@mqk/db";
import { sql } from "@mqk/db";

export interface LocalPosition {
  readonly symbol: string;
  /** Signed: short < 0. Never 0 (flat rows are not positions). */
  readonly qtyShares: bigint;
  readonly avgCostMicros: bigint;
}

export type LocalOrderSource = "orders" | "outbox";

export interface LocalOrder {
  /** "orders": a broker event was applied; "outbox": in flight, no event applied yet. */
  readonly source: LocalOrderSource;
  readonly intentId: string;
  readonly clientOrderId: string;
  readonly brokerOrderId: string | null;
  readonly symbol: string | null;
  readonly side: OrderSide | null;
  readonly type: OrderType | null;
  readonly timeInForce: TimeInForce | null;
  /** The order state from applied events; null for an in-flight outbox row. */
  readonly status: OrderState | null;
  /** The outbox row's status (both sources; null when the row is gone). */
  readonly outboxStatus: OutboxStatus | null;
  readonly qtyShares: bigint | null;
  readonly filledQtyShares: bigint;
  readonly limitPriceMicros: bigint | null;
  readonly stopPriceMicros: bigint | null;
}

export interface LocalState {
  readonly account: string;
  /** Sorted by symbol. */
  readonly positions: readonly LocalPosition[];
  /** Sorted by clientOrderId. */
  readonly openOrders: readonly LocalOrder[];
  /** The sum of the account's cash ledger. */
  readonly cashMicros: bigint;
  /** max(seq) of the account's inbox rows (0 when none): the inbox half of the watermark. */
  readonly inboxSeq: bigint;
}

/** Order states that end an order: never open. */
export const FINAL_ORDER_STATES: readonly OrderState[] = ["filled", "canceled", "expired", "replaced", "rejected"];
/** Outbox states of a row whose order may exist at the broker without an event applied. */
export const IN_FLIGHT_OUTBOX_STATES: readonly OutboxStatus[] = ["CLAIMED", "AMBIGUOUS", "SENT", "ACKED"];

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Reads the local state of `account`. On a pool it opens its own read-only REPEATABLE READ
 * transaction (one consistent view); inside a caller's transaction it reads there.
 */
export async function readLocalState(db: Kysely<Database>, account: string): Promise<LocalState> {
  if (db.isTransaction) return readIn(db, account);
  return db
    .transaction()
    .setIsolationLevel("repeatable read")
    .setAccessMode("read only")
    .execute((tx) => readIn(tx, account));
}

async function readIn(db: Kysely<Database>, account: string): Promise<LocalState> {
  const positions = await db
    .selectFrom("positions")
    .select(["symbol", "qty_shares", "avg_cost_micros"])
    .where("account", "=", account)
    .where("qty_shares", "<>", 0n)
    .execute();
  const orders = await db
    .selectFrom("orders as r")
    .leftJoin("outbox as o", "o.intent_id", "r.intent_id")
    .select([
      "r.intent_id",
      "r.client_order_id",
      "r.broker_order_id",
      "r.symbol",
      "r.side",
      "r.order_type",
      "r.time_in_force",
      "r.state",
      "r.qty_shares",
      "r.filled_qty_shares",
      "r.limit_price_micros",
      "r.stop_price_micros",
      "o.status as outbox_status",
    ])
    .where("r.account", "=", account)
    .where("r.state", "not in", FINAL_ORDER_STATES)
    .execute();
  const inFlight = await db
    .selectFrom("outbox as o")
    .leftJoin("order_map as m", "m.intent_id", "o.intent_id")
    .select([
      "o.intent_id",
      "o.client_order_id",
      "m.broker_order_id",
      "o.symbol",
      "o.side",
      "o.order_type",
      "o.time_in_force",
      "o.status",
      "o.qty_shares",
      "o.limit_price_micros",
      "o.stop_price_micros",
    ])
    .where("o.account", "=", account)
    .where("o.kind", "in", ["SUBMIT", "REPLACE"])
    .where("o.status", "in", IN_FLIGHT_OUTBOX_STATES)
    .where("o.client_order_id", "is not", null)
    .where((eb) => eb.not(eb.exists(eb.selectFrom("orders as r").select("r.id").whereRef("r.intent_id", "=", "o.intent_id"))))
    .execute();
  const totals = await sql<{ cash: bigint; seq: bigint }>`
    SELECT (SELECT coalesce(sum(amount_micros), 0)::bigint FROM cash_ledger WHERE account = ${account}) AS cash,
           (SELECT coalesce(max(seq), 0)::bigint FROM inbox WHERE account = ${account}) AS seq`.execute(db);
  const total = totals.rows[0];

  const openOrders: LocalOrder[] = [
    ...orders.map((r): LocalOrder => ({
      source: "orders",
      intentId: r.intent_id,
      clientOrderId: r.client_order_id,
      brokerOrderId: r.broker_order_id,
      symbol: r.symbol,
      side: r.side,
      type: r.order_type,
      timeInForce: r.time_in_force,
      status: r.state,
      outboxStatus: r.outbox_status,
      qtyShares: r.qty_shares,
      filledQtyShares: r.filled_qty_shares,
      limitPriceMicros: r.limit_price_micros,
      stopPriceMicros: r.stop_price_micros,
    })),
    ...inFlight.map((o): LocalOrder => ({
      source: "outbox",
      intentId: o.intent_id,
      clientOrderId: o.client_order_id ?? "",
      brokerOrderId: o.broker_order_id,
      symbol: o.symbol,
      side: o.side,
      type: o.order_type,
      timeInForce: o.time_in_force,
      status: null,
      outboxStatus: o.status,
      qtyShares: o.qty_shares,
      filledQtyShares: 0n,
      limitPriceMicros: o.limit_price_micros,
      stopPriceMicros: o.stop_price_micros,
    })),
  ].sort((a, b) => byText(a.clientOrderId, b.clientOrderId));

  return {
    account,
    positions: positions
      .map((p) => ({ symbol: p.symbol, qtyShares: p.qty_shares, avgCostMicros: p.avg_cost_micros }))
      .sort((a, b) => byText(a.symbol, b.symbol)),
    openOrders,
    cashMicros: total?.cash ?? 0n,
    inboxSeq: total?.seq ?? 0n,
  };
}
