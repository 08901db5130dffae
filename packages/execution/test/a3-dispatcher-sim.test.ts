/**
 * A3, A4, D2 and the concurrency proof, end to end on the sim broker: two
 * dispatchers on one database, a crashed dispatcher's claim taken over after
 * its lease (lookup first), a restart between submit and cancel, a replace, and
 * a REST backfill followed by the late stream delivery of the same fill.
 */
import { toMicros, toShares } from "@mqk/core";
import { sql, type DeskDatabase } from "@mqk/db";
import {
  createDispatcher,
  enqueueApprovedOrder,
  enqueueCancel,
  enqueueReplace,
  setSimPrice,
  simSettled,
  startBrokerIngest,
  type BrokerSession,
  type RowResult,
} from "@mqk/execution";
import type { OrderRequest } from "@mqk/risk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AAPL, ACCOUNT, STRAT, approveAndEnqueue, marketRequest, reopen, snapshot, useDesk } from "./execution-harness.js";
import { ShiftedClock, openGates, openSim, outboxStatuses, clearOrderTables } from "./dispatch-harness.js";

const desk = useDesk();
let clock: ShiftedClock;
let session: BrokerSession;
const extraPools: DeskDatabase[] = [];

beforeEach(async () => {
  const { db } = desk().handle;
  await clearOrderTables(db);
  clock = new ShiftedClock();
  session = openSim(clock, { account: ACCOUNT, sim: { startingCashMicros: toMicros("10000000") } });
  await openGates(db, clock, ACCOUNT);
});

afterEach(async () => {
  await session.close();
  for (const pool of extraPools.splice(0)) await pool.close();
});

async function pool(): Promise<DeskDatabase> {
  const opened = await reopen(desk().handle);
  extraPools.push(opened);
  return opened;
}

async function brokerOrderCount(): Promise<number> {
  const { db } = desk().handle;
  // Every order the sim holds shows up in a full REST listing; the snapshot has only open ones.
  const open = (await session.snapshot()).openOrders.length;
  const mapped = await db.selectFrom("order_map").select("broker_order_id").where("broker_order_id", "is not", null).execute();
  return Math.max(open, mapped.length);
}

function limitRequest(qty: bigint, limitUsd: string, decisionKey: string): OrderRequest {
  return {
    strategyId: STRAT,
    decisionKey,
    ticker: AAPL,
    side: "buy",
    qtyShares: toShares(String(qty)),
    type: "limit",
    limitPriceMicros: toMicros(limitUsd),
    timeInForce: "day",
  };
}

