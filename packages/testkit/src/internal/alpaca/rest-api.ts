/**
 * The REST routes of the fake (API-BRIEF §1.3), after auth, rate limit and
 * faults have passed. Pure request → reply over the book; no I/O here.
 *
 * `/v2/orders:by_client_order_id` is matched as a literal path: the colon is
 * part of it, not a route parameter.
 */
import { alpacaError, DUPLICATE_CLIENT_ORDER_ID_MESSAGE, type AlpacaErrorReply } from "./alpaca-errors.js";
import { orderJson, isOpen, type FakeOrder } from "./fake-order.js";
import { calendarBound, clockJson, type MarketCalendar } from "./market-calendar.js";
import type { OrderBook } from "./order-book.js";
import { parseOrderRequest, parseReplaceRequest } from "./order-request.js";
import { addDays, easternWallClock, parseInstantNanos, type Stamper } from "./wire-format.js";

export interface RestContext {
  readonly book: OrderBook;
  readonly calendar: MarketCalendar;
  readonly stamper: Stamper;
  readonly maxClientOrderIdLength: number;
}

/** What became of an order submission, for `submissions()`. */
export type SubmissionOutcome = "accepted" | "duplicate" | "rejected" | "unauthorized" | "rate-limited" | "not-processed";

export interface RestReply {
  readonly status: number;
  /** JSON body; undefined for an empty body (204). */
  readonly body: unknown;
  /** Set on POST /v2/orders. */
  readonly outcome?: SubmissionOutcome;
  /** The order a POST or PATCH created. */
  readonly orderId?: string;
}

const json = (status: number, body: unknown): RestReply => ({ status, body });
const fail = (e: AlpacaErrorReply): RestReply => ({ status: e.status, body: e.body });

const ORDER_STATUS_FILTERS = ["open", "closed", "all"] as const;

function listOrders(ctx: RestContext, q: URLSearchParams): RestReply {
  const status = q.get("status") ?? "open";
  if (!(ORDER_STATUS_FILTERS as readonly string[]).includes(status))
    return fail(alpacaError.validation(`invalid status ${JSON.stringify(status)}: expected open, closed or all`));
  const limitText = q.get("limit") ?? "50";
  const limit = Number(limitText);
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > 500)
    return fail(alpacaError.validation(`invalid limit ${JSON.stringify(limitText)}: expected 1 to 500`));
  const direction = q.get("direction") ?? "desc";
  if (direction !== "asc" && direction !== "desc") return fail(alpacaError.validation(`invalid direction ${JSON.stringify(direction)}: expected asc or desc`));
  const bound = (name: string): bigint | null | "bad" => {
    const text = q.get(name);
    if (text === null || text === "") return null;
    return parseInstantNanos(text) ?? "bad";
  };
  const after = bound("after");
  const until = bound("until");
  if (after === "bad" || until === "bad") return fail(alpacaError.validation("invalid after/until: expected an RFC 3339 timestamp or YYYY-MM-DD"));
  const side = q.get("side");
  const symbols =
    q
      .get("symbols")
      ?.split(",")
      .filter((s) => s !== "") ?? [];
  const picked = ctx.book.list().filter((o) => {
    if (status === "open" && !isOpen(o)) return false;
    if (status === "closed" && isOpen(o)) return false;
    const submitted = parseInstantNanos(o.created.text) ?? 0n;
    if (after !== null && submitted <= after) return false;
    if (until !== null && submitted >= until) return false;
    if (side !== null && side !== "" && o.side !== side) return false;
    return symbols.length === 0 || symbols.includes(o.symbol);
  });
  if (direction === "desc") picked.reverse();
  return json(200, picked.slice(0, limit).map(orderJson));
}

function submitOrder(ctx: RestContext, body: unknown): RestReply {
  const parsed = parseOrderRequest(body, ctx.maxClientOrderIdLength);
  if (!parsed.ok) return { ...fail(parsed.error), outcome: "rejected" };
  const created = ctx.book.submit(parsed.value);
  if (!created.ok) {
    const duplicate = created.error.body.message === DUPLICATE_CLIENT_ORDER_ID_MESSAGE;
    return { ...fail(created.error), outcome: duplicate ? "duplicate" : "rejected" };
  }
  return { status: 200, body: created.value.reply, outcome: "accepted", orderId: created.value.order.id };
}

