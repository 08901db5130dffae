/**
 * The gateway's way in (A1, D3): an intent enters the outbox only as an
 * ApprovedOrder (risk's proof), in the caller's transaction — the same one in
 * which risk recorded the approval — so the outbox row exists exactly when the
 * decision does; an ApprovedOrder whose approval row the transaction cannot see
 * (it rolled back) is refused. There is no verb here that reaches a broker: the
 * dispatcher alone reads PENDING rows, under its gates.
 *
 * Idempotent by construction: intent_id is UNIQUE in outbox and the
 * client_order_id is derived from it, so enqueueing the same intent again
 * inserts nothing and returns the row that exists.
 */
import { asClientOrderId, canonicalJson, err, invariant, ok, type ClientOrderId, type IntentId, type Result, type RunId } from "@mqk/core";
import { prepared, sql } from "@mqk/db";
import { isApprovedOrder, type ApprovedOrder } from "@mqk/risk";
import { cancelIntentIdFor, clientOrderIdFor } from "./client-order-id.js";
import type { Executor } from "./id-map.js";

export interface EnqueueContext {
  /** The broker account the order is for (1–128 characters). */
  readonly account: string;
  /** The run that made the decision; null for operator actions. */
  readonly runId?: RunId | null;
}

export interface EnqueuedOrder {
  readonly outboxId: bigint;
  readonly intentId: IntentId;
  readonly clientOrderId: ClientOrderId;
  /** false when this intent was already in the outbox (nothing was written). */
  readonly created: boolean;
}

export interface EnqueuedCancel {
  readonly outboxId: bigint;
  /** The cancel row's own intent id (derived from the order's). */
  readonly cancelIntentId: string;
  readonly targetClientOrderId: ClientOrderId;
  readonly created: boolean;
}

export type EnqueueCancelError = { readonly kind: "unknown_intent"; readonly intentId: IntentId };

/** The invariant broken by an ApprovedOrder whose approval row the caller's transaction cannot see. */
function unrecordedApproval(verb: string, intentId: IntentId): string {
  return (
    `${verb}: intent ${intentId} has no approval recorded in risk_approvals as this transaction sees it; ` +
    "approve and enqueue in one transaction (an approval that rolled back approved nothing)"
  );
}

async function approvalRecorded(tx: Executor, intentId: IntentId): Promise<boolean> {
  const row = await tx.selectFrom("risk_approvals").select("intent_id").where("intent_id", "=", intentId).executeTakeFirst();
  return row !== undefined;
}

function checkAccount(account: string): void {
  invariant(
    typeof account === "string" && account.length >= 1 && account.length <= 128,
    `enqueue: expected an account of 1–128 characters, found ${JSON.stringify(account)}`,
  );
}

/**
 * Writes the outbox row (PENDING) and the id-map row of an approved order in
 * `tx`. Anything but an ApprovedOrder minted by risk is an InvariantError.
 */
