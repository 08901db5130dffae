/**
 * B1/B3: integrity checks arm evidence itself, whatever verifier the caller passes, and the
 * evidence hash (v2) binds everything the gate and arm read of a record — finished_at and
 * mode included — so a row edited by hand shuts the gate and cannot arm.
 */
import { randomBytes } from "node:crypto";
import { FakeClock, ok } from "@mqk/core";
import { createTestDatabase, sql, type ReconcileResult, type RunMode, type TestDatabase } from "@mqk/db";
import {
  arm,
  beat,
  bootIntegrity,
  disarm,
  evidenceHashOfRecord,
  readArmState,
  readDispatchGates,
  readReconcileGate,
  reconcileEvidenceHash,
  type ArmEvidence,
  type ArmEvidenceVerifier,
} from "@mqk/integrity";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

const FRESH_MS = 120_000;
let handle: TestDatabase;
const clock = new FakeClock(Date.UTC(2026, 2, 9, 14, 30, 0));

/** A verifier that vouches for anything presented: only arm's own checks stand in the way. */
let verifierCalls = 0;
const acceptAll: ArmEvidenceVerifier = {
  verify: (_tx, evidence) => {
    verifierCalls += 1;
    return Promise.resolve(ok({ reconcileRunId: evidence.reconcileRunId, summary: { vouched: "blindly" } }));
  },
};

beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(async () => {
  await handle.close();
});
beforeEach(async () => {
  clock.advance(1_000);
  await handle.db.updateTable("deadman").set({ state: "CLEAR", last_beat_at: null, deadline_at: null, tripped_at: null, reason: null }).execute();
  await bootIntegrity(handle.db, clock);
  verifierCalls = 0;
});

interface RecordInput {
  readonly account: string;
  readonly result?: ReconcileResult;
  readonly mode?: RunMode;
  readonly finishedAtMs?: number;
  /** Stored instead of the genuine hash (a row typed in by hand). */
  readonly storedHash?: string;
}

