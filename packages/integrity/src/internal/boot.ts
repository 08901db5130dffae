/**
 * Boot (C1, C2): what every process start does to the gates before anything else.
 */
import type { Clock } from "@mqk/core";
import type { DeadmanState } from "@mqk/db";
import { armColumns, lockArmRow, toStatus, type ArmStatus } from "./arm-state.js";
import { appendAudit } from "./audit-chain.js";
import { tripIfLate } from "./deadman.js";
import { inTransaction, type Executor } from "./executor.js";

export interface BootReport {
  /** What the table said before boot overwrote it. */
  readonly previous: ArmStatus;
  readonly deadman: DeadmanState;
  readonly status: ArmStatus;
}

/**
 * C1: every boot comes up DISARMED whatever the table says (a crash while ARMED must not
 * resume trading), records the previous state and audits BOOT_DISARMED. The deadman keeps
 * its state (C2: a trip survives restarts), and a heartbeat promise that ran out while no
 * process kept it (a crash, a stall) trips it now, before anything beats again.
 */
export async function bootIntegrity(executor: Executor, clock: Clock, options: { readonly runId?: string | null } = {}): Promise<BootReport> {
  return inTransaction(executor, async (tx) => {
    const previous = await lockArmRow(tx);
    await tripIfLate(tx, clock);
    const deadman = await tx.selectFrom("deadman").select(["state"]).executeTakeFirstOrThrow();
    const changedAt = new Date(clock.nowMs());
    const reason = `boot: the desk always starts DISARMED; the table said ${previous.state} (${previous.reasonKind}: ${previous.reason}). Arm with a fresh clean reconcile.`;
    const row = await tx
      .updateTable("arm_state")
      .set({
        state: "DISARMED",
        reason_kind: "BOOT",
        reason,
        reconcile_run_id: null,
        run_id: options.runId ?? null,
        changed_by: "system",
        changed_at: changedAt,
      })
      .returning(armColumns)
      .executeTakeFirstOrThrow();
    await appendAudit(
      tx,
      {
        kind: "BOOT_DISARMED",
        runId: options.runId ?? null,
        payload: { previousState: previous.state, previousReasonKind: previous.reasonKind, previousReason: previous.reason, deadman: deadman.state },
      },
      clock,
    );
    return { previous, deadman: deadman.state, status: toStatus(row) };
  });
}
