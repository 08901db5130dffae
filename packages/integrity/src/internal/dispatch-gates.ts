/**
 * Every gate the dispatcher needs, read in ONE query inside its claim transaction:
 * arm state, deadman and risk state FOR SHARE (a disarm, trip or halt waits for an
 * in-flight claim; every claim after its commit sees it), and the latest accepted
 * reconcile record of the account. The verdicts are the same pure judgements
 * `readGates` and `readReconcileGate` use, so the three cannot drift apart.
 */
import { prepared, sql, type ArmReasonKind, type ArmState, type DeadmanState, type RawBuilder, type ReconcileResult, type RunMode } from "@mqk/db";
import type { Executor } from "./executor.js";
import { judgeIntegrityGates, type IntegrityGates } from "./gates.js";
import { judgeReconcileRecord, type ReconcileGate } from "./reconcile-gate.js";

export interface DispatchGates {
  readonly integrity: IntegrityGates;
  readonly reconcile: ReconcileGate;
  /** risk_state.state; null when the row is missing (reads as shut). */
  readonly riskState: "active" | "reducing" | "halted" | null;
  /** Every gate open: armed, deadman clear, risk not halted, reconcile CLEAN, genuine and fresh. */
  readonly open: boolean;
  /** Why the gates are shut, one line each; empty when open. */
  readonly blockedBy: readonly string[];
  /** Set when open: the versions of the rows judged, and how long the verdict holds on them. */
  readonly pin: GatePin | null;
}

/**
 * The rows an open verdict was reached on, by version (xmin and ctid of arm_state,
 * deadman, risk_state and the latest accepted reconcile record of the account), and
 * the span in which those same rows stay open: from the record's finish to the
 * heartbeat deadline or the record's freshness bound, whichever comes first. While
 * `currentGatePin` still reads `value` (no row changed, none was added) and the clock
 * is inside the span, the judgement would come out the same: a claim may then check
 * the pin inside its own statement instead of reading and judging the gates again.
 */
export interface GatePin {
  readonly value: string;
  /** The verdict holds on these rows for nowMs in [openFromMs, openUntilMs] (a clock set back leaves it). */
  readonly openFromMs: number;
  readonly openUntilMs: number;
}

/** The pin of the rows joined as a, d, r and rc (rc's version as row_xmin and row_ctid). */
const PIN_OF_ROWS = sql<string>`a.xmin::text || ':' || a.ctid::text || '|' || d.xmin::text || ':' || d.ctid::text || '|' || r.xmin::text || ':' || r.ctid::text
  || '|' || coalesce(rc.id::text || ':' || rc.row_xmin::text || ':' || rc.row_ctid::text, 'none')`;

/**
 * An SQL scalar subquery: the gates' pin as it is now, with arm_state, deadman and
 * risk_state locked FOR SHARE for the rest of the statement's transaction — for the
 * claim statement to compare with a pin from `readDispatchGates` (an equal pin means
 * the same rows, so the same verdict inside the pin's span).
 */
export function currentGatePin(account: string): RawBuilder<string | null> {
  return sql<string | null>`(SELECT ${PIN_OF_ROWS}
      FROM arm_state a
     CROSS JOIN deadman d
     CROSS JOIN risk_state r
      LEFT JOIN LATERAL (
            SELECT id, xmin AS row_xmin, ctid AS row_ctid FROM reconcile_runs
             WHERE account = ${account} AND result IN ('CLEAN', 'DIRTY') AND mode IN ('PAPER', 'LIVE')
             ORDER BY id DESC
             LIMIT 1) rc ON true
       FOR SHARE OF a, d, r)`;
}

interface GateRow {
  readonly arm_state: ArmState;
  readonly arm_reason_kind: ArmReasonKind;
  readonly arm_reason: string;
  readonly arm_reconcile_run_id: bigint | null;
  readonly deadman_state: DeadmanState;
  readonly deadman_deadline_at: Date | null;
  readonly deadman_reason: string | null;
  readonly risk_state: "active" | "reducing" | "halted";
  readonly risk_reason: string;
  readonly rc_id: bigint | null;
  readonly rc_account: string | null;
  readonly rc_result: ReconcileResult | null;
  readonly rc_mode: RunMode | null;
  readonly rc_watermark_broker_ns: bigint | null;
  readonly rc_watermark_inbox_seq: bigint | null;
  readonly rc_snapshot_digest: string | null;
  readonly rc_local_digest: string | null;
  readonly rc_evidence_hash: string | null;
  readonly rc_finished_at: Date | null;
  readonly pin: string;
}

