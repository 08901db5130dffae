/**
 * parseTradeUpdate on hand-written messages (the shapes of API-BRIEF §1.10),
 * including the malformed ones a real server could send and the fake never does:
 * each is refused with a DeskError naming the field, which the stream turns
 * into onProblem.
 */
import { describe, expect, it } from "vitest";
import { parseTradeUpdate } from "./alpaca-trade-update.js";

const order = {
  id: "0f3c9b7e-1d2a-4c4e-9a51-3b8f2f1d7c10",
  client_order_id: "strat1-20250703-aapl-0001",
  updated_at: "2025-07-03T14:00:01.500000007Z",
  symbol: "AAPL",
  side: "buy",
  type: "trailing_stop",
  qty: "2",
  filled_qty: "1",
  status: "partially_filled",
};

const partial = {
  event: "partial_fill",
  execution_id: "7d1c2e4a-0b7f-4f0e-8a57-0c3a9f0e2b11",
  timestamp: "2025-07-03T10:00:01.500000001-04:00",
  price: "150.02",
  qty: "1",
  position_qty: "-3",
  order,
};

describe("parseTradeUpdate", () => {
  it("A5: a partial fill — ids, exact numbers and ns; an order shape we never place still parses", () => {
    expect(parseTradeUpdate(partial, "acct")).toEqual({
      brokerMessageId: "alpaca:fill:7d1c2e4a-0b7f-4f0e-8a57-0c3a9f0e2b11",
      account: "acct",
      kind: "partial_fill",
      source: "stream",
      clientOrderId: "strat1-20250703-aapl-0001",
      brokerOrderId: "0f3c9b7e-1d2a-4c4e-9a51-3b8f2f1d7c10",
      orderTerms: { symbol: "AAPL", side: "buy", qtyShares: 2n },
      fill: { executionId: "7d1c2e4a-0b7f-4f0e-8a57-0c3a9f0e2b11", qtyShares: 1n, priceMicros: 150_020_000n, feeMicros: 0n, cumulativeQtyShares: 1n },
      positionQtyShares: -3n,
      eventNs: 1_751_551_201_500_000_001n,
      reason: null,
      payload: partial,
    });
  });

  it("an event without timestamp takes order.updated_at, raw, for its id and eventNs; rejected keeps the reason", () => {
    const event = parseTradeUpdate({ event: "rejected", order: { ...order, reject_reason: "market closed" } }, "acct");
    expect(event).toMatchObject({
      brokerMessageId: "alpaca:rejected:0f3c9b7e-1d2a-4c4e-9a51-3b8f2f1d7c10:2025-07-03T14:00:01.500000007Z",
      eventNs: 1_751_551_201_500_000_007n,
      reason: "market closed",
      fill: null,
      positionQtyShares: null,
    });
  });

  it.each([
    ["an unknown event", { ...partial, event: "margin_call" }, "trade_updates.data.event: expected one of new, fill"],
    ["a fill without execution_id", { ...partial, execution_id: undefined }, "trade_updates.data.execution_id: expected a non-empty string"],
    ["a price that is not a number", { ...partial, price: "abc" }, "trade_updates.data.price: expected a decimal number"],
    ["a price as infinity", { ...partial, price: "Infinity" }, "trade_updates.data.price: expected a finite decimal number"],
    ["a fractional execution qty", { ...partial, qty: "0.5" }, "trade_updates.data.qty: expected a whole number of shares"],
    ["a zero execution qty", { ...partial, qty: "0" }, "trade_updates.data.qty"],
    ["a cumulative below the execution", { ...partial, qty: "2" }, "expected order.filled_qty ≥ this execution's qty"],
    ["a malformed timestamp", { ...partial, timestamp: "yesterday" }, "trade_updates.data.timestamp: expected an RFC 3339 timestamp"],
    ["no order", { ...partial, order: null }, "trade_updates.data.order: expected a JSON object"],
    ["an order without id", { ...partial, order: { ...order, id: "" } }, "trade_updates.data.order.id: expected a non-empty string"],
    ["not an object", "fill", "trade_updates.data: expected a JSON object"],
  ])("refuses %s", (_name, data, message) => {
    expect(() => parseTradeUpdate(data, "acct")).toThrow(message);
  });
});
