/**
 * The dispatcher: the one caller of a broker's submit, replace and cancel (A1).
 * Each round claims a batch (claim.ts: gates read in the claim transaction,
 * FOR UPDATE SKIP LOCKED), then handles the claimed rows concurrently
 * (dispatch-row.ts). Any number of dispatchers may run on one database: a row
 * is claimed by one of them at a time, and a dead one's rows are taken over
 * after the lease, starting with a lookup.
 *
 * There is no parameter by which a caller says the gates are clean (A2): the
 * options are the database, the broker session, a clock, a name and bounds.
 */
import { randomUUID } from "node:crypto";
import { DeskError, errorMessage, type Clock } from "@mqk/core";
import type { Database, Kysely } from "@mqk/db";
import { adapterOf, type BrokerSession } from "../broker-session.js";
import { claimRows } from "./claim.js";
import { dispatchRow, type RowContext, type RowResult } from "./dispatch-row.js";

export interface DispatcherOptions {
  readonly db: Kysely<Database>;
  readonly session: BrokerSession;
  readonly clock: Clock;
  /** The reconcile freshness bound (config reconcile.freshnessSeconds × 1000): an older record shuts the gate (B3). */
  readonly reconcileFreshnessMs: number;
  /** This dispatcher's name in outbox.claimed_by (default: "dispatcher-" + a random id). */
  readonly owner?: string;
  /** How long a claim is exclusive (default 30 000 ms); must exceed the broker send timeout. */
  readonly leaseMs?: number;
  /** Rows per claim (default 16). */
  readonly batchSize?: number;
  /** Backoff after an unresolved attempt: base × 2^(attempts−1), capped (defaults 250 ms, 30 000 ms). */
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  /** Told about every round that failed; never throws. */
  readonly onProblem?: (message: string) => void;
}

export interface DispatchRound {
  readonly claimed: number;
  /** The gates as the claim read them; null when nothing was claimable, so they were not read. */
  readonly gatesOpen: boolean | null;
  readonly blockedBy: readonly string[];
  readonly results: readonly RowResult[];
}

export interface Dispatcher {
  readonly owner: string;
  /** One claim and the handling of what it claimed. */
  runOnce(): Promise<DispatchRound>;
  /** Rounds until nothing is claimable (at most `maxRounds`, default 1000). */
  drain(maxRounds?: number): Promise<readonly DispatchRound[]>;
  /** Runs rounds every `intervalMs` (back to back while rows keep coming) until `stop`. */
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

function positiveInteger(name: string, value: number, max: number): number {
  if (!Number.isSafeInteger(value) || value <= 0 || value > max)
    throw new DeskError("BAD_INPUT", `dispatcher: expected ${name} to be an integer in 1…${String(max)}, found ${String(value)}`);
  return value;
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const adapter = adapterOf(options.session);
  const owner = options.owner ?? `dispatcher-${randomUUID()}`;
  const claimOptions = {
    account: adapter.account,
    owner,
    leaseMs: positiveInteger("leaseMs", options.leaseMs ?? 30_000, 3_600_000),
    batchSize: positiveInteger("batchSize", options.batchSize ?? 16, 1_000),
    reconcileFreshnessMs: positiveInteger("reconcileFreshnessMs", options.reconcileFreshnessMs, 86_400_000),
  };
  const ctx: RowContext = {
    db: options.db,
    adapter,
    clock: options.clock,
    owner,
    backoffBaseMs: positiveInteger("backoffBaseMs", options.backoffBaseMs ?? 250, 3_600_000),
    backoffMaxMs: positiveInteger("backoffMaxMs", options.backoffMaxMs ?? 30_000, 3_600_000),
  };
  const onProblem = options.onProblem ?? (() => undefined);

  async function runOnce(): Promise<DispatchRound> {
    const claim = await claimRows(options.db, options.clock, claimOptions);
    const results = await Promise.all(
      claim.rows.map(async (claimed): Promise<RowResult> => {
        try {
          return await dispatchRow(ctx, claimed);
        } catch (error) {
          // The row stays CLAIMED: after its lease another round (ours or another
          // dispatcher's) takes it over, starting with a lookup.
          const reason = `outbox row ${String(claimed.row.id)}: ${errorMessage(error)}`;
          onProblem(reason);
          return { kind: "retry_later", outboxId: claimed.row.id, reason };
        }
      }),
    );
    return { claimed: claim.rows.length, gatesOpen: claim.gatesOpen, blockedBy: claim.blockedBy, results };
  }

  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = true;

  function schedule(delayMs: number, intervalMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      running = runOnce()
        .then((round) => schedule(round.claimed > 0 ? 0 : intervalMs, intervalMs))
        .catch((error: unknown) => {
          onProblem(`dispatch round failed: ${errorMessage(error)}`);
          schedule(intervalMs, intervalMs);
        })
        .finally(() => {
          running = null;
        });
    }, delayMs);
  }

  return {
    owner,
    runOnce,
    async drain(maxRounds = 1000) {
      const rounds: DispatchRound[] = [];
      for (let i = 0; i < maxRounds; i += 1) {
        const round = await runOnce();
        rounds.push(round);
        if (round.claimed === 0) break;
      }
      return rounds;
    },
    start(intervalMs) {
      positiveInteger("intervalMs", intervalMs, 3_600_000);
      if (!stopped) return;
      stopped = false;
      schedule(0, intervalMs);
    },
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      while (running !== null) await running;
    },
  };
}
