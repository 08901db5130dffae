import { diffReconcile, localStateDigest, readLocalState, snapshotDigest, type LocalOrder, type LocalState } from "@mqk/reconcile";
import { describe, expect, it } from "vitest";
import { bookCash, brokerOrder, placeLocalOrder, receiveEvent, setPosition, snapshotOf, TOLERANCE, usd, useDatabase } from "./support.js";

const tolerance = { cashToleranceMicros: TOLERANCE };

function localOrder(clientOrderId: string, overrides: Partial<LocalOrder> = {}): LocalOrder {
  return {
    source: "orders",
    intentId: `intent-${clientOrderId}`,
    clientOrderId,
    brokerOrderId: `b-${clientOrderId}`,
    symbol: "AAPL",
    side: "buy",
    type: "market",
    timeInForce: "day",
    status: "new",
    outboxStatus: "ACKED",
    qtyShares: 10n,
    filledQtyShares: 0n,
    limitPriceMicros: null,
    stopPriceMicros: null,
    ...overrides,
  };
}

function local(overrides: Partial<LocalState> = {}): LocalState {
  return { account: "sim", positions: [], openOrders: [], cashMicros: usd("1000"), inboxSeq: 0n, ...overrides };
}

describe("diff engine (pure)", () => {
  it("B1: identical sides are CLEAN with no entries", () => {
    const snapshot = snapshotOf({
      cash: usd("1000"),
      positions: [{ symbol: "AAPL", qty: 5n }],
      orders: [brokerOrder({ brokerOrderId: "b-c1", clientOrderId: "c1" })],
    });
    const diff = diffReconcile(
      snapshot,
      local({ positions: [{ symbol: "AAPL", qtyShares: 5n, avgCostMicros: usd("100") }], openOrders: [localOrder("c1")] }),
      tolerance,
    );
    expect(diff).toEqual({ result: "CLEAN", entries: [] });
  });

  it("B1: a quantity mismatch per symbol is DIRTY (different, local only, broker only); average cost alone is not compared", () => {
    const snapshot = snapshotOf({
      cash: usd("1000"),
      positions: [
        { symbol: "AAPL", qty: 5n, avgUsd: "100" },
        { symbol: "MSFT", qty: 3n },
        { symbol: "NVDA", qty: 7n, avgUsd: "90" },
      ],
    });
    const diff = diffReconcile(
      snapshot,
      local({
        positions: [
          { symbol: "AAPL", qtyShares: 6n, avgCostMicros: usd("100") },
          { symbol: "KO", qtyShares: -2n, avgCostMicros: usd("60") },
          { symbol: "NVDA", qtyShares: 7n, avgCostMicros: usd("95") },
        ],
      }),
      tolerance,
    );
    expect(diff.result).toBe("DIRTY");
    expect(diff.entries).toEqual([
      {
        kind: "position_qty_mismatch",
        symbol: "AAPL",
        localQtyShares: 6n,
        brokerQtyShares: 5n,
        localAvgCostMicros: usd("100"),
        brokerAvgEntryPriceMicros: usd("100"),
      },
      { kind: "position_qty_mismatch", symbol: "KO", localQtyShares: -2n, brokerQtyShares: 0n, localAvgCostMicros: usd("60"), brokerAvgEntryPriceMicros: 0n },
      { kind: "position_qty_mismatch", symbol: "MSFT", localQtyShares: 0n, brokerQtyShares: 3n, localAvgCostMicros: 0n, brokerAvgEntryPriceMicros: usd("100") },
    ]);
  });

  it("B1: a broker open order unknown locally (by client and by broker order id) is DIRTY", () => {
    const snapshot = snapshotOf({
      cash: usd("1000"),
      orders: [brokerOrder({ brokerOrderId: "b-x", clientOrderId: "manual-1", symbol: "TSLA", side: "sell", qty: 3n })],
    });
    const diff = diffReconcile(snapshot, local(), tolerance);
    expect(diff.result).toBe("DIRTY");
    expect(diff.entries).toEqual([
      {
        kind: "broker_order_unknown",
        brokerOrderId: "b-x",
        clientOrderId: "manual-1",
        symbol: "TSLA",
        side: "sell",
        status: "new",
        qtyShares: 3n,
        filledQtyShares: 0n,
      },
    ]);
  });

  it("B1: an order matched by broker order id whose client order id differs is a field mismatch, not an unknown order", () => {
    const snapshot = snapshotOf({ cash: usd("1000"), orders: [brokerOrder({ brokerOrderId: "b-c1", clientOrderId: "someone-else" })] });
    const diff = diffReconcile(snapshot, local({ openOrders: [localOrder("c1")] }), tolerance);
    expect(diff.entries).toEqual([
      { kind: "order_field_mismatch", clientOrderId: "c1", brokerOrderId: "b-c1", field: "clientOrderId", local: "c1", broker: "someone-else" },
    ]);
  });

  it("B1: a local open order missing at the broker is DIRTY", () => {
    const diff = diffReconcile(
      snapshotOf({ cash: usd("1000") }),
      local({ openOrders: [localOrder("c1", { status: "partially_filled", filledQtyShares: 4n })] }),
      tolerance,
    );
    expect(diff.result).toBe("DIRTY");
    expect(diff.entries).toEqual([
      {
        kind: "local_order_missing_at_broker",
        source: "orders",
        intentId: "intent-c1",
        clientOrderId: "c1",
        brokerOrderId: "b-c1",
        symbol: "AAPL",
        localStatus: "partially_filled",
        outboxStatus: "ACKED",
      },
    ]);
  });

  it("B1: a status disagreement on a matched order is DIRTY", () => {
    const snapshot = snapshotOf({ cash: usd("1000"), orders: [brokerOrder({ brokerOrderId: "b-c1", clientOrderId: "c1", status: "pending_cancel" })] });
    const diff = diffReconcile(snapshot, local({ openOrders: [localOrder("c1")] }), tolerance);
    expect(diff.entries).toEqual([
      { kind: "order_status_mismatch", clientOrderId: "c1", brokerOrderId: "b-c1", localStatus: "new", brokerStatus: "pending_cancel" },
    ]);
  });

  it("B1: a filled-quantity or price disagreement on a matched order is DIRTY, field by field", () => {
    const snapshot = snapshotOf({
      cash: usd("1000"),
      orders: [brokerOrder({ brokerOrderId: "b-c1", clientOrderId: "c1", status: "partially_filled", filledQty: 4n, limitUsd: "101" })],
    });
    const diff = diffReconcile(
      snapshot,
      local({ openOrders: [localOrder("c1", { status: "partially_filled", filledQtyShares: 3n, type: "limit", limitPriceMicros: usd("100") })] }),
      tolerance,
    );
    expect(diff.entries).toEqual([
      { kind: "order_field_mismatch", clientOrderId: "c1", brokerOrderId: "b-c1", field: "filledQtyShares", local: "3", broker: "4" },
      { kind: "order_field_mismatch", clientOrderId: "c1", brokerOrderId: "b-c1", field: "limitPriceMicros", local: "100000000", broker: "101000000" },
    ]);
  });

  it("B1: an in-flight outbox order the broker holds open is known (CLEAN); one it does not hold is DIRTY", () => {
    const inFlight = localOrder("c9", { source: "outbox", status: null, brokerOrderId: null, outboxStatus: "SENT" });
    const held = snapshotOf({ cash: usd("1000"), orders: [brokerOrder({ brokerOrderId: "b-new", clientOrderId: "c9", status: "pending_new" })] });
    expect(diffReconcile(held, local({ openOrders: [inFlight] }), tolerance)).toEqual({ result: "CLEAN", entries: [] });
    const missing = diffReconcile(snapshotOf({ cash: usd("1000") }), local({ openOrders: [inFlight] }), tolerance);
    expect(missing.entries).toEqual([
      {
        kind: "local_order_missing_at_broker",
        source: "outbox",
        intentId: "intent-c9",
        clientOrderId: "c9",
        brokerOrderId: null,
        symbol: "AAPL",
        localStatus: null,
        outboxStatus: "SENT",
      },
    ]);
  });

  it("B1: cash within the tolerance (inclusive) is CLEAN; beyond it is DIRTY", () => {
    expect(diffReconcile(snapshotOf({ cash: usd("1001.00") }), local(), tolerance).result).toBe("CLEAN");
    expect(diffReconcile(snapshotOf({ cash: usd("999.00") }), local(), tolerance).result).toBe("CLEAN");
    const diff = diffReconcile(snapshotOf({ cash: usd("998.99") }), local(), tolerance);
    expect(diff.entries).toEqual([
      { kind: "cash_mismatch", localCashMicros: usd("1000"), brokerCashMicros: usd("998.99"), differenceMicros: usd("-1.01"), toleranceMicros: TOLERANCE },
    ]);
  });

  it("B1: a snapshot listing a position or an order twice is DIRTY", () => {
    const order = brokerOrder({ brokerOrderId: "b-c1", clientOrderId: "c1" });
    const snapshot = snapshotOf({
      cash: usd("1000"),
      positions: [
        { symbol: "AAPL", qty: 1n },
        { symbol: "AAPL", qty: 1n },
      ],
      orders: [order, order],
    });
    const diff = diffReconcile(
      snapshot,
      local({ positions: [{ symbol: "AAPL", qtyShares: 1n, avgCostMicros: usd("100") }], openOrders: [localOrder("c1")] }),
      tolerance,
    );
    expect(diff.entries).toEqual([
      { kind: "snapshot_duplicate", what: "position", key: "AAPL" },
      { kind: "snapshot_duplicate", what: "order", key: "b-c1" },
    ]);
  });

  it("B1: a snapshot and a local state of different accounts are refused", () => {
    expect(() => diffReconcile(snapshotOf({ account: "other" }), local(), tolerance)).toThrow(/account other/);
  });

  it("B1: digests do not depend on the order of lists, and change with any content", () => {
    const orders = [brokerOrder({ brokerOrderId: "b-1", clientOrderId: "c1" }), brokerOrder({ brokerOrderId: "b-2", clientOrderId: "c2" })];
    const positions = [
      { symbol: "AAPL", qty: 1n },
      { symbol: "MSFT", qty: 2n },
    ];
    const a = snapshotOf({ orders, positions });
    const b = snapshotOf({ orders: [...orders].reverse(), positions: [...positions].reverse() });
    expect(snapshotDigest(a)).toBe(snapshotDigest(b));
    expect(snapshotDigest(a)).not.toBe(
      snapshotDigest(
        snapshotOf({
          orders,
          positions: [
            { symbol: "AAPL", qty: 1n },
            { symbol: "MSFT", qty: 3n },
          ],
        }),
      ),
    );
    const l = local({ openOrders: [localOrder("c1"), localOrder("c2")] });
    expect(localStateDigest(l)).toBe(localStateDigest({ ...l, openOrders: [...l.openOrders].reverse() }));
    expect(localStateDigest(l)).not.toBe(localStateDigest({ ...l, inboxSeq: 1n }));
  });
});

