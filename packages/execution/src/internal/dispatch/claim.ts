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
import { sql, type Database, type Kysely, type OutboxStatus, type OutboxTable, type Selectable } from "@mqk/db";
import { readGates, readReconcileGate } from "@mqk/integrity";

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
  readonly gatesOpen: boolean;
  /** Why the gates are shut, one line each; empty when open. */
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

export async function claimRows(db: Kysely<Database>, clock: Clock, options: ClaimOptions): Promise<Claim> {
  return db.transaction().execute(async (tx) => {
    const nowMs = clock.nowMs();
    const now = new Date(nowMs);
    // Lock order everywhere: arm_state, deadman (readGates), then risk_state.
    const integrity = await readGates(tx, nowMs);
    const risk = await tx.selectFrom("risk_state").select(["state", "reason"]).forShare().executeTakeFirst();
    const reconcile = await readReconcileGate(tx, options.account, nowMs, options.reconcileFreshnessMs);
    const blockedBy = [...integrity.blockedBy];
    if (risk === undefined) blockedBy.push("risk_state has no row (the schema was altered by hand)");
    else if (risk.state === "halted") blockedBy.push(`risk halted: ${risk.reason}`);
    blockedBy.push(...reconcile.blockedBy);
    const gatesOpen = blockedBy.length === 0;

    const candidates = await tx
      .selectFrom("outbox")
      .selectAll()
      .where("account", "=", options.account)
      .where("next_attempt_at", "<=", now)
      .where((eb) =>
        eb.or([
          gatesOpen ? eb("status", "=", "PENDING") : eb.and([eb("status", "=", "PENDING"), eb("kind", "=", "CANCEL")]),
          eb("status", "=", "AMBIGUOUS"),
          eb.and([eb("status", "=", "CLAIMED"), eb("lease_expires_at", "<", now)]),
        ]),
      )
      .orderBy("id")
      .limit(options.batchSize)
      .forUpdate()
      .skipLocked()
      .execute();
    if (candidates.length === 0) return { rows: [], gatesOpen, blockedBy, nowMs };

    const claimed = await tx
      .updateTable("outbox")
      .set({
        status: "CLAIMED",
        claimed_by: options.owner,
        claimed_at: now,
        lease_expires_at: new Date(nowMs + options.leaseMs),
        attempts: sql<number>`attempts + 1`,
        updated_at: now,
      })
      .where(
        "id",
        "in",
        candidates.map((c) => c.id),
      )
      .returningAll()
      .execute();
    const before = new Map(candidates.map((c) => [c.id, c.status]));
    const rows = claimed
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((row) => ({ row, before: before.get(row.id) ?? "PENDING", sendAllowed: gatesOpen || row.kind === "CANCEL" }));
    return { rows, gatesOpen, blockedBy, nowMs };
  });
}
