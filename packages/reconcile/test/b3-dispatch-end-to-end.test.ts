/**
 * B3 and E2, end to end with execution's dispatcher: the real reconcile arms the
 * desk on the real sim broker, orders flow; a reconcile older than the freshness
 * bound blocks dispatch until a fresh CLEAN one is recorded; a DIRTY reconcile
 * disarms (sticky) and a pending order is then not dispatched.
 */
import { asStrategyId, asTicker, DeskError, toMicros, toShares, type Clock } from "@mqk/core";
import type { AlertEvent } from "@mqk/alerts";
import { sql } from "@mqk/db";
import { createDispatcher, enqueueApprovedOrder, setSimPrice, simSettled, startBrokerIngest, type BrokerSession } from "@mqk/execution";
import { beat, readArmState, readDispatchGates, readReconcileGate } from "@mqk/integrity";
import { emptyPortfolio } from "@mqk/portfolio";
import { createRiskEngine, RiskStateStore, type OrderRequest, type RiskEngine } from "@mqk/risk";
import { armWithReconcile, reconcileSnapshot, runReconcile, startReconcileSchedule } from "@mqk/reconcile";
import { beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT, TOLERANCE, bookCash, openSimSession, setPosition, usd, useDatabase, until } from "./support.js";

/** Real time plus an offset: outbox.next_attempt_at comes from the database's now(). */
class ShiftedClock implements Clock {
  #offsetMs = 0;
  nowMs(): number {
    return Date.now() + this.#offsetMs;
  }
  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}

const AAPL = asTicker("AAPL");
const FRESHNESS_MS = 120_000;
const database = useDatabase();
let engine: RiskEngine;
let decision = 0;

beforeAll(() => {
  engine = createRiskEngine({
    limits: {
      maxOrderQty: 1_000,
      maxOrderNotional: usd("1000000"),
      priceCollarBps: 500,
      maxPositionQty: 10_000,
      maxGrossExposure: usd("10000000"),
      dailyLossLimit: usd("100000"),
      maxOrdersPerMinute: 1_000,
    },
    store: new RiskStateStore(database().db),
    clock: new ShiftedClock(),
  });
});

async function enqueueBuy(qty: string, account = ACCOUNT): Promise<void> {
  const request: OrderRequest = {
    strategyId: asStrategyId("e2e"),
    decisionKey: `b3-${String(++decision)}`,
    ticker: AAPL,
    side: "buy",
    qtyShares: toShares(qty),
    type: "market",
  };
  await database()
    .db.transaction()
    .execute(async (tx) => {
      const verdict = await engine.approve(tx, request, {
        portfolio: emptyPortfolio(usd("100000")),
        trustedPricesMicros: new Map([[AAPL, usd("100")]]),
        buyingPowerMicros: usd("100000"),
        openOrders: [],
      });
      if (!verdict.ok) throw new Error(`risk refused: ${verdict.error.kind}`);
      await enqueueApprovedOrder(tx, verdict.value, { account });
    });
}

describe("B3/E2: reconcile and the dispatcher together", () => {
  it("B3: a reconcile older than the bound blocks dispatch; a fresh CLEAN reconcile lets it through; DIRTY disarms and blocks it", async () => {
    const { db } = database();
    const clock = new ShiftedClock();
    const session = openSimSession(clock, usd("100000"));
    setSimPrice(session, AAPL, toMicros("100"));
    await bookCash(db, usd("100000"));
    const beaten = await beat(db, clock, 3_600_000);
    expect(beaten.ok).toBe(true);
    const ingest = await startBrokerIngest({ db, session, clock });
    const dispatcher = createDispatcher({ db, session, clock, reconcileFreshnessMs: FRESHNESS_MS, owner: "e2e" });
    const reconcile = { db, session, clock, mode: "PAPER" as const, cashTolerance: TOLERANCE };

    const armed = await armWithReconcile({ ...reconcile, freshnessMs: FRESHNESS_MS, actor: "operator", reason: "B3 end to end" });
    expect(armed.ok).toBe(true);
    await enqueueBuy("10");
    expect((await dispatcher.runOnce()).results.map((r) => r.kind)).toEqual(["sent"]);
    await simSettled(session);
    expect((await runReconcile(reconcile)).result).toBe("CLEAN"); // the fill is booked on both sides

    // Two minutes and a second later, no reconcile ran: the gate is shut by age.
    clock.advance(FRESHNESS_MS + 1_000);
    await enqueueBuy("5");
    const stale = await dispatcher.runOnce();
    expect(stale.claimed).toBe(0);
    expect(stale.blockedBy.join("\n")).toMatch(/older than the 120000 ms bound/);
    expect((await session.snapshot()).positions).toEqual([expect.objectContaining({ qtyShares: 10n })]);

    // The schedule's next run: CLEAN and fresh — the pending order goes.
    expect((await runReconcile(reconcile)).result).toBe("CLEAN");
    expect((await dispatcher.runOnce()).results.map((r) => r.kind)).toEqual(["sent"]);
    await simSettled(session);

    // Our books disagree with the broker's: DIRTY → disarmed (sticky) → the next order waits.
    await setPosition(db, "AAPL", 14n, usd("100"));
    await enqueueBuy("1");
    const dirty = await runReconcile(reconcile);
    expect(dirty.result).toBe("DIRTY");
    expect((await readArmState(db)).reasonKind).toBe("RECONCILE_DIRTY");
    const blocked = await dispatcher.runOnce();
    expect(blocked.claimed).toBe(0);
    expect(blocked.blockedBy.join("\n")).toMatch(/RECONCILE_DIRTY/);
    await setPosition(db, "AAPL", 15n, usd("100"));
    expect((await runReconcile(reconcile)).result).toBe("CLEAN");
    // CLEAN again, but DISARMED is sticky: still nothing is claimed until an operator arms.
    expect((await dispatcher.runOnce()).claimed).toBe(0);
    expect((await session.snapshot()).positions).toEqual([expect.objectContaining({ qtyShares: 15n })]);

    await ingest.stop();
    await session.close();
  });
});

