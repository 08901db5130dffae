import { DeskError, err, ok, type Clock, type Result } from "@mqk/core";
import type { Database, DeadmanState, Transaction } from "@mqk/db";
import { writeDisarm } from "./arm-state.js";
import { appendAudit } from "./audit-chain.js";
import { inTransaction, type Executor } from "./executor.js";

export interface DeadmanStatus {
  readonly state: DeadmanState;
  readonly lastBeatAtMs: number | null;
  /** The deadline the last beat promised; null before the first beat or after a recover. */
  readonly deadlineAtMs: number | null;
  readonly trippedAtMs: number | null;
  readonly reason: string | null;
}

export type BeatRefusal = { readonly kind: "tripped"; readonly message: string };
export type RecoverRefusal = { readonly kind: "bad_request"; readonly message: string } | { readonly kind: "not_tripped"; readonly message: string };

const columns = ["state", "last_beat_at", "deadline_at", "tripped_at", "reason"] as const;

function toStatus(row: {
  readonly state: DeadmanState;
  readonly last_beat_at: Date | null;
  readonly deadline_at: Date | null;
  readonly tripped_at: Date | null;
  readonly reason: string | null;
}): DeadmanStatus {
  return {
    state: row.state,
    lastBeatAtMs: row.last_beat_at?.getTime() ?? null,
    deadlineAtMs: row.deadline_at?.getTime() ?? null,
    trippedAtMs: row.tripped_at?.getTime() ?? null,
    reason: row.reason,
  };
}

async function lockDeadman(tx: Transaction<Database>): Promise<DeadmanStatus> {
  const row = await tx.selectFrom("deadman").select(columns).forUpdate().executeTakeFirst();
  if (row === undefined)
    throw new DeskError("INTERNAL", "deadman has no row: migration 0001 inserts it; the database was altered by hand. Re-create it from the migrations.");
  return toStatus(row);
}

export async function readDeadman(executor: Executor): Promise<DeadmanStatus> {
  const row = await executor.selectFrom("deadman").select(columns).executeTakeFirst();
  if (row === undefined) throw new DeskError("INTERNAL", "deadman has no row: migration 0001 inserts it; the database was altered by hand.");
  return toStatus(row);
}

/**
 * C2: the runtime's heartbeat. Promises the next beat within `timeoutMs`. A tripped deadman
 * is not cleared by beating: only `recoverDeadman` does that. A beat that comes after the
 * last promise's deadline does not renew it: the miss happened (a stalled or crashed
 * runtime), so the deadman trips — persisted, audited, the desk disarmed — and the beat is
 * refused, as if `checkDeadman` had run at the deadline.
 */
export async function beat(executor: Executor, clock: Clock, timeoutMs: number): Promise<Result<DeadmanStatus, BeatRefusal>> {
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0)
    throw new DeskError("BAD_INPUT", `beat: expected a positive integer timeoutMs, found ${String(timeoutMs)}`);
  return inTransaction(executor, async (tx) => {
    const { status, trippedNow } = await tripIfLate(tx, clock);
    if (status.state === "TRIPPED") {
      return err({
        kind: "tripped" as const,
        message: trippedNow
          ? `beat refused: it came after the deadline, so the deadman tripped (${status.reason ?? "no reason"}); an operator must recover it with a reason`
          : `beat ignored: the deadman is TRIPPED (${status.reason ?? "no reason"}); an operator must recover it with a reason`,
      });
    }
    const nowMs = clock.nowMs();
    const row = await tx
      .updateTable("deadman")
      .set({ last_beat_at: new Date(nowMs), deadline_at: new Date(nowMs + timeoutMs), changed_at: new Date(nowMs) })
      .returning(columns)
      .executeTakeFirstOrThrow();
    return ok(toStatus(row));
  });
}

/**
 * C2: ends the promise on a clean stop, so the next start's first beat is not taken for a
 * missed one. Only a promise still kept can be stood down: one whose deadline passed trips
 * instead (the runtime had stopped beating before it stopped). With no promise the gates
 * read shut ("no heartbeat yet") until the next beat.
 */
