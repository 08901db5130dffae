import { DeskError, err, ok, type Clock, type Result } from "@mqk/core";
import type { ArmReasonKind, ArmState, Database, JsonValue, Transaction } from "@mqk/db";
import { appendAudit } from "./audit-chain.js";
import { inTransaction, type Executor } from "./executor.js";
import { evidenceHashOfRecord, RECONCILE_RECORD_COLUMNS } from "./reconcile-gate.js";

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
 * `arm` does not rest on it alone: it checks the record itself first (`checkArmEvidence`),
 * and the verifier can only refuse more, never accept what those checks refuse.
 */
export interface ArmEvidenceVerifier {
  verify(tx: Transaction<Database>, evidence: ArmEvidence, nowMs: number): Promise<Result<VerifiedArmEvidence, string>>;
}

export const refuseAllEvidence: ArmEvidenceVerifier = {
  verify: () =>
    Promise.resolve(err("no arm-evidence verifier is installed: arming needs a verified CLEAN reconcile record (B1); run the desk with reconcile's verifier")),
};

/**
 * B1: integrity's own checks of arm evidence, whatever verifier the caller passes. Inside
 * the arm transaction the record must exist; its evidence hash must recompute (v2: it
 * binds result, mode, watermark, digests and finished_at) and equal the presented one; it
 * must be CLEAN, written by PAPER or LIVE, the latest accepted (CLEAN or DIRTY) PAPER/LIVE
 * record of its account, and not dated after `nowMs`. Freshness and "written by this
 * process" are the verifier's (reconcile's) to add. Returns why not, or nothing.
 */
async function checkArmEvidence(tx: Transaction<Database>, evidence: ArmEvidence, nowMs: number): Promise<string | null> {
  const name = `reconcile record ${evidence.reconcileRunId.toString()}`;
  const row = await tx.selectFrom("reconcile_runs").select(RECONCILE_RECORD_COLUMNS).where("id", "=", evidence.reconcileRunId).executeTakeFirst();
  if (row === undefined) return `${name} does not exist; run a reconcile and arm on its record`;
  if (evidenceHashOfRecord(row) !== row.evidence_hash)
    return `${name}: its evidence hash does not recompute from its columns (not written by reconcile, or edited since); run a fresh reconcile`;
  if (row.evidence_hash !== evidence.evidenceHash)
    return `${name}: the presented evidence hash differs from the stored one (presented ${evidence.evidenceHash}, stored ${row.evidence_hash}); present the record's own hash`;
  if (row.result !== "CLEAN") return `${name} is ${row.result}, expected CLEAN; only a CLEAN record can arm`;
  if (row.mode !== "PAPER" && row.mode !== "LIVE")
    return `${name} was written by a ${row.mode} reconcile, expected PAPER or LIVE; it is no evidence for a desk that trades`;
  const latest = await tx
    .selectFrom("reconcile_runs")
    .select("id")
    .where("account", "=", row.account)
    .where("result", "in", ["CLEAN", "DIRTY"])
    .where("mode", "in", ["PAPER", "LIVE"])
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  if (latest?.id !== row.id)
    return `${name} is not the latest accepted record of account ${row.account} (record ${latest?.id.toString() ?? "?"} is newer); run a fresh reconcile`;
  const aheadMs = row.finished_at.getTime() - nowMs;
  if (aheadMs > 0)
    return `${name} finished ${String(aheadMs)} ms in the future by this clock; a record from the future proves nothing: check the clocks, then run a fresh reconcile`;
  return null;
}

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
 * C1/B1: DISARMED → ARMED only when the deadman is clear, integrity's own checks of the
 * evidence pass (`checkArmEvidence`: genuine hash, CLEAN, PAPER/LIVE, latest, not from the
 * future) AND the verifier accepts it (default: refuse all). A refusal changes nothing
 * and is a Result, not a throw.
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
    const refused = await checkArmEvidence(tx, request.evidence, nowMs);
    if (refused !== null) return err({ kind: "evidence_rejected" as const, message: `arm refused: ${refused}` });
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
