/**
 * The dispatcher: the one caller of a broker's submit, replace and cancel (A1).
 * A claim takes a batch (claim.ts: gates read in the claim transaction,
 * FOR UPDATE SKIP LOCKED); its rows are then sent concurrently (dispatch-row.ts).
 * `runOnce` is one claim and its rows; `start` pumps: it claims again as soon as
 * there is room, without waiting for slow sends, so a burst never waits a broker
 * round trip for its claim. Any number of dispatchers may run on one database: a row
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
import { claimRows, type ClaimedRow, type GateMemory } from "./claim.js";
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
  /**
   * The oldest approval that may still be sent (default 60 000 ms, by the database's clock from
   * the enqueue). An order queued longer ago — the gates were shut, the desk was down — was
   * judged by risk on prices and limits of then: it is REJECTED ("approval expired") unsent, or,
   * when an earlier send may have arrived, looked up and never sent again. The strategy decides anew.
   */
  readonly maxApprovalAgeMs?: number;
  /** Rows per claim (default 16). */
  readonly batchSize?: number;
  /** start(): rows being sent at once, at most (default 4 × batchSize); a claim takes only what fits. */
  readonly maxInFlight?: number;
  /** Backoff after an unresolved attempt: base × 2^(attempts−1), capped (defaults 250 ms, 30 000 ms). */
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  /** Told about every round that failed; never throws. */
  readonly onProblem?: (message: string) => void;
  /** start(): told about every claim that took rows (for logs and figures); never throws. */
  readonly onClaim?: (claimed: number, gatesOpen: boolean | null) => void;
  /** start(): told about every row's outcome; never throws. */
  readonly onResult?: (result: RowResult) => void;
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
  /**
   * Claims and sends continuously until `stop`: a claim as soon as there is room for
   * rows (at most maxInFlight being sent), again at once while claims come back full,
   * otherwise after `intervalMs` — or at once on `wake()`.
   */
  start(intervalMs: number): void;
  /**
   * Asks a started dispatcher for a claim now instead of at its next interval — call it
   * after committing outbox rows. It carries nothing: the claim reads the gates itself (A2).
   */
  wake(): void;
  /** Stops claiming and waits for the rows being sent. */
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
    maxApprovalAgeMs: positiveInteger("maxApprovalAgeMs", options.maxApprovalAgeMs ?? 60_000, 86_400_000),
  };
  const maxInFlight = positiveInteger("maxInFlight", options.maxInFlight ?? 4 * claimOptions.batchSize, 10_000);
  const ctx: RowContext = {
    db: options.db,
    adapter,
    clock: options.clock,
    owner,
    backoffBaseMs: positiveInteger("backoffBaseMs", options.backoffBaseMs ?? 250, 3_600_000),
    backoffMaxMs: positiveInteger("backoffMaxMs", options.backoffMaxMs ?? 30_000, 3_600_000),
    maxApprovalAgeMs: claimOptions.maxApprovalAgeMs,
  };
  const onProblem = options.onProblem ?? (() => undefined);
  const gateMemory: GateMemory = { pin: null };

  async function handle(claimed: ClaimedRow): Promise<RowResult> {
    try {
      return await dispatchRow(ctx, claimed);
    } catch (error) {
      // The row stays CLAIMED: after its lease another round (ours or another
      // dispatcher's) takes it over, starting with a lookup.
      const reason = `outbox row ${String(claimed.row.id)}: ${errorMessage(error)}`;
      onProblem(reason);
      return { kind: "retry_later", outboxId: claimed.row.id, reason };
    }
  }

  /** An observer's callback must not break the pump. */
  function observe(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      onProblem(`an observer threw: ${errorMessage(error)}`);
    }
  }

  async function runOnce(): Promise<DispatchRound> {
    const claim = await claimRows(options.db, options.clock, claimOptions, true, gateMemory);
    const results = await Promise.all(claim.rows.map(handle));
    return { claimed: claim.rows.length, gatesOpen: claim.gatesOpen, blockedBy: claim.blockedBy, results };
  }

  // ---- start(): the pump
  let stopped = true;
  let loop: Promise<void> | null = null;
  const inFlight = new Set<Promise<void>>();
  let poked = false;
  let wakeUp: (() => void) | null = null;

  function poke(): void {
    poked = true;
    wakeUp?.();
  }

  /** Resolves after `ms`, or at once on a poke (a wake, a row done while full, stop). */
  function pause(ms: number): Promise<void> {
    if (poked || stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });
  }

  async function pump(intervalMs: number): Promise<void> {
    let expectRows = true;
    while (!stopped) {
      expectRows ||= poked;
      poked = false;
      const room = maxInFlight - inFlight.size;
      if (room <= 0) {
        await pause(intervalMs);
        continue;
      }
      const asked = Math.min(claimOptions.batchSize, room);
      let taken = 0;
      try {
        const claim = await claimRows(options.db, options.clock, { ...claimOptions, batchSize: asked }, !expectRows, gateMemory);
        taken = claim.rows.length;
        if (taken > 0) observe(() => options.onClaim?.(taken, claim.gatesOpen));
        for (const claimed of claim.rows) {
          const sending: Promise<void> = handle(claimed).then((result) => {
            inFlight.delete(sending);
            if (inFlight.size === maxInFlight - 1) poke();
            observe(() => options.onResult?.(result));
          });
          inFlight.add(sending);
        }
      } catch (error) {
        onProblem(`dispatch round failed: ${errorMessage(error)}`);
        await pause(intervalMs);
        continue;
      }
      // A full claim: more rows are likely waiting. Otherwise wait for a wake or the interval
      // (after which the claim first probes: an idle dispatcher's rounds write nothing).
      expectRows = taken === asked;
      if (!expectRows) await pause(intervalMs);
    }
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
      if (!stopped || loop !== null) return;
      stopped = false;
      poked = false;
      loop = pump(intervalMs).finally(() => {
        loop = null;
      });
    },
    wake() {
      if (!stopped) poke();
    },
    async stop() {
      stopped = true;
      wakeUp?.();
      while (loop !== null) await loop;
      await Promise.all([...inFlight]);
    },
  };
}
