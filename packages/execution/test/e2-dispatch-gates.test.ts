/**
 * E2, A2, B3 (gate side): the dispatcher reads every gate itself, inside its
 * claim transaction, and claims nothing for the broker while one is shut —
 * except cancels. Real Postgres, the real risk engine, the sim broker through
 * the public factory, integrity's real arm/disarm/deadman.
 */
import { toMicros } from "@mqk/core";
import { nyseCalendar } from "@mqk/md";
import { RiskStateStore } from "@mqk/risk";
import { checkDeadman, enforceFeedFreshness } from "@mqk/integrity";
import { createDispatcher, enqueueCancel, setSimPrice, simSettled, startBrokerIngest, type BrokerSession, type Dispatcher } from "@mqk/execution";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AAPL, ACCOUNT, approveAndEnqueue, marketRequest, useDesk } from "./execution-harness.js";
import { ShiftedClock, disarmDesk, openGates, openSim, outboxStatuses, writeReconcileRecord, clearOrderTables } from "./dispatch-harness.js";

const desk = useDesk();
let clock: ShiftedClock;
let session: BrokerSession;
let dispatcher: Dispatcher;

beforeEach(async () => {
  const { db } = desk().handle;
  // Each test starts from an empty outbox and a disarmed desk with a beaten deadman.
  await clearOrderTables(db);
  clock = new ShiftedClock();
  session = openSim(clock, { account: ACCOUNT });
  dispatcher = createDispatcher({ db, session, clock, reconcileFreshnessMs: 120_000, owner: "d1", backoffBaseMs: 1 });
  await disarmDesk(db, clock);
  await db.updateTable("deadman").set({ state: "CLEAR", tripped_at: null, reason: null }).execute();
  await db.updateTable("risk_state").set({ state: "active", halted_at: null }).execute();
});

afterEach(async () => {
  await dispatcher.stop();
  await session.close();
});

async function brokerOrders(): Promise<number> {
  return (
    (await session.snapshot()).openOrders.length +
    (await desk().handle.db.selectFrom("order_map").select("broker_order_id").where("broker_order_id", "is not", null).execute()).length
  );
}

