/**
 * B3: the periodic reconcile the runtime runs. One run at a time: the next run is
 * scheduled only after the previous one has finished (start-to-start `intervalMs`, or
 * at once when a run took longer). A failing run is reported through `onError`, never
 * thrown; the schedule carries on. A missed or failed run writes no record, so the
 * dispatcher's reconcile gate (readReconcileGate) shuts by age on its own; with
 * `freshnessMs` set, the schedule also disarms (RECONCILE_STALE, sticky) and alerts while the
 * desk is ARMED and that gate is shut: the account's last accepted record is older than
 * that, from the future, or no valid evidence (edited by hand: its hash does not recompute).
 */
import type { Timers, TimerHandle } from "@mqk/alerts";
import { systemTimers } from "@mqk/alerts";
import { DeskError } from "@mqk/core";
import { disarm, readArmState, readReconcileGate } from "@mqk/integrity";
import { runReconcile, type ReconcileRecord, type RunReconcileOptions } from "./reconcile-run.js";

export interface ReconcileScheduleOptions extends RunReconcileOptions {
  /** config reconcile.intervalSeconds × 1000. */
  readonly intervalMs: number;
  /** Delay of the first run; default 0 (at once). */
  readonly firstRunDelayMs?: number;
  /** Every written record (CLEAN, DIRTY or REJECTED). An exception here goes to onError. */
  readonly onRecord?: (record: ReconcileRecord) => void;
  /** Everything a run threw (broker unreachable, database down…). Must not throw. */
  readonly onError: (error: unknown) => void;
  /** config reconcile.freshnessSeconds × 1000: when set, a desk ARMED on a record older than this is disarmed (RECONCILE_STALE). */
  readonly freshnessMs?: number;
  /** Injectable timers (default: unref'd system timers — the schedule never keeps a process alive). */
  readonly timers?: Timers;
}

export interface ReconcileSchedule {
  /** Stops scheduling; resolves when a run in progress has finished. Idempotent. */
  stop(): Promise<void>;
  /** Runs completed so far (with or without a record). */
  runs(): number;
}

/** The schedule's default confirmation wait: a periodic run during trading meets orders in flight. */
export const SCHEDULE_CONFIRM_MS = 1_000;

export function startReconcileSchedule(options: ReconcileScheduleOptions): ReconcileSchedule {
  const { intervalMs, firstRunDelayMs = 0, onRecord, onError, timers = systemTimers, freshnessMs, ...reconcile } = options;
  if (!Number.isSafeInteger(intervalMs) || intervalMs < 1)
    throw new DeskError("BAD_INPUT", `startReconcileSchedule: expected intervalMs as a positive integer, found ${String(intervalMs)}`);
  let stopped = false;
  let timer: TimerHandle | null = null;
  let current: Promise<void> | null = null;
  let completed = 0;

  const report = (error: unknown): void => {
    try {
      onError(error);
    } catch {
      // onError must not throw; a throwing reporter cannot be allowed to stop the schedule.
    }
  };

  const tick = (): void => {
    timer = null;
    if (stopped) return;
    const startedAt = reconcile.clock.nowMs();
    current = (async () => {
      try {
        const record = await runReconcile({ ...reconcile, confirmDirtyAfterMs: reconcile.confirmDirtyAfterMs ?? SCHEDULE_CONFIRM_MS });
        onRecord?.(record);
      } catch (error: unknown) {
        report(error);
      }
      try {
        if (freshnessMs !== undefined) await disarmWhenStale(reconcile, freshnessMs);
      } catch (error: unknown) {
        report(error);
      } finally {
        completed += 1;
      }
    })().finally(() => {
      current = null;
      if (stopped) return;
      const elapsed = reconcile.clock.nowMs() - startedAt;
      timer = timers.schedule(Math.max(0, intervalMs - Math.max(0, elapsed)), tick);
    });
  };

  timer = timers.schedule(Math.max(0, firstRunDelayMs), tick);
  return {
    async stop(): Promise<void> {
      stopped = true;
      timer?.cancel();
      timer = null;
      if (current !== null) await current;
    },
    runs: () => completed,
  };
}

/**
 * Disarms (RECONCILE_STALE) and alerts when the desk is ARMED but the account's reconcile
 * gate is shut: the last accepted record is older than `freshnessMs`, dated after now
 * (which proves nothing about now), missing, or no valid evidence at all (its evidence
 * hash does not recompute — a finished_at or mode edited by hand — or it is DIRTY).
 */
async function disarmWhenStale(options: RunReconcileOptions, freshnessMs: number): Promise<void> {
  const { db, clock, session } = options;
  const nowMs = clock.nowMs();
  const gate = await readReconcileGate(db, session.account, nowMs, freshnessMs);
  if (gate.open) return;
  if ((await readArmState(db)).state !== "ARMED") return;
  const record = `the last accepted reconcile record (${gate.reconcileRunId?.toString() ?? "?"})`;
  const reason =
    gate.ageMs === null
      ? `reconcile is stale for account ${session.account}: no accepted reconcile record exists, beyond the ${String(freshnessMs)} ms bound. Restore the broker connection, run a clean reconcile and re-arm.`
      : gate.ageMs < 0
        ? `reconcile is stale for account ${session.account}: ${record} finished ${String(-gate.ageMs)} ms in the future, no record may be younger than now. Restore the broker connection, run a clean reconcile and re-arm.`
        : gate.ageMs > freshnessMs
          ? `reconcile is stale for account ${session.account}: ${record} is ${String(gate.ageMs)} ms old, beyond the ${String(freshnessMs)} ms bound. Restore the broker connection, run a clean reconcile and re-arm.`
          : `reconcile evidence for account ${session.account} is not valid: ${gate.blockedBy.join("; ")}. Find out who changed reconcile_runs, run a clean reconcile and re-arm.`;
  await disarm(db, { reasonKind: "RECONCILE_STALE", reason, runId: options.runId ?? null }, clock);
  options.alerts?.send({ kind: "integrity_disarm", reason });
}