describe("local state from the database", () => {
  const handle = useDatabase();

  it("B1: reads open positions, open orders (applied and in flight), the cash ledger sum and the inbox seq of one account", async () => {
    const { db } = handle();
    const account = "local-read";
    await bookCash(db, usd("5000"), account);
    await bookCash(db, usd("-250.5"), account);
    await bookCash(db, usd("99"), "another-account");
    await setPosition(db, "AAPL", 10n, usd("100"), account);
    await setPosition(db, "MSFT", 0n, usd("0"), account);
    await placeLocalOrder(db, { clientOrderId: "lr-open", brokerOrderId: "b-lr-open", state: "partially_filled", filledQty: 2n, account });
    await placeLocalOrder(db, { clientOrderId: "lr-done", brokerOrderId: "b-lr-done", state: "filled", filledQty: 10n, account });
    await placeLocalOrder(db, { clientOrderId: "lr-flight", outboxStatus: "AMBIGUOUS", account });
    await placeLocalOrder(db, { clientOrderId: "lr-gone", outboxStatus: "REJECTED", account });
    await receiveEvent(db, "another-account");
    const seq = await receiveEvent(db, account);
    await receiveEvent(db, "another-account");

    const state = await readLocalState(db, account);
    expect(state.account).toBe(account);
    expect(state.cashMicros).toBe(usd("4749.5"));
    expect(state.inboxSeq).toBe(seq);
    expect(state.positions).toEqual([{ symbol: "AAPL", qtyShares: 10n, avgCostMicros: usd("100") }]);
    expect(state.openOrders.map((o) => [o.clientOrderId, o.source, o.status, o.outboxStatus, o.filledQtyShares])).toEqual([
      ["lr-flight", "outbox", null, "AMBIGUOUS", 0n],
      ["lr-open", "orders", "partially_filled", "ACKED", 2n],
    ]);
    expect((await readLocalState(db, "nobody")).inboxSeq).toBe(0n);
  });
});