describe("B3: a periodic reconcile confirms a difference before it disarms", () => {
  it("B3: an order in flight (sent, its fill not yet through the inbox) is not DIRTY after the confirmation wait; a real difference still is", async () => {
    const { db } = database();
    const clock = new ShiftedClock();
    const session = openSimSession(clock, usd("100000"), "sim-confirm");
    setSimPrice(session, AAPL, toMicros("100"));
    await bookCash(db, usd("100000"), "sim-confirm");
    const reconcile = { db, session, clock, mode: "PAPER" as const, cashTolerance: TOLERANCE };
    expect((await runReconcile(reconcile)).result).toBe("CLEAN");
    // Our side books a fill the broker has not shown yet… and the "broker" catches up during the wait.
    await setPosition(db, "AAPL", 3n, usd("100"), "sim-confirm");
    let waited = 0;
    const caughtUp = await runReconcile({
      ...reconcile,
      confirmDirtyAfterMs: 250,
      sleep: async (ms) => {
        waited = ms;
        await setPosition(db, "AAPL", 0n, usd("100"), "sim-confirm");
      },
    });
    expect(waited).toBe(250);
    expect(caughtUp.result).toBe("CLEAN");
    // The same difference, still there after the wait: DIRTY, recorded with the second look's watermark.
    await setPosition(db, "AAPL", 3n, usd("100"), "sim-confirm");
    const real = await runReconcile({ ...reconcile, confirmDirtyAfterMs: 250, sleep: () => Promise.resolve() });
    expect(real.result).toBe("DIRTY");
    expect(real.watermark.brokerNs).toBeGreaterThan(caughtUp.watermark.brokerNs);
    // Without a confirmation wait the first look is what is recorded.
    await setPosition(db, "AAPL", 0n, usd("100"), "sim-confirm");
    expect((await runReconcile(reconcile)).result).toBe("CLEAN");
    await session.close();
  });
});

/** The same account's broker, unreachable: every snapshot fails (a schedule run then writes no record). */
function unreachable(inner: BrokerSession): BrokerSession {
  return {
    broker: inner.broker,
    account: inner.account,
    snapshot: () => Promise.reject(new DeskError("BROKER", "broker unreachable (test)", { retryable: true })),
    close: () => inner.close(),
  };
}

