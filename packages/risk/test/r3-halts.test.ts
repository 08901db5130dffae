/** R3: daily loss and order-rate throttle halt, stickily and persistently, and alert. */
import { createRiskEngine, RiskStateStore } from "@mqk/risk";
import { FakeClock, toMicros } from "@mqk/core";
import { describe, expect, it } from "vitest";
import { AAPL, fill, useDeskPerTest, LIMITS, market, reopen, snapshot, T0, usd } from "./risk-harness.js";

const DAY = 86_400_000;
const DAY0 = T0 - (T0 % DAY);
const desk = useDeskPerTest();

const long100 = [fill(AAPL, "buy", 100n, "100")];
const at = (price: string) => snapshot({ fills: long100, prices: { AAPL: price, MSFT: "200" } });

describe("R3: daily loss", () => {
  it("R3: a daily-loss breach halts and stays halted after restart", async () => {
    const d = await desk();
    // first mark of the day: long 100 at 100, PnL 0 → the baseline
    expect((await d.engine.approve(d.handle.db, market("buy", 1n), at("100"))).ok).toBe(true);
    // 100 × (100 − 89.99) = 1001 lost > 1000
    const breach = await d.engine.approve(d.handle.db, market("buy", 1n), at("89.99"));
    expect(breach).toMatchObject({
      ok: false,
      error: {
        kind: "daily_loss",
        limitMicros: usd("1000"),
        actualMicros: usd("1001"),
        dayStartMs: DAY0,
        halt: { kind: "risk_halt", reason: "daily_loss", atMs: T0, numbers: { limitMicros: usd("1000"), lossMicros: usd("1001"), dayStartMs: DAY0 } },
      },
    });
    expect(d.halts.map((h) => h.reason)).toEqual(["daily_loss"]);
    // sticky: the price comes back, the desk stays halted; even a reducing order is refused
    expect(await d.engine.approve(d.handle.db, market("sell", 10n), at("120"))).toMatchObject({ ok: false, error: { kind: "halted", sinceMs: T0 } });

    // restart: a new pool, a new store, a new engine, a new clock — nothing kept in memory
    const handle2 = await reopen(d.handle);
    try {
      const clock2 = new FakeClock(T0 + DAY); // even the next day
      const store2 = new RiskStateStore(handle2.db);
      const engine2 = createRiskEngine({ limits: LIMITS, store: store2, clock: clock2 });
      expect(await store2.readTradingState()).toMatchObject({ mode: "halted", cause: "daily_loss", actor: "risk", sinceMs: T0 });
      expect(await engine2.approve(handle2.db, market("sell", 10n), at("120"))).toMatchObject({ ok: false, error: { kind: "halted" } });

      // only an operator reset with a reason leaves halted
      expect(await store2.operatorReset({ to: "active", reason: " ", actor: "ops" }, clock2.nowMs())).toMatchObject({
        ok: false,
        error: { kind: "reason_required" },
      });
      expect(await store2.operatorReduce({ reason: "flatten", actor: "ops" }, clock2.nowMs())).toMatchObject({
        ok: false,
        error: { kind: "not_allowed", from: "halted" },
      });
      expect(await store2.readTradingState()).toMatchObject({ mode: "halted" });
      expect(await store2.operatorReset({ to: "active", reason: "loss reviewed with the PM", actor: "ops" }, clock2.nowMs())).toMatchObject({
        ok: true,
        value: { changed: true, state: { mode: "active", actor: "ops" } },
      });
      expect((await engine2.approve(handle2.db, market("sell", 10n), at("120"))).ok).toBe(true);
      expect((await store2.recentEvents()).map((e) => [e.event, e.from, e.to, e.actor])).toEqual([
        ["operator_reset", "halted", "active", "ops"],
        ["breach", "active", "halted", "risk"],
      ]);
    } finally {
      await handle2.close();
    }
  });

  it("R3: checkDailyLoss halts on a mark without any order and alerts once", async () => {
    const d = await desk();
    expect(await d.engine.checkDailyLoss(at("100"))).toMatchObject({ ok: true, value: { breached: false, lossMicros: 0n, halt: null } });
    d.clock.advance(60_000);
    const breach = await d.engine.checkDailyLoss(at("89"));
    expect(breach).toMatchObject({ ok: true, value: { breached: true, lossMicros: usd("1100"), limitMicros: usd("1000"), halt: { reason: "daily_loss" } } });
    expect(await d.engine.checkDailyLoss(at("88"))).toMatchObject({ ok: true, value: { breached: true, halt: null } });
    expect(d.halts).toHaveLength(1);
    expect(await d.store.readTradingState()).toMatchObject({ mode: "halted", cause: "daily_loss" });
  });

  it("R3: a loss exactly at the limit does not halt; one micro more does", async () => {
    const d = await desk();
    await d.engine.checkDailyLoss(at("100"));
    expect(await d.engine.checkDailyLoss(at("90"))).toMatchObject({ ok: true, value: { breached: false, lossMicros: usd("1000") } });
    expect(await d.engine.checkDailyLoss(at("89.99999"))).toMatchObject({ ok: true, value: { breached: true, lossMicros: usd("1000.001") } });
  });

  it("R3: the loss counts from the day's first mark; a new UTC day takes a new baseline", async () => {
    const d = await desk();
    await d.engine.checkDailyLoss(at("100"));
    expect(await d.engine.checkDailyLoss(at("91"))).toMatchObject({ ok: true, value: { breached: false, lossMicros: usd("900"), dayStartMs: DAY0 } });
    d.clock.advance(DAY);
    // day 2 starts at −900: a further 200 is a 200 loss today (1100 over two days)
    expect(await d.engine.checkDailyLoss(at("91"))).toMatchObject({
      ok: true,
      value: { lossMicros: 0n, baselinePnlMicros: toMicros("-900", { sign: "any" }), dayStartMs: DAY0 + DAY },
    });
    expect(await d.engine.checkDailyLoss(at("89"))).toMatchObject({ ok: true, value: { breached: false, lossMicros: usd("200") } });
  });

  it("R3: a halt is committed on its own: it survives the caller's rollback", async () => {
    const d = await desk();
    await d.engine.checkDailyLoss(at("100"));
    const rolledBack = new Error("caller rolls back");
    await expect(
      d.handle.db.transaction().execute(async (tx) => {
        expect(await d.engine.approve(tx, market("buy", 1n), at("80"))).toMatchObject({ ok: false, error: { kind: "daily_loss" } });
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    expect(await d.store.readTradingState()).toMatchObject({ mode: "halted", cause: "daily_loss" });
  });
});

describe("R3: order-rate throttle", () => {
  it("R3: the 6th approval inside a rolling minute (limit 5) halts with limit and actual", async () => {
    const d = await desk();
    for (let i = 0; i < 5; i++) {
      expect((await d.engine.approve(d.handle.db, market("buy", 1n), snapshot())).ok).toBe(true);
      d.clock.advance(10_000);
    }
    // a refused order is not an order sent: it does not count towards the throttle
    expect(await d.engine.approve(d.handle.db, market("buy", 5_000n), snapshot())).toMatchObject({ ok: false, error: { kind: "max_qty" } });
    const sixth = await d.engine.approve(d.handle.db, market("buy", 1n), snapshot());
    expect(sixth).toMatchObject({
      ok: false,
      error: {
        kind: "rate_limit",
        limitOrders: 5,
        actualOrders: 6,
        windowMs: 60_000,
        halt: { kind: "risk_halt", reason: "rate_limit", numbers: { limitOrders: 5, actualOrders: 6, windowMs: 60_000 } },
      },
    });
    expect(d.halts.map((h) => h.reason)).toEqual(["rate_limit"]);
    d.clock.advance(120_000);
    expect(await d.engine.approve(d.handle.db, market("buy", 1n), snapshot())).toMatchObject({
      ok: false,
      error: { kind: "halted", reason: expect.stringMatching(/order rate 6/) as string },
    });
    expect(await d.store.readTradingState()).toMatchObject({ mode: "halted", cause: "rate_limit" });
  });

  it("R3: the window is exact inside a second: (t − 60 s, t] counts an approval 0.9 s into a second, not one 0.1 s into it", async () => {
    const d = await desk({ ...LIMITS, maxOrdersPerMinute: 3 });
    const approve = async () => d.engine.approve(d.handle.db, market("buy", 1n), snapshot());
    d.clock.advance(100); // T0 + 0.1 s
    expect((await approve()).ok).toBe(true);
    d.clock.advance(800); // T0 + 0.9 s, the same second
    expect((await approve()).ok).toBe(true);
    d.clock.advance(29_100); // T0 + 30 s
    expect((await approve()).ok).toBe(true);
    // T0 + 60.5 s: the window (T0 + 0.5 s, T0 + 60.5 s] holds 0.9 s and 30 s — two of three
    d.clock.advance(30_500);
    expect((await approve()).ok).toBe(true);
    // T0 + 60.6 s: 0.9 s, 30 s and 60.5 s are inside — this is the fourth in the minute
    d.clock.advance(100);
    expect(await approve()).toMatchObject({ ok: false, error: { kind: "rate_limit", limitOrders: 3, actualOrders: 4, windowMs: 60_000 } });
    expect(await d.store.readTradingState()).toMatchObject({ mode: "halted", cause: "rate_limit" });
  });

  it("R3: the window rolls: approvals older than 60 s no longer count", async () => {
    const d = await desk();
    for (let i = 0; i < 5; i++) expect((await d.engine.approve(d.handle.db, market("buy", 1n), snapshot())).ok).toBe(true);
    d.clock.advance(60_000); // exactly 60 s later the first five are outside (t − 60 s, t]
    for (let i = 0; i < 5; i++) expect((await d.engine.approve(d.handle.db, market("buy", 1n), snapshot())).ok).toBe(true);
    expect(await d.store.readTradingState()).toMatchObject({ mode: "active" });
  });
});