export async function enqueueApprovedOrder(tx: Executor, approved: ApprovedOrder, context: EnqueueContext): Promise<EnqueuedOrder> {
  invariant(isApprovedOrder(approved), "enqueueApprovedOrder: expected an ApprovedOrder minted by risk's approve(), found something else");
  checkAccount(context.account);
  const clientOrderId = clientOrderIdFor(approved.intentId);
  // One statement: the outbox row and its id-map row, or neither when the intent is
  // queued already (the map's insert reads only the rows the outbox insert returned).
  // Parameters carry their base types, so the columns' domains (0008) check them in the
  // executor rather than once per parameter in the bind, which costs more.
  const payload = canonicalJson({
    decisionKey: approved.decisionKey,
    referencePriceMicros: String(approved.referencePriceMicros),
    approvedAtMs: approved.approvedAtMs,
  });
  // Only for an approval this transaction can see (risk recorded it in this transaction, or one
  // that committed): an ApprovedOrder whose approval rolled back is a value with no decision behind it.
  const result = await sql<{ readonly id: bigint | null; readonly approval_seen: boolean }>`${prepared}
    WITH approval AS (SELECT EXISTS (SELECT 1 FROM risk_approvals WHERE intent_id = ${approved.intentId}::text) AS seen),
    queued AS (
      INSERT INTO outbox (intent_id, client_order_id, kind, account, run_id, strategy_id, symbol, side, order_type, time_in_force,
                          qty_shares, limit_price_micros, payload)
      SELECT ${approved.intentId}::text, ${clientOrderId}::text, 'SUBMIT', ${context.account}::text, ${context.runId ?? null}::text,
             ${approved.strategyId}::text, ${approved.ticker}::text, ${approved.side}::text, ${approved.type}::text,
             ${approved.timeInForce}::text, ${approved.qtyShares}::bigint, ${approved.limitPriceMicros}::bigint, ${payload}::jsonb
       WHERE (SELECT seen FROM approval)
      ON CONFLICT (intent_id) DO NOTHING
      RETURNING id, intent_id, client_order_id),
    mapped AS (
      INSERT INTO order_map (intent_id, client_order_id) SELECT intent_id, client_order_id FROM queued)
    SELECT (SELECT id FROM queued) AS id, (SELECT seen FROM approval) AS approval_seen`.execute(tx);
  const answer = result.rows[0];
  invariant(answer?.approval_seen === true, unrecordedApproval("enqueueApprovedOrder", approved.intentId));
  const inserted = answer.id === null ? undefined : { id: answer.id };
  if (inserted !== undefined) return { outboxId: inserted.id, intentId: approved.intentId, clientOrderId, created: true };
  const existing = await tx.selectFrom("outbox").select(["id", "client_order_id"]).where("intent_id", "=", approved.intentId).executeTakeFirstOrThrow();
  invariant(
    existing.client_order_id === clientOrderId,
    `outbox row ${String(existing.id)} of intent ${approved.intentId} has client_order_id ${String(existing.client_order_id)}, expected ${clientOrderId}`,
  );
  return { outboxId: existing.id, intentId: approved.intentId, clientOrderId, created: false };
}

/**
 * Queues the cancel of an order we placed, as an outbox row naming its
 * client_order_id (resolved through the id map, so it works after a restart).
 * One live cancel row per order: asking again returns it while it is queued, in
 * flight, or done. Only after a cancel ended without effect (REJECTED by the
 * broker, or FAILED) does asking again queue the next one — so the kill switch is
 * never left holding a dead cancel. The rows' intent ids are deterministic
 * (generation 1, 2, …), so two concurrent asks still make one row. Cancels only
 * reduce risk, so they need no ApprovedOrder.
 */
export async function enqueueCancel(tx: Executor, intentId: IntentId): Promise<Result<EnqueuedCancel, EnqueueCancelError>> {
  const target = await tx
    .selectFrom("order_map")
    .innerJoin("outbox", "outbox.intent_id", "order_map.intent_id")
    .select(["order_map.client_order_id", "outbox.account", "outbox.run_id", "outbox.strategy_id", "outbox.symbol"])
    .where("order_map.intent_id", "=", intentId)
    .executeTakeFirst();
  if (target === undefined) return err({ kind: "unknown_intent", intentId });
  const targetClientOrderId = asClientOrderId(target.client_order_id);
  for (let generation = 1; ; generation += 1) {
    const cancelIntentId = cancelIntentIdFor(intentId, generation);
    const existing = await tx.selectFrom("outbox").select(["id", "status"]).where("intent_id", "=", cancelIntentId).executeTakeFirst();
    if (existing !== undefined && (existing.status === "REJECTED" || existing.status === "FAILED")) continue;
    if (existing !== undefined) return ok({ outboxId: existing.id, cancelIntentId, targetClientOrderId, created: false });
    const inserted = await tx
      .insertInto("outbox")
      .values({
        intent_id: cancelIntentId,
        kind: "CANCEL",
        account: target.account,
        run_id: target.run_id,
        strategy_id: target.strategy_id,
        symbol: target.symbol,
        target_client_order_id: targetClientOrderId,
        payload: canonicalJson({ cancelsIntentId: intentId, generation }),
      })
      .onConflict((oc) => oc.column("intent_id").doNothing())
      .returning("id")
      .executeTakeFirst();
    if (inserted !== undefined) return ok({ outboxId: inserted.id, cancelIntentId, targetClientOrderId, created: true });
    // A concurrent ask inserted this generation first: that row is the answer.
    const raced = await tx.selectFrom("outbox").select("id").where("intent_id", "=", cancelIntentId).executeTakeFirstOrThrow();
    return ok({ outboxId: raced.id, cancelIntentId, targetClientOrderId, created: false });
  }
}

