/**
 * What the inbox decides about one event, in memory, from the order's state as read
 * (inbox-read.ts): keep it unapplied and why, or apply it — the order state machine,
 * the fill intervals, @mqk/portfolio's average-cost math — and so what to write
 * (inbox-write.ts). Pure: the same read and event give the same writes.
 */
import { asTicker, divRound, invariant, type IntentId, type Micros, type Shares } from "@mqk/core";
import type { OrderState, OutboxStatus } from "@mqk/db";
import { applyFillToPosition, positionFromParts, type Fill } from "@mqk/portfolio";
import type { BrokerEvent, BrokerFill } from "./broker-event.js";
import type { LockedOrder, OrderStateRead, PositionRow } from "./inbox-read.js";
import type { CashEntry, EventWrites, OutboxSettlement } from "./inbox-write.js";
import { nextOrderState, type OrderStateOrNone } from "./order-state-machine.js";

/** An outcome before the inbox row (and so its seq) exists. */
export type Verdict =
  | { readonly kind: "unmatched"; readonly reason: string }
  | { readonly kind: "illegal_transition"; readonly from: OrderStateOrNone; readonly event: string; readonly reason: string }
  | { readonly kind: "covered"; readonly reason: string };

export type Plan =
  | { readonly kind: "keep"; readonly verdict: Verdict; readonly intentId: IntentId | null; readonly learnBrokerOrderId: string | null }
  | {
      readonly kind: "apply";
      readonly from: OrderStateOrNone;
      readonly to: OrderState;
      readonly filledAfter: bigint;
      readonly cumulative: bigint | null;
      readonly learnBrokerOrderId: string | null;
    };

/** Every refusal of the old one-step inbox, in the same order; pure. */
export function plan(locked: LockedOrder, state: OrderStateRead, event: BrokerEvent): Plan {
  const unmatched = (reason: string): Plan => ({ kind: "keep", verdict: { kind: "unmatched", reason }, intentId: null, learnBrokerOrderId: null });
  if (locked.account !== event.account) return unmatched(`event account ${event.account} differs from the order's account ${locked.account}`);
  const terms = event.orderTerms ?? null;
  if (terms !== null && (terms.symbol !== locked.symbol || terms.side !== locked.side || terms.qtyShares !== locked.qtyShares)) {
    return unmatched(
      `the event's order (${terms.side} ${String(terms.qtyShares)} ${terms.symbol}) is not the order we placed under ${locked.clientOrderId} (${String(locked.side)} ${String(locked.qtyShares)} ${String(locked.symbol)})`,
    );
  }
  let learnBrokerOrderId: string | null = null;
  if (event.brokerOrderId !== null && state.mappedBrokerOrderId === null) {
    // A4: learned from the event — persisted by this event's write, in this transaction.
    if (state.brokerIdOwner !== null && state.brokerIdOwner !== locked.clientOrderId) return unmatched("broker order id not recorded: broker_order_id_taken");
    learnBrokerOrderId = event.brokerOrderId;
  } else if (event.brokerOrderId !== null && state.mappedBrokerOrderId !== event.brokerOrderId) {
    return unmatched(`broker order id ${event.brokerOrderId} differs from the mapped ${state.mappedBrokerOrderId ?? ""}`);
  }

  const keep = (verdict: Verdict): Plan => ({ kind: "keep", verdict, intentId: locked.intentId, learnBrokerOrderId });
  const qty = locked.qtyShares ?? 0n;
  const filledBefore = state.order?.filledQtyShares ?? 0n;
  const filledAfter = filledBefore + (event.fill?.qtyShares ?? 0n);
  const from: OrderStateOrNone = state.order?.state ?? "none";
  let cumulative: bigint | null = null;
  if (event.fill !== null) {
    cumulative = event.fill.cumulativeQtyShares ?? filledAfter;
    if (cumulative > qty) {
      return keep({
        kind: "illegal_transition",
        from,
        event: event.kind,
        reason: `the fill's cumulative ${String(cumulative)} exceeds the order's ${String(qty)} shares`,
      });
    }
    if (state.bookedOverlap !== null) {
      return keep({
        kind: "covered",
        reason: `shares (${state.bookedOverlap}] of this order are booked already; this execution covers (${String(cumulative - event.fill.qtyShares)}, ${String(cumulative)}]`,
      });
    }
  }
  if (filledAfter > qty) {
    return keep({ kind: "illegal_transition", from, event: event.kind, reason: `fills ${String(filledAfter)} exceed the order's ${String(qty)} shares` });
  }
  const transition = nextOrderState(from, event.kind, filledAfter, qty);
  if (!transition.ok) {
    return keep({ kind: "illegal_transition", from, event: event.kind, reason: `the order state machine does not list ${from} + ${event.kind}` });
  }
  return { kind: "apply", from, to: transition.to, filledAfter, cumulative, learnBrokerOrderId };
}

export type ApplyPlan = Extract<Plan, { readonly kind: "apply" }>;