function cancelAll(ctx: RestContext): RestReply {
  const results = ctx.book
    .list()
    .filter(isOpen)
    .map((o: FakeOrder) => {
      const r = ctx.book.requestCancel(o.id);
      return r.ok ? { id: o.id, status: 200, body: orderJson(r.value) } : { id: o.id, status: r.error.status, body: r.error.body };
    });
  return json(207, results);
}

function orderRoute(ctx: RestContext, method: string, id: string, body: unknown): RestReply {
  switch (method) {
    case "GET": {
      const order = ctx.book.get(id);
      return order ? json(200, orderJson(order)) : fail(alpacaError.orderNotFound());
    }
    case "PATCH": {
      if (!ctx.book.get(id)) return fail(alpacaError.orderNotFound());
      const parsed = parseReplaceRequest(body, ctx.maxClientOrderIdLength);
      if (!parsed.ok) return fail(parsed.error);
      const replaced = ctx.book.replace(id, parsed.value);
      return replaced.ok ? { status: 200, body: replaced.value.reply, orderId: replaced.value.order.id } : fail(replaced.error);
    }
    case "DELETE": {
      const r = ctx.book.requestCancel(id);
      return r.ok ? { status: 204, body: undefined } : fail(r.error);
    }
    default:
      return fail(alpacaError.methodNotAllowed(method, `/v2/orders/${id}`));
  }
}

function calendar(ctx: RestContext, q: URLSearchParams): RestReply {
  const today = easternWallClock(ctx.stamper.nowMs()).date;
  const start = calendarBound(q.get("start"), addDays(today, -365));
  const end = calendarBound(q.get("end"), addDays(today, 365));
  if (start === undefined || end === undefined) return fail(alpacaError.validation("invalid start/end: expected YYYY-MM-DD or an RFC 3339 timestamp"));
  return json(200, ctx.calendar.between(start, end));
}

/** Routes one authorised, rate-checked request. */
export function handleRest(ctx: RestContext, method: string, url: URL, body: unknown): RestReply {
  const path = url.pathname;
  const q = url.searchParams;
  const only = (allowed: string, run: () => RestReply): RestReply => (method === allowed ? run() : fail(alpacaError.methodNotAllowed(method, path)));
  if (path === "/v2/orders") {
    if (method === "GET") return listOrders(ctx, q);
    if (method === "POST") return submitOrder(ctx, body);
    if (method === "DELETE") return cancelAll(ctx);
    return fail(alpacaError.methodNotAllowed(method, path));
  }
  if (path === "/v2/orders:by_client_order_id") {
    return only("GET", () => {
      const order = ctx.book.byClientOrderId(q.get("client_order_id") ?? "");
      return order ? json(200, orderJson(order)) : fail(alpacaError.orderNotFound());
    });
  }
  const orderMatch = /^\/v2\/orders\/([^/]+)$/.exec(path);
  if (orderMatch) return orderRoute(ctx, method, decodeURIComponent(orderMatch[1] ?? ""), body);
  if (path === "/v2/positions") return only("GET", () => json(200, ctx.book.view.positionsJson()));
  const positionMatch = /^\/v2\/positions\/([^/]+)$/.exec(path);
  if (positionMatch) {
    return only("GET", () => {
      const pos = ctx.book.view.positionJson(decodeURIComponent(positionMatch[1] ?? ""));
      return pos ? json(200, pos) : fail(alpacaError.positionNotFound());
    });
  }
  if (path === "/v2/account") return only("GET", () => json(200, ctx.book.view.accountJson()));
  if (path === "/v2/clock") return only("GET", () => json(200, clockJson(ctx.calendar, ctx.stamper.nowMs(), 0)));
  if (path === "/v2/calendar") return only("GET", () => calendar(ctx, q));
  return fail(alpacaError.endpointNotFound(method, path));
}
