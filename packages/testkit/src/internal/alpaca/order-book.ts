/**
 * The fake broker's book: orders, their lifecycle, and the fills that move
 * cash and positions. Every state change produces one trade_updates event.
 *
 * Invariants:
 *  1. A client_order_id once used is never accepted again, even after the first
 *     order is filled, canceled or rejected (API-BRIEF §1.4, alpaca-py#260).
 *  2. Terminal orders (filled, canceled, expired, replaced, rejected) never change.
 *  3. Cash and positions change only through `#execute`, one call per execution.
 *  4. A request refused here (422/403/404) leaves the book exactly as it was.
 */
import { DeskError, err, formatMicros, ok, type Result } from "@mqk/core";
import { alpacaError, type AlpacaErrorReply } from "./alpaca-errors.js";
import {
  isOpen,
  notReplaceableStatuses,
  orderJson,
  remainingQty,
  terminalStatuses,
  type FakeOrder,
  type OrderStatus,
  type PositionIntent,
} from "./fake-order.js";
import { Ledger } from "./ledger.js";
import type { OrderRequest, ReplaceRequest } from "./order-request.js";
import { executionPrice, splitQty } from "./order-matching.js";
import { AccountView } from "./account-view.js";
import { tradeUpdateData, type TradeUpdate, type TradeUpdateEventName } from "./trade-update.js";
import type { IdSource, Stamper } from "./wire-format.js";
import type { AlpacaOrderJson } from "./wire-types.js";

/** How the book moves orders by itself; each switch can be turned off for manual control in tests. */
export interface AutoBehaviour {
  /** accepted → new right after the POST (default true). Off: orders wait for `acceptOrder`. */
  accept: boolean;
  /** Fill marketable orders from the last price (default true). Off: only `fillOrder` fills. */
  fill: boolean;
  /** Split each automatic fill into this many executions (default 1: one `fill`). */
  partialFillChunks: number;
  /** DELETE completes at once with `canceled` (default true). Off: `pending_cancel` until `cancelFromBroker`. */
  cancel: boolean;
}

export interface BookSettings {
  readonly ids: IdSource;
  readonly stamper: Stamper;
  readonly startingCash: bigint;
  readonly buyingPowerMultiplier: bigint;
  readonly shortingEnabled: boolean;
  readonly tradableSymbols: ReadonlySet<string> | null;
  readonly auto: AutoBehaviour;
}

/** A created order with the JSON the creating request answers with (taken before it moved on). */
export interface Created {
  readonly order: FakeOrder;
  readonly reply: AlpacaOrderJson;
}

export class OrderBook {
  readonly auto: AutoBehaviour;
  readonly #s: BookSettings;
  readonly #publish: (update: TradeUpdate) => void;
  readonly #orders = new Map<string, FakeOrder>();
  readonly #byClientId = new Map<string, FakeOrder>();
  readonly #usedClientIds = new Set<string>();
  readonly #prices = new Map<string, bigint>();
  readonly ledger: Ledger;
  readonly view: AccountView;
  #eventSeq = 0;
  #orderSeq = 0;

