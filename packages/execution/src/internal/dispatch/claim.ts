/**
 * The claim (A2, A3, E2): the gates are read from the database and judged inside
 * the claim's own transaction, and outbox rows are claimed with FOR UPDATE SKIP
 * LOCKED. No caller hands in a verdict: the gates are what the claim reads.
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
 * for an in-flight claim and every claim after its commit sees it. While nothing
 * changes, a claim checks the gate rows' versions against the last open verdict's
 * pin in its one statement instead of judging them again (see claimRows).
 */
import type { Clock } from "@mqk/core";
import { prepared, sql, type Database, type Kysely, type OutboxStatus, type OutboxTable, type RawBuilder, type Selectable } from "@mqk/db";
import { currentGatePin, readDispatchGates, type GatePin } from "@mqk/integrity";

export type OutboxRow = Selectable<OutboxTable>;

export interface ClaimedRow {
  readonly row: OutboxRow;
  /** The row's status before this claim: PENDING (never sent), AMBIGUOUS, or CLAIMED (taken over). */
  readonly before: OutboxStatus;
  /** The gates were open at the claim (always true for a CANCEL): the row may be (re)sent. */
  readonly sendAllowed: boolean;
  /**
   * A SUBMIT or REPLACE queued longer ago than the approval bound, by the database's
   * clock (created_at is its enqueue transaction's start): its risk checks are stale,
   * so it must not be sent (first) or sent again.
   */
  readonly approvalExpired: boolean;
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
  /** The approval bound: rows older than this are claimed expired (see ClaimedRow.approvalExpired). */
  readonly maxApprovalAgeMs: number;
}

/** What a claim returns of each row: the row, its status before, and whether its approval expired. */
type ClaimedColumns = OutboxRow & { readonly before_status: OutboxStatus; readonly approval_expired: boolean };

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
 * What a dispatcher remembers between claims: the pin of the gates' last open verdict
 * (see integrity's GatePin). Only ever an optimisation: every claim still locks and
 * checks the gate rows in its own statement, and any doubt takes the full path.
 */
export interface GateMemory {
  pin: GatePin | null;
}

/**
 * `probe: false` skips the cheap look first — for a claim that expects rows (it was
 * woken for new ones, or the last claim came back full).
 *
 * Two paths to the same rule:
 *  - pinned (the gates were judged open on rows that still carry the same versions, and
 *    the verdict's time bound has not passed): ONE statement locks the gate rows FOR
 *    SHARE, compares their versions with the pin and claims only on a match;
 *  - full: a transaction reads the gate rows FOR SHARE, judges them (integrity's pure
 *    verdicts) and claims by that verdict — the path of every first claim, of every
 *    claim after a gate row changed (a disarm, a heartbeat, a new reconcile record), and
 *    of every claim while the gates are shut.
 */
export async function claimRows(db: Kysely<Database>, clock: Clock, options: ClaimOptions, probe = true, memory: GateMemory = { pin: null }): Promise<Claim> {
  const probeMs = clock.nowMs();
  if (probe && !(await anythingClaimable(db, options.account, new Date(probeMs)))) return { rows: [], gatesOpen: null, blockedBy: [], nowMs: probeMs };
  const pin = memory.pin;
  if (pin !== null) {
    const nowMs = clock.nowMs();
    if (nowMs >= pin.openFromMs && nowMs <= pin.openUntilMs) {
      const pinned = await claimPinned(db, options, pin, nowMs);
      if (pinned !== null) return pinned;
    }
    memory.pin = null;
  }
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
    const claimed = await sql<ClaimedColumns>`${prepared}
      WITH picked AS (${pickRows(options, pending, now)})
      ${markClaimed(options, now, nowMs)}
      RETURNING ${claimedReturning(options)}`.execute(tx);
    // Remembered only once this transaction commits (the callback returns first).
    memory.pin = gates.pin;
    return { rows: claimedRows(claimed.rows, gatesOpen), gatesOpen, blockedBy, nowMs };
  });
}

/** The claimable rows of the account, in id order, locked (the claim's common part). */
function pickRows(options: ClaimOptions, pending: RawBuilder<unknown>, now: Date, gate: RawBuilder<unknown> = sql`true`): RawBuilder<unknown> {
  return sql`
        SELECT o.id, o.status
          FROM outbox o
         WHERE ${gate}
           AND o.status IN ('PENDING', 'CLAIMED', 'AMBIGUOUS')
           AND o.account = ${options.account}
           AND o.next_attempt_at <= ${now}
           AND (${pending} OR o.status = 'AMBIGUOUS' OR (o.status = 'CLAIMED' AND o.lease_expires_at < ${now}))
         ORDER BY o.id
         LIMIT ${options.batchSize}
           FOR UPDATE SKIP LOCKED`;
}

function markClaimed(options: ClaimOptions, now: Date, nowMs: number): RawBuilder<unknown> {
  return sql`
      UPDATE outbox u
         SET status = 'CLAIMED', claimed_by = ${options.owner}, claimed_at = ${now},
             lease_expires_at = ${new Date(nowMs + options.leaseMs)}, attempts = u.attempts + 1, updated_at = ${now}
        FROM picked
       WHERE u.id = picked.id`;
}

/** The claim's RETURNING list (both paths). The approval's age is judged by the database's clock, as created_at was stamped. */
function claimedReturning(options: ClaimOptions): RawBuilder<unknown> {
  return sql`u.*, picked.status AS before_status,
             (u.kind <> 'CANCEL' AND u.created_at < now() - make_interval(secs => ${options.maxApprovalAgeMs / 1000}::double precision)) AS approval_expired`;
}

function claimedRows(rows: readonly ClaimedColumns[], gatesOpen: boolean): ClaimedRow[] {
  return rows
    .map(({ before_status: before, approval_expired: approvalExpired, ...row }) => ({
      row,
      before,
      sendAllowed: gatesOpen || row.kind === "CANCEL",
      approvalExpired,
    }))
    .sort((a, b) => (a.row.id < b.row.id ? -1 : 1));
}

/**
 * The pinned claim, one statement (one implicit transaction): the gate rows locked FOR
 * SHARE and compared with the pin — the comparison gates the whole scan, so on a
 * mismatch nothing is even read — then the claim. null: the pin no longer matches.
 */
async function claimPinned(db: Kysely<Database>, options: ClaimOptions, pin: GatePin, nowMs: number): Promise<Claim | null> {
  const now = new Date(nowMs);
  // Prepared; the same index use as the full path's claim (checked by prepared-plans.test.ts).
  const result = await sql<Partial<ClaimedColumns> & { readonly gate_pin: string | null }>`${prepared}
    WITH gate AS (SELECT ${currentGatePin(options.account)} AS pin),
    picked AS (${pickRows(options, sql`o.status = 'PENDING'`, now, sql`(SELECT pin FROM gate) = ${pin.value}`)}),
    claimed AS (${markClaimed(options, now, nowMs)} RETURNING ${claimedReturning(options)})
    SELECT gate.pin AS gate_pin, claimed.* FROM gate LEFT JOIN claimed ON true`.execute(db);
  const first = result.rows[0];
  if (first === undefined || first.gate_pin !== pin.value) return null;
  const rows = result.rows.filter((r) => r.id !== undefined && r.id !== null && r.before_status !== null);
  return {
    rows: claimedRows(
      rows.map(({ gate_pin: _pin, ...row }) => row as ClaimedColumns),
      true,
    ),
    gatesOpen: true,
    blockedBy: [],
    nowMs,
  };
}
