/**
 * The way back from the broker: every event of the session's stream goes
 * through the inbox (D2), and after every (re)connect the orders that may have
 * changed meanwhile are read over REST and what the stream missed is
 * synthesised into the inbox (backfill). Both roads end in `applyBrokerEvent`,
 * whose unique keys and fill intervals make a second delivery book nothing.
 */
import { asBrokerMessageId, DeskError, divRound, errorMessage, InvariantError, type Clock, type Micros, type Shares } from "@mqk/core";
import type { Database, InboxKind, Kysely, OrderState } from "@mqk/db";
import type { BrokerEvent } from "../broker-event.js";
import type { BrokerAdapter, BrokerOrder } from "../broker/broker-port.js";
import { adapterOf, onSessionSettled, type BrokerSession } from "../broker-session.js";
import { orderIdsByBrokerOrderId, orderIdsByClientOrderId } from "../id-map.js";
import { applyBrokerEvent, type ApplyOutcome } from "../inbox.js";

export interface IngestOptions {
  readonly db: Kysely<Database>;
  readonly session: BrokerSession;
  readonly clock: Clock;
  /**
   * Events of DIFFERENT orders applied at once (default 4). One order's events are
   * always applied one after another, in arrival order; the inbox's row locks (order,
   * then position) keep concurrent orders of one symbol correct.
   */
  readonly concurrency?: number;
  /** Every event applied (or kept) — for logs and tests. */
  readonly onApplied?: (event: BrokerEvent, outcome: ApplyOutcome) => void;
  /** A stream break, a frame that could not be parsed, an apply that failed; never throws. */
  readonly onProblem?: (message: string) => void;
}

export interface BrokerIngest {
  /** Reads the broker's recent orders over REST and applies what the inbox lacks. */
  backfill(): Promise<BackfillReport>;
  /** Resolves once every event received so far is through the inbox. */
  idle(): Promise<void>;
  /** Closes the stream and waits for the events in flight. */
  stop(): Promise<void>;
}

export interface BackfillReport {
  readonly ordersRead: number;
  readonly eventsSynthesised: number;
  readonly applied: number;
}

/** Tries of one event's apply before it is left to the next backfill (50, 100, 200 ms apart). */
const APPLY_ATTEMPTS = 4;

/** At most this many events wait in memory before the stream is made to wait for the inbox. */
const HIGH_WATER = 1_000;

/** Subscribes to the session's trade updates; resolves once the first connect's backfill is done. */
export async function startBrokerIngest(options: IngestOptions): Promise<BrokerIngest> {
  const adapter = adapterOf(options.session);
  const onProblem = options.onProblem ?? (() => undefined);
  const concurrency = options.concurrency ?? 4;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new DeskError("BAD_INPUT", `startBrokerIngest: expected concurrency as an integer in 1…64, found ${String(concurrency)}`);
  const apply = async (event: BrokerEvent): Promise<ApplyOutcome> => {
    const outcome = await applyBrokerEvent(options.db, event);
    options.onApplied?.(event, outcome);
    return outcome;
  };
  let stopping = false;
  const lanes = new OrderLanes(concurrency, async (event) => {
    // A transient fault (a lost connection, a serialization or lock failure) is retried a
    // few times in the event's own lane, so the order's later events wait behind it. A
    // broken invariant is not retried. Given up: the next backfill reads the order again.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await apply(event);
        return;
      } catch (error) {
        if (error instanceof InvariantError || attempt >= APPLY_ATTEMPTS || stopping) {
          onProblem(`inbox: ${event.brokerMessageId} was not applied (attempt ${String(attempt)}): ${errorMessage(error)}`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** (attempt - 1)));
      }
    }
  });
  const backfill = () => backfillOrders(options.db, adapter, apply);
  const ingest: BrokerIngest = {
    backfill,
    idle: () => lanes.idle(),
    async stop() {
      stopping = true;
      await adapter.close();
      await lanes.idle();
    },
  };
  onSessionSettled(options.session, () => lanes.idle());
  await adapter.subscribe({
    onEvent: (event) => lanes.push(event),
    onConnected: async () => {
      try {
        await lanes.idle();
        await backfill();
      } catch (error) {
        onProblem(`backfill after connect failed: ${errorMessage(error)}`);
      }
    },
    onProblem,
  });
  return ingest;
}

