/**
 * R3 under load: approve(tx, …) must not take a second pool connection while the
 * caller's transaction is open, or callers that fill the pool wait on each other
 * forever. The first approvals of the day all meet an unstored day baseline, so
 * this also covers the baseline write.
 */
import { FakeClock } from "@mqk/core";
import { createTestDatabase, sql, type TestDatabase } from "@mqk/db";
import { afterEach, describe, expect, it } from "vitest";
import { deskOn, LIMITS, market, snapshot, T0 } from "./risk-harness.js";

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
  }, 60_000);
});
