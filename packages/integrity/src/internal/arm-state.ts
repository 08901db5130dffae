import { DeskError, err, ok, type Clock, type Result } from "@mqk/core";
import type { ArmReasonKind, ArmState, Database, JsonValue, Transaction } from "@mqk/db";
import { appendAudit } from "./audit-chain.js";
import { inTransaction, type Executor } from "./executor.js";

/** Why the desk is disarmed: every kind but the ones only boot, the migration or an arm write. */
export type DisarmReasonKind = Exclude<ArmReasonKind, "INITIAL" | "BOOT" | "OPERATOR_ARM">;

export interface DisarmRequest {
  readonly reasonKind: DisarmReasonKind;
  /** Said to an operator: what happened and what to do. Never empty. */
  readonly reason: string;
  readonly actor?: string;
  readonly runId?: string | null;
}

export interface ArmStatus {
  readonly state: ArmState;
  readonly reasonKind: ArmReasonKind;
  readonly reason: string;
  readonly reconcileRunId: bigint | null;
  readonly changedBy: string;
  readonly changedAtMs: number;
}

/** What an operator presents to arm: the reconcile record it rests on (B1). */
export interface ArmEvidence {
  readonly reconcileRunId: bigint;
  /** The record's evidence hash as the operator (or reconcile) saw it. */
  readonly evidenceHash: string;
}

/** What a verifier vouches for once it has checked the evidence itself. */
export interface VerifiedArmEvidence {
  readonly reconcileRunId: bigint;
  /** Recorded in the ARMED audit row: what was checked (result, watermark, age…). */
  readonly summary: JsonValue;
}

/**
 * B1: decides whether evidence may arm. It runs inside the arm transaction and must check
 * the record itself (recompute its hash, its result, its age) — never trust the caller.
 * Reconcile provides the real one; until then `refuseAllEvidence` is the default.
 */
export interface ArmEvidenceVerifier {
  verify(tx: Transaction<Database>, evidence: ArmEvidence, nowMs: number): Promise<Result<VerifiedArmEvidence, string>>;
}

export const refuseAllEvidence: ArmEvidenceVerifier = {
  verify: () =>
    Promise.resolve(err("no arm-evidence verifier is installed: arming needs a verified CLEAN reconcile record (B1); run the desk with reconcile's verifier")),
};

export interface ArmRequest {
  readonly evidence: ArmEvidence;
  readonly actor: string;
  readonly reason: string;
  readonly verifier?: ArmEvidenceVerifier;
  readonly runId?: string | null;
}

export type ArmRefusal =
  | { readonly kind: "bad_request"; readonly message: string }
  | { readonly kind: "evidence_rejected"; readonly message: string }
  | { readonly kind: "deadman_tripped"; readonly message: string };

interface ArmRow {
  readonly state: ArmState;
  readonly reason_kind: ArmReasonKind;
  readonly reason: string;
  readonly reconcile_run_id: bigint | null;
  readonly changed_by: string;
  readonly changed_at: Date;
}

export function toStatus(row: ArmRow): ArmStatus {
  return {
    state: row.state,
    reasonKind: row.reason_kind,
    reason: row.reason,
    reconcileRunId: row.reconcile_run_id,
    changedBy: row.changed_by,
    changedAtMs: row.changed_at.getTime(),
  };
}

export const armColumns = ["state", "reason_kind", "reason", "reconcile_run_id", "changed_by", "changed_at"] as const;

export async function lockArmRow(tx: Transaction<Database>): Promise<ArmStatus> {
  const row = await tx.selectFrom("arm_state").select(armColumns).forUpdate().executeTakeFirst();
  if (row === undefined)
    throw new DeskError("INTERNAL", "arm_state has no row: migration 0001 inserts it; the database was altered by hand. Re-create it from the migrations.");
  return toStatus(row);
}

