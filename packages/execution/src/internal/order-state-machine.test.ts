import { describe, expect, it } from "vitest";
import { inboxKinds } from "@mqk/db";
import { isListedTransition, nextOrderState, ORDER_STATES_AND_NONE } from "./order-state-machine.js";

const EVENTS = inboxKinds;

describe("order state machine", () => {
  it("D2: the happy path new → partially_filled → filled", () => {
    expect(nextOrderState("none", "new", 0n, 10n)).toEqual({ ok: true, to: "new" });
    expect(nextOrderState("new", "partial_fill", 4n, 10n)).toEqual({ ok: true, to: "partially_filled" });
    expect(nextOrderState("partially_filled", "fill", 10n, 10n)).toEqual({ ok: true, to: "filled" });
  });

  it("D2: out-of-order edges — fill after cancel, late acknowledgement, cancel rejected", () => {
    // the cancel lost the race: the fill completing the quantity wins
    expect(nextOrderState("canceled", "fill", 10n, 10n)).toEqual({ ok: true, to: "filled" });
    // an execution from before the cancel, delivered after it: booked, order stays canceled
    expect(nextOrderState("canceled", "partial_fill", 3n, 10n)).toEqual({ ok: true, to: "canceled" });
    expect(nextOrderState("filled", "new", 10n, 10n)).toEqual({ ok: true, to: "filled" });
    expect(nextOrderState("pending_cancel", "order_cancel_rejected", 4n, 10n)).toEqual({ ok: true, to: "partially_filled" });
    expect(nextOrderState("pending_replace", "order_replace_rejected", 0n, 10n)).toEqual({ ok: true, to: "new" });
  });

  it("D2: pairs the table does not list are refused", () => {
    expect(nextOrderState("filled", "canceled", 10n, 10n)).toEqual({ ok: false, from: "filled", event: "canceled" });
    expect(nextOrderState("filled", "fill", 10n, 10n).ok).toBe(false);
    expect(nextOrderState("rejected", "fill", 1n, 10n).ok).toBe(false);
    expect(nextOrderState("partially_filled", "rejected", 2n, 10n).ok).toBe(false);
    expect(nextOrderState("none", "order_cancel_rejected", 0n, 10n).ok).toBe(false);
  });

  it("D2: every listed pair yields a real order state, and 'keep' is never listed for an order with no state", () => {
    let listed = 0;
    for (const from of ORDER_STATES_AND_NONE) {
      for (const event of EVENTS) {
        if (!isListedTransition(from, event)) continue;
        listed += 1;
        const t = nextOrderState(from, event, event === "fill" ? 10n : 0n, 10n);
        expect(t.ok, `${from} + ${event}`).toBe(true);
      }
    }
    expect(listed).toBeGreaterThan(200);
  });
});
