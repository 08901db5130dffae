/**
 * B1: the real arm-evidence verifier, and arming on a fresh reconcile.
 *
 * The verifier trusts nothing the caller says. Inside the arm transaction it re-reads the
 * record and accepts it only when ALL hold:
 *  1. it exists (and is of the expected account, when one is given);
 *  2. it is CLEAN;
 *  3. its stored evidence hash equals the presented one AND recomputes from its columns
 *     (integrity's v2 hash: result, mode, watermark, digests and finished_at);
 *  4. it is the latest accepted (CLEAN or DIRTY) record of its account;
 *  5. its watermark is strictly newer than the accepted record before it (B2; not in BACKTEST);
 *  6. it finished no later than now and no more than `freshnessMs` ago;
 *  7. the local state NOW has exactly the digest the record holds (no event, fill, order or
 *     ledger entry since): the record is bound to the state the desk would trade from;
 *  8. when `expectedRecordId` is set (armWithReconcile), it is that record;
 *  9. runReconcile of THIS process wrote it from a broker session's snapshot (the evidence
 *     hash has no secret: anyone who can write the table can make one that recomputes, so
 *     the hash alone is no proof; and reconcileSnapshot's records, from a snapshot value
 *     that may have been built in code, are not remembered).
 * integrity's `arm` checks 1–4 and "not from the future" again itself, and refuses a
 * BACKTEST record whatever this verifier's `mode` says.
 * A row typed into the table by hand — wrong hash, stale, superseded, about a local
 * state that is not the current one, or perfect but not ours — fails one of these.
 */
import { err, ok, type Result } from "@mqk/core";
import type { Database, Kysely, RunMode } from "@mqk/db";
import {
  arm,
  evidenceHashOfRecord,
  RECONCILE_RECORD_COLUMNS,
  type ArmEvidenceVerifier,
  type ArmRefusal,
  type ArmStatus,
  type VerifiedArmEvidence,
} from "@mqk/integrity";
import { localStateDigest } from "./digests.js";
import { readLocalState } from "./local-state.js";
import { lastAcceptedRecord, runReconcile, writtenByThisProcess, type ReconcileRecord, type RunReconcileOptions } from "./reconcile-run.js";
import { compareWatermark, formatWatermark } from "./watermark.js";

export interface ReconcileArmVerifierOptions {
  /** config reconcile.freshnessSeconds × 1000: the oldest record that may arm. */
  readonly freshnessMs: number;
  /** Accept records of this account only. */
  readonly account?: string;
  /** BACKTEST skips the watermark-order check (B2 is not enforced there); default PAPER. */
  readonly mode?: RunMode;
  /** Accept this record only (armWithReconcile: the one its own reconcile just wrote). */
  readonly expectedRecordId?: bigint;
}

