/**
 * R3 under load: approve(tx, …) must not take a second pool connection while the
 * caller's transaction is open, or callers that fill the pool wait on each other
 * forever. The first approvals of the day all meet an unstored day baseline, so
 * this also covers the baseline write.
 */
import { FakeClock } from "@mqk/core";
import { createTestDatabase, sql, type TestDatabase } from "@mqk/db";
import { afterEach, describe, expect, it } from "vitest";
import { AAPL, deskOn, fill, LIMITS, market, snapshot, T0, usd } from "./risk-harness.js";

const open: TestDatabase[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

describe("R3: approvals share the caller's connection", () => {
  it("R3: 30 concurrent approvals on a pool of 5 neither deadlock nor exceed limits", async () => {
    const handle = await createTestDatabase({ max: 5 });
    open.push(handle);
    // room for all 30 in the rolling minute: every one should pass, none should halt
    const d = deskOn(handle, new FakeClock(T0), { ...LIMITS, maxOrdersPerMinute: 30 });
    const requests = Array.from({ length: 30 }, () => market("buy", 1n));

    const verdicts = await Promise.all(requests.map((request) => handle.db.transaction().execute((tx) => d.engine.approve(tx, request, snapshot()))));

    expect(verdicts.filter((v) => v.ok)).toHaveLength(30);
    expect(d.halts).toEqual([]);
    expect(await d.store.readTradingState()).toMatchObject({ mode: "active" });
    const stored = await sql<{ n: bigint }>`SELECT count(*) AS n FROM risk_approvals`.execute(handle.db);
    expect(stored.rows[0]?.n).toBe(30n);
    // the day's baseline was stored once, committed with the approvals
    const baseline = await sql<{ day_start_ms: bigint | null }>`SELECT day_start_ms FROM risk_state WHERE id`.execute(handle.db);
    expect(baseline.rows[0]?.day_start_ms).toBe(BigInt(T0 - (T0 % 86_400_000)));
    // the burst counted: one more inside the minute is the 31st and halts
    expect(await d.engine.approve(handle.db, market("buy", 1n), snapshot())).toMatchObject({
      ok: false,
      error: { kind: "rate_limit", limitOrders: 30, actualOrders: 31 },
    });
    expect(await d.store.readTradingState()).toMatchObject({ mode: "halted", cause: "rate_limit" });
  }, 60_000);

  it("R3: the day's first baseline is written in the caller's transaction: a rollback leaves the next mark as the first", async () => {
    const handle = await createTestDatabase({ max: 5 });
    open.push(handle);
    const d = deskOn(handle, new FakeClock(T0));
    const long100 = [fill(AAPL, "buy", 100n, "100")];
    const at = (price: string) => snapshot({ fills: long100, prices: { AAPL: price, MSFT: "200" } });
    const rolledBack = new Error("caller rolls back");
    await expect(
      handle.db.transaction().execute(async (tx) => {
        expect((await d.engine.approve(tx, market("buy", 1n), at("100"))).ok).toBe(true);
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    // no mark survived: at 95 this order is the day's first mark (loss 0), not a 500 loss
    expect((await d.engine.approve(handle.db, market("buy", 1n), at("95"))).ok).toBe(true);
    // and it was committed: 100 × (95 − 84.99) = 1001 lost since it → halt
    expect(await d.engine.approve(handle.db, market("buy", 1n), at("84.99"))).toMatchObject({
      ok: false,
      error: { kind: "daily_loss", actualMicros: usd("1001") },
    });
  });
});