  constructor(settings: BookSettings, publish: (update: TradeUpdate) => void) {
    this.#s = settings;
    this.auto = { ...settings.auto };
    this.#publish = publish;
    this.ledger = new Ledger(settings.startingCash);
    this.view = new AccountView(this.ledger, this.#prices, () => this.list(), settings);
  }

  // --- requests (REST) ---------------------------------------------------------

  submit(req: OrderRequest): Result<Created, AlpacaErrorReply> {
    if (this.#s.tradableSymbols && !this.#s.tradableSymbols.has(req.symbol)) return err(alpacaError.validation(`asset "${req.symbol}" not found`));
    if (req.clientOrderId !== null && this.#usedClientIds.has(req.clientOrderId)) return err(alpacaError.duplicateClientOrderId());
    const refusal = this.view.refusal(req.symbol, req.side, req.qty, req.limitPrice ?? req.stopPrice);
    if (refusal) return err(refusal);
    const order = this.#create(req, req.clientOrderId, null);
    const reply = orderJson(order);
    this.#progress(order);
    return ok({ order, reply });
  }

  replace(id: string, req: ReplaceRequest): Result<Created, AlpacaErrorReply> {
    const old = this.#orders.get(id);
    if (!old) return err(alpacaError.orderNotFound());
    if (terminalStatuses.has(old.status) || notReplaceableStatuses.has(old.status)) return err(alpacaError.notReplaceable(old.status));
    if (req.clientOrderId !== null && this.#usedClientIds.has(req.clientOrderId)) return err(alpacaError.duplicateClientOrderId());
    const request: OrderRequest = {
      symbol: old.symbol,
      qty: req.qty ?? remainingQty(old),
      side: old.side,
      type: old.type,
      timeInForce: req.timeInForce ?? old.timeInForce,
      limitPrice: req.limitPrice ?? old.limitPrice,
      stopPrice: req.stopPrice ?? old.stopPrice,
      // `trail` updates whichever trail the order was given (price or percent).
      trailPrice: old.trailPercent === null ? (req.trail ?? old.trailPrice) : null,
      trailPercent: old.trailPercent === null ? null : (req.trail ?? old.trailPercent),
      extendedHours: old.extendedHours,
      clientOrderId: req.clientOrderId,
      orderClass: old.orderClass,
    };
    const fresh = this.#create(request, req.clientOrderId, old.id);
    const stamp = this.#s.stamper.now();
    old.replacedBy = fresh.id;
    old.replacedAt = stamp.text;
    this.#transition(old, "replaced", "replaced", stamp.text);
    const reply = orderJson(fresh);
    this.#progress(fresh);
    return ok({ order: fresh, reply });
  }

  requestCancel(id: string): Result<FakeOrder, AlpacaErrorReply> {
    const order = this.#orders.get(id);
    if (!order) return err(alpacaError.orderNotFound());
    if (terminalStatuses.has(order.status) || order.status === "pending_replace") return err(alpacaError.notCancelable(order.status));
    if (order.status === "pending_cancel") return ok(order);
    if (this.auto.cancel) this.#cancel(order);
    else this.#transition(order, "pending_cancel", "pending_cancel", this.#s.stamper.now().text);
    return ok(order);
  }

  // --- test controls -----------------------------------------------------------

  setPrice(symbol: string, price: bigint): void {
    this.#prices.set(symbol, price);
    if (!this.auto.fill) return;
    for (const order of this.list()) {
      if (order.symbol === symbol && (order.status === "new" || order.status === "partially_filled")) this.#autoFill(order);
    }
  }

  lastPrice(symbol: string): bigint | null {
    return this.#prices.get(symbol) ?? null;
  }

  acceptOrder(id: string): void {
    const order = this.#require(id, "acceptOrder");
    if (order.status !== "accepted" && order.status !== "pending_new") throw misuse("acceptOrder", order, "accepted or pending_new");
    this.#transition(order, "new", "new", this.#s.stamper.now().text);
    if (this.auto.fill) this.#autoFill(order);
  }

  /** A fill decided by the test: an open order, a quantity up to what remains and a price of its choosing. */
  fillOrder(id: string, qty?: bigint, price?: bigint): void {
    const order = this.#require(id, "fillOrder");
    if (!isOpen(order)) throw misuse("fillOrder", order, "an open order");
    const remaining = remainingQty(order);
    const fillQty = qty ?? remaining;
    if (fillQty <= 0n || fillQty > remaining)
      throw new DeskError("BAD_INPUT", `fillOrder: expected a qty in 1..${String(remaining)} for ${order.id}, found ${String(fillQty)}`);
    const fillPrice = price ?? this.#prices.get(order.symbol) ?? order.limitPrice ?? order.stopPrice;
    if (fillPrice === null || fillPrice === undefined)
      throw new DeskError("BAD_INPUT", `fillOrder: no price for ${order.symbol}; pass one or call setPrice first`);
    if (order.status === "accepted" || order.status === "pending_new") this.#transition(order, "new", "new", this.#s.stamper.now().text);
    this.#execute(order, fillQty, fillPrice);
  }

  /** The broker cancels on its own (or completes a pending cancel). */
  cancelFromBroker(id: string): void {
    const order = this.#require(id, "cancelFromBroker");
    if (!isOpen(order)) throw misuse("cancelFromBroker", order, "an open order");
    this.#cancel(order);
  }

  rejectOrder(id: string): void {
    const order = this.#require(id, "rejectOrder");
    if (!isOpen(order) || order.filledQty > 0n) throw misuse("rejectOrder", order, "an open order with no fills");
    const stamp = this.#s.stamper.now().text;
    order.failedAt = stamp;
    this.#transition(order, "rejected", "rejected", stamp);
  }

  expireOrder(id: string): void {
    const order = this.#require(id, "expireOrder");
    if (!isOpen(order)) throw misuse("expireOrder", order, "an open order");
    const stamp = this.#s.stamper.now().text;
    order.expiredAt = stamp;
    this.#transition(order, "expired", "expired", stamp);
  }

  // --- reads -------------------------------------------------------------------

  get(id: string): FakeOrder | undefined {
    return this.#orders.get(id);
  }

  byClientOrderId(clientOrderId: string): FakeOrder | undefined {
    return this.#byClientId.get(clientOrderId);
  }

  /** All orders, oldest first. */
  list(): FakeOrder[] {
    return [...this.#orders.values()];
  }

  // --- internals ---------------------------------------------------------------

  #require(id: string, what: string): FakeOrder {
    const order = this.#orders.get(id) ?? this.#byClientId.get(id);
    if (!order) throw new DeskError("BAD_INPUT", `${what}: expected the id or client_order_id of an order in the fake book, found ${JSON.stringify(id)}`);
    return order;
  }

  #create(req: OrderRequest, clientOrderId: string | null, replaces: string | null): FakeOrder {
    const id = this.#s.ids.next("order");
    const created = this.#s.stamper.now();
    const coid = clientOrderId ?? id;
    const held = this.ledger.qty(req.symbol);
    const intent: PositionIntent = req.side === "buy" ? (held < 0n ? "buy_to_close" : "buy_to_open") : held > 0n ? "sell_to_close" : "sell_to_open";
    this.#orderSeq += 1;
    const order: FakeOrder = {
      id,
      clientOrderId: coid,
      seq: this.#orderSeq,
      symbol: req.symbol,
      assetId: this.#s.ids.named("asset", req.symbol),
      side: req.side,
      type: req.type,
      timeInForce: req.timeInForce,
      qty: req.qty,
      limitPrice: req.limitPrice,
      stopPrice: req.stopPrice,
      trailPrice: req.trailPrice,
      trailPercent: req.trailPercent,
      extendedHours: req.extendedHours,
      orderClass: req.orderClass,
      positionIntent: intent,
      status: "accepted",
      filledQty: 0n,
      filledNotional: 0n,
      created,
      updatedAt: created.text,
      filledAt: null,
      expiredAt: null,
      canceledAt: null,
      failedAt: null,
      replacedAt: null,
      replacedBy: null,
      replaces,
      triggered: false,
    };
    this.#orders.set(id, order);
    this.#byClientId.set(coid, order);
    this.#usedClientIds.add(coid);
    return order;
  }

  /** After creation: accepted → new, then fills if marketable; IOC/FOK cancel what did not fill. */
  #progress(order: FakeOrder): void {
    if (!this.auto.accept) return;
    this.#transition(order, "new", "new", this.#s.stamper.now().text);
    if (!this.auto.fill) return;
    this.#autoFill(order);
    if ((order.timeInForce === "ioc" || order.timeInForce === "fok") && isOpen(order)) this.#cancel(order);
  }

  #autoFill(order: FakeOrder): void {
    const price = executionPrice(order, this.#prices.get(order.symbol) ?? null);
    if (price === null) return;
    for (const part of splitQty(remainingQty(order), this.auto.partialFillChunks)) this.#execute(order, part, price);
  }

  #execute(order: FakeOrder, qty: bigint, price: bigint): void {
    const stamp = this.#s.stamper.now().text;
    const positionQty = this.ledger.applyFill(order.symbol, order.assetId, order.side, qty, price);
    order.filledQty += qty;
    order.filledNotional += qty * price;
    const done = order.filledQty === order.qty;
    if (done) order.filledAt = stamp;
    const execution = { executionId: this.#s.ids.next("execution"), price: formatMicros(price), qty: qty.toString(), positionQty: positionQty.toString() };
    this.#transition(order, done ? "filled" : "partially_filled", done ? "fill" : "partial_fill", stamp, execution);
  }

  #cancel(order: FakeOrder): void {
    const stamp = this.#s.stamper.now().text;
    order.canceledAt = stamp;
    this.#transition(order, "canceled", "canceled", stamp);
  }

  #transition(
    order: FakeOrder,
    status: OrderStatus,
    event: TradeUpdateEventName,
    stamp: string,
    execution: Parameters<typeof tradeUpdateData>[3] = null,
  ): void {
    if (terminalStatuses.has(order.status))
      throw new DeskError("INTERNAL", `fake book: order ${order.id} is ${order.status} (terminal) and cannot become ${status}`);
    order.status = status;
    order.updatedAt = stamp;
    this.#eventSeq += 1;
    this.#publish({
      seq: this.#eventSeq,
      event,
      orderId: order.id,
      clientOrderId: order.clientOrderId,
      executionId: execution?.executionId ?? null,
      data: tradeUpdateData(event, order, stamp, execution),
    });
  }
}

function misuse(what: string, order: FakeOrder, expected: string): DeskError {
  return new DeskError("BAD_INPUT", `${what}: expected ${expected}, found order ${order.id} in status ${order.status}`);
}