/** Call inside the claim transaction (the FOR SHARE locks last until it ends). */
export async function readDispatchGates(tx: Executor, account: string, nowMs: number, freshnessMs: number): Promise<DispatchGates> {
  // Prepared (one generic plan): single-row tables and reconcile_runs' (account, id DESC) index.
  const result = await sql<GateRow>`${prepared}
    SELECT a.state AS arm_state, a.reason_kind AS arm_reason_kind, a.reason AS arm_reason, a.reconcile_run_id AS arm_reconcile_run_id,
           d.state AS deadman_state, d.deadline_at AS deadman_deadline_at, d.reason AS deadman_reason,
           r.state AS risk_state, r.reason AS risk_reason,
           rc.id AS rc_id, rc.account AS rc_account, rc.result AS rc_result, rc.mode AS rc_mode, rc.watermark_broker_ns AS rc_watermark_broker_ns,
           rc.watermark_inbox_seq AS rc_watermark_inbox_seq, rc.snapshot_digest AS rc_snapshot_digest, rc.local_digest AS rc_local_digest,
           rc.evidence_hash AS rc_evidence_hash, rc.finished_at AS rc_finished_at,
           ${PIN_OF_ROWS} AS pin
      FROM arm_state a
     CROSS JOIN deadman d
     CROSS JOIN risk_state r
      LEFT JOIN LATERAL (
            SELECT *, xmin AS row_xmin, ctid AS row_ctid FROM reconcile_runs
             WHERE account = ${account} AND result IN ('CLEAN', 'DIRTY') AND mode IN ('PAPER', 'LIVE')
             ORDER BY id DESC
             LIMIT 1) rc ON true
       FOR SHARE OF a, d, r`.execute(tx);
  const row = result.rows[0];
  if (row === undefined) {
    const integrity = judgeIntegrityGates(undefined, undefined, nowMs);
    const reconcile = judgeReconcileRecord(account, undefined, nowMs, freshnessMs);
    const blockedBy = ["arm_state, deadman or risk_state has no row (the schema was altered by hand)", ...reconcile.blockedBy];
    return { integrity, reconcile, riskState: null, open: false, blockedBy, pin: null };
  }
  const integrity = judgeIntegrityGates(
    { state: row.arm_state, reason_kind: row.arm_reason_kind, reason: row.arm_reason, reconcile_run_id: row.arm_reconcile_run_id },
    { state: row.deadman_state, deadline_at: row.deadman_deadline_at, reason: row.deadman_reason },
    nowMs,
  );
  const record =
    row.rc_id === null ||
    row.rc_account === null ||
    row.rc_result === null ||
    row.rc_mode === null ||
    row.rc_watermark_broker_ns === null ||
    row.rc_watermark_inbox_seq === null ||
    row.rc_snapshot_digest === null ||
    row.rc_local_digest === null ||
    row.rc_evidence_hash === null ||
    row.rc_finished_at === null
      ? undefined
      : {
          id: row.rc_id,
          account: row.rc_account,
          result: row.rc_result,
          mode: row.rc_mode,
          watermark_broker_ns: row.rc_watermark_broker_ns,
          watermark_inbox_seq: row.rc_watermark_inbox_seq,
          snapshot_digest: row.rc_snapshot_digest,
          local_digest: row.rc_local_digest,
          evidence_hash: row.rc_evidence_hash,
          // Bound by the evidence hash (v2) as well as judged for age: an edited finished_at shuts the gate.
          finished_at: row.rc_finished_at,
        };
  const reconcile = judgeReconcileRecord(account, record, nowMs, freshnessMs);
  const blockedBy = [...integrity.blockedBy];
  if (row.risk_state === "halted") blockedBy.push(`risk halted: ${row.risk_reason}`);
  blockedBy.push(...reconcile.blockedBy);
  const open = blockedBy.length === 0;
  // Open on these rows until the heartbeat deadline or the record's freshness bound, whichever is first.
  const openUntilMs = Math.min(integrity.deadlineAtMs ?? Number.NEGATIVE_INFINITY, (record?.finished_at.getTime() ?? Number.NEGATIVE_INFINITY) + freshnessMs);
  // …and not before the record finished (a record from the future shuts the gate).
  const openFromMs = record?.finished_at.getTime() ?? Number.POSITIVE_INFINITY;
  const pin = open && Number.isFinite(openUntilMs) && Number.isFinite(openFromMs) ? { value: row.pin, openFromMs, openUntilMs } : null;
  return { integrity, reconcile, riskState: row.risk_state, open, blockedBy, pin };
}