/** A reconcile record as reconcile writes it (genuine v2 hash unless `storedHash`); returns its evidence. */
async function writeRecord(input: RecordInput): Promise<ArmEvidence> {
  const finishedAtMs = input.finishedAtMs ?? clock.nowMs();
  const fields = {
    account: input.account,
    result: input.result ?? "CLEAN",
    mode: input.mode ?? "PAPER",
    watermarkBrokerNs: BigInt(finishedAtMs) * 1_000_000n,
    watermarkInboxSeq: 0n,
    snapshotDigest: randomBytes(32).toString("hex"),
    localDigest: randomBytes(32).toString("hex"),
    finishedAtMs,
  };
  const evidenceHash = input.storedHash ?? reconcileEvidenceHash(fields);
  const row = await handle.db
    .insertInto("reconcile_runs")
    .values({
      account: fields.account,
      result: fields.result,
      mode: fields.mode,
      watermark_broker_ns: fields.watermarkBrokerNs,
      watermark_inbox_seq: fields.watermarkInboxSeq,
      snapshot_digest: fields.snapshotDigest,
      local_digest: fields.localDigest,
      evidence_hash: evidenceHash,
      started_at: new Date(Math.min(finishedAtMs, clock.nowMs())),
      finished_at: new Date(finishedAtMs),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { reconcileRunId: row.id, evidenceHash };
}

async function auditCount(): Promise<number> {
  return (await handle.db.selectFrom("audit_events").select("seq").execute()).length;
}

/** arm with a verifier that accepts everything is refused with `message`, and nothing changed. */
async function expectRefusedDespiteVerifier(evidence: ArmEvidence, message: RegExp): Promise<void> {
  const before = { state: await readArmState(handle.db), audits: await auditCount() };
  const result = await arm(handle.db, { evidence, verifier: acceptAll, actor: "op", reason: "B1 own checks" }, clock);
  expect(result).toMatchObject({ ok: false, error: { kind: "evidence_rejected" } });
  expect(result.ok ? "" : result.error.message).toMatch(message);
  expect(await readArmState(handle.db)).toEqual(before.state);
  expect(await auditCount()).toBe(before.audits);
}

describe("B1: arm checks the evidence itself", () => {
  it("B1: arm() accepts a genuine CLEAN PAPER or LIVE record that is the latest of its account (the control: the checks can pass)", async () => {
    const paper = await writeRecord({ account: "own-ok-paper" });
    // A REJECTED record and a BACKTEST one after it change nothing: it is still the latest accepted.
    await writeRecord({ account: "own-ok-paper", result: "REJECTED" });
    await writeRecord({ account: "own-ok-paper", mode: "BACKTEST" });
    const armed = await arm(handle.db, { evidence: paper, verifier: acceptAll, actor: "op", reason: "control" }, clock);
    expect(armed).toMatchObject({ ok: true, value: { state: "ARMED", reconcileRunId: paper.reconcileRunId } });
    expect(verifierCalls).toBe(1);
    await disarm(handle.db, { reasonKind: "OPERATOR_DISARM", reason: "next case" }, clock);
    const live = await writeRecord({ account: "own-ok-live", mode: "LIVE" });
    expect((await arm(handle.db, { evidence: live, verifier: acceptAll, actor: "op", reason: "control" }, clock)).ok).toBe(true);
  });

  it("B1: arm() refuses evidence its own checks reject even when the verifier accepts", async () => {
    await disarm(handle.db, { reasonKind: "OPERATOR_DISARM", reason: "start disarmed" }, clock);

    // No such record.
    await expectRefusedDespiteVerifier({ reconcileRunId: 987_654_321n, evidenceHash: "a".repeat(64) }, /does not exist/);

    // Hash mismatch: a stored hash that does not recompute (typed in by hand)…
    const madeUp = await writeRecord({ account: "own-made-up", storedHash: randomBytes(32).toString("hex") });
    await expectRefusedDespiteVerifier(madeUp, /evidence hash does not recompute/);
    // …a genuine record presented with another hash…
    const genuine = await writeRecord({ account: "own-presented" });
    await expectRefusedDespiteVerifier({ ...genuine, evidenceHash: "0".repeat(64) }, /presented evidence hash differs from the stored one/);
    // …and a genuine record whose finished_at was moved afterwards (v2 binds it).
    const moved = await writeRecord({ account: "own-moved", finishedAtMs: clock.nowMs() - 1_000 });
    await handle.db
      .updateTable("reconcile_runs")
      .set({ finished_at: new Date(clock.nowMs()) })
      .where("id", "=", moved.reconcileRunId)
      .execute();
    await expectRefusedDespiteVerifier(moved, /evidence hash does not recompute/);

    // DIRTY (genuine hash).
    const dirty = await writeRecord({ account: "own-dirty", result: "DIRTY" });
    await expectRefusedDespiteVerifier(dirty, /is DIRTY, expected CLEAN/);

    // Not the latest accepted record of its account: a later DIRTY (or CLEAN) supersedes it.
    const superseded = await writeRecord({ account: "own-superseded" });
    await writeRecord({ account: "own-superseded", result: "DIRTY" });
    await expectRefusedDespiteVerifier(superseded, /is not the latest accepted record of account own-superseded/);

    // BACKTEST mode (genuine hash), and the same relabelled PAPER by hand (its hash no longer recomputes).
    const backtest = await writeRecord({ account: "own-backtest", mode: "BACKTEST" });
    await expectRefusedDespiteVerifier(backtest, /written by a BACKTEST reconcile, expected PAPER or LIVE/);
    await handle.db.updateTable("reconcile_runs").set({ mode: "PAPER" }).where("id", "=", backtest.reconcileRunId).execute();
    await expectRefusedDespiteVerifier(backtest, /evidence hash does not recompute/);

    // Dated in the future (genuine hash).
    const future = await writeRecord({ account: "own-future", finishedAtMs: clock.nowMs() + 60_000 });
    await expectRefusedDespiteVerifier(future, /finished 60000 ms in the future/);

    // The verifier was never asked: integrity refused first, and it alone.
    expect(verifierCalls).toBe(0);
    expect((await readArmState(handle.db)).state).toBe("DISARMED");
  });
});

describe("B3: the gates read an edited record as no evidence", () => {
  it("B3: the evidence hash (v2) changes with finished_at and with mode", () => {
    const row = {
      account: "own-hash",
      result: "CLEAN" as const,
      mode: "PAPER" as const,
      watermark_broker_ns: 5n,
      watermark_inbox_seq: 7n,
      snapshot_digest: "a".repeat(64),
      local_digest: "b".repeat(64),
      finished_at: new Date(clock.nowMs()),
    };
    const hash = evidenceHashOfRecord(row);
    expect(evidenceHashOfRecord({ ...row, finished_at: new Date(clock.nowMs() + 1) })).not.toBe(hash);
    expect(evidenceHashOfRecord({ ...row, mode: "LIVE" })).not.toBe(hash);
    expect(evidenceHashOfRecord({ ...row, mode: "BACKTEST" })).not.toBe(hash);
    expect(evidenceHashOfRecord({ ...row })).toBe(hash);
    const input = { account: row.account, result: row.result, mode: row.mode, watermarkBrokerNs: 5n, watermarkInboxSeq: 7n, snapshotDigest: "a".repeat(64) };
    expect(reconcileEvidenceHash({ ...input, localDigest: "b".repeat(64), finishedAtMs: clock.nowMs() })).toBe(hash);
    // A fraction of a millisecond would not survive the timestamptz column: refused, not rounded.
    expect(() => reconcileEvidenceHash({ ...input, localDigest: "b".repeat(64), finishedAtMs: 1.5 })).toThrow(
      /expected finishedAtMs as an integer of epoch milliseconds, found 1.5/,
    );
  });

  it("B3: a CLEAN record whose finished_at was edited by hand (made fresh) shuts readReconcileGate and readDispatchGates", async () => {
    const account = "own-edited-fresh";
    const evidence = await writeRecord({ account });
    expect((await arm(handle.db, { evidence, verifier: acceptAll, actor: "op", reason: "armed on a fresh record" }, clock)).ok).toBe(true);
    expect((await beat(handle.db, clock, 3_600_000)).ok).toBe(true);
    const dispatchGates = () => handle.db.transaction().execute((tx) => readDispatchGates(tx, account, clock.nowMs(), FRESH_MS));
    expect(await dispatchGates()).toMatchObject({ open: true, blockedBy: [] });

    clock.advance(FRESH_MS + 1_000);
    const stale = await dispatchGates();
    expect(stale.open).toBe(false);
    expect(stale.blockedBy.join("\n")).toMatch(/older than the 120000 ms bound/);

    // Made fresh by hand: the age now passes, the hash no longer recomputes.
    await sql`UPDATE reconcile_runs SET finished_at = ${new Date(clock.nowMs())} WHERE id = ${evidence.reconcileRunId}`.execute(handle.db);
    const gate = await readReconcileGate(handle.db, account, clock.nowMs(), FRESH_MS);
    expect(gate).toMatchObject({ open: false, reconcileRunId: evidence.reconcileRunId, ageMs: 0 });
    expect(gate.blockedBy).toEqual([expect.stringMatching(/evidence hash does not recompute/)]);
    const edited = await dispatchGates();
    expect(edited).toMatchObject({ open: false, pin: null });
    expect(edited.integrity.armed).toBe(true);
    expect(edited.blockedBy).toEqual([expect.stringMatching(/evidence hash does not recompute/)]);
  });

  it("B2/B3: a BACKTEST record relabelled PAPER by hand does not open readReconcileGate or readDispatchGates", async () => {
    const account = "own-relabelled";
    const paper = await writeRecord({ account });
    expect((await arm(handle.db, { evidence: paper, verifier: acceptAll, actor: "op", reason: "armed" }, clock)).ok).toBe(true);
    expect((await beat(handle.db, clock, 3_600_000)).ok).toBe(true);
    clock.advance(FRESH_MS + 1_000);
    const backtest = await writeRecord({ account, mode: "BACKTEST" });
    // The gate never reads the BACKTEST record: it judges the stale PAPER one.
    expect(await readReconcileGate(handle.db, account, clock.nowMs(), FRESH_MS)).toMatchObject({ open: false, reconcileRunId: paper.reconcileRunId });
    await handle.db.updateTable("reconcile_runs").set({ mode: "PAPER" }).where("id", "=", backtest.reconcileRunId).execute();
    const gate = await readReconcileGate(handle.db, account, clock.nowMs(), FRESH_MS);
    expect(gate).toMatchObject({ open: false, reconcileRunId: backtest.reconcileRunId, result: "CLEAN", ageMs: 0 });
    expect(gate.blockedBy).toEqual([expect.stringMatching(/evidence hash does not recompute/)]);
    const gates = await handle.db.transaction().execute((tx) => readDispatchGates(tx, account, clock.nowMs(), FRESH_MS));
    expect(gates.open).toBe(false);
    expect(gates.blockedBy).toEqual([expect.stringMatching(/evidence hash does not recompute/)]);
  });
});
