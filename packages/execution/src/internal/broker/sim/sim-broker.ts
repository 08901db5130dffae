/**
 * The sim broker: an in-process broker with a deterministic fill model, for
 * offline paper runs and parity. It implements the same port as Alpaca and is
 * reached the same way (config names it), so the dispatcher, the inbox and
 * reconcile cannot tell them apart.
 *
 * Fill model (deterministic: the same orders and prices give the same events):
 *  - an order is acknowledged (`new`) when accepted;
 *  - a market order fills in full at the symbol's last price, at once when a
 *    price is known, else at the next `setPrice`;
 *  - a limit order fills in full at the last price when that price is at or
 *    better than its limit; a stop (stop-limit) triggers when the last price
 *    reaches the stop, then fills like a market (limit) order;
 *  - no fees; client_order_id must be unique forever (like Alpaca);
 *  - a buy whose notional at the last price exceeds the cash is refused (403-like),
 *    sells may go short.
 * Events are queued in order and handed to the subscriber one at a time; none
 * is lost while nobody listens.
 */
import { asBrokerMessageId, asBrokerOrderId, divRound, notionalMicros, type BrokerOrderId, type Clock, type Micros, type Shares, type Ticker } from "@mqk/core";
import type { InboxKind, OrderState } from "@mqk/db";
import type { BrokerEvent } from "../../broker-event.js";
import type {
  BrokerAdapter,
  BrokerOrder,
  BrokerOrderRequest,
  BrokerReplaceRequest,
  BrokerSnapshotData,
  CancelOutcome,
  LookupOutcome,
  SendOutcome,
  StreamHandlers,
} from "../broker-port.js";

export interface SimBrokerOptions {
  readonly account: string;
  readonly clock: Clock;
  readonly startingCashMicros: Micros;
  /** Last prices at start. */
  readonly prices?: ReadonlyMap<Ticker, Micros>;
}

/** What the runtime and tests may do to the sim beyond the port: feed prices. */
export interface SimControls {
  setPrice(symbol: Ticker, priceMicros: Micros): void;
}

interface SimOrder {
  order: BrokerOrder;
  triggered: boolean;
}

/** Sessions opened by this process: two sims started in one millisecond still differ (deterministic per process). */
let sessionSeq = 0;

const FINAL: ReadonlySet<OrderState> = new Set(["filled", "canceled", "expired", "replaced", "rejected"]);

export class SimBroker implements BrokerAdapter, SimControls {
  readonly name = "sim";
  readonly account: string;
  readonly #clock: Clock;
  readonly #orders = new Map<BrokerOrderId, SimOrder>();
  readonly #byClient = new Map<string, BrokerOrderId>();
  readonly #prices = new Map<Ticker, Micros>();
  readonly #positions = new Map<Ticker, { qty: bigint; avg: bigint }>();
  #cash: bigint;
  #seq = 0;
  #execSeq = 0;
  #lastNs = 0n;
  readonly #queue: BrokerEvent[] = [];
  #handlers: StreamHandlers | null = null;
  #draining: Promise<void> | null = null;
  #closed = false;
  /** Order ids are unique across sessions on one database (broker_order_id is UNIQUE): the session's start instant names them. */
  readonly #idPrefix: string;

  constructor(options: SimBrokerOptions) {
    this.account = options.account;
    this.#clock = options.clock;
    this.#idPrefix = `sim-${options.clock.nowMs().toString(36)}-${(sessionSeq++).toString(36)}`;
    this.#cash = options.startingCashMicros;
    for (const [symbol, price] of options.prices ?? []) this.#prices.set(symbol, price);
  }

  /** Strictly increasing broker time in ns (the clock's ms, nudged so no two stamps are equal). */
  #nowNs(): bigint {
    const ns = BigInt(this.#clock.nowMs()) * 1_000_000n;
    this.#lastNs = ns > this.#lastNs ? ns : this.#lastNs + 1n;
    return this.#lastNs;
  }

