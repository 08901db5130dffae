/**
 * B3: the periodic reconcile the runtime runs. One run at a time: the next run is
 * scheduled only after the previous one has finished (start-to-start `intervalMs`, or
 * at once when a run took longer). A failing run is reported through `onError`, never
 * thrown; the schedule carries on. A missed or failed run writes no record, so the
 * dispatcher's reconcile gate (readReconcileGate) shuts by age on its own.
 */
import type { Timers, TimerHandle } from "@mqk/alerts";
import { systemTimers } from "@mqk/alerts";
import { DeskError } from "@mqk/core";
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
  /** Injectable timers (default: unref'd system timers — the schedule never keeps a process alive). */
  readonly timers?: Timers;
}

export interface ReconcileSchedule {
  /** Stops scheduling; resolves when a run in progress has finished. Idempotent. */
  stop(): Promise<void>;
  /** Runs completed so far (with or without a record). */
  runs(): number;
}

export function startReconcileSchedule(options: ReconcileScheduleOptions): ReconcileSchedule {
  const { intervalMs, firstRunDelayMs = 0, onRecord, onError, timers = systemTimers, ...reconcile } = options;
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
        const record = await runReconcile(reconcile);
        onRecord?.(record);
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
