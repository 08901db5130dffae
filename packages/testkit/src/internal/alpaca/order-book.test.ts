import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { FakeClock } from "@mqk/core";
import { OrderBook, type AutoBehaviour } from "./order-book.js";
import type { OrderRequest } from "./order-request.js";
import type { TradeUpdate } from "./trade-update.js";
import { IdSource, Stamper } from "./wire-format.js";

function book(auto: Partial<AutoBehaviour> = {}, shortingEnabled = true): { book: OrderBook; events: TradeUpdate[] } {
  const events: TradeUpdate[] = [];
  const b = new OrderBook(
    {
      ids: new IdSource("unit"),
      stamper: new Stamper(new FakeClock(Date.parse("2025-07-03T14:00:00Z"))),
      startingCash: 1_000_000_000_000n,
      buyingPowerMultiplier: 4n,
      shortingEnabled,
      tradableSymbols: null,
      auto: { accept: true, fill: true, partialFillChunks: 1, cancel: true, ...auto },
    },
    (u) => events.push(u),
  );
  return { book: b, events };
}

const request = (symbol: string, side: "buy" | "sell", qty: bigint, clientOrderId: string | null, limitPrice: bigint | null = null): OrderRequest => ({
  symbol,
  qty,
  side,
  type: limitPrice === null ? "market" : "limit",
  timeInForce: "day",
  limitPrice,
  stopPrice: null,
  trailPrice: null,
  trailPercent: null,
  extendedHours: false,
  clientOrderId,
  orderClass: "",
});

type Op =
  | {
      readonly op: "submit";
      readonly symbol: string;
      readonly side: "buy" | "sell";
      readonly qty: number;
      readonly coid: string;
      readonly limit: number | null;
    }
  | { readonly op: "price"; readonly symbol: string; readonly price: number }
  | { readonly op: "fill"; readonly pick: number; readonly qty: number }
  | { readonly op: "cancel"; readonly pick: number };

const symbolArb = fc.constantFrom("AAPL", "MSFT");
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant("submit" as const),
    symbol: symbolArb,
    side: fc.constantFrom("buy" as const, "sell" as const),
    qty: fc.integer({ min: 1, max: 50 }),
    coid: fc.constantFrom("a", "b", "c", "d", "e", "f"),
    limit: fc.option(fc.integer({ min: 90, max: 110 }), { nil: null }),
  }),
  fc.record({ op: fc.constant("price" as const), symbol: symbolArb, price: fc.integer({ min: 90, max: 110 }) }),
  fc.record({ op: fc.constant("fill" as const), pick: fc.nat(), qty: fc.integer({ min: 1, max: 50 }) }),
  fc.record({ op: fc.constant("cancel" as const), pick: fc.nat() }),
);

describe("OrderBook", () => {
  it("keeps its books straight under any sequence of submits, prices, fills and cancels", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), fc.integer({ min: 1, max: 3 }), (ops, chunks) => {
        const { book: b, events } = book({ partialFillChunks: chunks });
        for (const o of ops) {
          if (o.op === "submit") b.submit(request(o.symbol, o.side, BigInt(o.qty), o.coid, o.limit === null ? null : BigInt(o.limit) * 1_000_000n));
          else if (o.op === "price") b.setPrice(o.symbol, BigInt(o.price) * 1_000_000n);
          else {
            const open = b.list().filter((x) => !["filled", "canceled", "expired", "replaced", "rejected"].includes(x.status));
            const target = open[o.pick % Math.max(1, open.length)];
            if (!target) continue;
            if (o.op === "cancel") b.requestCancel(target.id);
            else b.fillOrder(target.id, BigInt(Math.min(o.qty, Number(target.qty - target.filledQty))), 100_000_000n);
          }
        }
        const orders = b.list();
        // One order per client_order_id, ever.
        expect(new Set(orders.map((x) => x.clientOrderId)).size).toBe(orders.length);
        // Cash and positions equal the sum of the executions.
        let cash = 1_000_000_000_000n;
        const qty = new Map<string, bigint>();
        for (const x of orders) {
          const sign = x.side === "buy" ? 1n : -1n;
          cash -= sign * x.filledNotional;
          qty.set(x.symbol, (qty.get(x.symbol) ?? 0n) + sign * x.filledQty);
          expect(x.filledQty <= x.qty).toBe(true);
        }
        expect(b.ledger.cash).toBe(cash);
        for (const symbol of ["AAPL", "MSFT"]) expect(b.ledger.qty(symbol)).toBe(qty.get(symbol) ?? 0n);
        // Each execution is one fill/partial_fill event with its own execution id; events are numbered 1..n.
        const executions = events.filter((e) => e.executionId !== null);
        expect(new Set(executions.map((e) => e.executionId)).size).toBe(executions.length);
        expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
        // After a terminal event, an order has no further event.
        const terminal = new Set(["fill", "canceled", "expired", "replaced", "rejected"]);
        const finished = new Set<string>();
        for (const e of events) {
          expect(finished.has(e.orderId)).toBe(false);
          if (terminal.has(e.event)) finished.add(e.orderId);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("a refused request leaves the book as it was", () => {
    const { book: b, events } = book({}, false);
    b.setPrice("AAPL", 100_000_000n);
    const refused = b.submit(request("AAPL", "sell", 1n, "s"));
    expect(refused.ok).toBe(false);
    expect(b.list()).toEqual([]);
    expect(events).toEqual([]);
    expect(b.submit(request("AAPL", "sell", 1n, "s")).ok).toBe(false);
  });

  it("test controls refuse what the broker could not do, with the reason", () => {
    const { book: b } = book({ fill: false });
    expect(() => b.fillOrder("nope")).toThrow(/expected the id or client_order_id/);
    b.submit(request("AAPL", "buy", 2n, "x"));
    expect(() => b.fillOrder("x")).toThrow(/no price for AAPL/);
    expect(() => b.fillOrder("x", 3n, 1n)).toThrow(/1\.\.2/);
    expect(() => b.acceptOrder("x")).toThrow(/accepted or pending_new/);
    b.cancelFromBroker("x");
    expect(() => b.rejectOrder("x")).toThrow(/open order/);
  });
});