export function reconcileArmVerifier(options: ReconcileArmVerifierOptions): ArmEvidenceVerifier {
  return {
    async verify(tx, evidence, nowMs): Promise<Result<VerifiedArmEvidence, string>> {
      const id = evidence.reconcileRunId;
      const name = `reconcile record ${id.toString()}`;
      if (options.expectedRecordId !== undefined && options.expectedRecordId !== id)
        return err(`${name} is not the record this arm's own reconcile wrote (${options.expectedRecordId.toString()})`);
      const row = await tx.selectFrom("reconcile_runs").select(RECONCILE_RECORD_COLUMNS).where("id", "=", id).executeTakeFirst();
      if (row === undefined) return err(`${name} does not exist`);
      if (options.account !== undefined && row.account !== options.account) return err(`${name} is of account ${row.account}, not ${options.account}`);
      if (row.result !== "CLEAN") return err(`${name} is ${row.result}; only a CLEAN record can arm`);
      if (row.mode === "BACKTEST" && options.mode !== "BACKTEST")
        return err(`${name} was written by a BACKTEST reconcile; it is no evidence for a desk that trades`);
      if (row.evidence_hash !== evidence.evidenceHash) return err(`${name}: the presented evidence hash differs from the stored one`);
      const recomputed = evidenceHashOfRecord(row);
      if (recomputed !== row.evidence_hash)
        return err(`${name}: its evidence hash does not recompute from its columns (not written by reconcile, or edited since); run a fresh reconcile`);
      const latest = await lastAcceptedRecord(tx, row.account);
      if (latest === undefined || latest.id !== row.id)
        return err(
          `${name} is not the latest accepted record of account ${row.account} (record ${latest?.id.toString() ?? "?"} is newer); run a fresh reconcile`,
        );
      const watermark = { brokerNs: row.watermark_broker_ns, inboxSeq: row.watermark_inbox_seq };
      if ((options.mode ?? "PAPER") !== "BACKTEST") {
        const previous = await lastAcceptedRecord(tx, row.account, row.id);
        if (previous !== undefined) {
          const verdict = compareWatermark(watermark, previous.watermark);
          if (!verdict.newer) return err(`${name} has a stale watermark against record ${previous.id.toString()}: ${verdict.message}`);
        }
      }
      const finishedMs = row.finished_at.getTime();
      const ageMs = nowMs - finishedMs;
      if (ageMs < 0) return err(`${name} finished ${String(-ageMs)} ms in the future; a record from the future proves nothing`);
      if (ageMs > options.freshnessMs)
        return err(`${name} is ${String(ageMs)} ms old, older than the ${String(options.freshnessMs)} ms freshness bound; run a fresh reconcile`);
      const local = await readLocalState(tx, row.account);
      if (localStateDigest(local) !== row.local_digest)
        return err(
          `${name} does not describe the current local state (inbox seq then ${row.watermark_inbox_seq.toString()}, now ${local.inboxSeq.toString()}); run a fresh reconcile`,
        );
      // Last, for a row that passes everything else: the hash has no secret, so anyone who can
      // write the table can make one that recomputes. Only this process's own reconciles count.
      if (!writtenByThisProcess(row.id, row.evidence_hash))
        return err(
          `${name} was not written by a reconcile of this process from a broker snapshot (typed in, from another process or an earlier run, or from a snapshot value); arm runs a fresh reconcile`,
        );
      return ok({
        reconcileRunId: row.id,
        summary: {
          account: row.account,
          result: row.result,
          watermark: formatWatermark(watermark),
          evidenceHash: row.evidence_hash,
          finishedAt: row.finished_at.toISOString(),
          ageMs,
        },
      });
    },
  };
}

export interface ArmWithReconcileOptions extends RunReconcileOptions {
  readonly db: Kysely<Database>;
  readonly freshnessMs: number;
  /** Who arms and why (audited). */
  readonly actor: string;
  readonly reason: string;
}

export type ArmWithReconcileRefusal =
  { readonly kind: "reconcile_not_clean"; readonly record: ReconcileRecord; readonly message: string } | (ArmRefusal & { readonly record: ReconcileRecord });

export interface ArmedOnReconcile {
  readonly record: ReconcileRecord;
  readonly status: ArmStatus;
}

/**
 * B1: runs a fresh reconcile against the broker and arms only on ITS record, and only if
 * that record is CLEAN and the verifier (bound to that record id) accepts it. A DIRTY
 * result disarms as every DIRTY does; a REJECTED one arms nothing.
 */
export async function armWithReconcile(options: ArmWithReconcileOptions): Promise<Result<ArmedOnReconcile, ArmWithReconcileRefusal>> {
  const { freshnessMs, actor, reason, ...reconcile } = options;
  const record = await runReconcile(reconcile);
  if (record.result !== "CLEAN") {
    const why = record.result === "DIRTY" ? `${String(record.entries.length)} mismatch(es)` : (record.rejection?.message ?? "rejected");
    return err({
      kind: "reconcile_not_clean",
      record,
      message: `arm refused: the fresh reconcile (record ${record.id.toString()}) is ${record.result}: ${why}`,
    });
  }
  const verifier = reconcileArmVerifier({ freshnessMs, account: record.account, mode: options.mode, expectedRecordId: record.id });
  const armed = await arm(
    options.db,
    { evidence: { reconcileRunId: record.id, evidenceHash: record.evidenceHash }, actor, reason, verifier, runId: options.runId ?? null },
    options.clock,
  );
  if (!armed.ok) return err({ ...armed.error, record });
  return ok({ record, status: armed.value });
}