  setPrice(symbol: Ticker, priceMicros: Micros): void {
    this.#prices.set(symbol, priceMicros);
    for (const sim of this.#orders.values()) if (sim.order.symbol === symbol && !FINAL.has(sim.order.status)) this.#tryFill(sim);
  }

  submit(request: BrokerOrderRequest): Promise<SendOutcome> {
    if (this.#closed) return Promise.resolve({ kind: "not_sent", reason: "the sim broker is closed" });
    if (this.#byClient.has(request.clientOrderId)) return Promise.resolve({ kind: "duplicate", message: "client_order_id must be unique" });
    const price = this.#prices.get(request.symbol);
    if (request.side === "buy" && price !== undefined && notionalMicros(price, request.qtyShares) > this.#cash) {
      return Promise.resolve({ kind: "rejected", status: 403, code: 40310000, message: "insufficient buying power" });
    }
    const sim = this.#create(request, null);
    this.#tryFill(sim);
    return Promise.resolve({ kind: "accepted", order: sim.order });
  }

  replace(request: BrokerReplaceRequest): Promise<SendOutcome> {
    const old = this.#orders.get(request.brokerOrderId);
    if (old === undefined) return Promise.resolve({ kind: "rejected", status: 404, code: 40410000, message: "order not found" });
    if (FINAL.has(old.order.status))
      return Promise.resolve({ kind: "rejected", status: 422, code: 42210000, message: `order is ${old.order.status} and cannot be replaced` });
    if (this.#byClient.has(request.newClientOrderId)) return Promise.resolve({ kind: "duplicate", message: "client_order_id must be unique" });
    const o = old.order;
    const remaining = request.qtyShares ?? o.qtyShares;
    const created = this.#create(
      {
        clientOrderId: request.newClientOrderId,
        symbol: o.symbol,
        side: o.side,
        type: o.type,
        timeInForce: request.timeInForce ?? o.timeInForce,
        qtyShares: remaining,
        limitPriceMicros: request.limitPriceMicros ?? o.limitPriceMicros,
        stopPriceMicros: request.stopPriceMicros ?? o.stopPriceMicros,
      },
      o.brokerOrderId,
    );
    old.order = { ...o, status: "replaced", replacedByBrokerOrderId: created.order.brokerOrderId, updatedAtNs: this.#nowNs() };
    this.#emit("replaced", old.order, null);
    this.#tryFill(created);
    return Promise.resolve({ kind: "accepted", order: created.order });
  }

  cancel(brokerOrderId: BrokerOrderId): Promise<CancelOutcome> {
    const sim = this.#orders.get(brokerOrderId);
    if (sim === undefined) return Promise.resolve({ kind: "not_found" });
    if (FINAL.has(sim.order.status)) return Promise.resolve({ kind: "not_cancelable", message: `order is ${sim.order.status}` });
    sim.order = { ...sim.order, status: "canceled", updatedAtNs: this.#nowNs() };
    this.#emit("canceled", sim.order, null);
    return Promise.resolve({ kind: "requested" });
  }

  lookupByClientOrderId(clientOrderId: string): Promise<LookupOutcome> {
    const id = this.#byClient.get(clientOrderId);
    const sim = id === undefined ? undefined : this.#orders.get(id);
    return Promise.resolve(sim === undefined ? { kind: "not_found" } : { kind: "found", order: sim.order });
  }

  listOrders(afterMs: number | null): Promise<readonly BrokerOrder[]> {
    const afterNs = afterMs === null ? -1n : BigInt(afterMs) * 1_000_000n;
    return Promise.resolve([...this.#orders.values()].map((s) => s.order).filter((o) => o.updatedAtNs >= afterNs));
  }

  snapshot(): Promise<BrokerSnapshotData> {
    const positions = [...this.#positions.entries()]
      .filter(([, p]) => p.qty !== 0n)
      .map(([symbol, p]) => ({ symbol, qtyShares: p.qty, avgEntryPriceMicros: p.avg as Micros }));
    const openOrders = [...this.#orders.values()].map((s) => s.order).filter((o) => !FINAL.has(o.status));
    return Promise.resolve({ brokerTimeNs: this.#nowNs(), cashMicros: this.#cash as Micros, positions, openOrders });
  }

  async subscribe(handlers: StreamHandlers): Promise<void> {
    this.#handlers = handlers;
    await handlers.onConnected({ reconnect: false });
    this.#drain();
  }

  /** Resolves once every queued event was handed to the subscriber. */
  async settled(): Promise<void> {
    while (this.#draining !== null) await this.#draining;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.settled();
    this.#handlers = null;
  }

  #create(request: BrokerOrderRequest, replaces: BrokerOrderId | null): SimOrder {
    this.#seq += 1;
    const id = asBrokerOrderId(`${this.#idPrefix}-${String(this.#seq).padStart(8, "0")}`);
    const order: BrokerOrder = {
      brokerOrderId: id,
      clientOrderId: request.clientOrderId,
      symbol: request.symbol,
      side: request.side,
      type: request.type,
      timeInForce: request.timeInForce,
      status: "new",
      qtyShares: request.qtyShares,
      filledQtyShares: 0n as Shares,
      filledAvgPriceMicros: null,
      limitPriceMicros: request.limitPriceMicros,
      stopPriceMicros: request.stopPriceMicros,
      replacesBrokerOrderId: replaces,
      replacedByBrokerOrderId: null,
      updatedAtNs: this.#nowNs(),
    };
    const sim: SimOrder = { order, triggered: request.type !== "stop" && request.type !== "stop_limit" };
    this.#orders.set(id, sim);
    this.#byClient.set(request.clientOrderId, id);
    this.#emit("new", order, null);
    return sim;
  }

  #tryFill(sim: SimOrder): void {
    const o = sim.order;
    const price = this.#prices.get(o.symbol);
    if (price === undefined || FINAL.has(o.status)) return;
    if (!sim.triggered) {
      const stop = o.stopPriceMicros ?? 0n;
      if (o.side === "buy" ? price < stop : price > stop) return;
      sim.triggered = true;
    }
    if (o.limitPriceMicros !== null && (o.side === "buy" ? price > o.limitPriceMicros : price < o.limitPriceMicros)) return;
    const qty = o.qtyShares - o.filledQtyShares;
    if (qty <= 0n) return;
    const signed = o.side === "buy" ? qty : -qty;
    this.#cash -= signed * price;
    const pos = this.#positions.get(o.symbol) ?? { qty: 0n, avg: 0n };
    const after = pos.qty + signed;
    // Average entry: adding to a position blends, reducing keeps it, crossing zero restarts at the fill price.
    let avg = pos.avg;
    if (after === 0n) avg = 0n;
    else if (pos.qty === 0n || pos.qty > 0n !== after > 0n) avg = price;
    else if (pos.qty > 0n === signed > 0n) avg = divRound(pos.avg * abs(pos.qty) + price * qty, abs(after), "HALF_EVEN");
    this.#positions.set(o.symbol, { qty: after, avg });
    this.#execSeq += 1;
    const executionId = `${this.#idPrefix}-x${String(this.#execSeq).padStart(8, "0")}`;
    sim.order = { ...o, status: "filled", filledQtyShares: o.qtyShares, filledAvgPriceMicros: price, updatedAtNs: this.#nowNs() };
    this.#emit("fill", sim.order, { executionId, qty: qty as Shares, price, positionQty: after });
  }

  #emit(kind: InboxKind, order: BrokerOrder, fill: { executionId: string; qty: Shares; price: Micros; positionQty: bigint } | null): void {
    const eventNs = order.updatedAtNs;
    this.#queue.push({
      brokerMessageId: asBrokerMessageId(fill === null ? `sim:${kind}:${order.brokerOrderId}:${String(eventNs)}` : `sim:fill:${fill.executionId}`),
      account: this.account,
      kind,
      source: "sim",
      clientOrderId: order.clientOrderId,
      brokerOrderId: order.brokerOrderId,
      orderTerms: { symbol: order.symbol, side: order.side, qtyShares: order.qtyShares },
      fill:
        fill === null
          ? null
          : {
              executionId: fill.executionId,
              qtyShares: fill.qty,
              priceMicros: fill.price,
              feeMicros: 0n as Micros,
              cumulativeQtyShares: order.filledQtyShares,
            },
      positionQtyShares: fill?.positionQty ?? null,
      eventNs,
      payload: {
        event: kind,
        order_id: order.brokerOrderId,
        client_order_id: order.clientOrderId,
        status: order.status,
        ...(fill === null ? {} : { execution_id: fill.executionId, qty: String(fill.qty), price: String(fill.price) }),
      },
    });
    this.#drain();
  }

  #drain(): void {
    if (this.#draining !== null || this.#handlers === null || this.#queue.length === 0) return;
    const handlers = this.#handlers;
    this.#draining = (async () => {
      for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
        try {
          await handlers.onEvent(next);
        } catch (error) {
          handlers.onProblem(`sim: applying ${next.brokerMessageId} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    })().finally(() => {
      this.#draining = null;
      this.#drain();
    });
  }
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}
