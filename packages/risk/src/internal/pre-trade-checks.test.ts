import { asStrategyId, asTicker, toMicros, type Micros, type Shares } from "@mqk/core";
import { applyFills, emptyPortfolio } from "@mqk/portfolio";
import { describe, expect, it } from "vitest";
import { normaliseLimits } from "./limits.js";
import type { OrderRequest } from "./order-request.js";
import { checkOrderLimits, orderExposure, pricingPrice } from "./pre-trade-checks.js";
import type { OpenOrderExposure, RiskSnapshot } from "./risk-snapshot.js";

const T = asTicker("AAPL");
const usd = (v: string): Micros => toMicros(v);
const limits = normaliseLimits({
  maxOrderQty: 100,
  maxOrderNotional: usd("10000"),
  priceCollarBps: 250,
  maxPositionQty: 100,
  maxGrossExposure: usd("100000"),
  dailyLossLimit: usd("1"),
  maxOrdersPerMinute: 1,
});
const req = (side: "buy" | "sell", qty: bigint, limitUsd?: string): OrderRequest =>
  limitUsd === undefined
    ? { strategyId: asStrategyId("s"), decisionKey: "k", ticker: T, side, qtyShares: qty as Shares, type: "market" }
    : { strategyId: asStrategyId("s"), decisionKey: "k", ticker: T, side, qtyShares: qty as Shares, type: "limit", limitPriceMicros: usd(limitUsd) };

function snap(positionQty: bigint, open: readonly OpenOrderExposure[] = []): RiskSnapshot {
  const fills =
    positionQty === 0n
      ? []
      : [
          {
            fillId: "f",
            ticker: T,
            side: positionQty > 0n ? ("buy" as const) : ("sell" as const),
            qtyShares: (positionQty < 0n ? -positionQty : positionQty) as Shares,
            priceMicros: usd("10"),
            feeMicros: 0n as Micros,
          },
        ];
  return {
    portfolio: applyFills(emptyPortfolio(usd("1000")), fills),
    trustedPricesMicros: new Map([[T, usd("10")]]),
    buyingPowerMicros: usd("1000"),
    openOrders: open,
  };
}

describe("orderExposure: reducing means towards zero, never through it", () => {
  it.each([
    // position, side, qty, before, after, reducing, opening, open orders
    [10n, "sell", 4n, 10n, 6n, true, 0n, []],
    [10n, "sell", 10n, 10n, 0n, true, 0n, []],
    [10n, "sell", 15n, 10n, -5n, false, 5n, []],
    [10n, "buy", 1n, 10n, 11n, false, 1n, []],
    [-8n, "buy", 8n, -8n, 0n, true, 0n, []],
    [-8n, "buy", 9n, -8n, 1n, false, 1n, []],
    [0n, "sell", 3n, 0n, -3n, false, 3n, []],
    // working sells already take the long to zero: another sell would open a short
    [10n, "sell", 5n, 0n, -5n, false, 5n, [{ ticker: T, side: "sell", qtyShares: 10n }]],
    // working buys do not help a sell's classification (they may never fill)
    [10n, "sell", 5n, 10n, 5n, true, 0n, [{ ticker: T, side: "buy", qtyShares: 50n }]],
    // working buys count against a buy
    [10n, "buy", 5n, 60n, 65n, false, 5n, [{ ticker: T, side: "buy", qtyShares: 50n }]],
  ] as const)("position %s, %s %s → before %s after %s reducing %s opening %s", (position, side, qty, before, after, reducing, opening, open) => {
    const e = orderExposure(req(side, qty), snap(position, open as readonly OpenOrderExposure[]));
    expect([e.beforeShares, e.afterShares, e.reducing, e.openingShares]).toEqual([before, after, reducing, opening]);
  });
});

describe("R1 checks (pure)", () => {
  it("R1: the collar band is inclusive and exact in integers (250 bps of 10.00 = [9.75, 10.25])", () => {
    const ref = usd("10");
    expect(checkOrderLimits(req("buy", 1n, "10.25"), ref, limits)).toBeUndefined();
    expect(checkOrderLimits(req("buy", 1n, "9.75"), ref, limits)).toBeUndefined();
    expect(checkOrderLimits(req("buy", 1n, "10.250001"), ref, limits)).toEqual({
      kind: "price_collar",
      limitBps: 250,
      actualBps: 251, // 250.001 rounded up: a breach never reads as the limit
      referencePriceMicros: ref,
      orderPriceMicros: usd("10.250001"),
      lowMicros: usd("9.75"),
      highMicros: usd("10.25"),
    });
    expect(checkOrderLimits(req("sell", 1n, "9.749999"), ref, limits)).toMatchObject({ kind: "price_collar", actualBps: 251 });
  });

  it("R1: a limit order is valued at max(limit, trusted) and a market order at the trusted price", () => {
    expect(pricingPrice(req("buy", 1n, "9.8"), usd("10"))).toBe(usd("10"));
    expect(pricingPrice(req("buy", 1n, "10.2"), usd("10"))).toBe(usd("10.2"));
    expect(pricingPrice(req("sell", 1n), usd("10"))).toBe(usd("10"));
    // at ref 100: 100 shares at market = 10000 (the limit, passes); a limit buy at 100.1 is 10010
    expect(checkOrderLimits(req("buy", 100n), usd("100"), limits)).toBeUndefined();
    expect(checkOrderLimits(req("buy", 100n, "100.1"), usd("100"), limits)).toEqual({
      kind: "max_notional",
      limitMicros: usd("10000"),
      actualMicros: usd("10010"),
      priceMicros: usd("100.1"),
    });
    // a sell limit below the reference is still valued at the reference
    expect(checkOrderLimits(req("sell", 100n, "99.9"), usd("100"), limits)).toBeUndefined();
  });

  it("R1: quantity is checked before notional, notional before the collar", () => {
    expect(checkOrderLimits(req("buy", 101n, "99"), usd("10"), limits)?.kind).toBe("max_qty");
    expect(checkOrderLimits(req("buy", 100n, "200"), usd("10"), limits)?.kind).toBe("max_notional");
    expect(checkOrderLimits(req("buy", 1n, "200"), usd("10"), limits)?.kind).toBe("price_collar");
  });
});
