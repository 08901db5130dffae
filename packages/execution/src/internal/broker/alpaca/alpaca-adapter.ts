/**
 * The Alpaca adapter: the broker port over @alpacahq/alpaca-trade-api v4.
 *
 * REST goes through the SDK's raw API classes (`trading.OrdersApi` … with an
 * explicit `basePath`), built WITHOUT a retry policy and without the client-side
 * rate limiter: the dispatcher owns retries, and a POST is never resent here.
 * Answers are read as raw JSON (`response.raw.json()`), not through the SDK's
 * models, which turn timestamps into millisecond Dates; every number then goes
 * through toMicros/toShares (A5) and every timestamp into exact epoch ns.
 *
 * Invariants:
 *  1. submit/replace/cancel send exactly one request; what it means is decided by
 *     alpaca-outcome.ts (timeout, reset, 429 and 5xx are `ambiguous`, never retried).
 *  2. A send that outlives `sendTimeoutMs` is aborted and reported `ambiguous`.
 *  3. The key id and secret are revealed only to build the SDK's clients (and to
 *     redact them); no outcome, error or onProblem text contains them.
 *  4. One trade_updates connection per adapter (alpaca-stream.ts).
 */
import { trading } from "@alpacahq/alpaca-trade-api";
import { DeskError, errorMessage, formatMicros, type BrokerOrderId, type Clock } from "@mqk/core";
import { redactLogLine, type Secret } from "@mqk/secrets";
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
import { cancelOutcomeOf, describeFailure, failureOf, sendOutcomeOf, type Redact } from "./alpaca-outcome.js";
import { AlpacaTradeStream } from "./alpaca-stream.js";
import { formatTimestampNs } from "./alpaca-time.js";
import { money, parseOrder, parseOrders, parsePositions, record, timestampNs } from "./alpaca-wire.js";

export interface AlpacaAdapterOptions {
  readonly environment: "paper" | "live";
  /** Trading REST base, e.g. https://paper-api.alpaca.markets (tests: the fake's http://127.0.0.1:PORT). */
  readonly baseUrl: string;
  /** trade_updates WebSocket, e.g. wss://paper-api.alpaca.markets/stream. */
  readonly streamUrl: string;
  readonly keyId: Secret;
  readonly secretKey: Secret;
  /** The account label for every row (outbox.account, inbox.account). */
  readonly account: string;
  readonly clock: Clock;
  /** Per-request timeout for order sends, ms (default 10 000); an expiry is an ambiguous outcome. */
  readonly sendTimeoutMs?: number;
  /** Delay before a stream reconnect, ms (default 1 000). */
  readonly reconnectDelayMs?: number;
  /** Per-request timeout for reads (lookup, lists, snapshot), ms (default 10 000). */
  readonly readTimeoutMs?: number;
  /** Longest delay between failing stream reconnects, ms (default 30 000). */
  readonly maxReconnectDelayMs?: number;
  /** A stream connection not subscribed within this many ms is dropped and retried (default 15 000). */
  readonly streamSubscribeTimeoutMs?: number;
  /** Keepalive ping of the stream, ms; 0 turns it off (default 10 000). */
  readonly streamPingIntervalMs?: number;
}

/** Alpaca's page size maximum for GET /v2/orders. */
export const ORDERS_PAGE_LIMIT = 500;

const hosts = { paper: "paper-api.alpaca.markets", live: "api.alpaca.markets" } as const;

function positiveMs(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 0 || (v === 0 && !allowZero)) {
    throw new DeskError(
      "CONFIG_INVALID",
      `Alpaca adapter: expected ${name} to be a ${allowZero ? "non-negative" : "positive"} integer of ms, found ${String(v)}`,
    );
  }
  return v;
}

/** Refuses a paper adapter pointed at the live host and the other way round. */
function checkHosts(options: AlpacaAdapterOptions): void {
  for (const [name, raw] of [
    ["baseUrl", options.baseUrl],
    ["streamUrl", options.streamUrl],
  ] as const) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch (cause) {
      throw new DeskError("CONFIG_INVALID", `Alpaca adapter: expected ${name} to be an absolute URL, found ${JSON.stringify(raw)}`, { cause });
    }
    const other = options.environment === "paper" ? hosts.live : hosts.paper;
    if (url.hostname === other) {
      throw new DeskError(
        "CONFIG_INVALID",
        `Alpaca adapter: the ${options.environment} environment must not use ${url.hostname} (${name}); use ${hosts[options.environment]} or fix the environment`,
      );
    }
  }
}

/** `{ [key]: "187.25" }`, or nothing for null (exactOptionalPropertyTypes: absent, never undefined). */
function optional<K extends string>(key: K, value: bigint | null): { [P in K]?: string } {
  return (value === null ? {} : { [key]: formatMicros(value) }) as { [P in K]?: string };
}