export async function standDownDeadman(executor: Executor, clock: Clock): Promise<DeadmanStatus> {
  return inTransaction(executor, async (tx) => {
    const { status } = await tripIfLate(tx, clock);
    if (status.state === "TRIPPED" || status.deadlineAtMs === null) return status;
    const row = await tx
      .updateTable("deadman")
      .set({ deadline_at: null, changed_at: new Date(clock.nowMs()) })
      .returning(columns)
      .executeTakeFirstOrThrow();
    return toStatus(row);
  });
}

/**
 * C2: trips the deadman when the last beat's deadline has passed: persisted, audited, and
 * the desk disarmed (reason DEADMAN), all in one transaction. Never trips before the first beat.
 */
export async function checkDeadman(executor: Executor, clock: Clock): Promise<DeadmanStatus> {
  return inTransaction(executor, async (tx) => (await tripIfLate(tx, clock)).status);
}

/** Inside a transaction: locks arm_state then deadman, and trips when the deadline has passed. */
export async function tripIfLate(tx: Transaction<Database>, clock: Clock): Promise<{ readonly status: DeadmanStatus; readonly trippedNow: boolean }> {
  // Lock order everywhere: arm_state, then deadman (arm and readGates take them so too).
  await tx.selectFrom("arm_state").select("state").forUpdate().execute();
  const current = await lockDeadman(tx);
  const nowMs = clock.nowMs();
  if (current.state === "TRIPPED" || current.deadlineAtMs === null || nowMs <= current.deadlineAtMs) return { status: current, trippedNow: false };
  const lateMs = nowMs - current.deadlineAtMs;
  const reason = `missed heartbeat: the deadline ${new Date(current.deadlineAtMs).toISOString()} passed ${String(lateMs)} ms ago with no beat. Find why the runtime stopped beating, then recover the deadman with a reason.`;
  const row = await tx
    .updateTable("deadman")
    .set({ state: "TRIPPED", tripped_at: new Date(nowMs), reason, recovered_at: null, recovered_by: null, changed_at: new Date(nowMs) })
    .returning(columns)
    .executeTakeFirstOrThrow();
  await appendAudit(
    tx,
    { kind: "DEADMAN_TRIPPED", payload: { reason, deadlineAtMs: current.deadlineAtMs, lastBeatAtMs: current.lastBeatAtMs, lateMs } },
    clock,
  );
  await writeDisarm(tx, { reasonKind: "DEADMAN", reason: `deadman tripped: ${reason}` }, clock);
  return { status: toStatus(row), trippedNow: true };
}

/**
 * C2: the only way out of TRIPPED: an operator with a reason. Clears the promise (the next
 * beat sets a fresh one) and does NOT arm: the desk stays DISARMED until `arm`.
 */
export async function recoverDeadman(
  executor: Executor,
  request: { readonly reason: string; readonly actor: string },
  clock: Clock,
): Promise<Result<DeadmanStatus, RecoverRefusal>> {
  const reason = request.reason.trim();
  const actor = request.actor.trim();
  if (reason === "" || actor === "")
    return err({ kind: "bad_request", message: "recover refused: expected a non-empty operator reason and actor (who recovers, and why); found an empty one" });
  return inTransaction(executor, async (tx) => {
    const current = await lockDeadman(tx);
    if (current.state !== "TRIPPED")
      return err({ kind: "not_tripped" as const, message: "recover refused: the deadman is CLEAR; there is nothing to recover" });
    const nowMs = clock.nowMs();
    const row = await tx
      .updateTable("deadman")
      .set({ state: "CLEAR", reason, recovered_at: new Date(nowMs), recovered_by: actor, last_beat_at: null, deadline_at: null, changed_at: new Date(nowMs) })
      .returning(columns)
      .executeTakeFirstOrThrow();
    await appendAudit(tx, { kind: "DEADMAN_RECOVERED", actor, payload: { reason, trippedAtMs: current.trippedAtMs, trippedReason: current.reason } }, clock);
    return ok(toStatus(row));
  });
}
