/**
 * The inbox (D2): a broker event is inserted under its unique broker_message_id
 * and applied — order state, id map, position, cash, realised PnL — in ONE
 * transaction. A duplicate (same message id, or the same execution id under
 * another message id: both are unique in inbox) inserts nothing and so applies
 * nothing, also across crashes and restarts, because the uniqueness lives in
 * the database, not in memory.
 *
 * Events the desk cannot place (an order we never sent, a pair the state
 * machine does not list, a fill past the order's quantity) are kept in the
 * inbox with applied_at NULL and change nothing else: reconcile sees the
 * difference and goes DIRTY (fail closed).
 */
import { asTicker, canonicalJson, divRound, invariant, type IntentId, type Micros, type Shares } from "@mqk/core";
import {
  sql,
  type CashLedgerTable,
  type Database,
  type Insertable,
  type Kysely,
  type OrderSide,
  type OrderState,
  type OrderType,
  type OutboxStatus,
  type TimeInForce,
} from "@mqk/db";
import { applyFillToPosition, positionFromParts, type Fill } from "@mqk/portfolio";
import type { BrokerEvent, BrokerFill } from "./broker-event.js";
import { orderIdsFromRow, recordBrokerOrderId, type Executor, type OrderIds } from "./id-map.js";
import { nextOrderState, type OrderStateOrNone } from "./order-state-machine.js";

export type ApplyOutcome =
  | { readonly kind: "duplicate" }
  | { readonly kind: "unmatched"; readonly seq: bigint; readonly reason: string }
  | { readonly kind: "illegal_transition"; readonly seq: bigint; readonly from: OrderStateOrNone; readonly event: string; readonly reason: string }
  /** A fill whose interval of the order's quantity was already booked (by a backfill or another message): kept, not applied. */
  | { readonly kind: "covered"; readonly seq: bigint; readonly reason: string }
  | { readonly kind: "applied"; readonly seq: bigint; readonly orderState: OrderState; readonly fillApplied: boolean };

type KeptOutcome = Extract<ApplyOutcome, { readonly reason: string }>;

function checkEvent(event: BrokerEvent): void {
  const isFill = event.kind === "fill" || event.kind === "partial_fill";
  invariant(isFill === (event.fill !== null), `broker event ${event.brokerMessageId}: kind ${event.kind} ${isFill ? "needs" : "must not carry"} a fill`);
  if (event.fill !== null) {
    invariant(event.fill.qtyShares > 0n, `broker event ${event.brokerMessageId}: fill qty must be > 0, found ${String(event.fill.qtyShares)}`);
    invariant(event.fill.priceMicros > 0n, `broker event ${event.brokerMessageId}: fill price must be > 0, found ${String(event.fill.priceMicros)}`);
    invariant(event.fill.feeMicros >= 0n, `broker event ${event.brokerMessageId}: fee must be ≥ 0, found ${String(event.fill.feeMicros)}`);
  }
}

/** Inserts and applies one broker event in its own transaction. */
export async function applyBrokerEvent(db: Kysely<Database>, event: BrokerEvent): Promise<ApplyOutcome> {
  checkEvent(event);
  return db.transaction().execute((tx) => applyInTransaction(tx, event));
}