describe("E2: the dispatcher's gates", () => {
  it("E2: disarmed with PENDING rows → nothing is claimed and nothing reaches the broker; arming lets them through", async () => {
    const { db } = desk().handle;
    for (let i = 0; i < 3; i += 1) await approveAndEnqueue(desk(), marketRequest("buy", 1n));
    const shut = await dispatcher.runOnce();
    expect(shut.claimed).toBe(0);
    expect(shut.gatesOpen).toBe(false);
    expect(shut.blockedBy.join("\n")).toMatch(/disarmed \(OPERATOR_DISARM\)/);
    expect(await outboxStatuses(db)).toEqual({ PENDING: 3 });
    expect((await session.snapshot()).openOrders).toHaveLength(0);

    await openGates(db, clock, ACCOUNT);
    const open = await dispatcher.runOnce();
    expect(open.claimed).toBe(3);
    expect(open.results.map((r) => r.kind)).toEqual(["sent", "sent", "sent"]);
    expect((await session.snapshot()).openOrders).toHaveLength(3);
  });

  it("E2: a disarm committed between two claims → the second claim takes nothing", async () => {
    const { db } = desk().handle;
    const one = createDispatcher({ db, session, clock, reconcileFreshnessMs: 120_000, owner: "one-at-a-time", batchSize: 1 });
    for (let i = 0; i < 2; i += 1) await approveAndEnqueue(desk(), marketRequest("buy", 1n));
    await openGates(db, clock, ACCOUNT);
    expect((await one.runOnce()).claimed).toBe(1);
    await disarmDesk(db, clock, "operator pulls the plug");
    const second = await one.runOnce();
    expect(second.claimed).toBe(0);
    expect(second.blockedBy.join("\n")).toMatch(/operator pulls the plug/);
    expect(await outboxStatuses(db)).toEqual({ PENDING: 1, SENT: 1 });
    expect((await session.snapshot()).openOrders).toHaveLength(1);
  });

  it("E2/E3: a stale feed in session disarms, and a pending row is then not dispatched", async () => {
    const { db } = desk().handle;
    await openGates(db, clock, ACCOUNT);
    await approveAndEnqueue(desk(), marketRequest("buy", 1n));
    // A 1-minute feed whose last bar is an hour old, checked during a regular session.
    const calendar = nyseCalendar();
    const sessionOpen = calendar.nextOpen(clock.nowMs() - 7 * 86_400_000);
    const inSession = { nowMs: () => sessionOpen + 3 * 3_600_000 };
    const enforced = await enforceFeedFreshness(db, inSession, {
      calendar,
      feed: "AAPL 1min (test)",
      lastBarTsMs: sessionOpen + 2 * 3_600_000,
      interval: "1min",
      graceMs: 120_000,
    });
    expect(enforced.action).toBe("disarmed");
    const round = await dispatcher.runOnce();
    expect(round.claimed).toBe(0);
    expect(round.blockedBy.join("\n")).toMatch(/STALE_FEED/);
    expect((await session.snapshot()).openOrders).toHaveLength(0);
  });

  it("E2: a tripped deadman shuts the gate (and so does a deadline that passed without a check)", async () => {
    const { db } = desk().handle;
    await openGates(db, clock, ACCOUNT);
    await approveAndEnqueue(desk(), marketRequest("buy", 1n));
    clock.advance(601_000); // past the beat's 600 s promise
    const late = await dispatcher.runOnce();
    expect(late.claimed).toBe(0);
    expect(late.blockedBy.join("\n")).toMatch(/deadline .* has passed/);
    await checkDeadman(db, clock);
    const tripped = await dispatcher.runOnce();
    expect(tripped.claimed).toBe(0);
    expect(tripped.blockedBy.join("\n")).toMatch(/deadman tripped/);
    expect((await session.snapshot()).openOrders).toHaveLength(0);
  });

  it("E2: risk halted shuts the gate for orders", async () => {
    const { db } = desk().handle;
    await openGates(db, clock, ACCOUNT);
    await approveAndEnqueue(desk(), marketRequest("buy", 1n));
    const store = new RiskStateStore(db);
    const halted = await store.applyEvent({ kind: "operator_halt", reason: "test halts", actor: "test" }, clock.nowMs());
    expect(halted.ok).toBe(true);
    const round = await dispatcher.runOnce();
    expect(round.claimed).toBe(0);
    expect(round.blockedBy.join("\n")).toMatch(/risk halted/);
    expect((await session.snapshot()).openOrders).toHaveLength(0);
  });

  it("B3: a reconcile older than the freshness bound blocks dispatch; a DIRTY one too; a fresh CLEAN one opens it again", async () => {
    const { db } = desk().handle;
    await openGates(db, clock, ACCOUNT);
    await approveAndEnqueue(desk(), marketRequest("buy", 1n));
    clock.advance(121_000);
    const stale = await dispatcher.runOnce();
    expect(stale.claimed).toBe(0);
    expect(stale.blockedBy.join("\n")).toMatch(/older than the 120000 ms bound/);
    await writeReconcileRecord(db, ACCOUNT, "DIRTY", clock.nowMs());
    const dirty = await dispatcher.runOnce();
    expect(dirty.claimed).toBe(0);
    expect(dirty.blockedBy.join("\n")).toMatch(/is DIRTY/);
    expect((await session.snapshot()).openOrders).toHaveLength(0);
    await writeReconcileRecord(db, ACCOUNT, "CLEAN", clock.nowMs());
    expect((await dispatcher.runOnce()).claimed).toBe(1);
  });

  it("B3/B1: a CLEAN row typed in by hand (its hash does not recompute) does not open the gate", async () => {
    const { db } = desk().handle;
    await openGates(db, clock, ACCOUNT);
    await approveAndEnqueue(desk(), marketRequest("buy", 1n));
    clock.advance(121_000);
    await db
      .insertInto("reconcile_runs")
      .values({
        account: ACCOUNT,
        result: "CLEAN",
        watermark_broker_ns: BigInt(clock.nowMs()) * 1_000_000n,
        watermark_inbox_seq: 0n,
        snapshot_digest: "c".repeat(64),
        local_digest: "d".repeat(64),
        evidence_hash: "e".repeat(64),
        started_at: new Date(clock.nowMs()),
        finished_at: new Date(clock.nowMs()),
        mode: "PAPER",
      })
      .execute();
    const round = await dispatcher.runOnce();
    expect(round.claimed).toBe(0);
    expect(round.blockedBy.join("\n")).toMatch(/does not recompute/);
  });

  it("E2: cancels pass while disarmed (the kill switch), orders do not", async () => {
    const { db } = desk().handle;
    await openGates(db, clock, ACCOUNT);
    // A resting order (no price in the sim yet), sent while armed.
    const { approved } = await approveAndEnqueue(desk(), marketRequest("buy", 5n));
    const ingest = await startBrokerIngest({ db, session, clock });
    expect((await dispatcher.runOnce()).results.map((r) => r.kind)).toEqual(["sent"]);
    await approveAndEnqueue(desk(), marketRequest("buy", 1n));
    await disarmDesk(db, clock, "kill switch");
    await db.transaction().execute((tx) => enqueueCancel(tx, approved.intentId));
    const round = await dispatcher.runOnce();
    expect(round.results.map((r) => r.kind)).toEqual(["cancel_requested"]);
    await simSettled(session);
    const order = await db.selectFrom("orders").select("state").where("intent_id", "=", approved.intentId).executeTakeFirstOrThrow();
    expect(order.state).toBe("canceled");
    expect(await outboxStatuses(db)).toEqual({ ACKED: 1, SENT: 1, PENDING: 1 });
    expect((await session.snapshot()).openOrders).toHaveLength(0);
    await ingest.stop();
  });

  it("a cancel of an order still PENDING in the outbox withdraws it: it never reaches the broker", async () => {
    const { db } = desk().handle;
    const { approved } = await approveAndEnqueue(desk(), marketRequest("buy", 2n));
    await db.transaction().execute((tx) => enqueueCancel(tx, approved.intentId));
    const round = await dispatcher.runOnce(); // disarmed: only the cancel is claimed
    expect(round.results.map((r) => r.kind)).toEqual(["withdrawn"]);
    expect(await outboxStatuses(db)).toEqual({ CANCELLED: 2 });
    await openGates(db, clock, ACCOUNT);
    expect((await dispatcher.runOnce()).claimed).toBe(0);
    expect(await brokerOrders()).toBe(0);
  });

  it("fills come back through the inbox: position and cash change once", async () => {
    const { db } = desk().handle;
    await openGates(db, clock, ACCOUNT);
    const ingest = await startBrokerIngest({ db, session, clock });
    setSimPrice(session, AAPL, toMicros("101.50"));
    await approveAndEnqueue(desk(), marketRequest("buy", 10n));
    await dispatcher.runOnce();
    await simSettled(session);
    const pos = await db.selectFrom("positions").selectAll().where("account", "=", ACCOUNT).where("symbol", "=", AAPL).executeTakeFirstOrThrow();
    expect(pos.qty_shares).toBe(10n);
    expect(pos.avg_cost_micros).toBe(101_500_000n);
    expect(await outboxStatuses(db)).toEqual({ ACKED: 1 });
    await ingest.stop();
  });
});
