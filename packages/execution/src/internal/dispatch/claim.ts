/**
 * The claim (A2, A3, E2): one transaction that reads every gate from the
 * database and claims outbox rows with FOR UPDATE SKIP LOCKED. No caller hands
 * in a verdict: the gates are what this transaction reads.
 *
 *  - gates open (armed, deadman clear, risk not halted, reconcile CLEAN, genuine
 *    and fresh): PENDING rows of every kind may be claimed for sending;
 *  - gates shut: only CANCEL rows are sent (a cancel only reduces risk; the kill
 *    switch depends on it);
 *  - AMBIGUOUS rows and CLAIMED rows whose lease expired (a dispatcher died) are
 *    claimed whatever the gates say, to RESOLVE them by lookup — the claim
 *    records whether a resend is allowed, and it is only when the gates were open.
 *
 * The gate rows are read FOR SHARE, so a disarm, a deadman trip or a halt waits
 * for an in-flight claim and every claim after its commit sees it.
 */
import type { Clock } from "@mqk/core";
import { prepared, sql, type Database, type Kysely, type OutboxStatus, type OutboxTable, type Selectable } from "@mqk/db";
import { readDispatchGates } from "@mqk/integrity";

export type OutboxRow = Selectable<OutboxTable>;

export interface ClaimedRow {
  readonly row: OutboxRow;
  /** The row's status before this claim: PENDING (never sent), AMBIGUOUS, or CLAIMED (taken over). */
  readonly before: OutboxStatus;
  /** The gates were open at the claim (always true for a CANCEL): the row may be (re)sent. */
  readonly sendAllowed: boolean;
}

export interface Claim {
  readonly rows: readonly ClaimedRow[];
  /** null: not read, because nothing was claimable whatever the gates said. */
  readonly gatesOpen: boolean | null;
  /** Why the gates are shut, one line each; empty when open or not read. */
  readonly blockedBy: readonly string[];
  readonly nowMs: number;
}

export interface ClaimOptions {
  readonly account: string;
  readonly owner: string;
  readonly leaseMs: number;
  readonly batchSize: number;
  readonly reconcileFreshnessMs: number;
}

/**
 * Anything this account could claim right now, whatever the gates? One cheap read
 * without a transaction or a lock, so an idle dispatcher's rounds write nothing (the
 * gate rows' FOR SHARE locks would make every empty round a durable commit).
 */
async function anythingClaimable(db: Kysely<Database>, account: string, now: Date): Promise<boolean> {
  // Prepared: the statuses are literals, so even the generic plan proves outbox_claim_order_idx's predicate.
  const result = await sql<{ readonly id: bigint }>`${prepared}
    SELECT id FROM outbox
     WHERE status IN ('PENDING', 'CLAIMED', 'AMBIGUOUS')
       AND next_attempt_at <= ${now} AND account = ${account}
       AND (status IN ('PENDING', 'AMBIGUOUS') OR lease_expires_at < ${now})
     LIMIT 1`.execute(db);
  return result.rows.length > 0;
}

/**
 * `probe: false` skips the cheap look first — for a claim that expects rows (it was
 * woken for new ones, or the last claim came back full).
 */
export async function claimRows(db: Kysely<Database>, clock: Clock, options: ClaimOptions, probe = true): Promise<Claim> {
  const probeMs = clock.nowMs();
  if (probe && !(await anythingClaimable(db, options.account, new Date(probeMs)))) return { rows: [], gatesOpen: null, blockedBy: [], nowMs: probeMs };
  return db.transaction().execute(async (tx) => {
    const nowMs = clock.nowMs();
    const now = new Date(nowMs);
    // One query: arm_state, deadman, risk_state FOR SHARE and the latest reconcile record.
    const gates = await readDispatchGates(tx, options.account, nowMs, options.reconcileFreshnessMs);
    const { blockedBy } = gates;
    const gatesOpen = gates.open;

    // Claim in one statement: pick (FOR UPDATE SKIP LOCKED) and mark CLAIMED, returning
    // each row with the status it had before.
    const pending = gatesOpen ? sql`o.status = 'PENDING'` : sql`(o.status = 'PENDING' AND o.kind = 'CANCEL')`;
    // Prepared (two texts: gates open or shut); the literal statuses let the generic plan use outbox_claim_order_idx (0005).
    const claimed = await sql<OutboxRow & { readonly before_status: OutboxStatus }>`${prepared}
      WITH picked AS (
        SELECT o.id, o.status
          FROM outbox o
         WHERE o.status IN ('PENDING', 'CLAIMED', 'AMBIGUOUS')
           AND o.account = ${options.account}
           AND o.next_attempt_at <= ${now}
           AND (${pending} OR o.status = 'AMBIGUOUS' OR (o.status = 'CLAIMED' AND o.lease_expires_at < ${now}))
         ORDER BY o.id
         LIMIT ${options.batchSize}
           FOR UPDATE SKIP LOCKED)
      UPDATE outbox u
         SET status = 'CLAIMED', claimed_by = ${options.owner}, claimed_at = ${now},
             lease_expires_at = ${new Date(nowMs + options.leaseMs)}, attempts = u.attempts + 1, updated_at = ${now}
        FROM picked
       WHERE u.id = picked.id
      RETURNING u.*, picked.status AS before_status`.execute(tx);
    const rows = claimed.rows
      .map(({ before_status: before, ...row }) => ({ row, before, sendAllowed: gatesOpen || row.kind === "CANCEL" }))
      .sort((a, b) => (a.row.id < b.row.id ? -1 : 1));
    return { rows, gatesOpen, blockedBy, nowMs };
  });
}
