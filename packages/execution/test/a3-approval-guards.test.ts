/**
 * What an approval is worth at the broker's door, end to end on the sim broker:
 *  - an ApprovedOrder whose approval rolled back is refused by the gateway (it
 *    approved nothing, and the rate throttle never counted it);
 *  - an order queued longer ago than the dispatcher's approval bound (the gates
 *    were shut, the desk was down) is never sent — and an earlier send that may
 *    have arrived is looked up, adopted when found, never sent again.
 */
import { InvariantError, toMicros } from "@mqk/core";
import { createDispatcher, enqueueApprovedOrder, enqueueReplace, type BrokerSession } from "@mqk/execution";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ACCOUNT, approveAndEnqueue, marketRequest, snapshot, useDesk } from "./execution-harness.js";
import { ShiftedClock, clearOrderTables, disarmDesk, openGates, openSim, outboxStatuses } from "./dispatch-harness.js";

const desk = useDesk();
let clock: ShiftedClock;
let session: BrokerSession;

beforeEach(async () => {
  const { db } = desk().handle;
  await clearOrderTables(db);
  clock = new ShiftedClock();
  session = openSim(clock, { account: ACCOUNT, sim: { startingCashMicros: toMicros("10000000") } });
  await openGates(db, clock, ACCOUNT);
});

