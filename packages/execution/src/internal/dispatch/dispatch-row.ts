/**
 * What a dispatcher does with one claimed row, after the claim committed.
 *
 * Never resend blindly (A3): a row that was sent before — AMBIGUOUS, or CLAIMED
 * by a dispatcher whose lease ran out — is first looked up by its
 * client_order_id. Found: adopt it. Not found: resend with the SAME
 * client_order_id only when the claim saw the gates open; the broker refuses a
 * second order under one client_order_id ("must be unique"), and that refusal
 * is proof the first arrived, so it is adopted too. Every write after the
 * broker call is guarded by `claimed_by = me AND status = 'CLAIMED'`: a
 * dispatcher that lost its lease changes nothing but the id map, which is a fact.
 *
 * Never send on a stale approval: a SUBMIT or REPLACE queued longer ago than the
 * dispatcher's approval bound is REJECTED unsent, or — when an earlier send may
 * have arrived — looked up, adopted if found, and otherwise FAILED, never resent.
 */
import { asClientOrderId, asTicker, type BrokerOrderId, type Clock, type Micros, type Shares } from "@mqk/core";
import { prepared, sql, type Database, type Kysely, type OutboxStatus } from "@mqk/db";
import type { BrokerAdapter, BrokerOrder, BrokerOrderRequest, SendOutcome } from "../broker/broker-port.js";
import { recordBrokerOrderId } from "../id-map.js";
import type { ClaimedRow, OutboxRow } from "./claim.js";

export type RowResult =
  | { readonly kind: "sent"; readonly outboxId: bigint; readonly brokerOrderId: BrokerOrderId; readonly adopted: boolean }
  | { readonly kind: "cancel_requested"; readonly outboxId: bigint; readonly brokerOrderId: BrokerOrderId }
  | { readonly kind: "rejected"; readonly outboxId: bigint; readonly reason: string }
  | { readonly kind: "withdrawn"; readonly outboxId: bigint; readonly reason: string }
  | { readonly kind: "ambiguous"; readonly outboxId: bigint; readonly reason: string }
  | { readonly kind: "retry_later"; readonly outboxId: bigint; readonly reason: string }
  | { readonly kind: "lease_lost"; readonly outboxId: bigint };

export interface RowContext {
  readonly db: Kysely<Database>;
  readonly adapter: BrokerAdapter;
  readonly clock: Clock;
  readonly owner: string;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** The approval bound the claim judged rows by (for the reason text). */
  readonly maxApprovalAgeMs: number;
}

export async function dispatchRow(ctx: RowContext, claimed: ClaimedRow): Promise<RowResult> {
  if (claimed.approvalExpired && claimed.before === "PENDING") {
    // Never sent, and its approval is stale: nothing reaches the broker.
    const reason = `${expiredApproval(ctx, claimed.row)}; never sent`;
    return finish(ctx, claimed.row, "REJECTED", reason, { kind: "rejected", outboxId: claimed.row.id, reason });
  }
  switch (claimed.row.kind) {
    case "SUBMIT":
      return dispatchOrder(ctx, claimed, (row) => ctx.adapter.submit(orderRequest(row)));
    case "REPLACE":
      return dispatchReplace(ctx, claimed);
    case "CANCEL":
      return dispatchCancel(ctx, claimed);
  }
}

function orderRequest(row: OutboxRow): BrokerOrderRequest {
  if (
    row.client_order_id === null ||
    row.symbol === null ||
    row.side === null ||
    row.order_type === null ||
    row.time_in_force === null ||
    row.qty_shares === null
  ) {
    throw new Error(`outbox row ${String(row.id)} (${row.kind}) lacks an order's fields; the outbox_kind_shape_check should have refused it`);
  }
  return {
    clientOrderId: asClientOrderId(row.client_order_id),
    symbol: asTicker(row.symbol),
    side: row.side,
    type: row.order_type,
    timeInForce: row.time_in_force,
    qtyShares: row.qty_shares as Shares,
    limitPriceMicros: row.limit_price_micros as Micros | null,
    stopPriceMicros: row.stop_price_micros as Micros | null,
  };
}