async function applyInTransaction(tx: Executor, event: BrokerEvent): Promise<ApplyOutcome> {
  // No conflict target: ANY unique key (broker_message_id, or the partial unique
  // index on execution_id) turns the insert into nothing.
  const inserted = await tx
    .insertInto("inbox")
    .values({
      broker_message_id: event.brokerMessageId,
      account: event.account,
      kind: event.kind,
      source: event.source,
      broker_order_id: event.brokerOrderId,
      client_order_id: event.clientOrderId,
      execution_id: event.fill?.executionId ?? null,
      fill_qty_shares: event.fill?.qtyShares ?? null,
      fill_price_micros: event.fill?.priceMicros ?? null,
      position_qty_shares: event.positionQtyShares,
      event_ns: event.eventNs,
      fill_cum_qty_shares: event.fill?.cumulativeQtyShares ?? null,
      payload: canonicalJson(event.payload),
    })
    .onConflict((oc) => oc.doNothing())
    .returning("seq")
    .executeTakeFirst();
  if (inserted === undefined) return { kind: "duplicate" };
  const seq = inserted.seq;

  // Events of one order apply one at a time: lock its id-map row (always order
  // first, then position, so two orders' events cannot deadlock), reading with it
  // the outbox row that placed the order and the order's current state — one query.
  const locked = await lockPlacedOrder(tx, event);
  if (locked === undefined) return keep(tx, { kind: "unmatched", seq, reason: "no order of ours has this client_order_id or broker_order_id" });
  const { ids, placed, order } = locked;
  if (placed.account !== event.account) {
    return keep(tx, { kind: "unmatched", seq, reason: `event account ${event.account} differs from the order's account ${placed.account}` });
  }
  const terms = event.orderTerms ?? null;
  if (terms !== null && (terms.symbol !== placed.symbol || terms.side !== placed.side || terms.qtyShares !== placed.qty_shares)) {
    return keep(tx, {
      kind: "unmatched",
      seq,
      reason: `the event's order (${terms.side} ${String(terms.qtyShares)} ${terms.symbol}) is not the order we placed under ${ids.clientOrderId} (${String(placed.side)} ${String(placed.qty_shares)} ${String(placed.symbol)})`,
    });
  }
  if (event.brokerOrderId !== null && ids.brokerOrderId === null) {
    // A4: learned from the event — persist it now, in this transaction.
    const recorded = await recordBrokerOrderId(tx, ids.clientOrderId, event.brokerOrderId);
    if (!recorded.ok) return keep(tx, { kind: "unmatched", seq, reason: `broker order id not recorded: ${recorded.error.kind}` });
  } else if (event.brokerOrderId !== null && ids.brokerOrderId !== event.brokerOrderId) {
    return keep(tx, { kind: "unmatched", seq, reason: `broker order id ${event.brokerOrderId} differs from the mapped ${ids.brokerOrderId ?? ""}` });
  }

  const qty = placed.qty_shares ?? 0n;
  const filledBefore = order?.filled_qty_shares ?? 0n;
  const filledAfter = filledBefore + (event.fill?.qtyShares ?? 0n);
  const from: OrderStateOrNone = order?.state ?? "none";
  let cumulative: bigint | null = null;
  if (event.fill !== null) {
    cumulative = event.fill.cumulativeQtyShares ?? filledAfter;
    if (cumulative > qty) {
      return keep(
        tx,
        {
          kind: "illegal_transition",
          seq,
          from,
          event: event.kind,
          reason: `the fill's cumulative ${String(cumulative)} exceeds the order's ${String(qty)} shares`,
        },
        ids.intentId,
      );
    }
    const booked = await bookedOverlap(tx, ids.intentId, cumulative - event.fill.qtyShares, cumulative);
    if (booked !== null)
      return keep(
        tx,
        {
          kind: "covered",
          seq,
          reason: `shares (${booked}] of this order are booked already; this execution covers (${String(cumulative - event.fill.qtyShares)}, ${String(cumulative)}]`,
        },
        ids.intentId,
      );
  }
  if (filledAfter > qty) {
    return keep(
      tx,
      { kind: "illegal_transition", seq, from, event: event.kind, reason: `fills ${String(filledAfter)} exceed the order's ${String(qty)} shares` },
      ids.intentId,
    );
  }
  const transition = nextOrderState(from, event.kind, filledAfter, qty);
  if (!transition.ok)
    return keep(
      tx,
      { kind: "illegal_transition", seq, from, event: event.kind, reason: `the order state machine does not list ${from} + ${event.kind}` },
      ids.intentId,
    );

  const avgAfter =
    event.fill === null ? (order?.filled_avg_price_micros ?? null) : filledAverage(order?.filled_avg_price_micros ?? null, filledBefore, event.fill);
  const rejectReason = event.kind === "rejected" ? (event.reason ?? "rejected by the broker") : (order?.reject_reason ?? null);
  if (order === undefined) {
    await tx
      .insertInto("orders")
      .values({
        intent_id: ids.intentId,
        client_order_id: ids.clientOrderId,
        broker_order_id: event.brokerOrderId ?? ids.brokerOrderId,
        account: placed.account,
        symbol: required(placed, "symbol"),
        side: required(placed, "side"),
        order_type: required(placed, "order_type"),
        time_in_force: required(placed, "time_in_force"),
        state: transition.to,
        qty_shares: qty,
        filled_qty_shares: filledAfter,
        limit_price_micros: placed.limit_price_micros,
        stop_price_micros: placed.stop_price_micros,
        filled_avg_price_micros: avgAfter,
        reject_reason: rejectReason,
        last_inbox_seq: seq,
      })
      .execute();
  } else {
    await tx
      .updateTable("orders")
      .set({
        state: transition.to,
        filled_qty_shares: filledAfter,
        filled_avg_price_micros: avgAfter,
        reject_reason: rejectReason,
        last_inbox_seq: seq,
        updated_at: sql<Date>`now()`,
      })
      .where("id", "=", order.id)
      .execute();
  }
  if (event.fill !== null) await bookFill(tx, seq, placed, event.fill);
  await tx
    .updateTable("inbox")
    .set({ applied_at: sql<Date>`now()`, order_intent_id: ids.intentId, fill_cum_qty_shares: cumulative })
    .where("seq", "=", seq)
    .execute();
  await settleOutboxRow(tx, ids.intentId, placed.status, event);
  return { kind: "applied", seq, orderState: transition.to, fillApplied: event.fill !== null };
}

