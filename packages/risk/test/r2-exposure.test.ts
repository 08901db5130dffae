/** R2 exposure limits through approve(), against a real Postgres. */
import type { Shares } from "@mqk/core";
import { describe, expect, it } from "vitest";
import { AAPL, fill, useSharedDesk, LIMITS, limit, market, MSFT, snapshot, usd, type Desk } from "./risk-harness.js";

const desk = useSharedDesk({ ...LIMITS, maxOrdersPerMinute: 10_000 });

const approve = (order: Parameters<Desk["engine"]["approve"]>[1], snap = snapshot()) => desk().engine.approve(desk().handle.db, order, snap);
const cheap = { AAPL: "1", MSFT: "1" };

describe("R2: exposure limits", () => {
  it("R2: max position — long 1500 + buy 600 = 2100 against 2000 is rejected with the post-trade quantity", async () => {
    const snap = snapshot({ fills: [fill(AAPL, "buy", 1_500n, "1")], prices: cheap });
    expect(await approve(market("buy", 600n), snap)).toEqual({
      ok: false,
      error: { kind: "max_position", limitShares: 2_000n, actualShares: 2_100n, positionShares: 1_500n },
    });
    expect((await approve(market("buy", 500n), snap)).ok).toBe(true);
  });

  it("R2: max position counts working orders and is absolute (shorts too)", async () => {
    const snap = snapshot({ fills: [fill(AAPL, "sell", 1_000n, "1")], prices: cheap, openOrders: [{ ticker: AAPL, side: "sell", qtyShares: 900n as Shares }] });
    expect(await approve(market("sell", 101n), snap)).toEqual({
      ok: false,
      error: { kind: "max_position", limitShares: 2_000n, actualShares: 2_001n, positionShares: -1_000n },
    });
  });

  it("R2: an order that only reduces an over-limit position passes (a lowered limit never traps the desk)", async () => {
    const snap = snapshot({ fills: [fill(AAPL, "buy", 2_500n, "1")], prices: cheap });
    expect((await approve(market("sell", 400n), snap)).ok).toBe(true);
  });

  it("R2: max gross exposure — 152000 held + 480 × 100 = 200000 passes; at 100.01 it is rejected with the post-trade gross", async () => {
    const snap = snapshot({ fills: [fill(MSFT, "buy", 760n, "200")], prices: { AAPL: "100", MSFT: "200" }, buyingPowerUsd: "1000000" });
    expect((await approve(market("buy", 480n), snap)).ok).toBe(true);
    expect(await approve(limit("buy", 480n, "100.01"), snap)).toEqual({
      ok: false,
      error: { kind: "max_gross_exposure", limitMicros: usd("200000"), actualMicros: usd("200004.8") },
    });
    // a short counts by its absolute value
    const short = snapshot({ fills: [fill(MSFT, "sell", 760n, "200")], prices: { AAPL: "100", MSFT: "200" }, buyingPowerUsd: "1000000" });
    expect(await approve(market("sell", 481n), short)).toEqual({
      ok: false,
      error: { kind: "max_gross_exposure", limitMicros: usd("200000"), actualMicros: usd("200100") },
    });
  });

  it("R2: gross exposure needs a trusted price for every held symbol (fail closed)", async () => {
    const snap = snapshot({ fills: [fill(MSFT, "buy", 1n, "200")], prices: { AAPL: "100" } });
    expect(await approve(market("buy", 1n), snap)).toEqual({ ok: false, error: { kind: "no_trusted_price", ticker: "MSFT" } });
  });

  it("R2: buying power — 300 × 100 = 30000 against 29999.99 is rejected with required and available", async () => {
    const snap = snapshot({ buyingPowerUsd: "29999.99" });
    expect(await approve(market("buy", 300n), snap)).toEqual({
      ok: false,
      error: { kind: "buying_power", limitMicros: usd("29999.99"), actualMicros: usd("30000") },
    });
  });

  it("R2: buying power covers only the opening part of a flip (long 100, sell 300 opens 200 short)", async () => {
    const snap = snapshot({ fills: [fill(AAPL, "buy", 100n, "100")], buyingPowerUsd: "19999" });
    expect(await approve(market("sell", 300n), snap)).toEqual({
      ok: false,
      error: { kind: "buying_power", limitMicros: usd("19999"), actualMicros: usd("20000") },
    });
    expect((await approve(market("sell", 300n), snapshot({ fills: [fill(AAPL, "buy", 100n, "100")], buyingPowerUsd: "20000" }))).ok).toBe(true);
    // the pure reduction needs no buying power at all
    expect((await approve(market("sell", 100n), snapshot({ fills: [fill(AAPL, "buy", 100n, "100")], buyingPowerUsd: "0" }))).ok).toBe(true);
  });
});