export interface EnqueuedReplace {
  readonly outboxId: bigint;
  readonly intentId: IntentId;
  readonly clientOrderId: ClientOrderId;
  readonly targetClientOrderId: ClientOrderId;
  readonly created: boolean;
}

export type EnqueueReplaceError = { readonly kind: "unknown_intent"; readonly intentId: IntentId } | { readonly kind: "mismatch"; readonly message: string };

/**
 * Queues the replacement of an order we placed by the approved order `approved`
 * (risk approves the new terms like any order: the replacement's full exposure).
 * Same account, symbol and side as the target; the new order has its own
 * client_order_id, the target is named by its client_order_id and resolved
 * through the id map when dispatched (A4).
 */
export async function enqueueReplace(
  tx: Executor,
  targetIntentId: IntentId,
  approved: ApprovedOrder,
  context: EnqueueContext,
): Promise<Result<EnqueuedReplace, EnqueueReplaceError>> {
  invariant(isApprovedOrder(approved), "enqueueReplace: expected an ApprovedOrder minted by risk's approve(), found something else");
  checkAccount(context.account);
  invariant(await approvalRecorded(tx, approved.intentId), unrecordedApproval("enqueueReplace", approved.intentId));
  const target = await tx
    .selectFrom("order_map")
    .innerJoin("outbox", "outbox.intent_id", "order_map.intent_id")
    .select(["order_map.client_order_id", "outbox.account", "outbox.symbol", "outbox.side", "outbox.kind"])
    .where("order_map.intent_id", "=", targetIntentId)
    .executeTakeFirst();
  if (target === undefined) return err({ kind: "unknown_intent", intentId: targetIntentId });
  if (target.account !== context.account || target.symbol !== approved.ticker || target.side !== approved.side) {
    return err({
      kind: "mismatch",
      message: `a replacement keeps the account, symbol and side: expected ${target.account} ${String(target.symbol)} ${String(target.side)}, found ${context.account} ${approved.ticker} ${approved.side}`,
    });
  }
  const targetClientOrderId = asClientOrderId(target.client_order_id);
  const clientOrderId = clientOrderIdFor(approved.intentId);
  const inserted = await tx
    .insertInto("outbox")
    .values({
      intent_id: approved.intentId,
      client_order_id: clientOrderId,
      kind: "REPLACE",
      account: context.account,
      run_id: context.runId ?? null,
      strategy_id: approved.strategyId,
      target_client_order_id: targetClientOrderId,
      symbol: approved.ticker,
      side: approved.side,
      order_type: approved.type,
      time_in_force: approved.timeInForce,
      qty_shares: approved.qtyShares,
      limit_price_micros: approved.limitPriceMicros,
      payload: canonicalJson({ decisionKey: approved.decisionKey, replacesIntentId: targetIntentId, approvedAtMs: approved.approvedAtMs }),
    })
    .onConflict((oc) => oc.column("intent_id").doNothing())
    .returning("id")
    .executeTakeFirst();
  if (inserted === undefined) {
    const existing = await tx.selectFrom("outbox").select("id").where("intent_id", "=", approved.intentId).executeTakeFirstOrThrow();
    return ok({ outboxId: existing.id, intentId: approved.intentId, clientOrderId, targetClientOrderId, created: false });
  }
  await tx
    .insertInto("order_map")
    .values({ intent_id: approved.intentId, client_order_id: clientOrderId, replaces_client_order_id: targetClientOrderId })
    .execute();
  return ok({ outboxId: inserted.id, intentId: approved.intentId, clientOrderId, targetClientOrderId, created: true });
}