/** SUBMIT and REPLACE: resolve first when the row may have been sent, then send, then settle. */
async function dispatchOrder(ctx: RowContext, claimed: ClaimedRow, send: (row: OutboxRow) => Promise<SendOutcome>): Promise<RowResult> {
  const { row } = claimed;
  const clientOrderId = asClientOrderId(row.client_order_id ?? "");
  const mayHaveBeenSent = claimed.before !== "PENDING";
  if (mayHaveBeenSent) {
    const looked = await ctx.adapter.lookupByClientOrderId(clientOrderId);
    if (looked.kind === "found") return adopt(ctx, row, looked.order, true);
    if (looked.kind === "unavailable") return release(ctx, row, "AMBIGUOUS", `lookup by client_order_id failed: ${looked.reason}`);
    if (!claimed.sendAllowed) return release(ctx, row, "AMBIGUOUS", "not found at the broker by client_order_id; the gates are shut, so it is not resent");
    if (claimed.approvalExpired) {
      // An earlier send may still surface at the broker; an operator settles it (reconcile shows it).
      const reason = `${expiredApproval(ctx, row)}; an earlier send is not found at the broker by client_order_id and is not sent again`;
      return finish(ctx, row, "FAILED", reason, { kind: "rejected", outboxId: row.id, reason });
    }
  }
  const outcome = await send(row);
  switch (outcome.kind) {
    case "accepted":
      return adopt(ctx, row, outcome.order, false);
    case "duplicate": {
      // The broker has an order under this client_order_id: the first send arrived.
      const looked = await ctx.adapter.lookupByClientOrderId(clientOrderId);
      if (looked.kind === "found") return adopt(ctx, row, looked.order, true);
      return release(ctx, row, "AMBIGUOUS", `the broker says the client_order_id is taken (${outcome.message}) but the lookup found no order`);
    }
    case "rejected": {
      if (mayHaveBeenSent) {
        // A resend refused may mean the first send took effect (a replace already done): look once more.
        const looked = await ctx.adapter.lookupByClientOrderId(clientOrderId);
        if (looked.kind === "found") return adopt(ctx, row, looked.order, true);
      }
      const reason = `broker refused (${String(outcome.status)}${outcome.code === null ? "" : ` ${String(outcome.code)}`}): ${outcome.message}`;
      return finish(ctx, row, "REJECTED", reason, { kind: "rejected", outboxId: row.id, reason });
    }
    case "ambiguous":
      return release(ctx, row, "AMBIGUOUS", outcome.reason);
    case "not_sent":
      return release(ctx, row, mayHaveBeenSent ? "AMBIGUOUS" : "PENDING", outcome.reason);
  }
}

async function dispatchReplace(ctx: RowContext, claimed: ClaimedRow): Promise<RowResult> {
  const target = await targetBrokerOrderId(ctx, claimed.row);
  if (target === null) return release(ctx, claimed.row, claimed.before === "PENDING" ? "PENDING" : "AMBIGUOUS", "the order to replace has no broker id yet");
  return dispatchOrder(ctx, claimed, (row) =>
    ctx.adapter.replace({
      brokerOrderId: target,
      newClientOrderId: asClientOrderId(row.client_order_id ?? ""),
      qtyShares: row.qty_shares as Shares | null,
      limitPriceMicros: row.limit_price_micros as Micros | null,
      stopPriceMicros: row.stop_price_micros as Micros | null,
      timeInForce: row.time_in_force,
    }),
  );
}

/**
 * CANCEL: resolve the target's broker id through the id map (A4), learning it by
 * lookup when only the client_order_id is known; a target that never left the
 * outbox is withdrawn instead. Cancels are idempotent at the broker, so an
 * ambiguous cancel is simply sent again.
 */
async function dispatchCancel(ctx: RowContext, claimed: ClaimedRow): Promise<RowResult> {
  const { row } = claimed;
  const targetCoid = row.target_client_order_id ?? "";
  let brokerOrderId = await targetBrokerOrderId(ctx, row);
  if (brokerOrderId === null) {
    const withdrawn = await ctx.db
      .updateTable("outbox")
      .set({ status: "CANCELLED", last_error: `withdrawn by cancel row ${String(row.id)} before it was sent`, updated_at: sql<Date>`now()` })
      .where("client_order_id", "=", targetCoid)
      .where("status", "=", "PENDING")
      .returning("id")
      .executeTakeFirst();
    if (withdrawn !== undefined) {
      const reason = `the order ${targetCoid} had not been sent; withdrawn from the outbox`;
      return finish(ctx, row, "CANCELLED", reason, { kind: "withdrawn", outboxId: row.id, reason });
    }
    const target = await ctx.db.selectFrom("outbox").select("status").where("client_order_id", "=", targetCoid).executeTakeFirst();
    if (target !== undefined && neverReachedBroker(target.status)) {
      const reason = `nothing to cancel: the order ${targetCoid} is ${target.status} and never reached the broker`;
      return finish(ctx, row, "CANCELLED", reason, { kind: "withdrawn", outboxId: row.id, reason });
    }
    // Sent but unresolved, or FAILED — which may hold a live broker order we would not adopt
    // (other terms under our client_order_id): ask the broker, never assume.
    const looked = await ctx.adapter.lookupByClientOrderId(asClientOrderId(targetCoid));
    if (looked.kind === "not_found" && target?.status === "FAILED") {
      const reason = `nothing to cancel: the order ${targetCoid} is FAILED and the broker has no order under its client_order_id`;
      return finish(ctx, row, "CANCELLED", reason, { kind: "withdrawn", outboxId: row.id, reason });
    }
    if (looked.kind !== "found") return release(ctx, row, "PENDING", `the order ${targetCoid} has no broker id yet (its send is unresolved)`);
    // A FAILED target's broker order stays out of the id map (it was refused there); the cancel still reaches it.
    if (target?.status !== "FAILED")
      await ctx.db.transaction().execute((tx) => recordBrokerOrderId(tx, asClientOrderId(targetCoid), looked.order.brokerOrderId));
    brokerOrderId = looked.order.brokerOrderId;
  }
  const outcome = await ctx.adapter.cancel(brokerOrderId);
  switch (outcome.kind) {
    case "requested":
      return finish(ctx, row, "SENT", null, { kind: "cancel_requested", outboxId: row.id, brokerOrderId });
    case "not_cancelable":
    case "not_found": {
      const reason = outcome.kind === "not_found" ? "the broker does not know the order" : `the broker cannot cancel it: ${outcome.message}`;
      return finish(ctx, row, "REJECTED", reason, { kind: "rejected", outboxId: row.id, reason });
    }
    case "ambiguous":
      return release(ctx, row, "AMBIGUOUS", outcome.reason);
    case "not_sent":
      return release(ctx, row, "PENDING", outcome.reason);
  }
}

