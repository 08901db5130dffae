/**
 * The kill switch must never be left holding a dead cancel, end to end on the sim:
 *  - one live cancel per order: asking again returns it while it is queued, in
 *    flight or done, also when two ask at once;
 *  - after a cancel ended without effect (REJECTED by the broker, or FAILED),
 *    asking again queues the next one, which reaches the broker;
 *  - a cancel of an order whose outbox row is FAILED asks the broker first: a
 *    live order under its client_order_id is cancelled, none means nothing to do.
 */
import { toMicros } from "@mqk/core";
import { createDispatcher, enqueueCancel, type BrokerSession, type Dispatcher } from "@mqk/execution";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ACCOUNT, approveAndEnqueue, marketRequest, useDesk } from "./execution-harness.js";
import { ShiftedClock, clearOrderTables, openGates, openSim } from "./dispatch-harness.js";

const desk = useDesk();
let clock: ShiftedClock;
let session: BrokerSession;
let dispatcher: Dispatcher;

beforeEach(async () => {
  const { db } = desk().handle;
  await clearOrderTables(db);
  clock = new ShiftedClock();
  // No sim price: market orders rest at the broker, open, until cancelled.
  session = openSim(clock, { account: ACCOUNT, sim: { startingCashMicros: toMicros("10000000") } });
  dispatcher = createDispatcher({ db, session, clock, reconcileFreshnessMs: 120_000, owner: "cancel-again" });
  await openGates(db, clock, ACCOUNT);
});

afterEach(async () => {
  await session.close();
});

async function openAtBroker(): Promise<readonly string[]> {
  return (await session.snapshot()).openOrders.map((o) => o.brokerOrderId);
}

async function cancel(intentId: Parameters<typeof enqueueCancel>[1]) {
  const result = await desk()
    .handle.db.transaction()
    .execute((tx) => enqueueCancel(tx, intentId));
  if (!result.ok) throw new Error(`enqueueCancel refused: ${result.error.kind}`);
  return result.value;
}

describe("A4: cancelling again", () => {
  it("A4: one live cancel per order — asking again (also twice at once) returns it while it is queued or done", async () => {
    const { db } = desk().handle;
    const { approved } = await approveAndEnqueue(desk(), marketRequest("buy", 2n));
    await dispatcher.runOnce();
    const first = await cancel(approved.intentId);
    expect(first.created).toBe(true);
    const both = await Promise.all([cancel(approved.intentId), cancel(approved.intentId)]);
    expect(both.map((c) => [c.outboxId, c.created])).toEqual([
      [first.outboxId, false],
      [first.outboxId, false],
    ]);
    expect((await dispatcher.runOnce()).results).toEqual([expect.objectContaining({ kind: "cancel_requested" })]);
    expect(await cancel(approved.intentId)).toMatchObject({ outboxId: first.outboxId, created: false });
    expect(await db.selectFrom("outbox").select("id").where("kind", "=", "CANCEL").execute()).toHaveLength(1);
  });

  it("A4: after a cancel ended REJECTED (or FAILED), asking again queues the next one, which reaches the broker", async () => {
    const { db } = desk().handle;
    const { approved } = await approveAndEnqueue(desk(), marketRequest("buy", 2n));
    await dispatcher.runOnce();
    const brokerId = (await db.selectFrom("order_map").select("broker_order_id").where("intent_id", "=", approved.intentId).executeTakeFirstOrThrow())
      .broker_order_id;
    expect(await openAtBroker()).toEqual([brokerId]);
    const first = await cancel(approved.intentId);
    // The broker refused that cancel (say the order was pending a replace then).
    await db
      .updateTable("outbox")
      .set({ status: "REJECTED", reject_reason: "422 order is not cancelable (status: pending_replace)" })
      .where("id", "=", first.outboxId)
      .execute();
    const [second, raced] = await Promise.all([cancel(approved.intentId), cancel(approved.intentId)]);
    expect(second?.outboxId).toBe(raced?.outboxId);
    expect([second?.created, raced?.created].sort()).toEqual([false, true]);
    expect(second?.cancelIntentId).not.toBe(first.cancelIntentId);
    expect(second?.targetClientOrderId).toBe(first.targetClientOrderId);
    expect((await dispatcher.runOnce()).results).toEqual([expect.objectContaining({ kind: "cancel_requested", brokerOrderId: brokerId })]);
    expect(await openAtBroker()).toEqual([]);
    // A FAILED cancel makes way the same way.
    await db
      .updateTable("outbox")
      .set({ status: "FAILED", last_error: "given up" })
      .where("id", "=", second?.outboxId ?? 0n)
      .execute();
    const third = await cancel(approved.intentId);
    expect(third.created).toBe(true);
    expect(new Set([first.cancelIntentId, second?.cancelIntentId, third.cancelIntentId]).size).toBe(3);
  });

  it("A4: a cancel of a FAILED order asks the broker: a live order under its client_order_id is cancelled, none means nothing to do", async () => {
    const { db } = desk().handle;
    // 1. Sent and live at the broker, then FAILED and not in the id map (an order we would not adopt).
    const { approved: live } = await approveAndEnqueue(desk(), marketRequest("buy", 3n));
    await dispatcher.runOnce();
    const liveIds = await openAtBroker();
    expect(liveIds).toHaveLength(1);
    await db.updateTable("outbox").set({ status: "FAILED", last_error: "not adopted" }).where("intent_id", "=", live.intentId).execute();
    await db.updateTable("order_map").set({ broker_order_id: null, broker_order_id_at: null }).where("intent_id", "=", live.intentId).execute();
    // 2. FAILED and never at the broker.
    const { approved: never } = await approveAndEnqueue(desk(), marketRequest("buy", 4n));
    await db.updateTable("outbox").set({ status: "FAILED", last_error: "given up before sending" }).where("intent_id", "=", never.intentId).execute();

    await cancel(live.intentId);
    await cancel(never.intentId);
    const round = await dispatcher.runOnce();
    expect(round.results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "cancel_requested", brokerOrderId: liveIds[0] }),
        expect.objectContaining({ kind: "withdrawn" }),
      ]),
    );
    const withdrawn = round.results.find((r) => r.kind === "withdrawn");
    expect(withdrawn?.kind === "withdrawn" ? withdrawn.reason : "").toMatch(/FAILED and the broker has no order under its client_order_id/);
    expect(await openAtBroker()).toEqual([]);
    // The order we did not adopt stays out of the id map.
    const map = await db.selectFrom("order_map").select("broker_order_id").where("intent_id", "=", live.intentId).executeTakeFirstOrThrow();
    expect(map.broker_order_id).toBeNull();
  });
});
