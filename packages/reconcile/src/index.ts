/**
 * @mqk/reconcile — the broker's side against ours: positions, open orders and cash,
 * with a monotonic watermark (B2), a hash-bound record (B1), a sticky disarm on any
 * difference, and the periodic schedule the runtime runs (B3).
 *
 * Entry points:
 *  - `runReconcile({ db, session, clock, mode, cashTolerance, alerts?, runId? })`: snapshot
 *    through execution's BrokerSession, then record it → a `ReconcileRecord` (CLEAN, DIRTY
 *    or REJECTED); `reconcileSnapshot` records a snapshot already taken (benchmarks, tests,
 *    BACKTEST) the same way, but its records cannot arm;
 *  - `readLocalState(db, account)` and the pure `diffReconcile(snapshot, local, options)`;
 *    `snapshotDigest` / `localStateDigest`; `compareWatermark`;
 *  - `reconcileArmVerifier(options)`: integrity's `ArmEvidenceVerifier` for B1;
 *    `armWithReconcile(options)`: a fresh reconcile, then arm on its CLEAN record only;
 *  - `startReconcileSchedule({ intervalMs, onError, freshnessMs?, … })` → `{ stop(), runs() }` (B3):
 *    one run at a time, errors reported; with freshnessMs, a stale ARMED desk is disarmed;
 *  - `reconcileSettings(config.reconcile)`: config seconds → milliseconds.
 *
 * Invariants:
 *  1. Every reconcile writes one record; its evidence_hash is integrity's
 *     `reconcileEvidenceHash` (v2) over (account, result, mode, watermark, snapshot digest,
 *     local digest, finished_at in ms), written with a RECONCILE_RECORDED audit row in the
 *     same transaction. A row edited afterwards (finished_at, mode, …) no longer recomputes.
 *  2. B2: outside BACKTEST, a snapshot whose broker time is not strictly newer than the
 *     last accepted record's (or whose inbox seq went back) is recorded REJECTED and
 *     changes nothing else. There is no switch to turn this off.
 *  3. DIRTY disarms (RECONCILE_DIRTY, sticky: a later CLEAN does not re-arm) in the
 *     recording transaction, then alerts.
 *  4. Arming needs a CLEAN record that integrity's `arm` and the verifier re-check themselves
 *     (hash, mode, latest, watermark order, freshness, the current local state's digest),
 *     written by `runReconcile` of this process from a broker session's snapshot: a
 *     `reconcileSnapshot` record (a snapshot value, maybe built in code) never arms.
 *  5. The diff is a pure function; digests and entries do not depend on input order.
 *  6. An in-flight outbox order (sent, no broker event applied yet) counts as known when the
 *     broker holds it open, and as missing otherwise: an unsettled local state is DIRTY.
 *
 * Must never: create, cancel or replace an order (reconcile only reads the broker);
 * arm on a record it did not verify; define another evidence hash; throw from the
 * schedule (errors go to `onError`).
 */
export {
  readLocalState,
  FINAL_ORDER_STATES,
  IN_FLIGHT_OUTBOX_STATES,
  type LocalState,
  type LocalPosition,
  type LocalOrder,
  type LocalOrderSource,
} from "./internal/local-state.js";
export { compareWatermark, formatWatermark, type Watermark, type WatermarkVerdict } from "./internal/watermark.js";
export {
  describeEntry,
  diffJson,
  diffJsonValue,
  type DiffEntry,
  type DiffEntryKind,
  type PositionQtyMismatch,
  type BrokerOrderUnknown,
  type LocalOrderMissingAtBroker,
  type OrderStatusMismatch,
  type OrderFieldMismatch,
  type OrderField,
  type SnapshotDuplicate,
  type CashMismatch,
  type WatermarkRejection,
} from "./internal/diff-entry.js";
export { diffReconcile, type ReconcileDiff, type DiffOptions } from "./internal/diff-engine.js";
export { snapshotDigest, localStateDigest } from "./internal/digests.js";
export {
  runReconcile,
  reconcileSnapshot,
  lastAcceptedRecord,
  RECONCILE_LOCK_KEY,
  type ReconcileRecord,
  type ReconcileSnapshotOptions,
  type RunReconcileOptions,
  type ReconcileAlertSink,
  type AcceptedRecordHead,
} from "./internal/reconcile-run.js";
export {
  reconcileArmVerifier,
  armWithReconcile,
  type ReconcileArmVerifierOptions,
  type ArmWithReconcileOptions,
  type ArmWithReconcileRefusal,
  type ArmedOnReconcile,
} from "./internal/arm-verifier.js";
export { startReconcileSchedule, type ReconcileSchedule, type ReconcileScheduleOptions } from "./internal/schedule.js";
export { reconcileSettings, type ReconcileSettings } from "./internal/settings.js";