afterEach(async () => {
  await session.close();
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function brokerOrders(): Promise<number> {
  return (await session.snapshot()).openOrders.length;
}

describe("the gateway accepts only an approval it can see", () => {
  it("A1/R3: an ApprovedOrder whose approval rolled back is refused (InvariantError) and nothing is written", async () => {
    const { db } = desk().handle;
    const rolledBack = new Error("the caller rolled back after approve");
    let kept: Parameters<typeof enqueueApprovedOrder>[1] | undefined;
    await expect(
      db.transaction().execute(async (tx) => {
        const verdict = await desk().engine.approve(tx, marketRequest("buy", 2n), snapshot());
        if (!verdict.ok) throw new Error(verdict.error.kind);
        kept = verdict.value;
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    if (kept === undefined) throw new Error("approve did not run");
    const approved = kept;
    await expect(db.transaction().execute((tx) => enqueueApprovedOrder(tx, approved, { account: ACCOUNT }))).rejects.toThrow(InvariantError);
    await expect(db.transaction().execute((tx) => enqueueApprovedOrder(tx, approved, { account: ACCOUNT }))).rejects.toThrow(
      /no approval recorded in risk_approvals[\s\S]*approve and enqueue in one transaction/,
    );
    expect(await db.selectFrom("outbox").select("id").execute()).toEqual([]);
    expect(await db.selectFrom("order_map").select("intent_id").execute()).toEqual([]);
    // Control: the same decision approved and enqueued in one transaction goes in.
    const { enqueued } = await approveAndEnqueue(desk(), marketRequest("buy", 2n));
    expect(enqueued.created).toBe(true);
  });

  it("A1: a replacement whose approval rolled back is refused the same way", async () => {
    const { db } = desk().handle;
    const { approved: target } = await approveAndEnqueue(desk(), marketRequest("buy", 2n));
    let kept: Parameters<typeof enqueueReplace>[2] | undefined;
    await db
      .transaction()
      .execute(async (tx) => {
        const verdict = await desk().engine.approve(tx, { ...marketRequest("buy", 3n), decisionKey: "replacement" }, snapshot());
        if (!verdict.ok) throw new Error(verdict.error.kind);
        kept = verdict.value;
        throw new Error("rolled back");
      })
      .catch(() => undefined);
    if (kept === undefined) throw new Error("approve did not run");
    const approved = kept;
    await expect(db.transaction().execute((tx) => enqueueReplace(tx, target.intentId, approved, { account: ACCOUNT }))).rejects.toThrow(InvariantError);
    expect(await outboxStatuses(db)).toEqual({ PENDING: 1 });
  });
});

describe("A3: the approval bound", () => {
  it("A3/E2: queued before a disarm, older than the bound when the gates reopen → REJECTED, never sent", async () => {
    const { db } = desk().handle;
    await disarmDesk(db, clock);
    const { enqueued } = await approveAndEnqueue(desk(), marketRequest("buy", 3n));
    const dispatcher = createDispatcher({ db, session, clock, reconcileFreshnessMs: 120_000, owner: "expiry", maxApprovalAgeMs: 200 });
    expect((await dispatcher.runOnce()).claimed).toBe(0);
    await sleep(350);
    await openGates(db, clock, ACCOUNT);
    const round = await dispatcher.runOnce();
    expect(round.results).toEqual([expect.objectContaining({ kind: "rejected" })]);
    expect(String((round.results[0] as { reason: string }).reason)).toMatch(/^approval expired: queued at .*200 ms.*never sent$/);
    expect(await brokerOrders()).toBe(0);
    const row = await db.selectFrom("outbox").select(["status", "reject_reason", "attempts"]).where("id", "=", enqueued.outboxId).executeTakeFirstOrThrow();
    expect(row.status).toBe("REJECTED");
    expect(row.reject_reason).toMatch(/approval expired/);
    // Nothing is left to claim: the decision is over; the strategy decides again.
    expect((await dispatcher.runOnce()).claimed).toBe(0);
  });

  it("A3: within the bound the same order is sent (control)", async () => {
    const { db } = desk().handle;
    await disarmDesk(db, clock);
    await approveAndEnqueue(desk(), marketRequest("buy", 3n));
    const dispatcher = createDispatcher({ db, session, clock, reconcileFreshnessMs: 120_000, owner: "in-time", maxApprovalAgeMs: 60_000 });
    await sleep(350);
    await openGates(db, clock, ACCOUNT);
    expect((await dispatcher.runOnce()).results).toEqual([expect.objectContaining({ kind: "sent", adopted: false })]);
    expect(await brokerOrders()).toBe(1);
  });

  it("A3: an AMBIGUOUS order past the bound is looked up — adopted when the broker has it, FAILED (never resent) when not", async () => {
    const { db } = desk().handle;
    const sender = createDispatcher({ db, session, clock, reconcileFreshnessMs: 120_000, owner: "sender" });
    const arrived = await approveAndEnqueue(desk(), marketRequest("buy", 4n)); // no sim price: it rests at the broker
    expect((await sender.runOnce()).results).toEqual([expect.objectContaining({ kind: "sent" })]);
    const lost = await approveAndEnqueue(desk(), marketRequest("buy", 5n));
    // Both answers "lost": the rows are AMBIGUOUS; only the first reached the broker.
    await db
      .updateTable("outbox")
      .set({ status: "AMBIGUOUS", attempts: 1, sent_at: null, next_attempt_at: new Date(clock.nowMs() - 1) })
      .where("id", "in", [arrived.enqueued.outboxId, lost.enqueued.outboxId])
      .execute();
    await sleep(350);
    const resolver = createDispatcher({ db, session, clock, reconcileFreshnessMs: 120_000, owner: "resolver", maxApprovalAgeMs: 200 });
    const round = await resolver.runOnce();
    const byId = new Map(round.results.map((r) => [r.outboxId, r]));
    expect(byId.get(arrived.enqueued.outboxId)).toMatchObject({ kind: "sent", adopted: true });
    expect(byId.get(lost.enqueued.outboxId)).toMatchObject({ kind: "rejected" });
    expect(String((byId.get(lost.enqueued.outboxId) as { reason: string }).reason)).toMatch(/approval expired.*not sent again/);
    expect(await brokerOrders()).toBe(1);
    const statuses = await db.selectFrom("outbox").select(["id", "status"]).orderBy("id").execute();
    expect(statuses.map((r) => r.status)).toEqual(["SENT", "FAILED"]);
    expect((await resolver.runOnce()).claimed).toBe(0);
  });

  it("A3: the bound must be a positive integer of milliseconds", () => {
    const { db } = desk().handle;
    expect(() => createDispatcher({ db, session, clock, reconcileFreshnessMs: 120_000, maxApprovalAgeMs: 0 })).toThrow(/maxApprovalAgeMs/);
  });
});
