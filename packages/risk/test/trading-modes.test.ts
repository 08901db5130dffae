/** The kill switch as a state: reducing lets only exposure-reducing orders through; halted nothing. */
import type { Shares } from "@mqk/core";
import { describe, expect, it } from "vitest";
import { AAPL, fill, useDeskPerTest, LIMITS, market, MSFT, snapshot, type Desk } from "./risk-harness.js";

const desk = useDeskPerTest();

const book = [fill(AAPL, "buy", 100n, "100"), fill(MSFT, "sell", 50n, "200")];

describe("trading modes", () => {
  it("R3: reducing lets only orders towards zero through, never through it", async () => {
    const d = await desk();
    expect(await d.store.operatorReduce({ reason: "flatten before the close", actor: "ops" }, d.clock.nowMs())).toMatchObject({
      ok: true,
      value: { changed: true },
    });
    const snap = snapshot({ fills: book });
    const approve = (o: Parameters<Desk["engine"]["approve"]>[1], s = snap) => d.engine.approve(d.handle.db, o, s);

    expect((await approve(market("sell", 40n))).ok).toBe(true); // long 100 → 60
    expect((await approve(market("sell", 100n))).ok).toBe(true); // long 100 → 0 (a close is reducing)
    expect((await approve(market("buy", 50n, { ticker: MSFT }))).ok).toBe(true); // short −50 → 0
    expect(await approve(market("buy", 1n))).toEqual({
      ok: false,
      error: { kind: "reducing_only", mode: "reducing", positionShares: 100n, postTradeShares: 101n },
    });
    expect(await approve(market("sell", 150n))).toEqual({
      ok: false,
      error: { kind: "reducing_only", mode: "reducing", positionShares: 100n, postTradeShares: -50n },
    });
    expect(await approve(market("sell", 1n, { ticker: MSFT }))).toMatchObject({
      ok: false,
      error: { kind: "reducing_only", positionShares: -50n, postTradeShares: -51n },
    });
    // working sells already cover 80 of the 100: selling 30 more would go short
    const working = snapshot({ fills: book, openOrders: [{ ticker: AAPL, side: "sell", qtyShares: 80n as Shares }] });
    expect(await approve(market("sell", 30n), working)).toMatchObject({ ok: false, error: { kind: "reducing_only", postTradeShares: -10n } });
    expect((await approve(market("sell", 20n), working)).ok).toBe(true);
  });

  it("R3: while reducing, a daily-loss breach does not halt: the orders that cut the loss still pass", async () => {
    const d = await desk();
    await d.engine.checkDailyLoss(snapshot({ fills: book })); // baseline at 100 / 200
    await d.store.operatorReduce({ reason: "cut risk", actor: "ops" }, d.clock.nowMs());
    const crash = snapshot({ fills: book, prices: { AAPL: "50", MSFT: "200" } }); // −5000
    expect(await d.engine.checkDailyLoss(crash)).toMatchObject({ ok: true, value: { breached: true, halt: null } });
    expect((await d.engine.approve(d.handle.db, market("sell", 100n), crash)).ok).toBe(true);
    expect(await d.store.readTradingState()).toMatchObject({ mode: "reducing" });
  });

  it("R3: halted passes nothing, not even a reducing order; an operator halt needs a reason too", async () => {
    const d = await desk();
    expect(await d.store.operatorHalt({ reason: "", actor: "ops" }, d.clock.nowMs())).toMatchObject({ ok: false, error: { kind: "reason_required" } });
    expect(await d.store.operatorHalt({ reason: "broker incident", actor: "ops" }, d.clock.nowMs())).toMatchObject({
      ok: true,
      value: { state: { mode: "halted", cause: "operator" } },
    });
    expect(await d.engine.approve(d.handle.db, market("sell", 1n), snapshot({ fills: book }))).toEqual({
      ok: false,
      error: { kind: "halted", reason: "broker incident", sinceMs: d.clock.nowMs() },
    });
    // reset to reducing: the reducing order now passes, a new position does not
    expect((await d.store.operatorReset({ to: "reducing", reason: "incident over, flatten", actor: "ops" }, d.clock.nowMs())).ok).toBe(true);
    expect((await d.engine.approve(d.handle.db, market("sell", 1n), snapshot({ fills: book }))).ok).toBe(true);
    expect(await d.engine.approve(d.handle.db, market("buy", 1n), snapshot({ fills: book }))).toMatchObject({ ok: false, error: { kind: "reducing_only" } });
  });

  it("R3: a rate-limit breach halts even while reducing (a runaway loop is a runaway loop)", async () => {
    const d = await desk({ ...LIMITS, maxOrdersPerMinute: 2 });
    await d.store.operatorReduce({ reason: "wind down", actor: "ops" }, d.clock.nowMs());
    const snap = snapshot({ fills: book });
    expect((await d.engine.approve(d.handle.db, market("sell", 1n), snap)).ok).toBe(true);
    expect((await d.engine.approve(d.handle.db, market("sell", 1n), snap)).ok).toBe(true);
    expect(await d.engine.approve(d.handle.db, market("sell", 1n), snap)).toMatchObject({
      ok: false,
      error: { kind: "rate_limit", limitOrders: 2, actualOrders: 3 },
    });
    expect(await d.store.readTradingState()).toMatchObject({ mode: "halted", cause: "rate_limit" });
  });
});
