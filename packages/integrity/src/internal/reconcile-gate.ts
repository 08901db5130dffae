/**
 * The reconcile gate (B1, B3): what the dispatcher reads, inside its claim
 * transaction, about the last reconcile of an account — and the evidence hash
 * that binds a reconcile record to its watermark, digests and result.
 *
 * The hash is defined here, below both of its users: reconcile writes it and
 * the gate and the arm verifier recompute it. A row whose stored hash differs
 * from the recomputed one was not written by reconcile and never opens a gate.
 */
import { canonicalJson, sha256Hex } from "@mqk/core";
import type { ReconcileResult } from "@mqk/db";
import type { Executor } from "./executor.js";

export interface ReconcileEvidenceInput {
  readonly account: string;
  readonly result: ReconcileResult;
  readonly watermarkBrokerNs: bigint;
  readonly watermarkInboxSeq: bigint;
  readonly snapshotDigest: string;
  readonly localDigest: string;
}

/** sha256 over (account, watermark, snapshot digest, local-state digest, result), canonical JSON, version 1. */
export function reconcileEvidenceHash(input: ReconcileEvidenceInput): string {
  return sha256Hex(
    canonicalJson({
      v: 1,
      account: input.account,
      result: input.result,
      watermarkBrokerNs: input.watermarkBrokerNs.toString(),
      watermarkInboxSeq: input.watermarkInboxSeq.toString(),
      snapshotDigest: input.snapshotDigest,
      localDigest: input.localDigest,
    }),
  );
}

/** The columns of a reconcile_runs row that its evidence hash binds. */
export interface ReconcileRecordColumns {
  readonly account: string;
  readonly result: ReconcileResult;
  readonly watermark_broker_ns: bigint;
  readonly watermark_inbox_seq: bigint;
  readonly snapshot_digest: string;
  readonly local_digest: string;
}

/** The evidence hash a reconcile_runs row must carry, recomputed from its own columns. */
export function evidenceHashOfRecord(row: ReconcileRecordColumns): string {
  return reconcileEvidenceHash({
    account: row.account,
    result: row.result,
    watermarkBrokerNs: row.watermark_broker_ns,
    watermarkInboxSeq: row.watermark_inbox_seq,
    snapshotDigest: row.snapshot_digest,
    localDigest: row.local_digest,
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
 * shut when there is none, when it is DIRTY, when its evidence hash does not
 * recompute, when it finished more than `freshnessMs` ago (B3), or after `nowMs`.
 */
export async function readReconcileGate(executor: Executor, account: string, nowMs: number, freshnessMs: number): Promise<ReconcileGate> {
  const row = await executor
    .selectFrom("reconcile_runs")
    .select(["id", "account", "result", "watermark_broker_ns", "watermark_inbox_seq", "snapshot_digest", "local_digest", "evidence_hash", "finished_at"])
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
  readonly finished_at: Date;
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
  if (expected !== row.evidence_hash) blockedBy.push(`reconcile: record ${row.id.toString()}'s evidence hash does not recompute (not written by reconcile)`);
  if (ageMs > freshnessMs)
    blockedBy.push(`reconcile: the last record (${row.id.toString()}) is ${String(ageMs)} ms old, older than the ${String(freshnessMs)} ms bound`);
  // A record from the future is no evidence of now (a clock ahead of this one, or a row written by hand): shut.
  if (ageMs < 0)
    blockedBy.push(
      `reconcile: the last record (${row.id.toString()}) finished ${String(-ageMs)} ms in the future by this clock; check the clocks, then run a fresh reconcile`,
    );
  return { open: blockedBy.length === 0, reconcileRunId: row.id, result: row.result, ageMs, blockedBy };
}