/** The orders row: created by the order's first applied event, updated by the rest. */
function orderWrite(locked: LockedOrder, state: OrderStateRead, event: BrokerEvent, planned: ApplyPlan): Pick<EventWrites, "insertOrder" | "updateOrder"> {
  const order = state.order;
  const avgAfter =
    event.fill === null ? (order?.filledAvgPriceMicros ?? null) : filledAverage(order?.filledAvgPriceMicros ?? null, order?.filledQtyShares ?? 0n, event.fill);
  const rejectReason = event.kind === "rejected" ? (event.reason ?? "rejected by the broker") : (order?.rejectReason ?? null);
  const brokerOrderId = event.brokerOrderId ?? state.mappedBrokerOrderId;
  if (order === undefined) {
    return {
      updateOrder: null,
      insertOrder: {
        intentId: locked.intentId,
        clientOrderId: locked.clientOrderId,
        brokerOrderId,
        account: locked.account,
        symbol: required(locked, "symbol"),
        side: required(locked, "side"),
        orderType: required(locked, "orderType"),
        timeInForce: required(locked, "timeInForce"),
        state: planned.to,
        qtyShares: locked.qtyShares ?? 0n,
        filledQtyShares: planned.filledAfter,
        limitPriceMicros: locked.limitPriceMicros,
        stopPriceMicros: locked.stopPriceMicros,
        filledAvgPriceMicros: avgAfter,
        rejectReason,
      },
    };
  }
  return {
    insertOrder: null,
    updateOrder: {
      id: order.id,
      state: planned.to,
      filledQtyShares: planned.filledAfter,
      filledAvgPriceMicros: avgAfter,
      rejectReason,
      brokerOrderId: order.brokerOrderId === null ? brokerOrderId : null,
    },
  };
}

/**
 * The broker's own event settles the outbox row of the order: a rejection makes it
 * REJECTED with the broker's reason; any other event proves the order exists, so a
 * row still CLAIMED, AMBIGUOUS or SENT becomes ACKED (an ambiguous send resolved by
 * the broker itself). Most events find the row ACKED already (read under the
 * order's lock): nothing to write.
 */
function settlement(intentId: IntentId, status: OutboxStatus, event: BrokerEvent): OutboxSettlement | null {
  if (event.kind === "rejected") {
    if (status === "REJECTED") return null;
    return { intentId, status: "REJECTED", rejectReason: event.reason ?? "rejected by the broker", from: ["CLAIMED", "AMBIGUOUS", "SENT", "ACKED"] };
  }
  if (status !== "CLAIMED" && status !== "AMBIGUOUS" && status !== "SENT") return null;
  return { intentId, status: "ACKED", rejectReason: null, from: ["CLAIMED", "AMBIGUOUS", "SENT"] };
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
 * Cash: the fill before fees, then the fee, each booked once per execution id
 * (cash_ledger's (account, reason, source_ref) key is the second lock on D2).
 */
function bookFill(locked: LockedOrder, row: PositionRow, fill: BrokerFill): Pick<EventWrites, "position" | "cash"> {
  const ticker = asTicker(required(locked, "symbol"));
  const side = required(locked, "side");
  const current = positionFromParts(ticker, row.qtyShares as Shares, (row.qtyShares * row.avgCostMicros) as Micros);
  const portfolioFill: Fill = { fillId: fill.executionId, ticker, side, qtyShares: fill.qtyShares, priceMicros: fill.priceMicros, feeMicros: fill.feeMicros };
  const change = applyFillToPosition(current, portfolioFill);
  const fee: bigint = fill.feeMicros;
  const cash: CashEntry[] = [
    { account: locked.account, amountMicros: change.cashDeltaMicros + fee, reason: "FILL", sourceRef: fill.executionId, symbol: ticker },
  ];
  if (fee > 0n) cash.push({ account: locked.account, amountMicros: -fee, reason: "FEE", sourceRef: fill.executionId, symbol: ticker });
  return {
    position: {
      account: locked.account,
      symbol: ticker,
      qtyShares: change.position?.qtyShares ?? 0n,
      avgCostMicros: change.position?.avgCostMicros ?? 0n,
      realizedPnlMicros: row.realizedPnlMicros + change.realisedMicros - fee,
    },
    cash,
  };
}

const NOTHING_ELSE = { learnBrokerOrderId: null, insertOrder: null, updateOrder: null, position: null, cash: [], settleOutbox: null } as const;

/**
 * The writes of an event kept unapplied. A broker id the event taught about one of our
 * orders is still a fact, and is recorded (A4).
 */
export function keptWrites(verdict: Verdict, intentId: IntentId | null, learnBrokerOrderId: string | null): EventWrites {
  return {
    applied: false,
    orderIntentId: intentId,
    applyNote: verdict.reason,
    fillCumQtyShares: null,
    ...NOTHING_ELSE,
    learnBrokerOrderId: intentId === null ? null : learnBrokerOrderId,
  };
}

/** The writes of an applied event; `position` is the position row (a fill needs one). */
export function appliedWrites(locked: LockedOrder, state: OrderStateRead, event: BrokerEvent, planned: ApplyPlan, position: PositionRow | null): EventWrites {
  invariant(event.fill === null || position !== null, `broker event ${event.brokerMessageId}: a fill is booked against a position row, and none was read`);
  return {
    applied: true,
    orderIntentId: locked.intentId,
    applyNote: null,
    fillCumQtyShares: planned.cumulative,
    learnBrokerOrderId: planned.learnBrokerOrderId,
    ...orderWrite(locked, state, event, planned),
    ...(event.fill === null || position === null ? { position: null, cash: [] } : bookFill(locked, position, event.fill)),
    settleOutbox: settlement(locked.intentId, state.outboxStatus, event),
  };
}

export function required<K extends "symbol" | "side" | "orderType" | "timeInForce">(locked: LockedOrder, key: K): NonNullable<LockedOrder[K]> {
  const value = locked[key];
  invariant(value !== null, `outbox row ${String(locked.placedId)} (an order) has no ${key}`);
  return value;
}
