/**
 * The order state machine: how a broker event (a trade_updates event name)
 * moves our local order state (an Alpaca order status). Events arrive late,
 * twice under different message ids, and out of order (a REST backfill after a
 * reconnect, a reordered stream), so the table says for each (state, event)
 * pair whether the state moves, stays ("keep": the event is older news), or the
 * pair is ILLEGAL — not listed, so it means the broker and we disagree; the
 * caller then applies nothing and leaves the event for reconcile (fail closed).
 *
 * "none" is an order we placed but for which no event was applied yet.
 */
import type { InboxKind, OrderState } from "@mqk/db";

export type OrderStateOrNone = OrderState | "none";

/** keep: stay; back: leave a pending_* state (partially_filled or new, by fills so far); fill: by the cumulative quantity. */
type Target = OrderState | "keep" | "back" | "fill";

const PRE_ACK = ["none", "pending_new", "accepted", "accepted_for_bidding", "held"] as const;
const WORKING = ["new", "partially_filled", "pending_cancel", "pending_replace", "stopped", "calculated", "suspended", "done_for_day"] as const;
const OPEN = [...PRE_ACK, ...WORKING] as const;
const ENDED = ["filled", "canceled", "expired", "replaced", "rejected"] as const;
const ALL = [...OPEN, ...ENDED] as const;

type Rule = readonly [readonly OrderStateOrNone[], Target];

const without = (states: readonly OrderStateOrNone[], ...drop: readonly OrderStateOrNone[]): OrderStateOrNone[] => states.filter((s) => !drop.includes(s));

/** Each event: a list of (from states, target). A pair not listed is illegal. */
const RULES: Readonly<Record<InboxKind, readonly Rule[]>> = {
  pending_new: [
    [["none"], "pending_new"],
    [without(ALL, "none"), "keep"],
  ],
  new: [
    [["none", "pending_new", "accepted", "accepted_for_bidding", "held"], "new"],
    // A late acknowledgement: the order has moved on (even ended) already.
    [[...WORKING, ...ENDED], "keep"],
  ],
  // Fills are facts: the target depends on the cumulative quantity (see nextOrderState).
  // Surprising edges, all listed on purpose:
  //  - canceled/expired/replaced/done_for_day + partial fill → keep: an execution that
  //    happened before the order ended, delivered after the end event (reordered stream
  //    or REST backfill). The shares are booked; the order stays ended.
  //  - canceled + a fill completing the quantity → filled: the cancel lost the race at
  //    the exchange and the "canceled" we saw was out of order; the fill is the truth.
  //  - none + fill: the acknowledgement was lost or comes later.
  // Never from filled (nothing left to fill) or rejected (a rejected order cannot execute).
  partial_fill: [[without(ALL, "filled", "rejected"), "fill"]],
  fill: [[without(ALL, "filled", "rejected"), "fill"]],
  canceled: [
    [OPEN, "canceled"],
    [["canceled", "expired", "replaced", "rejected"], "keep"],
  ],
  expired: [
    [OPEN, "expired"],
    [["canceled", "expired", "replaced", "rejected"], "keep"],
  ],
  done_for_day: [
    [without(OPEN, "done_for_day"), "done_for_day"],
    [["done_for_day", ...ENDED], "keep"],
  ],
  // The old order of a replace. canceled/expired + replaced: the replace crossed an end.
  replaced: [
    [OPEN, "replaced"],
    [["replaced", "canceled", "expired"], "keep"],
  ],
  // A rejection after "new" is rare but Alpaca documents it (e.g. a later exchange reject).
  rejected: [
    [["none", "pending_new", "accepted", "accepted_for_bidding", "held", "new"], "rejected"],
    [["rejected"], "keep"],
  ],
  pending_cancel: [
    [without(OPEN, "pending_cancel"), "pending_cancel"],
    [["pending_cancel", ...ENDED], "keep"],
  ],
  pending_replace: [
    [without(OPEN, "pending_replace"), "pending_replace"],
    [["pending_replace", ...ENDED], "keep"],
  ],
  order_cancel_rejected: [
    [["pending_cancel"], "back"],
    [without(ALL, "none", "pending_cancel"), "keep"],
  ],
  order_replace_rejected: [
    [["pending_replace"], "back"],
    [without(ALL, "none", "pending_replace"), "keep"],
  ],
  stopped: [
    [OPEN, "stopped"],
    [ENDED, "keep"],
  ],
  calculated: [
    [OPEN, "calculated"],
    [ENDED, "keep"],
  ],
  suspended: [
    [OPEN, "suspended"],
    [ENDED, "keep"],
  ],
};

const TABLE: ReadonlyMap<string, Target> = (() => {
  const table = new Map<string, Target>();
  for (const [event, rules] of Object.entries(RULES)) {
    for (const [froms, target] of rules) {
      for (const from of froms) {
        const key = `${from}|${event}`;
        if (table.has(key)) throw new Error(`order state machine: ${key} listed twice`);
        table.set(key, target);
      }
    }
  }
  return table;
})();

/** true when the table lists (from, event). */
export function isListedTransition(from: OrderStateOrNone, event: InboxKind): boolean {
  return TABLE.has(`${from}|${event}`);
}

export type Transition = { readonly ok: true; readonly to: OrderState } | { readonly ok: false; readonly from: OrderStateOrNone; readonly event: InboxKind };

/**
 * The state after `event`. `filledAfter` is the cumulative filled quantity once
 * this event is applied, `qty` the order's quantity.
 */
export function nextOrderState(from: OrderStateOrNone, event: InboxKind, filledAfter: bigint, qty: bigint): Transition {
  const target = TABLE.get(`${from}|${event}`);
  if (target === undefined) return { ok: false, from, event };
  switch (target) {
    case "keep":
      // "keep" is never listed for "none" (there is nothing to keep).
      return from === "none" ? { ok: false, from, event } : { ok: true, to: from };
    case "back":
      return { ok: true, to: filledAfter > 0n ? "partially_filled" : "new" };
    case "fill":
      if (filledAfter >= qty) return { ok: true, to: "filled" };
      if (from === "canceled" || from === "expired" || from === "replaced" || from === "done_for_day") return { ok: true, to: from };
      return { ok: true, to: "partially_filled" };
    default:
      return { ok: true, to: target };
  }
}

/** Every state the table knows, "none" first. */
export const ORDER_STATES_AND_NONE: readonly OrderStateOrNone[] = ALL;
