import type { ArmReasonKind, ArmState, DeadmanState } from "@mqk/db";
import type { Executor } from "./executor.js";

/** The integrity gates as the dispatcher reads them inside its claim transaction. */
export interface IntegrityGates {
  readonly armed: boolean;
  readonly armState: ArmState;
  readonly armReasonKind: ArmReasonKind;
  readonly armReason: string;
  readonly reconcileRunId: bigint | null;
  /** CLEAR, beaten, and the beat's deadline not yet passed (fail closed before the first beat). */
  readonly deadmanClear: boolean;
  readonly deadmanState: DeadmanState;
  readonly deadlineAtMs: number | null;
  /** armed && deadmanClear: the only value a dispatcher may act on. */
  readonly open: boolean;
  /** Why the gates are shut, one line each; empty when open. */
  readonly blockedBy: readonly string[];
}

/**
 * Reads arm_state and deadman. Inside a transaction the rows are read FOR SHARE, so a disarm
 * or a trip waits for an in-flight claim to commit and every later claim sees it.
 */
export async function readGates(executor: Executor, nowMs: number): Promise<IntegrityGates> {
  const armQuery = executor.selectFrom("arm_state").select(["state", "reason_kind", "reason", "reconcile_run_id"]);
  const deadmanQuery = executor.selectFrom("deadman").select(["state", "deadline_at", "reason"]);
  const shared = executor.isTransaction;
  const armRow = await (shared ? armQuery.forShare() : armQuery).executeTakeFirst();
  const deadmanRow = await (shared ? deadmanQuery.forShare() : deadmanQuery).executeTakeFirst();
  return judgeIntegrityGates(armRow, deadmanRow, nowMs);
}

export interface ArmRow {
  readonly state: ArmState;
  readonly reason_kind: ArmReasonKind;
  readonly reason: string;
  readonly reconcile_run_id: bigint | null;
}

export interface DeadmanRow {
  readonly state: DeadmanState;
  readonly deadline_at: Date | null;
  readonly reason: string | null;
}

/** The verdict on the arm and deadman rows at `nowMs` (a missing row reads as shut). */
export function judgeIntegrityGates(armRow: ArmRow | undefined, deadmanRow: DeadmanRow | undefined, nowMs: number): IntegrityGates {
  const blockedBy: string[] = [];
  if (armRow === undefined || deadmanRow === undefined) {
    blockedBy.push("arm_state or deadman has no row (the schema was altered by hand)");
    return {
      armed: false,
      armState: "DISARMED",
      armReasonKind: "INTEGRITY_FAULT",
      armReason: blockedBy[0] ?? "",
      reconcileRunId: null,
      deadmanClear: false,
      deadmanState: "TRIPPED",
      deadlineAtMs: null,
      open: false,
      blockedBy,
    };
  }
  const armed = armRow.state === "ARMED";
  if (!armed) blockedBy.push(`disarmed (${armRow.reason_kind}): ${armRow.reason}`);
  const deadlineAtMs = deadmanRow.deadline_at?.getTime() ?? null;
  let deadmanClear = false;
  if (deadmanRow.state === "TRIPPED") blockedBy.push(`deadman tripped: ${deadmanRow.reason ?? "no reason recorded"}`);
  else if (deadlineAtMs === null) blockedBy.push("deadman: no heartbeat yet");
  else if (nowMs > deadlineAtMs) blockedBy.push(`deadman: the heartbeat deadline ${new Date(deadlineAtMs).toISOString()} has passed`);
  else deadmanClear = true;
  return {
    armed,
    armState: armRow.state,
    armReasonKind: armRow.reason_kind,
    armReason: armRow.reason,
    reconcileRunId: armRow.reconcile_run_id,
    deadmanClear,
    deadmanState: deadmanRow.state,
    deadlineAtMs,
    open: armed && deadmanClear,
    blockedBy,
  };
}
