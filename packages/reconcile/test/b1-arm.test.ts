import { randomBytes } from "node:crypto";
import { arm, disarm, readArmState, reconcileEvidenceHash, verifyAuditChain } from "@mqk/integrity";
import { armWithReconcile, localStateDigest, readLocalState, reconcileArmVerifier, reconcileSnapshot, runReconcile } from "@mqk/reconcile";
import { beforeEach, describe, expect, it } from "vitest";
import { bookCash, newClock, openSimSession, receiveEvent, setPosition, snapshotOf, TOLERANCE, usd, useDatabase } from "./support.js";

const handle = useDatabase();
const clock = newClock();
const FRESH_MS = 120_000;
const verifier = reconcileArmVerifier({ freshnessMs: FRESH_MS });
const request = { actor: "operator", reason: "B1 test" } as const;

beforeEach(async () => {
  clock.advance(1_000);
  await disarm(handle().db, { reasonKind: "OPERATOR_DISARM", reason: "test reset", actor: "test" }, clock);
});

interface ForgedRow {
  readonly account: string;
  readonly brokerNs: bigint;
  readonly inboxSeq?: bigint;
  readonly localDigest?: string;
  readonly finishedAtMs?: number;
  /** undefined: the hash integrity would compute for the row. */
  readonly evidenceHash?: string;
}