export async function readArmState(executor: Executor): Promise<ArmStatus> {
  const row = await executor.selectFrom("arm_state").select(armColumns).executeTakeFirst();
  if (row === undefined) throw new DeskError("INTERNAL", "arm_state has no row: migration 0001 inserts it; the database was altered by hand.");
  return toStatus(row);
}

function requireText(what: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed === "") throw new DeskError("BAD_INPUT", `${what}: expected a non-empty text, found an empty one`);
  return trimmed;
}

/** Writes DISARMED and its audit row inside `tx` (the caller holds or takes the row lock). */
export async function writeDisarm(tx: Transaction<Database>, request: DisarmRequest, clock: Clock): Promise<ArmStatus> {
  const reason = requireText("disarm reason", request.reason);
  const actor = request.actor ?? "system";
  const previous = await lockArmRow(tx);
  const changedAt = new Date(clock.nowMs());
  const row = await tx
    .updateTable("arm_state")
    .set({
      state: "DISARMED",
      reason_kind: request.reasonKind,
      reason,
      reconcile_run_id: null,
      run_id: request.runId ?? null,
      changed_by: actor,
      changed_at: changedAt,
    })
    .returning(armColumns)
    .executeTakeFirstOrThrow();
  await appendAudit(
    tx,
    {
      kind: "DISARMED",
      actor,
      runId: request.runId ?? null,
      payload: { reasonKind: request.reasonKind, reason, previousState: previous.state, previousReasonKind: previous.reasonKind },
    },
    clock,
  );
  return toStatus(row);
}

/** C1: every integrity fault, an operator, reconcile… → DISARMED with a reason. Sticky: only `arm` leaves it. */
export async function disarm(executor: Executor, request: DisarmRequest, clock: Clock): Promise<ArmStatus> {
  return inTransaction(executor, (tx) => writeDisarm(tx, request, clock));
}

/**
 * C1/B1: DISARMED → ARMED only when the verifier accepts the evidence (default: refuse all)
 * and the deadman is clear. A refusal changes nothing and is a Result, not a throw.
 */
export async function arm(executor: Executor, request: ArmRequest, clock: Clock): Promise<Result<ArmStatus, ArmRefusal>> {
  const actor = request.actor.trim();
  const reason = request.reason.trim();
  if (actor === "" || reason === "")
    return err({ kind: "bad_request", message: "arm: expected a non-empty actor and reason (who arms, and why); found an empty one" });
  const verifier = request.verifier ?? refuseAllEvidence;
  return inTransaction(executor, async (tx) => {
    await lockArmRow(tx);
    const deadman = await tx.selectFrom("deadman").select(["state", "reason"]).forShare().executeTakeFirstOrThrow();
    if (deadman.state !== "CLEAR")
      return err({
        kind: "deadman_tripped" as const,
        message: `arm refused: the deadman is TRIPPED (${deadman.reason ?? "no reason recorded"}); recover it with an operator reason first`,
      });
    const nowMs = clock.nowMs();
    const verified = await verifier.verify(tx, request.evidence, nowMs);
    if (!verified.ok) return err({ kind: "evidence_rejected" as const, message: `arm refused: ${verified.error}` });
    if (verified.value.reconcileRunId !== request.evidence.reconcileRunId)
      throw new DeskError("INTERNAL", "arm: the verifier vouched for a different reconcile record than the one presented");
    const row = await tx
      .updateTable("arm_state")
      .set({
        state: "ARMED",
        reason_kind: "OPERATOR_ARM",
        reason,
        reconcile_run_id: verified.value.reconcileRunId,
        run_id: request.runId ?? null,
        changed_by: actor,
        changed_at: new Date(nowMs),
      })
      .returning(armColumns)
      .executeTakeFirstOrThrow();
    await appendAudit(
      tx,
      {
        kind: "ARMED",
        actor,
        runId: request.runId ?? null,
        payload: { reason, reconcileRunId: verified.value.reconcileRunId, evidenceHash: request.evidence.evidenceHash, verified: verified.value.summary },
      },
      clock,
    );
    return ok(toStatus(row));
  });
}