describe("dispatcher on the sim broker", () => {
  it("Concurrency: two dispatchers on one database never send the same row (120 intents, no resend, no adoption)", async () => {
    const { db } = desk().handle;
    for (let i = 0; i < 120; i += 1) await approveAndEnqueue(desk(), marketRequest("buy", 1n));
    const a = createDispatcher({ db, session, clock, reconcileFreshnessMs: 120_000, owner: "disp-a", batchSize: 7 });
    const b = createDispatcher({ db: (await pool()).db, session, clock, reconcileFreshnessMs: 120_000, owner: "disp-b", batchSize: 5 });
    const [ra, rb] = await Promise.all([a.drain(), b.drain()]);
    const results: RowResult[] = [...ra, ...rb].flatMap((r) => r.results);
    expect(results).toHaveLength(120);
    expect(results.every((r) => r.kind === "sent" && !r.adopted)).toBe(true);
    const outboxIds = results.map((r) => r.outboxId);
    expect(new Set(outboxIds).size).toBe(120);
    const brokerIds = await db.selectFrom("order_map").select("broker_order_id").execute();
    expect(new Set(brokerIds.map((r) => r.broker_order_id)).size).toBe(120);
    expect((await session.snapshot()).openOrders).toHaveLength(120);
    // Both dispatchers are real participants of the race (each claimed something).
    expect(ra.reduce((s, r) => s + r.claimed, 0)).toBeGreaterThan(0);
    expect(rb.reduce((s, r) => s + r.claimed, 0)).toBeGreaterThan(0);
  });

  it("A3: a dispatcher that died after the broker accepted (before it wrote anything) — the taker looks up and adopts; one order", async () => {
    const { db } = desk().handle;
    const { enqueued } = await approveAndEnqueue(desk(), marketRequest("buy", 3n));
    const first = createDispatcher({ db, session, clock, reconcileFreshnessMs: 120_000, owner: "doomed", leaseMs: 5_000 });
    expect((await first.runOnce()).results[0]?.kind).toBe("sent");
    // Rewind the database to the instant after the send: claimed by "doomed", nothing learned.
    await db.updateTable("order_map").set({ broker_order_id: null, broker_order_id_at: null }).where("intent_id", "=", enqueued.intentId).execute();
    await db
      .updateTable("outbox")
      .set({ status: "CLAIMED", claimed_by: "doomed", lease_expires_at: new Date(clock.nowMs() + 5_000), sent_at: null })
      .where("id", "=", enqueued.outboxId)
      .execute();
    const taker = createDispatcher({ db: (await pool()).db, session, clock, reconcileFreshnessMs: 120_000, owner: "taker" });
    expect((await taker.runOnce()).claimed).toBe(0); // the lease still holds
    clock.advance(5_001);
    const round = await taker.runOnce();
    expect(round.results).toEqual([expect.objectContaining({ kind: "sent", adopted: true })]);
    expect(await brokerOrderCount()).toBe(1);
    expect((await session.snapshot()).openOrders).toHaveLength(1);
    const map = await db.selectFrom("order_map").select("broker_order_id").where("intent_id", "=", enqueued.intentId).executeTakeFirstOrThrow();
    expect(map.broker_order_id).toBe((await session.snapshot()).openOrders[0]?.brokerOrderId);
  });

  it("A3: a dispatcher that died after its claim but before sending — the taker looks up, finds nothing, sends once with the same client_order_id", async () => {
    const { db } = desk().handle;
    const { enqueued } = await approveAndEnqueue(desk(), marketRequest("buy", 2n));
    await db
      .updateTable("outbox")
      .set({ status: "CLAIMED", claimed_by: "doomed", attempts: 1, lease_expires_at: new Date(clock.nowMs() - 1) })
      .where("id", "=", enqueued.outboxId)
      .execute();
    const taker = createDispatcher({ db, session, clock, reconcileFreshnessMs: 120_000, owner: "taker" });
    expect((await taker.runOnce()).results).toEqual([expect.objectContaining({ kind: "sent", adopted: false })]);
    const open = (await session.snapshot()).openOrders;
    expect(open.map((o) => o.clientOrderId)).toEqual([enqueued.clientOrderId]);
  });

  it("A3: an unresolved claim found while the gates are shut is looked up but never resent", async () => {
    const { db } = desk().handle;
    const { enqueued } = await approveAndEnqueue(desk(), marketRequest("buy", 2n));
    await db
      .updateTable("outbox")
      .set({ status: "AMBIGUOUS", attempts: 1, next_attempt_at: new Date(clock.nowMs() - 1) })
      .where("id", "=", enqueued.outboxId)
      .execute();
    await db.updateTable("arm_state").set({ state: "DISARMED", reason_kind: "OPERATOR_DISARM", reason: "test" }).execute();
    const d = createDispatcher({ db, session, clock, reconcileFreshnessMs: 120_000, owner: "resolver" });
    const round = await d.runOnce();
    expect(round.results).toEqual([expect.objectContaining({ kind: "ambiguous" })]);
    expect(String((round.results[0] as { reason: string }).reason)).toMatch(/gates are shut, so it is not resent/);
    expect((await session.snapshot()).openOrders).toHaveLength(0);
    expect(await outboxStatuses(db)).toEqual({ AMBIGUOUS: 1 });
  });

  it("A4: restart between submit and cancel — a new pool and a new dispatcher cancel the right broker order", async () => {
    const first = await pool();
    const before = createDispatcher({ db: first.db, session, clock, reconcileFreshnessMs: 120_000, owner: "before-restart" });
    const { approved } = await approveAndEnqueue(desk(), marketRequest("buy", 4n)); // no sim price: it rests
    await approveAndEnqueue(desk(), marketRequest("buy", 6n));
    await before.runOnce();
    const open = (await session.snapshot()).openOrders;
    expect(open).toHaveLength(2);
    // Persisted the moment it was learned (the send's answer), before any restart or cancel.
    const learned = await first.db.selectFrom("order_map").select("broker_order_id").where("intent_id", "=", approved.intentId).executeTakeFirstOrThrow();
    expect(open.map((o) => o.brokerOrderId)).toContain(learned.broker_order_id);
    await first.close();
    extraPools.splice(extraPools.indexOf(first), 1);

    const after = await pool();
    await after.db.transaction().execute((tx) => enqueueCancel(tx, approved.intentId));
    const restarted = createDispatcher({ db: after.db, session, clock, reconcileFreshnessMs: 120_000, owner: "after-restart" });
    const round = await restarted.runOnce();
    const target = await after.db.selectFrom("order_map").select("broker_order_id").where("intent_id", "=", approved.intentId).executeTakeFirstOrThrow();
    expect(round.results).toEqual([expect.objectContaining({ kind: "cancel_requested", brokerOrderId: target.broker_order_id })]);
    const stillOpen = (await session.snapshot()).openOrders;
    expect(stillOpen).toHaveLength(1);
    expect(stillOpen[0]?.brokerOrderId).not.toBe(target.broker_order_id);
  });

  it("REPLACE: a resting limit order is replaced through the id map; the inbox ends the old order and opens the new one", async () => {
    const { db } = desk().handle;
    const ingest = await startBrokerIngest({ db, session, clock });
    setSimPrice(session, AAPL, toMicros("100"));
    const engine = desk().engine;
    const first = await db.transaction().execute(async (tx) => {
      const v = await engine.approve(tx, limitRequest(5n, "99", "replace-me"), snapshot());
      if (!v.ok) throw new Error(v.error.kind);
      return enqueueApprovedOrder(tx, v.value, { account: ACCOUNT });
    });
    const d = createDispatcher({ db, session, clock, reconcileFreshnessMs: 120_000, owner: "replacer" });
    await d.runOnce();
    await simSettled(session);
    const replaced = await db.transaction().execute(async (tx) => {
      const v = await engine.approve(tx, limitRequest(5n, "100.5", "replacement"), snapshot());
      if (!v.ok) throw new Error(v.error.kind);
      return enqueueReplace(tx, first.intentId, v.value, { account: ACCOUNT });
    });
    expect(replaced.ok).toBe(true);
    if (!replaced.ok) return;
    const round = await d.runOnce();
    expect(round.results).toEqual([expect.objectContaining({ kind: "sent", adopted: false })]);
    await simSettled(session);
    const states = await db.selectFrom("orders").select(["intent_id", "state", "filled_qty_shares"]).orderBy("id").execute();
    expect(states).toEqual([
      { intent_id: first.intentId, state: "replaced", filled_qty_shares: 0n },
      { intent_id: replaced.value.intentId, state: "filled", filled_qty_shares: 5n },
    ]);
    await ingest.stop();
  });

  it("D2: a REST backfill books a fill, then the stream delivers the same execution late — the position changes once", async () => {
    const { db } = desk().handle;
    setSimPrice(session, AAPL, toMicros("50.25"));
    const { enqueued } = await approveAndEnqueue(desk(), marketRequest("buy", 8n));
    const d = createDispatcher({ db, session, clock, reconcileFreshnessMs: 120_000, owner: "backfiller" });
    await d.runOnce(); // the sim filled it; its events wait for a subscriber
    const seen: string[] = [];
    const ingest = await startBrokerIngest({ db, session, clock, onApplied: (e, o) => seen.push(`${e.source}:${e.kind}:${o.kind}`) });
    await simSettled(session);
    // The connect's backfill came first (REST), the queued stream messages after it.
    expect(seen).toEqual(["rest_backfill:new:applied", "rest_backfill:fill:applied", "sim:new:applied", "sim:fill:covered"]);
    const pos = await db.selectFrom("positions").selectAll().where("account", "=", ACCOUNT).where("symbol", "=", AAPL).executeTakeFirstOrThrow();
    expect(pos.qty_shares).toBe(8n);
    expect(pos.avg_cost_micros).toBe(50_250_000n);
    const cash = await db.selectFrom("cash_ledger").select(["amount_micros", "reason"]).where("account", "=", ACCOUNT).execute();
    expect(cash).toEqual([{ amount_micros: -402_000_000n, reason: "FILL" }]);
    const order = await db.selectFrom("orders").select(["state", "filled_qty_shares"]).where("intent_id", "=", enqueued.intentId).executeTakeFirstOrThrow();
    expect(order).toEqual({ state: "filled", filled_qty_shares: 8n });
    // A second backfill finds nothing missing.
    expect(await ingest.backfill()).toEqual(expect.objectContaining({ eventsSynthesised: 0 }));
    await ingest.stop();
  });

  it("A4: a second sim session on the same database (a restarted offline run) gets broker ids of its own", async () => {
    const { db } = desk().handle;
    await approveAndEnqueue(desk(), marketRequest("buy", 1n));
    await createDispatcher({ db, session, clock, reconcileFreshnessMs: 120_000, owner: "first-sim" }).runOnce();
    const second = openSim(clock, { account: ACCOUNT });
    await approveAndEnqueue(desk(), marketRequest("buy", 1n));
    const round = await createDispatcher({ db, session: second, clock, reconcileFreshnessMs: 120_000, owner: "second-sim" }).runOnce();
    expect(round.results).toEqual([expect.objectContaining({ kind: "sent" })]);
    const ids = await db.selectFrom("order_map").select("broker_order_id").execute();
    expect(new Set(ids.map((r) => r.broker_order_id)).size).toBe(2);
    await second.close();
  });

  it("D2: a transient database fault while applying an event is retried in the event's lane; nothing is lost or doubled", async () => {
    const { db } = desk().handle;
    // A real fault in the real database: the next two inbox inserts fail (a sequence is not rolled back).
    await sql`CREATE SEQUENCE inbox_fault_seq`.execute(db);
    await sql`CREATE FUNCTION inbox_fault() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('inbox_fault_seq') <= 2 THEN RAISE EXCEPTION 'injected transient fault'; END IF;
        RETURN NEW;
      END $$`.execute(db);
    await sql`CREATE TRIGGER inbox_fault BEFORE INSERT ON inbox FOR EACH ROW EXECUTE FUNCTION inbox_fault()`.execute(db);
    try {
      const problems: string[] = [];
      const ingest = await startBrokerIngest({ db, session, clock, onProblem: (m) => problems.push(m) });
      setSimPrice(session, AAPL, toMicros("20"));
      await approveAndEnqueue(desk(), marketRequest("buy", 6n));
      await createDispatcher({ db, session, clock, reconcileFreshnessMs: 120_000, owner: "faulty-db" }).runOnce();
      await simSettled(session);
      expect(problems).toEqual([]);
      const pos = await db.selectFrom("positions").select("qty_shares").where("account", "=", ACCOUNT).where("symbol", "=", AAPL).executeTakeFirstOrThrow();
      expect(pos.qty_shares).toBe(6n);
      const applied = await db.selectFrom("inbox").select(["kind", "source"]).where("applied_at", "is not", null).orderBy("seq").execute();
      expect(applied).toEqual([
        { kind: "new", source: "sim" },
        { kind: "fill", source: "sim" },
      ]);
      await ingest.stop();
    } finally {
      await sql`DROP TRIGGER inbox_fault ON inbox`.execute(db);
      await sql`DROP FUNCTION inbox_fault()`.execute(db);
      await sql`DROP SEQUENCE inbox_fault_seq`.execute(db);
    }
  });
});