/** Records why an event was kept without being applied. */
async function keep(tx: Executor, outcome: KeptOutcome, intentId: IntentId | null = null): Promise<KeptOutcome> {
  await tx.updateTable("inbox").set({ apply_note: outcome.reason, order_intent_id: intentId }).where("seq", "=", outcome.seq).execute();
  return outcome;
}

/** The first booked fill interval of the order overlapping (low, high], as "a, b", or null. */
async function bookedOverlap(tx: Executor, intentId: IntentId, low: bigint, high: bigint): Promise<string | null> {
  const row = await tx
    .selectFrom("inbox")
    .select(["fill_qty_shares", "fill_cum_qty_shares"])
    .where("order_intent_id", "=", intentId)
    .where("applied_at", "is not", null)
    .where("fill_qty_shares", "is not", null)
    .where(sql<boolean>`fill_cum_qty_shares - fill_qty_shares < ${high} AND fill_cum_qty_shares > ${low}`)
    .limit(1)
    .executeTakeFirst();
  if (row === undefined || row.fill_cum_qty_shares === null || row.fill_qty_shares === null) return null;
  return `${String(row.fill_cum_qty_shares - row.fill_qty_shares)}, ${String(row.fill_cum_qty_shares)}`;
}

/**
 * The broker's own event settles the outbox row of the order: a rejection makes it
 * REJECTED with the broker's reason; any other event proves the order exists, so a
 * row still CLAIMED, AMBIGUOUS or SENT becomes ACKED (an ambiguous send resolved by
 * the broker itself).
 */
const releasedClaim = { claimed_by: null, claimed_at: null, lease_expires_at: null, updated_at: sql<Date>`now()` } as const;

async function settleOutboxRow(tx: Executor, intentId: IntentId, status: OutboxStatus, event: BrokerEvent): Promise<void> {
  if (event.kind === "rejected") {
    if (status === "REJECTED") return;
    await tx
      .updateTable("outbox")
      .set({ status: "REJECTED", reject_reason: event.reason ?? "rejected by the broker", ...releasedClaim })
      .where("intent_id", "=", intentId)
      .where("status", "in", ["CLAIMED", "AMBIGUOUS", "SENT", "ACKED"])
      .execute();
    return;
  }
  // Most events find the row ACKED already (read under the order's lock): nothing to write.
  if (status !== "CLAIMED" && status !== "AMBIGUOUS" && status !== "SENT") return;
  await tx
    .updateTable("outbox")
    .set({ status: "ACKED", ...releasedClaim })
    .where("intent_id", "=", intentId)
    .where("status", "in", ["CLAIMED", "AMBIGUOUS", "SENT"])
    .execute();
}

function required<K extends "symbol" | "side" | "order_type" | "time_in_force">(row: Placed, key: K): NonNullable<Placed[K]> {
  const value = row[key];
  invariant(value !== null, `outbox row ${String(row.id)} (an order) has no ${key}`);
  return value;
}

/** The outbox row that placed an order: what the inbox needs of it. */
interface Placed {
  readonly id: bigint;
  /** The outbox row's status when the order was locked. */
  readonly status: OutboxStatus;
  readonly account: string;
  readonly symbol: string | null;
  readonly side: OrderSide | null;
  readonly order_type: OrderType | null;
  readonly time_in_force: TimeInForce | null;
  readonly qty_shares: bigint | null;
  readonly limit_price_micros: bigint | null;
  readonly stop_price_micros: bigint | null;
}

/** The order's local state, when an event was applied to it before. */
interface CurrentOrder {
  readonly id: bigint;
  readonly state: OrderState;
  readonly filled_qty_shares: bigint;
  readonly filled_avg_price_micros: bigint | null;
  readonly reject_reason: string | null;
}

interface LockedOrder {
  readonly ids: OrderIds;
  readonly placed: Placed;
  readonly order: CurrentOrder | undefined;
}

/**
 * Finds the order an event names (client_order_id first, then broker order id) and
 * locks its id-map row FOR UPDATE, returning the ids as they are under the lock (another
 * event may have just taught the broker id), the placing outbox row and the order's state.
 */
