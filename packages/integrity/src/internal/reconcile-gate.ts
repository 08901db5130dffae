/**
 * The reconcile gate (B1, B3): what the dispatcher reads, inside its claim
 * transaction, about the last reconcile of an account — and the evidence hash
 * that binds a reconcile record to everything the gate and arm read of it: its
 * account, result, mode, watermark, digests and the time it finished.
 *
 * The hash is defined here, below both of its users: reconcile writes it and
 * the gate, `arm` and the arm verifier recompute it. A row whose stored hash differs
 * from the recomputed one was not written by reconcile (or was edited since: a
 * finished_at moved to look fresh, a BACKTEST record relabelled PAPER) and never
 * opens a gate or arms.
 */
import { canonicalJson, DeskError, sha256Hex } from "@mqk/core";
import type { ReconcileResult, RunMode } from "@mqk/db";
import type { Executor } from "./executor.js";

export interface ReconcileEvidenceInput {
  readonly account: string;
  readonly result: ReconcileResult;
  /** The mode that wrote the record: only PAPER and LIVE records are trading evidence. */
  readonly mode: RunMode;
  readonly watermarkBrokerNs: bigint;
  readonly watermarkInboxSeq: bigint;
  readonly snapshotDigest: string;
  readonly localDigest: string;
  /**
   * When the record finished, integer epoch ms: the gate's freshness is measured from it.
   * finished_at is a timestamptz written from these ms, so it reads back exactly.
   */
  readonly finishedAtMs: number;
}

/**
 * sha256 over (account, result, mode, watermark, snapshot digest, local-state digest,
 * finishedAtMs), canonical JSON, version 2. Version 1 left out mode and finishedAtMs, so
 * an edited finished_at or mode still recomputed; a version-1 row no longer does.
 */
export function reconcileEvidenceHash(input: ReconcileEvidenceInput): string {
  // Any Date read back from finished_at passes (its getTime() is an integer); a fraction would not survive the column.
  if (!Number.isSafeInteger(input.finishedAtMs))
    throw new DeskError(
      "BAD_INPUT",
      `reconcileEvidenceHash: expected finishedAtMs as an integer of epoch milliseconds, found ${String(input.finishedAtMs)}; pass the integer ms written to finished_at`,
    );
  return sha256Hex(
    canonicalJson({
      v: 2,
      account: input.account,
      result: input.result,
      mode: input.mode,
      watermarkBrokerNs: input.watermarkBrokerNs.toString(),
      watermarkInboxSeq: input.watermarkInboxSeq.toString(),
      snapshotDigest: input.snapshotDigest,
      localDigest: input.localDigest,
      finishedAtMs: String(input.finishedAtMs),
    }),
  );
}

/** The columns of a reconcile_runs row that its evidence hash binds. */
export interface ReconcileRecordColumns {
  readonly account: string;
  readonly result: ReconcileResult;
  readonly mode: RunMode;
  readonly watermark_broker_ns: bigint;
  readonly watermark_inbox_seq: bigint;
  readonly snapshot_digest: string;
  readonly local_digest: string;
  readonly finished_at: Date;
}

/** What the gate, `arm` and the arm verifier read of a reconcile_runs row: its id, its hash and every column the hash binds. */
export const RECONCILE_RECORD_COLUMNS = [
  "id",
  "account",
  "result",
  "mode",
  "watermark_broker_ns",
  "watermark_inbox_seq",
  "snapshot_digest",
  "local_digest",
  "evidence_hash",
  "finished_at",
] as const;

/** The evidence hash a reconcile_runs row must carry, recomputed from its own columns. */
export function evidenceHashOfRecord(row: ReconcileRecordColumns): string {
  return reconcileEvidenceHash({
    account: row.account,
    result: row.result,
    mode: row.mode,
    watermarkBrokerNs: row.watermark_broker_ns,
    watermarkInboxSeq: row.watermark_inbox_seq,
    snapshotDigest: row.snapshot_digest,
    localDigest: row.local_digest,
    finishedAtMs: row.finished_at.getTime(),
  });
}

export interface ReconcileGate {
  /** The latest accepted record (CLEAN or DIRTY; REJECTED snapshots change nothing) is CLEAN, genuine and fresh. */
  readonly open: boolean;
  readonly reconcileRunId: bigint | null;
  readonly result: ReconcileResult | null;
  readonly ageMs: number | null;
  /** Why the gate is shut, one line each; empty when open. */
  readonly blockedBy: readonly string[];
}

/**
 * Reads the latest accepted reconcile record of `account` and judges it at `nowMs`:
 * shut when there is none, when it is DIRTY, when it was not written by PAPER or LIVE,
 * when its evidence hash does not recompute (which binds finished_at and mode too:
 * an edited row shuts the gate), when it finished more than `freshnessMs` ago (B3),
 * or after `nowMs`.
 */
export async function readReconcileGate(executor: Executor, account: string, nowMs: number, freshnessMs: number): Promise<ReconcileGate> {
  const row = await executor
    .selectFrom("reconcile_runs")
    .select(RECONCILE_RECORD_COLUMNS)
    .where("account", "=", account)
    .where("result", "in", ["CLEAN", "DIRTY"])
    .where("mode", "in", ["PAPER", "LIVE"])
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return judgeReconcileRecord(account, row, nowMs, freshnessMs);
}

/** A reconcile record as the gate judges it. */
export interface ReconcileRecordRow extends ReconcileRecordColumns {
  readonly id: bigint;
  readonly evidence_hash: string;
}

/** The gate's verdict on the latest accepted record of `account` (undefined: there is none). */
export function judgeReconcileRecord(account: string, row: ReconcileRecordRow | undefined, nowMs: number, freshnessMs: number): ReconcileGate {
  if (row === undefined) {
    return { open: false, reconcileRunId: null, result: null, ageMs: null, blockedBy: [`reconcile: no accepted reconcile record for account ${account} yet`] };
  }
  const blockedBy: string[] = [];
  const ageMs = nowMs - row.finished_at.getTime();
  const expected = evidenceHashOfRecord(row);
  if (row.result !== "CLEAN") blockedBy.push(`reconcile: the last record (${row.id.toString()}) is ${row.result}`);
  // The queries read PAPER and LIVE records only; a caller's row of another mode is no trading evidence either.
  if (row.mode !== "PAPER" && row.mode !== "LIVE")
    blockedBy.push(`reconcile: the last record (${row.id.toString()}) was written by ${row.mode}, expected PAPER or LIVE; run a reconcile of the trading desk`);
  if (expected !== row.evidence_hash)
    blockedBy.push(
      `reconcile: record ${row.id.toString()}'s evidence hash does not recompute (not written by reconcile, or edited since: finished_at, mode…); run a fresh reconcile`,
    );
  if (ageMs > freshnessMs)
    blockedBy.push(`reconcile: the last record (${row.id.toString()}) is ${String(ageMs)} ms old, older than the ${String(freshnessMs)} ms bound`);
  // A record from the future is no evidence of now (a clock ahead of this one, or a row written by hand): shut.
  if (ageMs < 0)
    blockedBy.push(
      `reconcile: the last record (${row.id.toString()}) finished ${String(-ageMs)} ms in the future by this clock; check the clocks, then run a fresh reconcile`,
    );
  return { open: blockedBy.length === 0, reconcileRunId: row.id, result: row.result, ageMs, blockedBy };
}
