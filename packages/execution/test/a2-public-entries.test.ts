/**
 * A2: no caller can hand the gateway a verdict. With the desk DISARMED, every
 * public entry of @mqk/execution is called with real arguments against the
 * fake Alpaca server — and no order, replace or cancel reaches it. The export
 * list is pinned: a new entry must be added here, and so tried, to pass.
 */
import { asBrokerMessageId, asBrokerOrderId } from "@mqk/core";
import * as execution from "@mqk/execution";
import { startFakeAlpaca, type FakeAlpaca } from "@mqk/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approveAndEnqueue, marketRequest, snapshot, useDesk } from "./execution-harness.js";
import { ShiftedClock, writeReconcileRecord } from "./dispatch-harness.js";
import { openAlpaca } from "./alpaca-harness.js";

const ACCOUNT = "alpaca-paper";
const desk = useDesk();
let fake: FakeAlpaca;

beforeAll(async () => {
  fake = await startFakeAlpaca({ prices: { AAPL: "100" }, rateLimit: false });
});
afterAll(async () => {
  await fake.close();
});

const FUNCTIONS = [
  "applyBrokerEvent",
  "clientOrderIdFor",
  "createDispatcher",
  "enqueueApprovedOrder",
  "enqueueCancel",
  "enqueueReplace",
  "isListedTransition",
  "nextOrderState",
  "openBrokerSession",
  "orderIdsByBrokerOrderId",
  "orderIdsByClientOrderId",
  "orderIdsByIntentId",
  "recordBrokerOrderId",
  "setSimPrice",
  "simSettled",
  "startBrokerIngest",
];

describe("A2: every public entry, while disarmed", () => {
  it("A2: the public surface is exactly these functions (none takes a gate verdict)", () => {
    expect(Object.keys(execution).sort()).toEqual(FUNCTIONS);
  });

  it("A2: calling every public entry while disarmed sends nothing to the broker", async () => {
    const { db } = desk().handle;
    const clock = new ShiftedClock();
    // Everything but the arm is open: a fresh CLEAN reconcile, a beaten deadman, risk active.
    await writeReconcileRecord(db, ACCOUNT, "CLEAN", clock.nowMs());
    await db
      .updateTable("deadman")
      .set({ state: "CLEAR", deadline_at: new Date(clock.nowMs() + 600_000) })
      .execute();
    const state = await db.selectFrom("arm_state").select("state").executeTakeFirstOrThrow();
    expect(state.state).toBe("DISARMED");

    // The gateway's verbs.
    const first = await approveAndEnqueue(desk(), marketRequest("buy", 3n), ACCOUNT);
    const second = await approveAndEnqueue(desk(), marketRequest("buy", 1n), ACCOUNT);
    await db.transaction().execute(async (tx) => {
      const approved = await desk().engine.approve(tx, marketRequest("buy", 2n), snapshot());
      if (!approved.ok) throw new Error(approved.error.kind);
      const replaced = await execution.enqueueReplace(tx, first.approved.intentId, approved.value, { account: ACCOUNT });
      expect(replaced.ok).toBe(true);
    });
    await db.transaction().execute((tx) => execution.enqueueCancel(tx, second.approved.intentId));
    expect(execution.clientOrderIdFor(first.approved.intentId)).toBe(first.enqueued.clientOrderId);

    // The id map and the inbox: facts only.
    await db
      .transaction()
      .execute((tx) => execution.recordBrokerOrderId(tx, first.enqueued.clientOrderId, asBrokerOrderId("11111111-2222-4333-8444-555555555555")));
    expect(await execution.orderIdsByIntentId(db, first.approved.intentId)).toBeDefined();
    expect(await execution.orderIdsByClientOrderId(db, first.enqueued.clientOrderId)).toBeDefined();
    expect(await execution.orderIdsByBrokerOrderId(db, "11111111-2222-4333-8444-555555555555")).toBeDefined();
    const applied = await execution.applyBrokerEvent(db, {
      brokerMessageId: asBrokerMessageId("a2:new:1"),
      account: ACCOUNT,
      kind: "new",
      source: "stream",
      clientOrderId: first.enqueued.clientOrderId,
      brokerOrderId: null,
      fill: null,
      positionQtyShares: null,
      eventNs: null,
      payload: { event: "new" },
    });
    expect(applied.kind).toBe("applied");
    expect(execution.nextOrderState("none", "new", 0n, 1n).ok).toBe(true);
    expect(execution.isListedTransition("filled", "fill")).toBe(false);

    // The broker session: reads only.
    const session = openAlpaca(fake, clock, ACCOUNT);
    const snap = await session.snapshot();
    expect(snap.openOrders).toEqual([]);
    expect(() => execution.setSimPrice(session, first.approved.ticker, first.approved.referencePriceMicros)).toThrow(/expected a sim broker session/);
    await execution.simSettled(session);

    // The dispatcher and the ingest, in every mode they have.
    const dispatcher = execution.createDispatcher({ db, session, clock, reconcileFreshnessMs: 600_000, owner: "a2" });
    const round = await dispatcher.runOnce();
    expect(round.gatesOpen).toBe(false);
    await dispatcher.drain(5);
    dispatcher.start(5);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await dispatcher.stop();
    const ingest = await execution.startBrokerIngest({ db, session, clock });
    await ingest.backfill();
    await ingest.stop();
    await session.close();

    // Nothing reached the broker: no submission, and no write verb on any order path.
    expect(fake.submissions()).toEqual([]);
    expect(fake.orders()).toEqual([]);
    const writes = fake.requests().filter((r) => r.method !== "GET");
    expect(writes).toEqual([]);
    // The cancel passed the shut gates as it must, and found nothing sent to cancel: it withdrew its target.
    const cancelled = await db.selectFrom("outbox").select(["kind", "status"]).where("status", "=", "CANCELLED").orderBy("id").execute();
    expect(cancelled).toEqual([
      { kind: "SUBMIT", status: "CANCELLED" },
      { kind: "CANCEL", status: "CANCELLED" },
    ]);
  });
});