function expiredApproval(ctx: RowContext, row: OutboxRow): string {
  return `approval expired: queued at ${row.created_at.toISOString()}, more than ${String(ctx.maxApprovalAgeMs)} ms before its claim; the strategy must decide again`;
}

/** A definite broker rejection, or withdrawn before sending: no broker order can exist under the row's id. */
function neverReachedBroker(status: OutboxStatus): boolean {
  return status === "REJECTED" || status === "CANCELLED";
}

async function targetBrokerOrderId(ctx: RowContext, row: OutboxRow): Promise<BrokerOrderId | null> {
  const map = await ctx.db
    .selectFrom("order_map")
    .select("broker_order_id")
    .where("client_order_id", "=", row.target_client_order_id ?? "")
    .executeTakeFirst();
  return (map?.broker_order_id ?? null) as BrokerOrderId | null;
}

/** The broker holds the order: persist its id (A4) and mark the row SENT, in one transaction. */
async function adopt(ctx: RowContext, row: OutboxRow, order: BrokerOrder, adopted: boolean): Promise<RowResult> {
  const clientOrderId = asClientOrderId(row.client_order_id ?? "");
  const mismatch = termsMismatch(row, order);
  if (mismatch !== null) {
    // The client_order_id names a broker order that is not ours (typed by hand, another
    // system): never adopt it, never send over it. An operator must look.
    const reason = `the broker's order ${order.brokerOrderId} under ${clientOrderId} is not this row's order (${mismatch}); not adopted`;
    return finish(ctx, row, "FAILED", reason, { kind: "rejected", outboxId: row.id, reason });
  }
  const quick = await adoptNewlyLearned(ctx, row, order);
  if (quick === "sent") return { kind: "sent", outboxId: row.id, brokerOrderId: order.brokerOrderId, adopted };
  if (quick === "lease_lost") return { kind: "lease_lost", outboxId: row.id };
  return ctx.db.transaction().execute(async (tx) => {
    const recorded = await recordBrokerOrderId(tx, clientOrderId, order.brokerOrderId);
    if (!recorded.ok) {
      const reason = `the broker's order ${order.brokerOrderId} cannot be mapped to ${clientOrderId}: ${recorded.error.kind}; an operator must look`;
      const failed = await settle(tx, row, ctx.owner, { status: "FAILED", last_error: reason });
      return failed ? { kind: "rejected" as const, outboxId: row.id, reason } : { kind: "lease_lost" as const, outboxId: row.id };
    }
    const done = await settle(tx, row, ctx.owner, { status: "SENT", sent_at: new Date(ctx.clock.nowMs()), last_error: null });
    // Not ours any more: either the broker's own event settled the row first (ACKED), or the lease was lost.
    const acked = done || (await tx.selectFrom("outbox").select("status").where("id", "=", row.id).executeTakeFirst())?.status === "ACKED";
    return acked ? { kind: "sent" as const, outboxId: row.id, brokerOrderId: order.brokerOrderId, adopted } : { kind: "lease_lost" as const, outboxId: row.id };
  });
}

/**
 * The common case of `adopt` in one statement (one implicit transaction): the broker
 * id is new to the id map, so it is recorded (A4) and the row marked SENT together.
 * Anything else — the id known already (the broker's event came first), the id
 * taken by another order (a unique violation: the statement changed nothing) — is
 * "unsure", and the general path in its own transaction decides.
 */