export function createAlpacaAdapter(options: AlpacaAdapterOptions): BrokerAdapter {
  return new AlpacaAdapter(options);
}

class AlpacaAdapter implements BrokerAdapter {
  readonly name = "alpaca";
  readonly account: string;
  readonly #sendOrders: trading.OrdersApi;
  readonly #readOrders: trading.OrdersApi;
  readonly #accounts: trading.AccountsApi;
  readonly #positions: trading.PositionsApi;
  readonly #clock: trading.ClockApi;
  readonly #stream: AlpacaTradeStream;
  readonly #redact: Redact;

  constructor(options: AlpacaAdapterOptions) {
    checkHosts(options);
    this.account = options.account;
    const sendTimeoutMs = positiveMs("sendTimeoutMs", options.sendTimeoutMs, 10_000);
    const readTimeoutMs = positiveMs("readTimeoutMs", options.readTimeoutMs, 10_000);
    const { keyId, secretKey } = options;
    this.#redact = (text) => redactLogLine(text, { redact: (t) => t.split(keyId.reveal()).join("[redacted]").split(secretKey.reveal()).join("[redacted]") });
    const basePath = options.baseUrl.replace(/\/+$/, "");
    // No `retry` and no `rateLimit`: both stay off in raw Configurations (API-BRIEF §1.12).
    const config = (timeoutMs: number): trading.Configuration =>
      new trading.Configuration({ basePath, keyId: keyId.reveal(), secret: secretKey.reveal(), timeoutMs });
    const sendConfig = config(sendTimeoutMs);
    const readConfig = config(readTimeoutMs);
    this.#sendOrders = new trading.OrdersApi(sendConfig);
    this.#readOrders = new trading.OrdersApi(readConfig);
    this.#accounts = new trading.AccountsApi(readConfig);
    this.#positions = new trading.PositionsApi(readConfig);
    this.#clock = new trading.ClockApi(readConfig);
    this.#stream = new AlpacaTradeStream({
      url: options.streamUrl,
      account: options.account,
      credentials: () => ({ keyId: keyId.reveal(), secret: secretKey.reveal() }),
      redact: this.#redact,
      reconnectDelayMs: positiveMs("reconnectDelayMs", options.reconnectDelayMs, 1_000),
      maxReconnectDelayMs: positiveMs("maxReconnectDelayMs", options.maxReconnectDelayMs, 30_000),
      subscribeTimeoutMs: positiveMs("streamSubscribeTimeoutMs", options.streamSubscribeTimeoutMs, 15_000),
      pingIntervalMs: positiveMs("streamPingIntervalMs", options.streamPingIntervalMs, 10_000, true),
    });
  }

  async submit(request: BrokerOrderRequest): Promise<SendOutcome> {
    const what = `POST /v2/orders ${request.clientOrderId}`;
    let body: unknown;
    try {
      const response = await this.#sendOrders.postOrderRaw({
        postOrderRequest: {
          symbol: request.symbol,
          qty: request.qtyShares.toString(),
          side: request.side,
          type: request.type,
          timeInForce: request.timeInForce,
          ...optional("limitPrice", request.limitPriceMicros),
          ...optional("stopPrice", request.stopPriceMicros),
          clientOrderId: request.clientOrderId,
        },
      });
      body = await response.raw.json();
    } catch (error) {
      return sendOutcomeOf(what, failureOf(error, this.#redact));
    }
    return this.#accepted(what, body);
  }

  async replace(request: BrokerReplaceRequest): Promise<SendOutcome> {
    const what = `PATCH /v2/orders/${request.brokerOrderId} as ${request.newClientOrderId}`;
    let body: unknown;
    try {
      const response = await this.#sendOrders.patchOrderByOrderIdRaw({
        orderId: request.brokerOrderId,
        patchOrderRequest: {
          clientOrderId: request.newClientOrderId,
          ...(request.qtyShares === null ? {} : { qty: request.qtyShares.toString() }),
          ...optional("limitPrice", request.limitPriceMicros),
          ...optional("stopPrice", request.stopPriceMicros),
          ...(request.timeInForce === null ? {} : { timeInForce: request.timeInForce }),
        },
      });
      body = await response.raw.json();
    } catch (error) {
      return sendOutcomeOf(what, failureOf(error, this.#redact));
    }
    return this.#accepted(what, body);
  }

  /** A 200 whose body is not an order we can read: it may well have been accepted — ambiguous, look it up. */
  #accepted(what: string, body: unknown): SendOutcome {
    try {
      return { kind: "accepted", order: parseOrder(body) };
    } catch (error) {
      return { kind: "ambiguous", reason: this.#redact(`${what}: HTTP 200 but the order could not be read: ${errorMessage(error)}`) };
    }
  }

  async cancel(brokerOrderId: BrokerOrderId): Promise<CancelOutcome> {
    try {
      await this.#sendOrders.deleteOrderByOrderIDRaw({ orderId: brokerOrderId });
      return { kind: "requested" };
    } catch (error) {
      return cancelOutcomeOf(`DELETE /v2/orders/${brokerOrderId}`, failureOf(error, this.#redact));
    }
  }

  async lookupByClientOrderId(clientOrderId: string): Promise<LookupOutcome> {
    const what = `GET /v2/orders:by_client_order_id ${clientOrderId}`;
    let body: unknown;
    try {
      const response = await this.#readOrders.getOrderByClientOrderIdRaw({ clientOrderId });
      body = await response.raw.json();
    } catch (error) {
      const f = failureOf(error, this.#redact);
      if (f.kind === "http" && f.status === 404) return { kind: "not_found" };
      return { kind: "unavailable", reason: describeFailure(what, f) };
    }
    try {
      return { kind: "found", order: parseOrder(body) };
    } catch (error) {
      return { kind: "unavailable", reason: this.#redact(`${what}: the order could not be read: ${errorMessage(error)}`) };
    }
  }

  listOrders(afterMs: number | null): Promise<readonly BrokerOrder[]> {
    if (afterMs !== null && !Number.isSafeInteger(afterMs)) throw new DeskError("BAD_INPUT", `listOrders: expected epoch ms or null, found ${String(afterMs)}`);
    // Alpaca's `after` is exclusive; one ms earlier makes the bound inclusive (a few extra orders are harmless).
    return this.#pagedOrders("all", afterMs === null ? null : BigInt(afterMs - 1) * 1_000_000n);
  }

  /**
   * GET /v2/orders oldest first, 500 at a time. The next page starts 1 ns before
   * the last order's submitted_at (so orders sharing that instant are not lost)
   * and repeats are dropped by id.
   */
  async #pagedOrders(status: "all" | "open", afterNs: bigint | null): Promise<BrokerOrder[]> {
    const seen = new Set<string>();
    const out: BrokerOrder[] = [];
    let after = afterNs;
    for (;;) {
      const what = `GET /v2/orders?status=${status}${after === null ? "" : `&after=${formatTimestampNs(after)}`}`;
      const page = parseOrders(
        await this.#read(what, () =>
          this.#readOrders.getAllOrdersRaw({
            status,
            direction: "asc",
            limit: ORDERS_PAGE_LIMIT,
            ...(after === null ? {} : { after: formatTimestampNs(after) }),
          }),
        ),
        "orders",
      );
      let fresh = 0;
      for (const { order } of page) {
        if (seen.has(order.brokerOrderId)) continue;
        seen.add(order.brokerOrderId);
        out.push(order);
        fresh += 1;
      }
      const last = page.at(-1);
      if (page.length < ORDERS_PAGE_LIMIT || last === undefined) return out;
      if (fresh === 0) {
        throw new DeskError("BROKER", `${what}: a full page of ${String(ORDERS_PAGE_LIMIT)} orders brought nothing new; paging cannot advance`, {
          retryable: false,
        });
      }
      after = last.submittedAtNs - 1n;
    }
  }

  /** One read; failures become DeskError BROKER (retryable unless the credentials were refused). */
  async #read(what: string, call: () => Promise<{ readonly raw: Response }>): Promise<unknown> {
    try {
      const response = await call();
      return await response.raw.json();
    } catch (error) {
      const f = failureOf(error, this.#redact);
      const refused = f.kind === "http" && f.status >= 400 && f.status < 500 && f.status !== 408 && f.status !== 429;
      throw new DeskError("BROKER", describeFailure(what, f), { retryable: !refused });
    }
  }

  async snapshot(): Promise<BrokerSnapshotData> {
    const clock = record(await this.#read("GET /v2/clock", () => this.#clock.legacyClockRaw()), "clock");
    const brokerTimeNs = timestampNs(clock, "timestamp", "clock");
    const account = record(await this.#read("GET /v2/account", () => this.#accounts.getAccountRaw()), "account");
    const cashMicros = money(account, "cash", "account", "any");
    const positions = parsePositions(await this.#read("GET /v2/positions", () => this.#positions.getAllOpenPositionsRaw()));
    const openOrders = await this.#pagedOrders("open", null);
    return { brokerTimeNs, cashMicros, positions, openOrders };
  }

  subscribe(handlers: StreamHandlers): Promise<void> {
    if (this.#stream.started) {
      return Promise.reject(
        new DeskError("INTERNAL", `Alpaca adapter ${this.account}: subscribe was called twice; there is one trade_updates stream per adapter`),
      );
    }
    return this.#stream.start(handlers);
  }

  close(): Promise<void> {
    return this.#stream.close();
  }
}