describe("B3: a reconcile record edited by hand is no evidence", () => {
  it("B3: a CLEAN record whose finished_at was edited by hand (made fresh) shuts the gate and the schedule disarms", async () => {
    const { db } = database();
    const account = "sim-edited";
    const clock = new ShiftedClock();
    const session = openSimSession(clock, usd("100000"), account);
    setSimPrice(session, AAPL, toMicros("100"));
    await bookCash(db, usd("100000"), account);
    expect((await beat(db, clock, 3_600_000)).ok).toBe(true);
    const dispatcher = createDispatcher({ db, session, clock, reconcileFreshnessMs: FRESHNESS_MS, owner: "b3-edited" });
    const armed = await armWithReconcile({
      db,
      session,
      clock,
      mode: "PAPER",
      cashTolerance: TOLERANCE,
      freshnessMs: FRESHNESS_MS,
      actor: "operator",
      reason: "B3 edited record",
    });
    expect(armed.ok).toBe(true);
    if (!armed.ok) return;
    const recordId = armed.value.record.id;

    // No reconcile for longer than the bound: dispatch is shut by age.
    clock.advance(FRESHNESS_MS + 1_000);
    await enqueueBuy("3", account);
    const stale = await dispatcher.runOnce();
    expect(stale.claimed).toBe(0);
    expect(stale.blockedBy.join("\n")).toMatch(/older than the 120000 ms bound/);

    // Someone makes the last CLEAN record look fresh.
    await sql`UPDATE reconcile_runs SET finished_at = ${new Date(clock.nowMs())} WHERE id = ${recordId}`.execute(db);
    const gate = await readReconcileGate(db, account, clock.nowMs(), FRESHNESS_MS);
    expect(gate).toMatchObject({ open: false, reconcileRunId: recordId, result: "CLEAN" });
    expect(gate.ageMs).toBeLessThanOrEqual(FRESHNESS_MS); // fresh by age: only the hash tells
    expect(gate.blockedBy).toEqual([expect.stringMatching(/evidence hash does not recompute/)]);
    const gates = await db.transaction().execute((tx) => readDispatchGates(tx, account, clock.nowMs(), FRESHNESS_MS));
    expect(gates).toMatchObject({ open: false, pin: null });
    expect(gates.blockedBy).toEqual([expect.stringMatching(/evidence hash does not recompute/)]);
    const edited = await dispatcher.runOnce();
    expect(edited.claimed).toBe(0);
    expect(edited.blockedBy.join("\n")).toMatch(/evidence hash does not recompute/);
    expect((await session.snapshot()).openOrders).toHaveLength(0);
    expect((await session.snapshot()).positions).toEqual([]);

    // The schedule (its broker unreachable, so it writes no fresh record) reads the same gate: it disarms.
    expect((await readArmState(db)).state).toBe("ARMED");
    const alerts: AlertEvent[] = [];
    const schedule = startReconcileSchedule({
      db,
      session: unreachable(session),
      clock,
      mode: "PAPER",
      cashTolerance: TOLERANCE,
      intervalMs: 5,
      freshnessMs: FRESHNESS_MS,
      alerts: { send: (event: AlertEvent) => alerts.push(event) },
      onError: () => undefined,
    });
    await until(() => schedule.runs() >= 1);
    await schedule.stop();
    const state = await readArmState(db);
    expect(state).toMatchObject({ state: "DISARMED", reasonKind: "RECONCILE_STALE" });
    expect(state.reason).toMatch(/reconcile evidence for account sim-edited is not valid: .*evidence hash does not recompute/);
    expect(alerts).toEqual([{ kind: "integrity_disarm", reason: state.reason }]);
    await session.close();
  });

  it("B2/B3: a BACKTEST record relabelled PAPER by hand does not open the gate", async () => {
    const { db } = database();
    const account = "sim-relabelled";
    const clock = new ShiftedClock();
    const session = openSimSession(clock, usd("100000"), account);
    setSimPrice(session, AAPL, toMicros("100"));
    await bookCash(db, usd("100000"), account);
    expect((await beat(db, clock, 3_600_000)).ok).toBe(true);
    const dispatcher = createDispatcher({ db, session, clock, reconcileFreshnessMs: FRESHNESS_MS, owner: "b3-relabelled" });
    const reconcile = { db, session, clock, cashTolerance: TOLERANCE };
    const armed = await armWithReconcile({ ...reconcile, mode: "PAPER", freshnessMs: FRESHNESS_MS, actor: "operator", reason: "B2/B3 relabelled record" });
    expect(armed.ok).toBe(true);
    if (!armed.ok) return;

    clock.advance(FRESHNESS_MS + 1_000);
    await enqueueBuy("4", account);
    // A fresh CLEAN BACKTEST record of the same account: written, but no trading evidence.
    const backtest = await reconcileSnapshot({ ...reconcile, mode: "BACKTEST", snapshot: await session.snapshot() });
    expect(backtest.result).toBe("CLEAN");
    const before = await dispatcher.runOnce();
    expect(before.claimed).toBe(0);
    expect(before.blockedBy.join("\n")).toMatch(
      new RegExp(`the last record \\(${armed.value.record.id.toString()}\\) is \\d+ ms old, older than the 120000 ms bound`),
    );

    // Relabelled PAPER by hand: now the latest PAPER record the gate reads — and its hash no longer recomputes.
    await sql`UPDATE reconcile_runs SET mode = 'PAPER' WHERE id = ${backtest.id}`.execute(db);
    const gate = await readReconcileGate(db, account, clock.nowMs(), FRESHNESS_MS);
    expect(gate).toMatchObject({ open: false, reconcileRunId: backtest.id, result: "CLEAN" });
    expect(gate.blockedBy).toEqual([expect.stringMatching(/evidence hash does not recompute/)]);
    const relabelled = await dispatcher.runOnce();
    expect(relabelled.claimed).toBe(0);
    expect(relabelled.blockedBy.join("\n")).toMatch(/evidence hash does not recompute/);
    expect((await session.snapshot()).openOrders).toHaveLength(0);
    expect((await session.snapshot()).positions).toEqual([]);
    await session.close();
  });
});