async function adoptNewlyLearned(ctx: RowContext, row: OutboxRow, order: BrokerOrder): Promise<"sent" | "lease_lost" | "unsure"> {
  const clientOrderId = row.client_order_id ?? "";
  let counts: { readonly mapped: bigint; readonly settled: bigint } | undefined;
  try {
    const result = await sql<{ readonly mapped: bigint; readonly settled: bigint }>`${prepared}
      WITH mapped AS (
        UPDATE order_map SET broker_order_id = ${order.brokerOrderId}::text, broker_order_id_at = now()
         WHERE client_order_id = ${clientOrderId} AND broker_order_id IS NULL
        RETURNING intent_id),
      ordered AS (
        UPDATE orders SET broker_order_id = ${order.brokerOrderId}::text
         WHERE client_order_id = ${clientOrderId} AND broker_order_id IS NULL AND EXISTS (SELECT 1 FROM mapped)),
      settled AS (
        UPDATE outbox
           SET status = 'SENT', sent_at = ${new Date(ctx.clock.nowMs())}, last_error = NULL,
               claimed_by = NULL, claimed_at = NULL, lease_expires_at = NULL, updated_at = now()
         WHERE id = ${row.id} AND claimed_by = ${ctx.owner} AND status = 'CLAIMED' AND EXISTS (SELECT 1 FROM mapped)
        RETURNING id)
      SELECT (SELECT count(*) FROM mapped) AS mapped, (SELECT count(*) FROM settled) AS settled`.execute(ctx.db);
    counts = result.rows[0];
  } catch (error) {
    if (isUniqueViolation(error)) return "unsure";
    throw error;
  }
  if (counts === undefined || counts.mapped !== 1n) return "unsure";
  if (counts.settled === 1n) return "sent";
  // The id is recorded (a fact); the row was not ours to settle: ACKED by the broker's event, or the lease is gone.
  const now = await ctx.db.selectFrom("outbox").select("status").where("id", "=", row.id).executeTakeFirst();
  return now?.status === "ACKED" ? "sent" : "lease_lost";
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && (error as { readonly code: unknown }).code === "23505";
}

/** How a broker order found under our client_order_id differs from the row, or null. */
function termsMismatch(row: OutboxRow, order: BrokerOrder): string | null {
  const problems: string[] = [];
  if (row.symbol !== null && row.symbol !== order.symbol) problems.push(`symbol ${order.symbol}, expected ${row.symbol}`);
  if (row.side !== null && row.side !== order.side) problems.push(`side ${order.side}, expected ${row.side}`);
  if (row.qty_shares !== null && row.qty_shares !== order.qtyShares) problems.push(`qty ${String(order.qtyShares)}, expected ${String(row.qty_shares)}`);
  return problems.length === 0 ? null : problems.join("; ");
}

async function finish(ctx: RowContext, row: OutboxRow, status: OutboxStatus, reason: string | null, result: RowResult): Promise<RowResult> {
  const done = await settle(ctx.db, row, ctx.owner, {
    status,
    ...(status === "REJECTED" ? { reject_reason: reason } : { last_error: reason }),
    ...(status === "SENT" ? { sent_at: new Date(ctx.clock.nowMs()) } : {}),
  });
  return done ? result : { kind: "lease_lost", outboxId: row.id };
}

/** Back to the queue (PENDING or AMBIGUOUS) after a backoff that doubles with each attempt. */
async function release(ctx: RowContext, row: OutboxRow, status: "PENDING" | "AMBIGUOUS", reason: string): Promise<RowResult> {
  const exponent = Math.min(Math.max(row.attempts - 1, 0), 20);
  const delay = Math.min(ctx.backoffBaseMs * 2 ** exponent, ctx.backoffMaxMs);
  const done = await settle(ctx.db, row, ctx.owner, { status, last_error: reason, next_attempt_at: new Date(ctx.clock.nowMs() + delay) });
  if (!done) return { kind: "lease_lost", outboxId: row.id };
  return status === "AMBIGUOUS" ? { kind: "ambiguous", outboxId: row.id, reason } : { kind: "retry_later", outboxId: row.id, reason };
}

interface Settlement {
  readonly status: OutboxStatus;
  readonly last_error?: string | null;
  readonly reject_reason?: string | null;
  readonly sent_at?: Date;
  readonly next_attempt_at?: Date;
}

/** Updates the row only while this dispatcher still holds its claim; false when the lease was lost. */
async function settle(executor: Kysely<Database>, row: OutboxRow, owner: string, settlement: Settlement): Promise<boolean> {
  const updated = await executor
    .updateTable("outbox")
    .set({ ...settlement, claimed_by: null, claimed_at: null, lease_expires_at: null, updated_at: sql<Date>`now()` })
    .where("id", "=", row.id)
    .where("claimed_by", "=", owner)
    .where("status", "=", "CLAIMED")
    .returning("id")
    .executeTakeFirst();
  return updated !== undefined;
}
