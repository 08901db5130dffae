/** R4: the same strategy decision cannot produce two orders — also across a restart and a race. */
import { asStrategyId } from "@mqk/core";
import { createRiskEngine, intentIdFor, RiskStateStore } from "@mqk/risk";
import { describe, expect, it } from "vitest";
import { useSharedDesk, LIMITS, market, reopen, snapshot, STRAT, T0 } from "./risk-harness.js";

const desk = useSharedDesk({ ...LIMITS, maxOrdersPerMinute: 10_000 });

describe("R4: duplicate intent", () => {
  it("R4: the same decision twice is rejected, naming the intent and the first approval's time", async () => {
    const first = await desk().engine.approve(desk().handle.db, market("buy", 5n, { decisionKey: "bar-1:entry" }), snapshot());
    expect(first.ok && first.value.intentId).toBe(intentIdFor(STRAT, "bar-1:entry"));
    desk().clock.advance(5_000);
    // a different size does not make it a different decision
    expect(await desk().engine.approve(desk().handle.db, market("buy", 7n, { decisionKey: "bar-1:entry" }), snapshot())).toEqual({
      ok: false,
      error: { kind: "duplicate_intent", intentId: intentIdFor(STRAT, "bar-1:entry"), strategyId: STRAT, decisionKey: "bar-1:entry", firstApprovedAtMs: T0 },
    });
  });

  it("R4: the same decision is rejected after a restart (persisted, not remembered)", async () => {
    expect((await desk().engine.approve(desk().handle.db, market("sell", 1n, { decisionKey: "bar-2:exit" }), snapshot())).ok).toBe(true);
    const handle2 = await reopen(desk().handle);
    try {
      const engine2 = createRiskEngine({ limits: { ...LIMITS, maxOrdersPerMinute: 10_000 }, store: new RiskStateStore(handle2.db), clock: desk().clock });
      expect(await engine2.approve(handle2.db, market("sell", 1n, { decisionKey: "bar-2:exit" }), snapshot())).toMatchObject({
        ok: false,
        error: { kind: "duplicate_intent", decisionKey: "bar-2:exit" },
      });
    } finally {
      await handle2.close();
    }
  });

  it("R4: the same key under another strategy is another decision; intent ids are deterministic", async () => {
    const other = asStrategyId("meanrev");
    expect(intentIdFor(STRAT, "bar-3")).toBe(intentIdFor(STRAT, "bar-3"));
    expect(intentIdFor(other, "bar-3")).not.toBe(intentIdFor(STRAT, "bar-3"));
    expect((await desk().engine.approve(desk().handle.db, market("buy", 1n, { decisionKey: "bar-3" }), snapshot())).ok).toBe(true);
    expect((await desk().engine.approve(desk().handle.db, market("buy", 1n, { decisionKey: "bar-3", strategyId: other }), snapshot())).ok).toBe(true);
  });

  it("R4: an approval rolled back with the caller's transaction leaves the decision free", async () => {
    const order = market("buy", 1n, { decisionKey: "bar-4" });
    const boom = new Error("outbox insert failed");
    await expect(
      desk()
        .handle.db.transaction()
        .execute(async (tx) => {
          expect((await desk().engine.approve(tx, order, snapshot())).ok).toBe(true);
          throw boom;
        }),
    ).rejects.toBe(boom);
    expect((await desk().engine.approve(desk().handle.db, order, snapshot())).ok).toBe(true);
  });

  it("R4: two transactions approving the same decision at once: exactly one approval", async () => {
    const order = market("buy", 1n, { decisionKey: "bar-5" });
    let approvedInFirst: () => void = () => undefined;
    const firstApproved = new Promise<void>((resolve) => {
      approvedInFirst = resolve;
    });
    let releaseFirst: () => void = () => undefined;
    const firstMayCommit = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    const first = desk()
      .handle.db.transaction()
      .execute(async (tx) => {
        const r = await desk().engine.approve(tx, order, snapshot());
        approvedInFirst();
        await firstMayCommit; // hold the uncommitted approval while the second one runs
        return r;
      });
    await firstApproved;
    const second = desk()
      .handle.db.transaction()
      .execute((tx) => desk().engine.approve(tx, order, snapshot()));
    setTimeout(releaseFirst, 100);
    const results = await Promise.all([first, second]);
    expect(results.map((r) => (r.ok ? "approved" : r.error.kind))).toEqual(["approved", "duplicate_intent"]);
  });
});
