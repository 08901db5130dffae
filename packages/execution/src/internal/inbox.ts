/**
 * The inbox (D2): a broker event is inserted under its unique broker_message_id
 * and applied — order state, id map, position, cash, realised PnL — in ONE
 * transaction. A duplicate (same message id, or the same execution id under
 * another message id: both are unique in inbox) inserts nothing and so applies
 * nothing, also across crashes and restarts, because the uniqueness lives in
 * the database, not in memory.
 *
 * Events the desk cannot place (an order we never sent, a pair the state
 * machine does not list, a fill past the order's quantity) are kept in the
 * inbox with applied_at NULL and change nothing else: reconcile sees the
 * difference and goes DIRTY (fail closed).
 *
 * Two paths to the same writes (inbox-read.ts, inbox-plan.ts, inbox-write.ts):
 *  - quick, with no transaction around it: read the order's state with its row
 *    versions, decide in memory, then ONE statement that locks those rows, proves
 *    their versions unchanged and writes everything — or, on any change, nothing;
 *  - careful, when the quick write found a change (another event of the order, or
 *    of its symbol, came first), for a symbol's first fill, or after a unique
 *    violation: one transaction that locks the order, reads after the lock, decides
 *    and writes.
 * Either way the inbox row and everything it changes commit together, or not at all.
 */
import { canonicalJson, invariant } from "@mqk/core";
import type { Database, Kysely, OrderState } from "@mqk/db";
import type { BrokerEvent } from "./broker-event.js";
import type { Executor } from "./id-map.js";
import { appliedWrites, keptWrites, plan, required, type Verdict } from "./inbox-plan.js";
import { createAndLockPosition, lockOrder, readOrder } from "./inbox-read.js";
import { writeEvent, type EventWrites, type WriteGuard } from "./inbox-write.js";
import type { OrderStateOrNone } from "./order-state-machine.js";

export type ApplyOutcome =
  | { readonly kind: "duplicate" }
  | { readonly kind: "unmatched"; readonly seq: bigint; readonly reason: string }
  | { readonly kind: "illegal_transition"; readonly seq: bigint; readonly from: OrderStateOrNone; readonly event: string; readonly reason: string }
  /** A fill whose interval of the order's quantity was already booked (by a backfill or another message): kept, not applied. */
  | { readonly kind: "covered"; readonly seq: bigint; readonly reason: string }
  | { readonly kind: "applied"; readonly seq: bigint; readonly orderState: OrderState; readonly fillApplied: boolean };

function checkEvent(event: BrokerEvent): void {
  const isFill = event.kind === "fill" || event.kind === "partial_fill";
  invariant(isFill === (event.fill !== null), `broker event ${event.brokerMessageId}: kind ${event.kind} ${isFill ? "needs" : "must not carry"} a fill`);
  if (event.fill !== null) {
    invariant(event.fill.qtyShares > 0n, `broker event ${event.brokerMessageId}: fill qty must be > 0, found ${String(event.fill.qtyShares)}`);
    invariant(event.fill.priceMicros > 0n, `broker event ${event.brokerMessageId}: fill price must be > 0, found ${String(event.fill.priceMicros)}`);
    invariant(event.fill.feeMicros >= 0n, `broker event ${event.brokerMessageId}: fee must be ≥ 0, found ${String(event.fill.feeMicros)}`);
  }
}

/** Inserts and applies one broker event: all of it in one transaction, or none of it. */
export async function applyBrokerEvent(db: Kysely<Database>, event: BrokerEvent): Promise<ApplyOutcome> {
  checkEvent(event);
  const payloadJson = canonicalJson(event.payload);
  const quick = await applyQuickly(db, event, payloadJson);
  if (quick !== "contended") return quick;
  return db.transaction().execute((tx) => applyCarefully(tx, event, payloadJson));
}

const UNMATCHED: Verdict = { kind: "unmatched", reason: "no order of ours has this client_order_id or broker_order_id" };

/** The quick path; "contended" hands the event to the careful path (nothing was written). */
async function applyQuickly(db: Kysely<Database>, event: BrokerEvent, payloadJson: string): Promise<ApplyOutcome | "contended"> {
  const read = await readOrder(db, event, "event", false);
  if (read === undefined) return outcomeOf(await writeEvent(db, event, payloadJson, keptWrites(UNMATCHED, null, null)), UNMATCHED);
  const { locked, state, versions } = read;
  const planned = plan(locked, state, event);
  // A symbol's first fill needs its position row created first: the careful path does that.
  if (planned.kind === "apply" && event.fill !== null && state.position === null) return "contended";
  const guard: WriteGuard = {
    intentId: locked.intentId,
    versions,
    orderId: state.order?.id ?? null,
    position: event.fill === null ? null : { account: locked.account, symbol: required(locked, "symbol") },
  };
  const writes: EventWrites =
    planned.kind === "apply"
      ? appliedWrites(locked, state, event, planned, state.position)
      : keptWrites(planned.verdict, planned.intentId, planned.learnBrokerOrderId);
  try {
    const written = await writeEvent(db, event, payloadJson, writes, guard);
    if (!written.guarded) return "contended";
    return planned.kind === "apply" ? appliedOutcome(written.seq, planned.to, event) : outcomeOf(written, planned.verdict);
  } catch (error) {
    // Another writer got in between in a way no version shows (the order's first row, a
    // broker id taken meanwhile): nothing was written; the careful path decides again.
    if (isUniqueViolation(error)) return "contended";
    throw error;
  }
}

/** The careful path: lock the order, read after the lock, decide, write — one transaction. */
async function applyCarefully(tx: Executor, event: BrokerEvent, payloadJson: string): Promise<ApplyOutcome> {
  const intentId = await lockOrder(tx, event);
  const read = intentId === undefined ? undefined : await readOrder(tx, event, intentId, true);
  if (read === undefined) return outcomeOf(await writeEvent(tx, event, payloadJson, keptWrites(UNMATCHED, null, null)), UNMATCHED);
  const { locked, state } = read;
  const planned = plan(locked, state, event);
  if (planned.kind !== "apply")
    return outcomeOf(await writeEvent(tx, event, payloadJson, keptWrites(planned.verdict, planned.intentId, planned.learnBrokerOrderId)), planned.verdict);
  let position = state.position;
  if (event.fill !== null && position === null) position = await createAndLockPosition(tx, locked.account, required(locked, "symbol"));
  const written = await writeEvent(tx, event, payloadJson, appliedWrites(locked, state, event, planned, position));
  return appliedOutcome(written.seq, planned.to, event);
}

function appliedOutcome(seq: bigint | undefined, orderState: OrderState, event: BrokerEvent): ApplyOutcome {
  if (seq === undefined) return { kind: "duplicate" };
  return { kind: "applied", seq, orderState, fillApplied: event.fill !== null };
}

/** A kept event's outcome: its verdict with the inbox row's seq, or a duplicate. */
function outcomeOf(written: { readonly seq: bigint | undefined }, verdict: Verdict): ApplyOutcome {
  if (written.seq === undefined) return { kind: "duplicate" };
  return { ...verdict, seq: written.seq };
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && (error as { readonly code: unknown }).code === "23505";
}
