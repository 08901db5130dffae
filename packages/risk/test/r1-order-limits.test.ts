/** R1 per-order limits through approve(), against a real Postgres. */
import { isApprovedOrder } from "@mqk/risk";
import { describe, expect, it } from "vitest";
import { useSharedDesk, LIMITS, limit, market, MSFT, snapshot, usd, type Desk } from "./risk-harness.js";

const desk = useSharedDesk({ ...LIMITS, maxOrdersPerMinute: 10_000 });

const approve = (order: Parameters<Desk["engine"]["approve"]>[1], snap = snapshot()) => desk().engine.approve(desk().handle.db, order, snap);

describe("R1: per-order limits", () => {
  it("R1: max quantity — 1001 shares against a limit of 1000 is rejected with both numbers", async () => {
    expect(await approve(market("buy", 1_001n, { ticker: MSFT }), snapshot({ prices: { MSFT: "1" } }))).toEqual({
      ok: false,
      error: { kind: "max_qty", limitShares: 1_000n, actualShares: 1_001n },
    });
    const atLimit = await approve(market("buy", 1_000n, { ticker: MSFT }), snapshot({ prices: { MSFT: "1" } }));
    expect(atLimit.ok && isApprovedOrder(atLimit.value)).toBe(true);
  });

  it("R1: max notional — 501 × 100 = 50100 against 50000 is rejected with limit, actual and price", async () => {
    expect(await approve(market("buy", 501n))).toEqual({
      ok: false,
      error: { kind: "max_notional", limitMicros: usd("50000"), actualMicros: usd("50100"), priceMicros: usd("100") },
    });
    expect((await approve(market("buy", 500n))).ok).toBe(true);
  });

  it("R1: price collar — a limit 5.01% above the trusted 100 is rejected with the band; the band's edges pass", async () => {
    expect(await approve(limit("buy", 1n, "105.01"))).toEqual({
      ok: false,
      error: {
        kind: "price_collar",
        limitBps: 500,
        actualBps: 501,
        referencePriceMicros: usd("100"),
        orderPriceMicros: usd("105.01"),
        lowMicros: usd("95"),
        highMicros: usd("105"),
      },
    });
    expect(await approve(limit("sell", 1n, "94.99"))).toMatchObject({ ok: false, error: { kind: "price_collar", actualBps: 501, lowMicros: usd("95") } });
    expect((await approve(limit("buy", 1n, "105"))).ok).toBe(true);
    expect((await approve(limit("buy", 1n, "95"))).ok).toBe(true);
  });

  it("R1: a market order is checked against the last trusted price; without one it is rejected (fail closed)", async () => {
    expect(await approve(market("buy", 1n), snapshot({ prices: { MSFT: "200" } }))).toEqual({ ok: false, error: { kind: "no_trusted_price", ticker: "AAPL" } });
    expect(await approve(limit("buy", 1n, "100"), snapshot({ prices: {} }))).toEqual({ ok: false, error: { kind: "no_trusted_price", ticker: "AAPL" } });
    const ok = await approve(market("buy", 2n), snapshot({ prices: { AAPL: "123.45" } }));
    expect(ok.ok && ok.value.referencePriceMicros).toBe(usd("123.45"));
  });

  it("a malformed request is a value, not an approval", async () => {
    expect(await approve(market("buy", 0n))).toMatchObject({
      ok: false,
      error: { kind: "invalid_order", problem: expect.stringMatching(/qtyShares/) as string },
    });
    expect(await approve(market("buy", 1n, { decisionKey: "" }))).toMatchObject({ ok: false, error: { kind: "invalid_order" } });
  });
});