async function lockPlacedOrder(tx: Executor, event: BrokerEvent): Promise<LockedOrder | undefined> {
  const query = () =>
    tx
      .selectFrom("order_map as m")
      .innerJoin("outbox as o", "o.intent_id", "m.intent_id")
      .leftJoin("orders as r", "r.intent_id", "m.intent_id")
      .select([
        "m.intent_id",
        "m.client_order_id",
        "m.broker_order_id",
        "o.id as placed_id",
        "o.status as placed_status",
        "o.account",
        "o.symbol",
        "o.side",
        "o.order_type",
        "o.time_in_force",
        "o.qty_shares",
        "o.limit_price_micros",
        "o.stop_price_micros",
        "r.id as order_id",
        "r.state as order_state",
        "r.filled_qty_shares as order_filled_qty_shares",
        "r.filled_avg_price_micros as order_filled_avg_price_micros",
        "r.reject_reason as order_reject_reason",
      ])
      .forUpdate("m");
  let row = event.clientOrderId === null ? undefined : await query().where("m.client_order_id", "=", event.clientOrderId).executeTakeFirst();
  if (row === undefined && event.brokerOrderId !== null) row = await query().where("m.broker_order_id", "=", event.brokerOrderId).executeTakeFirst();
  if (row === undefined) return undefined;
  const placed: Placed = {
    id: row.placed_id,
    status: row.placed_status,
    account: row.account,
    symbol: row.symbol,
    side: row.side,
    order_type: row.order_type,
    time_in_force: row.time_in_force,
    qty_shares: row.qty_shares,
    limit_price_micros: row.limit_price_micros,
    stop_price_micros: row.stop_price_micros,
  };
  const order: CurrentOrder | undefined =
    row.order_id === null || row.order_state === null || row.order_filled_qty_shares === null
      ? undefined
      : {
          id: row.order_id,
          state: row.order_state,
          filled_qty_shares: row.order_filled_qty_shares,
          filled_avg_price_micros: row.order_filled_avg_price_micros,
          reject_reason: row.order_reject_reason,
        };
  return { ids: orderIdsFromRow(row), placed, order };
}

/** Volume-weighted average fill price, HALF_EVEN like the portfolio's average cost. */
function filledAverage(avgBefore: bigint | null, filledBefore: bigint, fill: BrokerFill): bigint {
  const notionalBefore = (avgBefore ?? 0n) * filledBefore;
  return divRound(notionalBefore + fill.priceMicros * fill.qtyShares, filledBefore + fill.qtyShares, "HALF_EVEN");
}

/**
 * Position, cash and realised PnL for one execution, with @mqk/portfolio's
 * average-cost math. The positions row keeps the average cost, not the cost
 * basis, so the basis is rebuilt as qty × avg (exact after any reduction; after
 * an add it differs from the pure portfolio's by under a micro per share).
 */
async function bookFill(tx: Executor, seq: bigint, placed: Placed, fill: BrokerFill): Promise<void> {
  const ticker = asTicker(required(placed, "symbol"));
  const side = required(placed, "side");
  // One statement creates the row if missing and locks it: an upsert that "updates"
  // a row takes its lock and returns it, so two first fills of a symbol cannot both
  // start from zero.
  const row = await tx
    .insertInto("positions")
    .values({ account: placed.account, symbol: ticker })
    .onConflict((oc) => oc.columns(["account", "symbol"]).doUpdateSet({ account: (eb) => eb.ref("excluded.account") }))
    .returningAll()
    .executeTakeFirstOrThrow();
  const qtyBefore = row.qty_shares;
  const current = positionFromParts(ticker, qtyBefore as Shares, (qtyBefore * row.avg_cost_micros) as Micros);
  const portfolioFill: Fill = { fillId: fill.executionId, ticker, side, qtyShares: fill.qtyShares, priceMicros: fill.priceMicros, feeMicros: fill.feeMicros };
  const change = applyFillToPosition(current, portfolioFill);
  const qtyAfter: bigint = change.position?.qtyShares ?? 0n;
  const avgAfter: bigint = change.position?.avgCostMicros ?? 0n;
  const realisedDelta = change.realisedMicros - fill.feeMicros;
  await tx
    .updateTable("positions")
    .set({
      qty_shares: qtyAfter,
      avg_cost_micros: avgAfter,
      realized_pnl_micros: row.realized_pnl_micros + realisedDelta,
      last_inbox_seq: seq,
      updated_at: sql<Date>`now()`,
    })
    .where("account", "=", placed.account)
    .where("symbol", "=", ticker)
    .execute();
  // The fill's cash before fees, then the fee: each booked once per execution id
  // (cash_ledger's (account, reason, source_ref) key is the second lock on D2).
  const fee: bigint = fill.feeMicros;
  const cashBeforeFee = change.cashDeltaMicros + fee;
  const entries: Insertable<CashLedgerTable>[] = [
    { account: placed.account, amount_micros: cashBeforeFee, reason: "FILL", source_ref: fill.executionId, inbox_seq: seq, symbol: ticker },
  ];
  if (fee > 0n) entries.push({ account: placed.account, amount_micros: -fee, reason: "FEE", source_ref: fill.executionId, inbox_seq: seq, symbol: ticker });
  await tx.insertInto("cash_ledger").values(entries).execute();
}
