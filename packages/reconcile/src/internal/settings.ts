/** The reconcile section of the desk config, in the units the functions here take. */
import type { Micros } from "@mqk/core";
import type { ReconcileConfig } from "@mqk/config";

export interface ReconcileSettings {
  /** Between two scheduled reconciles (B3). */
  readonly intervalMs: number;
  /** The oldest record the dispatcher's gate and the arm verifier accept. */
  readonly freshnessMs: number;
  readonly cashTolerance: Micros;
}

export function reconcileSettings(config: ReconcileConfig): ReconcileSettings {
  return { intervalMs: config.intervalSeconds * 1000, freshnessMs: config.freshnessSeconds * 1000, cashTolerance: config.cashTolerance };
}
