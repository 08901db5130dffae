import { asBrokerOrderId, asTicker, type Micros, type Shares } from "@mqk/core";
import type { BrokerOrder, BrokerSnapshot } from "@mqk/execution";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffReconcile } from "./diff-engine.js";
import { localStateDigest, snapshotDigest } from "./digests.js";
import type { LocalOrder, LocalState } from "./local-state.js";

const symbols = ["AAPL", "MSFT", "NVDA", "KO", "SPY", "TSLA"] as const;

interface Book {
  readonly positions: ReadonlyMap<string, bigint>;
  readonly orders: readonly { readonly id: number; readonly symbol: string; readonly qty: bigint; readonly filled: bigint }[];
  readonly cash: bigint;
}

const bookArb: fc.Arbitrary<Book> = fc.record({
  positions: fc
    .dictionary(
      fc.constantFrom(...symbols),
      fc.bigInt({ min: -1_000n, max: 1_000n }).filter((q) => q !== 0n),
    )
    .map((d) => new Map(Object.entries(d))),
  orders: fc.uniqueArray(
    fc.record({
      id: fc.nat({ max: 10_000 }),
      symbol: fc.constantFrom(...symbols),
      qty: fc.bigInt({ min: 1n, max: 500n }),
      filled: fc.bigInt({ min: 0n, max: 0n }),
    }),
    { selector: (o) => o.id, maxLength: 20 },
  ),
  cash: fc.bigInt({ min: 0n, max: 10n ** 12n }),
});

function brokerSide(book: Book): BrokerSnapshot {
  const orders: BrokerOrder[] = book.orders.map((o) => ({
    brokerOrderId: asBrokerOrderId(`b-${String(o.id)}`),
    clientOrderId: `c-${String(o.id)}`,
    symbol: asTicker(o.symbol),
    side: "buy",
    type: "market",
    timeInForce: "day",
    status: "new",
    qtyShares: o.qty as Shares,
    filledQtyShares: o.filled as Shares,
    filledAvgPriceMicros: null,
    limitPriceMicros: null,
    stopPriceMicros: null,
    replacesBrokerOrderId: null,
    replacedByBrokerOrderId: null,
    updatedAtNs: 1n,
  }));
  return {
    broker: "sim",
    account: "acct",
    brokerTimeNs: 1n,
    cashMicros: book.cash as Micros,
    positions: [...book.positions].map(([symbol, qty]) => ({ symbol: asTicker(symbol), qtyShares: qty, avgEntryPriceMicros: 1_000_000n as Micros })),
    openOrders: orders,
  };
}

function localSide(book: Book): LocalState {
  const openOrders: LocalOrder[] = book.orders.map((o) => ({
    source: "orders",
    intentId: `i-${String(o.id)}`,
    clientOrderId: `c-${String(o.id)}`,
    brokerOrderId: `b-${String(o.id)}`,
    symbol: o.symbol,
    side: "buy",
    type: "market",
    timeInForce: "day",
    status: "new",
    outboxStatus: "ACKED",
    qtyShares: o.qty,
    filledQtyShares: o.filled,
    limitPriceMicros: null,
    stopPriceMicros: null,
  }));
  return {
    account: "acct",
    positions: [...book.positions].map(([symbol, qtyShares]) => ({ symbol, qtyShares, avgCostMicros: 1_000_000n })),
    openOrders,
    cashMicros: book.cash,
    inboxSeq: 5n,
  };
}

const options = { cashToleranceMicros: 0n };

describe("diffReconcile properties", () => {
  it("B1: a local state mirroring the broker is CLEAN, in any list order, with order-independent digests", () => {
    fc.assert(
      fc.property(bookArb, fc.boolean(), (book, reverse) => {
        const snapshot = brokerSide(book);
        const local = localSide(book);
        const shuffled: BrokerSnapshot = reverse
          ? { ...snapshot, positions: [...snapshot.positions].reverse(), openOrders: [...snapshot.openOrders].reverse() }
          : snapshot;
        expect(diffReconcile(shuffled, local, options)).toEqual({ result: "CLEAN", entries: [] });
        expect(snapshotDigest(shuffled)).toBe(snapshotDigest(snapshot));
        expect(localStateDigest({ ...local, openOrders: [...local.openOrders].reverse() })).toBe(localStateDigest(local));
      }),
    );
  });

  it("B1: changing one symbol's local quantity gives exactly one quantity mismatch for that symbol", () => {
    fc.assert(
      fc.property(bookArb, fc.constantFrom(...symbols), fc.bigInt({ min: 1n, max: 50n }), (book, symbol, delta) => {
        const local = localSide(book);
        const current = book.positions.get(symbol) ?? 0n;
        const others = local.positions.filter((p) => p.symbol !== symbol);
        const changed = current + delta;
        const positions = changed === 0n ? others : [...others, { symbol, qtyShares: changed, avgCostMicros: 1_000_000n }];
        const diff = diffReconcile(brokerSide(book), { ...local, positions }, options);
        expect(diff.result).toBe("DIRTY");
        expect(diff.entries).toEqual([expect.objectContaining({ kind: "position_qty_mismatch", symbol, localQtyShares: changed, brokerQtyShares: current })]);
      }),
    );
  });

  it("B1: dropping one order on either side gives exactly one entry naming it", () => {
    fc.assert(
      fc.property(
        bookArb.filter((b) => b.orders.length > 0),
        fc.nat(),
        fc.boolean(),
        (book, pick, fromBroker) => {
          const victim = book.orders[pick % book.orders.length];
          if (victim === undefined) return;
          const fewer: Book = { ...book, orders: book.orders.filter((o) => o.id !== victim.id) };
          const diff = fromBroker ? diffReconcile(brokerSide(fewer), localSide(book), options) : diffReconcile(brokerSide(book), localSide(fewer), options);
          expect(diff.entries).toHaveLength(1);
          expect(diff.entries[0]).toMatchObject(
            fromBroker
              ? { kind: "local_order_missing_at_broker", clientOrderId: `c-${String(victim.id)}` }
              : { kind: "broker_order_unknown", brokerOrderId: `b-${String(victim.id)}` },
          );
        },
      ),
    );
  });
});