/** A CLEAN row typed into the table by hand. */
async function forgeCleanRow(row: ForgedRow): Promise<{ reconcileRunId: bigint; evidenceHash: string }> {
  const finishedAtMs = row.finishedAtMs ?? clock.nowMs();
  const input = {
    account: row.account,
    result: "CLEAN" as const,
    mode: "PAPER" as const,
    watermarkBrokerNs: row.brokerNs,
    watermarkInboxSeq: row.inboxSeq ?? 0n,
    snapshotDigest: randomBytes(32).toString("hex"),
    localDigest: row.localDigest ?? randomBytes(32).toString("hex"),
    finishedAtMs,
  };
  const evidenceHash = row.evidenceHash ?? reconcileEvidenceHash(input);
  const at = new Date(finishedAtMs);
  const inserted = await handle()
    .db.insertInto("reconcile_runs")
    .values({
      account: input.account,
      result: "CLEAN",
      watermark_broker_ns: input.watermarkBrokerNs,
      watermark_inbox_seq: input.watermarkInboxSeq,
      snapshot_digest: input.snapshotDigest,
      local_digest: input.localDigest,
      evidence_hash: evidenceHash,
      mode: "PAPER",
      started_at: at,
      finished_at: at,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { reconcileRunId: inserted.id, evidenceHash };
}

async function expectRefused(evidence: { reconcileRunId: bigint; evidenceHash: string }, message: RegExp): Promise<void> {
  const { db } = handle();
  const result = await arm(db, { ...request, evidence, verifier }, clock);
  expect(result.ok).toBe(false);
  if (!result.ok) {
    expect(result.error.kind).toBe("evidence_rejected");
    expect(result.error.message).toMatch(message);
  }
  expect((await readArmState(db)).state).toBe("DISARMED");
}

const nowNs = (): bigint => BigInt(clock.nowMs()) * 1_000_000n;

/** A genuine record of `account` against a broker snapshot VALUE taken now holding `cashUsd` (reconcileSnapshot: it can never arm). */
function reconcileAt(account: string, cashUsd: string) {
  const snapshot = snapshotOf({ account, cash: usd(cashUsd), brokerTimeNs: nowNs() });
  return reconcileSnapshot({ db: handle().db, clock, mode: "PAPER", cashTolerance: TOLERANCE, snapshot });
}

/** A real reconcile of `account` through the sim broker (a BrokerSession) holding `cashUsd`: its CLEAN record can arm. */
function reconcileWithBroker(account: string, cashUsd: string) {
  return runReconcile({ db: handle().db, session: openSimSession(clock, usd(cashUsd), account), clock, mode: "PAPER", cashTolerance: TOLERANCE });
}

describe("B1: only a verified CLEAN reconcile arms", () => {
  it("B1: a CLEAN row typed in by hand with a made-up hash cannot arm", async () => {
    const account = "b1-wrong-hash";
    const local = await readLocalState(handle().db, account);
    const forged = await forgeCleanRow({ account, brokerNs: nowNs(), localDigest: localStateDigest(local), evidenceHash: randomBytes(32).toString("hex") });
    await expectRefused(forged, /does not recompute/);
  });

  it("B1: a hand-typed CLEAN row whose hash recomputes but which is stale cannot arm", async () => {
    const account = "b1-stale";
    const local = await readLocalState(handle().db, account);
    const finishedAtMs = clock.nowMs() - FRESH_MS - 1;
    const forged = await forgeCleanRow({ account, brokerNs: BigInt(finishedAtMs) * 1_000_000n, localDigest: localStateDigest(local), finishedAtMs });
    await expectRefused(forged, /older than the 120000 ms freshness bound/);
  });

  it("B1: a hand-typed CLEAN row dated in the future cannot arm", async () => {
    const account = "b1-future";
    const local = await readLocalState(handle().db, account);
    const forged = await forgeCleanRow({ account, brokerNs: nowNs(), localDigest: localStateDigest(local), finishedAtMs: clock.nowMs() + 3_600_000 });
    await expectRefused(forged, /in the future/);
  });

  it("B1: a hand-typed CLEAN row with a recomputing hash, fresh, but about another local state cannot arm", async () => {
    const forged = await forgeCleanRow({ account: "b1-other-state", brokerNs: nowNs() });
    await expectRefused(forged, /does not describe the current local state/);
  });

  it("B1: a hand-typed CLEAN row whose watermark is not newer than the last accepted record cannot arm", async () => {
    const { db } = handle();
    const account = "b1-stale-watermark";
    await bookCash(db, usd("1000"), account);
    const real = await reconcileAt(account, "1000");
    expect(real.result).toBe("CLEAN");
    const forged = await forgeCleanRow({ account, brokerNs: real.watermark.brokerNs, localDigest: real.localDigest });
    await expectRefused(forged, /stale watermark against record/);
  });

  it("B1: a perfect forgery — a hand-typed CLEAN row whose hash recomputes, fresh, newest, newer watermark, about the current local state — cannot arm", async () => {
    const { db } = handle();
    const account = "b1-perfect-forgery";
    await bookCash(db, usd("1000"), account);
    const real = await reconcileAt(account, "1000"); // a genuine earlier record to be newer than
    clock.advance(1_000);
    const local = await readLocalState(db, account);
    const forged = await forgeCleanRow({ account, brokerNs: real.watermark.brokerNs + 1n, inboxSeq: local.inboxSeq, localDigest: localStateDigest(local) });
    await expectRefused(forged, /not written by a reconcile of this process/);
  });

  it("B1: a CLEAN record older than a later DIRTY record cannot arm", async () => {
    const { db } = handle();
    const account = "b1-superseded";
    await bookCash(db, usd("1000"), account);
    const clean = await reconcileAt(account, "1000");
    expect(clean.result).toBe("CLEAN");
    clock.advance(1_000);
    const dirty = await reconcileAt(account, "900");
    expect(dirty.result).toBe("DIRTY");
    await expectRefused({ reconcileRunId: clean.id, evidenceHash: clean.evidenceHash }, /not the latest accepted record/);
  });

  it("B1: a real CLEAN record presented with another hash cannot arm; with its own hash it can", async () => {
    const { db } = handle();
    const account = "b1-presented";
    await bookCash(db, usd("1000"), account);
    const clean = await reconcileWithBroker(account, "1000");
    expect(clean.result).toBe("CLEAN");
    await expectRefused({ reconcileRunId: clean.id, evidenceHash: "0".repeat(64) }, /presented evidence hash differs/);
    const armed = await arm(db, { ...request, evidence: { reconcileRunId: clean.id, evidenceHash: clean.evidenceHash }, verifier }, clock);
    expect(armed.ok).toBe(true);
  });

  it("B1: a real CLEAN record no longer arms once the local state has moved on (a new inbox event)", async () => {
    const { db } = handle();
    const account = "b1-moved-on";
    await bookCash(db, usd("1000"), account);
    const clean = await reconcileWithBroker(account, "1000");
    expect(clean.result).toBe("CLEAN");
    await receiveEvent(db, account);
    await expectRefused({ reconcileRunId: clean.id, evidenceHash: clean.evidenceHash }, /does not describe the current local state/);
  });

  it("B1: a CLEAN record from a snapshot built in code (not read from a broker) cannot arm", async () => {
    const { db } = handle();
    const account = "b1-built-in-code";
    await bookCash(db, usd("1000"), account);
    // A snapshot value that agrees with our books: CLEAN, genuine hash, fresh, latest, about the current local state.
    const built = await reconcileAt(account, "1000");
    expect(built.result).toBe("CLEAN");
    await expectRefused({ reconcileRunId: built.id, evidenceHash: built.evidenceHash }, /not written by a reconcile of this process from a broker snapshot/);
    // The same account reconciled through the broker a second later: that record arms.
    clock.advance(1_000);
    const real = await reconcileWithBroker(account, "1000");
    expect(real.result).toBe("CLEAN");
    const armed = await arm(db, { ...request, evidence: { reconcileRunId: real.id, evidenceHash: real.evidenceHash }, verifier }, clock);
    expect(armed).toMatchObject({ ok: true, value: { state: "ARMED", reconcileRunId: real.id } });
  });

  it("B1: a real reconcile against the broker arms (armWithReconcile), bound to its own record", async () => {
    const { db } = handle();
    const account = "b1-real";
    await bookCash(db, usd("100000"), account);
    const session = openSimSession(clock, usd("100000"), account);
    const result = await armWithReconcile({ db, session, clock, mode: "PAPER", cashTolerance: TOLERANCE, freshnessMs: FRESH_MS, ...request });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.record.result).toBe("CLEAN");
    const state = await readArmState(db);
    expect(state).toMatchObject({ state: "ARMED", reasonKind: "OPERATOR_ARM", reconcileRunId: result.value.record.id, changedBy: "operator" });
    const armedAudit = await db
      .selectFrom("audit_events")
      .select(["payload"])
      .where("kind", "=", "ARMED")
      .orderBy("seq", "desc")
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(armedAudit.payload).toMatchObject({ reconcileRunId: result.value.record.id.toString(), evidenceHash: result.value.record.evidenceHash });
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it("B1: armWithReconcile against a broker that disagrees does not arm (and the DIRTY record disarms)", async () => {
    const { db } = handle();
    const account = "b1-real-dirty";
    await bookCash(db, usd("100000"), account);
    await setPosition(db, "AAPL", 5n, usd("100"), account);
    const session = openSimSession(clock, usd("100000"), account);
    const result = await armWithReconcile({ db, session, clock, mode: "PAPER", cashTolerance: TOLERANCE, freshnessMs: FRESH_MS, ...request });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe("reconcile_not_clean");
    expect(result.error.record.result).toBe("DIRTY");
    expect(await readArmState(db)).toMatchObject({ state: "DISARMED", reasonKind: "RECONCILE_DIRTY" });
  });

  it("B1: the verifier armWithReconcile uses accepts only the record its own reconcile wrote", async () => {
    const { db } = handle();
    const account = "b1-bound";
    await bookCash(db, usd("1000"), account);
    const clean = await runReconcile({ db, session: openSimSession(clock, usd("1000"), account), clock, mode: "PAPER", cashTolerance: TOLERANCE });
    const bound = reconcileArmVerifier({ freshnessMs: FRESH_MS, expectedRecordId: clean.id + 1000n });
    const result = await arm(db, { ...request, evidence: { reconcileRunId: clean.id, evidenceHash: clean.evidenceHash }, verifier: bound }, clock);
    expect(result.ok).toBe(false);
    const otherAccount = reconcileArmVerifier({ freshnessMs: FRESH_MS, account: "someone-else" });
    const refused = await arm(db, { ...request, evidence: { reconcileRunId: clean.id, evidenceHash: clean.evidenceHash }, verifier: otherAccount }, clock);
    expect(refused.ok ? "" : refused.error.message).toMatch(/is of account b1-bound, not someone-else/);
  });
});
