import { FakeClock } from "@mqk/core";
import { readReconcileGate } from "@mqk/integrity";
import { reconcileSnapshot, runReconcile } from "@mqk/reconcile";
import { describe, expect, it } from "vitest";
import { bookCash, newClock, openSimSession, receiveEvent, snapshotOf, T0, TOLERANCE, usd, useDatabase } from "./support.js";

const handle = useDatabase();
const clock = newClock();
const common = { clock, cashTolerance: TOLERANCE } as const;

async function recordRow(id: bigint) {
  return handle().db.selectFrom("reconcile_runs").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
}

describe("B2: the watermark only moves forward", () => {
  it("B2: an older snapshot after a newer one is rejected and persisted REJECTED; the accepted record stays the latest", async () => {
    const { db } = handle();
    const account = "b2-older";
    await bookCash(db, usd("1000"), account);
    const newer = await reconcileSnapshot({ ...common, db, mode: "PAPER", snapshot: snapshotOf({ account, cash: usd("1000"), brokerTimeMs: T0 + 10_000 }) });
    expect(newer.result).toBe("CLEAN");
    const older = await reconcileSnapshot({ ...common, db, mode: "PAPER", snapshot: snapshotOf({ account, cash: usd("1000"), brokerTimeMs: T0 + 5_000 }) });
    expect(older.result).toBe("REJECTED");
    expect(older.rejection).toMatchObject({ kind: "watermark_not_newer", reason: "broker_time_not_newer", lastAcceptedId: newer.id });
    expect(older.rejection?.message).toMatch(/older than the last accepted/);
    const row = await recordRow(older.id);
    expect(row.result).toBe("REJECTED");
    expect(row.watermark_broker_ns).toBe(BigInt(T0 + 5_000) * 1_000_000n);
    expect(row.diff).toEqual([expect.objectContaining({ kind: "watermark_not_newer", lastAcceptedId: newer.id.toString() })]);
    const gate = await readReconcileGate(db, account, clock.nowMs(), 120_000);
    expect(gate.reconcileRunId).toBe(newer.id);
    expect(gate.open).toBe(true);
  });

  it("B2: an equal broker time is rejected too", async () => {
    const { db } = handle();
    const account = "b2-equal";
    await bookCash(db, usd("1000"), account);
    const first = await reconcileSnapshot({ ...common, db, mode: "LIVE", snapshot: snapshotOf({ account, cash: usd("1000"), brokerTimeMs: T0 }) });
    expect(first.result).toBe("CLEAN");
    // Even with different content: the broker time alone decides.
    const same = await reconcileSnapshot({ ...common, db, mode: "LIVE", snapshot: snapshotOf({ account, cash: usd("999.50"), brokerTimeMs: T0 }) });
    expect(same.result).toBe("REJECTED");
    expect(same.rejection?.message).toMatch(/equal to the last accepted/);
  });

  it("B2: a newer broker time with a local inbox seq that went back is rejected", async () => {
    const { db } = handle();
    const account = "b2-seq";
    await bookCash(db, usd("1000"), account);
    const seq = await receiveEvent(db, account);
    const first = await reconcileSnapshot({ ...common, db, mode: "PAPER", snapshot: snapshotOf({ account, cash: usd("1000"), brokerTimeMs: T0 }) });
    expect(first.watermark).toEqual({ brokerNs: BigInt(T0) * 1_000_000n, inboxSeq: seq });
    await db.deleteFrom("inbox").where("seq", "=", seq).execute();
    const after = await reconcileSnapshot({ ...common, db, mode: "PAPER", snapshot: snapshotOf({ account, cash: usd("1000"), brokerTimeMs: T0 + 1_000 }) });
    expect(after.result).toBe("REJECTED");
    expect(after.rejection?.reason).toBe("inbox_seq_went_back");
  });

  it("B2: the same stale snapshot presented twice is one REJECTED record (the same evidence)", async () => {
    const { db } = handle();
    const account = "b2-twice";
    await bookCash(db, usd("1000"), account);
    await reconcileSnapshot({ ...common, db, mode: "PAPER", snapshot: snapshotOf({ account, cash: usd("1000"), brokerTimeMs: T0 + 10_000 }) });
    const stale = snapshotOf({ account, cash: usd("1000"), brokerTimeMs: T0 });
    const a = await reconcileSnapshot({ ...common, db, mode: "PAPER", snapshot: stale });
    const b = await reconcileSnapshot({ ...common, db, mode: "PAPER", snapshot: stale });
    expect([a.result, b.result]).toEqual(["REJECTED", "REJECTED"]);
    expect(b.id).toBe(a.id);
    // Presented again later (the evidence hash binds finished_at): still that one record, with its own times and hash.
    clock.advance(5_000);
    const later = await reconcileSnapshot({ ...common, db, mode: "PAPER", snapshot: stale });
    expect(later).toMatchObject({ result: "REJECTED", id: a.id, evidenceHash: a.evidenceHash, finishedAtMs: a.finishedAtMs });
    const rows = await db.selectFrom("reconcile_runs").select("id").where("account", "=", account).where("result", "=", "REJECTED").execute();
    expect(rows).toHaveLength(1);
  });

  it("B2: BACKTEST accepts an older snapshot", async () => {
    const { db } = handle();
    const account = "b2-backtest";
    await bookCash(db, usd("1000"), account);
    await reconcileSnapshot({ ...common, db, mode: "BACKTEST", snapshot: snapshotOf({ account, cash: usd("1000"), brokerTimeMs: T0 + 10_000 }) });
    const older = await reconcileSnapshot({ ...common, db, mode: "BACKTEST", snapshot: snapshotOf({ account, cash: usd("1000"), brokerTimeMs: T0 }) });
    expect(older.result).toBe("CLEAN");
    expect(older.rejection).toBeNull();
  });

  it("B2: a BACKTEST record stays out of the trading chain: PAPER still compares with the last PAPER record, and the gate never reads it", async () => {
    const { db } = handle();
    const account = "b2-backtest-apart";
    await bookCash(db, usd("1000"), account);
    const paper = await reconcileSnapshot({ ...common, db, mode: "PAPER", snapshot: snapshotOf({ account, cash: usd("1000"), brokerTimeMs: T0 + 10_000 }) });
    expect(paper.result).toBe("CLEAN");
    // A BACKTEST reconcile on the same account, older than the PAPER one (accepted: B2 does not hold there).
    const backtest = await reconcileSnapshot({
      ...common,
      db,
      mode: "BACKTEST",
      snapshot: snapshotOf({ account, cash: usd("1000"), brokerTimeMs: T0 + 1_000 }),
    });
    expect(backtest.result).toBe("CLEAN");
    expect((await recordRow(backtest.id)).mode).toBe("BACKTEST");
    // A PAPER snapshot older than the last PAPER one is still rejected (it is newer than the BACKTEST one).
    const olderPaper = await reconcileSnapshot({
      ...common,
      db,
      mode: "PAPER",
      snapshot: snapshotOf({ account, cash: usd("1000"), brokerTimeMs: T0 + 5_000 }),
    });
    expect(olderPaper.rejection).toMatchObject({ kind: "watermark_not_newer", lastAcceptedId: paper.id });
    // The gate reads the PAPER record, never the BACKTEST one.
    expect(await readReconcileGate(db, account, clock.nowMs(), 120_000)).toMatchObject({ reconcileRunId: paper.id });
  });

  it("B2: through the real sim broker, a session whose broker clock is behind the last accepted snapshot is rejected", async () => {
    const { db } = handle();
    const account = "b2-sim";
    await bookCash(db, usd("100000"), account);
    const ahead = new FakeClock(T0 + 60_000);
    const first = await runReconcile({ db, session: openSimSession(ahead, usd("100000"), account), clock: ahead, mode: "PAPER", cashTolerance: TOLERANCE });
    expect(first.result).toBe("CLEAN");
    const behind = new FakeClock(T0);
    const session = openSimSession(behind, usd("100000"), account);
    const second = await runReconcile({ db, session, clock: behind, mode: "PAPER", cashTolerance: TOLERANCE });
    expect(second.result).toBe("REJECTED");
    behind.set(T0 + 61_000);
    const third = await runReconcile({ db, session, clock: behind, mode: "PAPER", cashTolerance: TOLERANCE });
    expect(third.result).toBe("CLEAN");
  });
});