/**
 * One lane per order (its client_order_id, else its broker order id): a lane's events
 * run one after another; up to `concurrency` lanes run at once.
 */
class OrderLanes {
  readonly #tails = new Map<string, Promise<void>>();
  readonly #waiting: Array<() => void> = [];
  #running = 0;
  #pending = 0;
  readonly #idle: Array<() => void> = [];

  readonly concurrency: number;
  readonly work: (event: BrokerEvent) => Promise<void>;

  constructor(concurrency: number, work: (event: BrokerEvent) => Promise<void>) {
    this.concurrency = concurrency;
    this.work = work;
  }

  /** Queues the event; waits only when too many are queued already (back-pressure on the stream). */
  async push(event: BrokerEvent): Promise<void> {
    const key = event.clientOrderId ?? event.brokerOrderId ?? "";
    this.#pending += 1;
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.#run(event));
    this.#tails.set(key, next);
    void next.then(() => {
      if (this.#tails.get(key) === next) this.#tails.delete(key);
    });
    if (this.#pending > HIGH_WATER) await next;
  }

  async #run(event: BrokerEvent): Promise<void> {
    if (this.#running >= this.concurrency) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running += 1;
    try {
      await this.work(event);
    } finally {
      this.#running -= 1;
      this.#pending -= 1;
      this.#waiting.shift()?.();
      if (this.#pending === 0) for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  idle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}

const ENDED: ReadonlySet<OrderState> = new Set(["filled", "canceled", "expired", "replaced", "rejected"]);
const STATUS_EVENT: Partial<Record<OrderState, InboxKind>> = {
  canceled: "canceled",
  expired: "expired",
  replaced: "replaced",
  rejected: "rejected",
  done_for_day: "done_for_day",
};

/**
 * Orders that may still change: sent (or maybe sent) and not ended locally.
 * The broker is asked for everything updated since the oldest of them was created.
 */
async function backfillOrders(db: Kysely<Database>, adapter: BrokerAdapter, apply: (event: BrokerEvent) => Promise<ApplyOutcome>): Promise<BackfillReport> {
  const oldest = await db
    .selectFrom("outbox")
    .leftJoin("orders", "orders.intent_id", "outbox.intent_id")
    .select((eb) => eb.fn.min("outbox.created_at").as("since"))
    .where("outbox.account", "=", adapter.account)
    .where("outbox.kind", "in", ["SUBMIT", "REPLACE"])
    .where("outbox.status", "in", ["CLAIMED", "AMBIGUOUS", "SENT", "ACKED"])
    .where((eb) => eb.or([eb("orders.state", "is", null), eb("orders.state", "not in", [...ENDED])]))
    .executeTakeFirst();
  const since = oldest?.since ?? null;
  if (since === null) return { ordersRead: 0, eventsSynthesised: 0, applied: 0 };
  // A minute of margin for clock skew between us and the broker.
  const orders = await adapter.listOrders(new Date(since).getTime() - 60_000);
  let synthesised = 0;
  let applied = 0;
  for (const order of orders) {
    // The stream keeps applying while we read: a gap computed a moment ago may be
    // half booked by now, and its synthetic fill then comes back "covered". Look
    // again (the next gap has other bounds, so another message id) a few times.
    for (let pass = 0; pass < 4; pass += 1) {
      const events = await missedEvents(db, adapter.account, order);
      synthesised += events.length;
      let covered = false;
      for (const event of events) {
        const outcome = await apply(event);
        if (outcome.kind === "applied") applied += 1;
        if (outcome.kind === "covered") covered = true;
      }
      if (!covered) break;
    }
  }
  return { ordersRead: orders.length, eventsSynthesised: synthesised, applied };
}

/** What the inbox lacks about one broker order, as events: acknowledgement, fills of the gaps, the end. */
async function missedEvents(db: Kysely<Database>, account: string, order: BrokerOrder): Promise<BrokerEvent[]> {
  const ids = (await orderIdsByClientOrderId(db, order.clientOrderId)) ?? (await orderIdsByBrokerOrderId(db, order.brokerOrderId));
  if (ids === undefined) return []; // not ours: reconcile reports it
  const local = await db.selectFrom("orders").select(["state", "filled_qty_shares"]).where("intent_id", "=", ids.intentId).executeTakeFirst();
  const events: BrokerEvent[] = [];
  const base = (what: string, kind: InboxKind) => ({
    brokerMessageId: asBrokerMessageId(`backfill:${order.brokerOrderId}:${what}`),
    account,
    kind,
    source: "rest_backfill" as const,
    clientOrderId: order.clientOrderId,
    brokerOrderId: order.brokerOrderId,
    orderTerms: { symbol: order.symbol, side: order.side, qtyShares: order.qtyShares },
    positionQtyShares: null,
    eventNs: order.updatedAtNs,
    payload: { backfill: true, order_id: order.brokerOrderId, status: order.status, filled_qty: String(order.filledQtyShares) },
  });
  if (local === undefined && order.status !== "rejected") events.push({ ...base("new", "new"), fill: null });
  const localFilled = local?.filled_qty_shares ?? 0n;
  if (order.filledQtyShares > localFilled && order.filledAvgPriceMicros !== null) {
    const booked = await bookedFills(db, ids.intentId);
    const gaps = uncovered(booked.intervals, order.filledQtyShares);
    const gapQty = gaps.reduce((s, [lo, hi]) => s + (hi - lo), 0n);
    const residual = order.filledAvgPriceMicros * order.filledQtyShares - booked.notional;
    const price = gapQty > 0n && residual > 0n ? divRound(residual, gapQty, "HALF_EVEN") : order.filledAvgPriceMicros;
    for (const [lo, hi] of gaps) {
      events.push({
        ...base(`fill:${String(lo)}-${String(hi)}`, hi === order.qtyShares ? "fill" : "partial_fill"),
        fill: {
          executionId: `backfill:${order.brokerOrderId}:${String(lo)}-${String(hi)}`,
          qtyShares: (hi - lo) as Shares,
          priceMicros: price as Micros,
          feeMicros: 0n as Micros,
          cumulativeQtyShares: hi as Shares,
        },
      });
    }
  }
  const endEvent = STATUS_EVENT[order.status];
  if (endEvent !== undefined && local?.state !== order.status)
    events.push({ ...base(order.status, endEvent), fill: null, reason: order.status === "rejected" ? "rejected (seen by REST backfill)" : null });
  return events;
}

interface BookedFills {
  /** The booked intervals (cumulative − qty, cumulative], ordered by their start. */
  readonly intervals: Array<readonly [bigint, bigint]>;
  /** Σ qty × price of the booked fills. */
  readonly notional: bigint;
}

/** The fills already booked for an order, read once. */
async function bookedFills(db: Kysely<Database>, intentId: string): Promise<BookedFills> {
  const rows = await db
    .selectFrom("inbox")
    .select(["fill_qty_shares", "fill_cum_qty_shares", "fill_price_micros"])
    .where("order_intent_id", "=", intentId)
    .where("applied_at", "is not", null)
    .where("fill_qty_shares", "is not", null)
    .execute();
  const intervals: Array<readonly [bigint, bigint]> = [];
  let notional = 0n;
  for (const r of rows) {
    const qty = r.fill_qty_shares ?? 0n;
    notional += qty * (r.fill_price_micros ?? 0n);
    if (r.fill_cum_qty_shares !== null) intervals.push([r.fill_cum_qty_shares - qty, r.fill_cum_qty_shares]);
  }
  intervals.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { intervals, notional };
}

/** The parts of (0, total] that no booked interval covers, in order. */
export function uncovered(booked: ReadonlyArray<readonly [bigint, bigint]>, total: bigint): Array<readonly [bigint, bigint]> {
  const gaps: Array<readonly [bigint, bigint]> = [];
  let at = 0n;
  for (const [lo, hi] of booked) {
    if (lo > at) gaps.push([at, lo < total ? lo : total]);
    if (hi > at) at = hi;
    if (at >= total) break;
  }
  if (at < total) gaps.push([at, total]);
  return gaps.filter(([lo, hi]) => hi > lo);
}
