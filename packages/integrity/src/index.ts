/**
 * @mqk/integrity — the desk's safety gates and their record: the arm state (C1), the
 * deadman (C2) and the hash-chained audit log (X1).
 *
 * Entry points: `bootIntegrity` (every process start), `arm` / `disarm` (C1, B1), `beat` /
 * `checkDeadman` / `recoverDeadman` (C2), `readGates` and `readDispatchGates` (the dispatcher,
 * inside its claim transaction), `appendAudit` / `verifyAuditChain` (X1), `checkFeedFreshness` / `enforceFeedFreshness`
 * (E3), `detectGaps` (E1).
 *
 * Invariants:
 *  1. Boot always writes DISARMED, whatever the table said, and audits why (C1).
 *  2. DISARMED is sticky: only `arm` leaves it, and `arm` needs evidence an `ArmEvidenceVerifier`
 *     accepts (the default refuses everything) and a clear deadman (B1, C1).
 *  3. A missed heartbeat deadline trips the deadman, persisted, and disarms; it stays TRIPPED
 *     across restarts until `recoverDeadman` with an operator reason; recovery does not arm (C2).
 *  4. Every state change is appended to the audit chain in the same transaction as the change.
 *  5. Every audit row carries the hash of the row before it; appends are serialised, so the
 *     chain never forks; an edited, inserted or deleted row is found and named (X1).
 *  6. The gates fail closed: no row, no heartbeat or a passed deadline reads as shut.
 *
 * Must never: arm on a record it has not verified; clear a trip or a disarm on its own;
 * write an audit row outside `appendAudit`; turn a verification failure into a throw
 * (it is a Result the caller must act on).
 */
export { appendAudit, auditHash, GENESIS_HASH, AUDIT_LOCK_KEY, type AuditEntry, type AppendedAudit, type AuditHashInput } from "./internal/audit-chain.js";
export { verifyAuditChain, type AuditChainBreak, type AuditChainSummary } from "./internal/verify-audit-chain.js";
export {
  arm,
  disarm,
  readArmState,
  refuseAllEvidence,
  type ArmEvidence,
  type ArmEvidenceVerifier,
  type VerifiedArmEvidence,
  type ArmRequest,
  type ArmRefusal,
  type ArmStatus,
  type DisarmRequest,
  type DisarmReasonKind,
} from "./internal/arm-state.js";
export { bootIntegrity, type BootReport } from "./internal/boot.js";
export {
  beat,
  checkDeadman,
  recoverDeadman,
  readDeadman,
  standDownDeadman,
  type DeadmanStatus,
  type BeatRefusal,
  type RecoverRefusal,
} from "./internal/deadman.js";
export { readGates, type IntegrityGates } from "./internal/gates.js";
export { readDispatchGates, currentGatePin, type DispatchGates, type GatePin } from "./internal/dispatch-gates.js";
export {
  readReconcileGate,
  reconcileEvidenceHash,
  evidenceHashOfRecord,
  RECONCILE_RECORD_COLUMNS,
  type ReconcileGate,
  type ReconcileEvidenceInput,
  type ReconcileRecordColumns,
} from "./internal/reconcile-gate.js";
export type { Executor } from "./internal/executor.js";
export { detectGaps, type GapQuery, type GapReport } from "./internal/gap-detection.js";
export {
  checkFeedFreshness,
  FUTURE_BAR_TOLERANCE_MS,
  enforceFeedFreshness,
  type FeedFreshnessInput,
  type FeedFreshness,
  type FeedAge,
  type EnforceFeedFreshnessInput,
  type FeedEnforcement,
} from "./internal/stale-feed.js";
