import { DeskError, FakeClock } from "@mqk/core";
import type { BrokerSession } from "@mqk/execution";
import type { AlertEvent } from "@mqk/alerts";
import { readArmState, readReconcileGate } from "@mqk/integrity";
import { armWithReconcile, reconcileSettings, startReconcileSchedule, type ReconcileRecord } from "@mqk/reconcile";
import { describe, expect, it } from "vitest";
import { bookCash, newClock, openSimSession, T0, TOLERANCE, usd, useDatabase, until } from "./support.js";

const handle = useDatabase();

/** A broker that answers slowly (the real sim behind it), counting reads in flight. */
function slowBroker(inner: BrokerSession, delayMs: number, failFirst = 0) {
  const stats = { inFlight: 0, maxInFlight: 0, calls: 0 };
  const session: BrokerSession = {
    broker: inner.broker,
    account: inner.account,
    async snapshot() {
      stats.calls += 1;
      stats.inFlight += 1;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        if (stats.calls <= failFirst) throw new DeskError("BROKER", `snapshot ${String(stats.calls)} failed: broker unreachable`, { retryable: true });
        return await inner.snapshot();
      } finally {
        stats.inFlight -= 1;
      }
    },
    close: () => inner.close(),
  };
  return { session, stats };
}

describe("B3: the periodic reconcile", () => {
  it("B3: runs every interval, one run at a time, each writing a record the gate reads", async () => {
    const { db } = handle();
    const clock = newClock();
    const account = "b3-periodic";
    await bookCash(db, usd("1000"), account);
    // Each snapshot takes longer than the interval: runs must queue, never overlap.
    const { session, stats } = slowBroker(openSimSession(clock, usd("1000"), account), 40);
    const records: ReconcileRecord[] = [];
    const errors: unknown[] = [];
    const schedule = startReconcileSchedule({
      db,
      session,
      clock,
      mode: "PAPER",
      cashTolerance: TOLERANCE,
      intervalMs: 10,
      onRecord: (r) => records.push(r),
      onError: (e) => errors.push(e),
    });
    await until(() => records.length >= 3);
    await schedule.stop();
    const settled = records.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(records.length).toBe(settled);
    expect(errors).toEqual([]);
    expect(stats.maxInFlight).toBe(1);
    expect(records.every((r) => r.result === "CLEAN")).toBe(true);
    const gate = await readReconcileGate(db, account, clock.nowMs(), 120_000);
    expect(gate).toMatchObject({ open: true, reconcileRunId: records.at(-1)?.id });
    // The schedule stopped: once the freshness bound passes, the gate shuts by age.
    clock.advance(120_001);
    const stale = await readReconcileGate(db, account, clock.nowMs(), 120_000);
    expect(stale.open).toBe(false);
    expect(stale.blockedBy.join("\n")).toMatch(/older than the 120000 ms bound/);
  });

  it("B3: a failing run is reported through onError, not thrown, and the schedule carries on", async () => {
    const { db } = handle();
    const clock = newClock();
    const account = "b3-errors";
    await bookCash(db, usd("1000"), account);
    const { session } = slowBroker(openSimSession(clock, usd("1000"), account), 1, 2);
    const records: ReconcileRecord[] = [];
    const errors: unknown[] = [];
    const schedule = startReconcileSchedule({
      db,
      session,
      clock,
      mode: "PAPER",
      cashTolerance: TOLERANCE,
      intervalMs: 5,
      onRecord: (r) => records.push(r),
      onError: (e) => {
        errors.push(e);
        throw new Error("a reporter that throws must not stop the schedule");
      },
    });
    await until(() => records.length >= 1);
    await schedule.stop();
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBeInstanceOf(DeskError);
    expect(String((errors[0] as DeskError).message)).toMatch(/broker unreachable/);
    expect(schedule.runs()).toBeGreaterThanOrEqual(3);
    expect(records[0]?.result).toBe("CLEAN");
  });

  it("B3: while the broker cannot be read, the desk stays ARMED until the last record passes the freshness bound, then is disarmed (RECONCILE_STALE) and alerted", async () => {
    const { db } = handle();
    const clock = newClock();
    const account = "b3-stale";
    await bookCash(db, usd("1000"), account);
    const sim = openSimSession(clock, usd("1000"), account);
    const armed = await armWithReconcile({
      db,
      session: sim,
      clock,
      mode: "PAPER",
      cashTolerance: TOLERANCE,
      freshnessMs: 120_000,
      actor: "op",
      reason: "start",
    });
    expect(armed.ok).toBe(true);
    const { session } = slowBroker(sim, 1, Number.MAX_SAFE_INTEGER);
    const alerts: AlertEvent[] = [];
    const errors: unknown[] = [];
    const options = {
      db,
      session,
      clock,
      mode: "PAPER" as const,
      cashTolerance: TOLERANCE,
      intervalMs: 5,
      freshnessMs: 120_000,
      alerts: { send: (event: AlertEvent) => alerts.push(event) },
      onError: (e: unknown) => errors.push(e),
    };
    const fresh = startReconcileSchedule(options);
    await until(() => fresh.runs() >= 2);
    await fresh.stop();
    expect((await readArmState(db)).state).toBe("ARMED");
    expect(alerts).toEqual([]);

    clock.advance(120_001);
    const stale = startReconcileSchedule(options);
    await until(() => stale.runs() >= 2);
    await stale.stop();
    const state = await readArmState(db);
    expect(state.state).toBe("DISARMED");
    expect(state.reasonKind).toBe("RECONCILE_STALE");
    expect(alerts).toEqual([{ kind: "integrity_disarm", reason: state.reason }]);
    expect(errors.length).toBeGreaterThanOrEqual(4);
  });

  it("B3: a record dated after now (a reconciling clock ahead, or a row written by hand) proves nothing: the gate shuts and the schedule disarms", async () => {
    const { db } = handle();
    const ahead = new FakeClock(T0 + 600_000); // the reconciling process's clock, ten minutes ahead
    const account = "b3-future";
    await bookCash(db, usd("1000"), account);
    const sim = openSimSession(ahead, usd("1000"), account);
    const armed = await armWithReconcile({
      db,
      session: sim,
      clock: ahead,
      mode: "PAPER",
      cashTolerance: TOLERANCE,
      freshnessMs: 120_000,
      actor: "op",
      reason: "start",
    });
    expect(armed.ok).toBe(true);
    // By a clock that is right, the record finished ten minutes from now.
    const gate = await readReconcileGate(db, account, T0, 120_000);
    expect(gate).toMatchObject({ open: false, ageMs: -600_000 });
    expect(gate.blockedBy.join("\n")).toMatch(/finished 600000 ms in the future/);
    const alerts: AlertEvent[] = [];
    const right = newClock();
    const { session } = slowBroker(openSimSession(right, usd("1000"), account), 1, Number.MAX_SAFE_INTEGER);
    const schedule = startReconcileSchedule({
      db,
      session,
      clock: right,
      mode: "PAPER",
      cashTolerance: TOLERANCE,
      intervalMs: 5,
      freshnessMs: 120_000,
      alerts: { send: (event: AlertEvent) => alerts.push(event) },
      onError: () => undefined,
    });
    await until(() => schedule.runs() >= 1);
    await schedule.stop();
    const state = await readArmState(db);
    expect(state).toMatchObject({ state: "DISARMED", reasonKind: "RECONCILE_STALE" });
    expect(state.reason).toMatch(/in the future/);
    expect(alerts).toHaveLength(1);
  });

  it("B3: the config's seconds become the schedule's and the gate's milliseconds; a bad interval is refused", () => {
    expect(reconcileSettings({ intervalSeconds: 30, freshnessSeconds: 120, cashTolerance: TOLERANCE })).toEqual({
      intervalMs: 30_000,
      freshnessMs: 120_000,
      cashTolerance: TOLERANCE,
    });
    const clock = newClock();
    expect(() =>
      startReconcileSchedule({
        db: handle().db,
        session: openSimSession(clock),
        clock,
        mode: "PAPER",
        cashTolerance: TOLERANCE,
        intervalMs: 0,
        onError: () => undefined,
      }),
    ).toThrow(/positive integer/);
  });
});
