/**
 * `startFakeAlpaca`: a real HTTP + WebSocket server on 127.0.0.1 that speaks
 * Alpaca Trading v2 (REST and trade_updates) from its own book, with fault
 * switches and introspection for tests. Composition only; each concern lives
 * in its own file beside this one.
 */
import { systemClock, toMicros, toShares, type Clock } from "@mqk/core";
import { FaultBoard, type FaultPatch, type FaultSettings, type RestFault } from "./faults.js";
import { HttpFront, type AuthVerdict, type ObservedRequest, type RequestRecord, type Submission } from "./http-front.js";
import { MarketCalendar, type FakeCalendarDay } from "./market-calendar.js";
import { OrderBook, type AutoBehaviour } from "./order-book.js";
import { orderJson } from "./fake-order.js";
import { RateLimiter, type RateLimitSettings } from "./rate-limit.js";
import { handleRest } from "./rest-api.js";
import { TradeStream, type StreamConnectionInfo, type StreamDelivery, type StreamSettings } from "./trade-stream.js";
import type { TradeUpdate } from "./trade-update.js";
import { IdSource, Stamper } from "./wire-format.js";
import type { AlpacaAccountJson, AlpacaOrderJson, AlpacaPositionJson } from "./wire-types.js";

export interface FakeAlpacaKeyPair {
  readonly keyId: string;
  readonly secretKey: string;
}

export interface FakeAlpacaOptions {
  /** Which environment this server plays; only changes the default key id prefix (PK… paper, AK… live). */
  readonly environment?: "paper" | "live";
  /** The one key pair this account accepts (default: a fixed fake pair of the environment). */
  readonly keys?: FakeAlpacaKeyPair;
  /** Key pairs of the other environment: refused like wrong keys, logged as "other-environment". */
  readonly otherEnvironmentKeys?: readonly FakeAlpacaKeyPair[];
  /** Status for bad or missing credentials: 401 {code:40110000} (default), or 403 with no code. */
  readonly authFailureStatus?: 401 | 403;
  /** Time source for timestamps, the clock endpoint and rate-limit windows (default: system clock). */
  readonly clock?: Clock;
  /** Seed of the deterministic ids (default "fake-alpaca"). */
  readonly seed?: string;
  /** Cash at start (default "100000"). */
  readonly startingCash?: string | number;
  /** Equity multiple for buying power (default 1: a cash account). */
  readonly buyingPowerMultiplier?: number;
  /** Allow sells beyond the held quantity (default false: 403 insufficient qty). */
  readonly shortingEnabled?: boolean;
  /** When given, any other symbol is refused with 422 `asset "X" not found`. */
  readonly tradableSymbols?: readonly string[];
  /** Last prices at start, e.g. `{ AAPL: "187.25" }`. */
  readonly prices?: Readonly<Record<string, string | number>>;
  readonly auto?: Partial<AutoBehaviour>;
  /** Longest client_order_id accepted (default 128, spec 2.0.1; older specs said 48). */
  readonly maxClientOrderIdLength?: number;
  /** Requests per window per key (default 200 per 60 000 ms); false turns the limit off. */
  readonly rateLimit?: RateLimitSettings | false;
  /** Send Retry-After on a 429 from the limit (default true). */
  readonly retryAfterOn429?: boolean;
  /** Trading days to serve instead of the built-in NYSE table (2024–2026). */
  readonly calendar?: readonly FakeCalendarDay[];
  readonly stream?: Partial<StreamSettings>;
  /** Faults active from the start. */
  readonly faults?: FaultPatch;
  /** Port to bind on 127.0.0.1 (default 0: ephemeral). */
  readonly port?: number;
  /**
   * Awaited for every REST request as it arrives, before faults, auth or routing: a test
   * may look at its own state at the moment a call reaches the broker. A throw answers 500.
   */
  readonly onRequest?: (request: ObservedRequest) => Promise<void> | void;
}

/** One `faults` API, settable at runtime. */
export interface FakeAlpacaFaults {
  /** Merge persistent switches: latency, stream duplicate/delay/reorder/drop/refuse/auth/listen. */
  set(patch: FaultPatch): void;
  /** Queue one-shot REST faults, consumed by the first matching requests in order. */
  inject(...rules: readonly RestFault[]): void;
  /** REST faults not yet used up. */
  pending(): { readonly rule: RestFault; readonly left: number }[];
  current(): FaultSettings;
  /** Terminate every stream connection now (no close frame). */
  dropStreams(): void;
  /** Back to no faults at all. */
  clear(): void;
}

export interface FakeAlpaca {
  /** http://127.0.0.1:PORT — the trading REST base (`basePath` of the SDK's Configuration). */
  readonly baseUrl: string;
  /** ws://127.0.0.1:PORT/stream — the trade_updates stream (`url` of `trading.stream()`). */
  readonly streamUrl: string;
  readonly port: number;
  readonly keys: FakeAlpacaKeyPair;
  readonly faults: FakeAlpacaFaults;

  setPrice(symbol: string, price: string | number): void;
  setAuto(patch: Partial<AutoBehaviour>): void;
  acceptOrder(idOrClientOrderId: string): void;
  fillOrder(idOrClientOrderId: string, qty?: string | number | bigint, price?: string | number): void;
  cancelFromBroker(idOrClientOrderId: string): void;
  rejectOrder(idOrClientOrderId: string): void;
  expireOrder(idOrClientOrderId: string): void;
  /** Send the events a reorder window still holds. */
  flushStream(): void;
  /**
   * Send already-produced events (by `seq`) again to the connections listening
   * now, through the stream faults. The real server never replays; this is for
   * "the same fill arrives again, after a restart" tests.
   */
  replayEvents(...seqs: readonly number[]): void;

  /** Every order the broker holds, oldest first. */
  orders(): AlpacaOrderJson[];
  order(idOrClientOrderId: string): AlpacaOrderJson | undefined;
  /** Every POST /v2/orders received, including refused, faulted and duplicate ones. */
  submissions(): Submission[];
  requests(): RequestRecord[];
  /** Every trade_updates event produced, delivered or not. */
  events(): TradeUpdate[];
  /** Every trade_updates frame written to a socket, duplicates included, in write order. */
  deliveries(): StreamDelivery[];
  streamConnections(): StreamConnectionInfo[];
  positions(): AlpacaPositionJson[];
  account(): AlpacaAccountJson;
  close(): Promise<void>;
}

const defaultAuto: AutoBehaviour = { accept: true, fill: true, partialFillChunks: 1, cancel: true };

function checkChunks(auto: Partial<AutoBehaviour>): void {
  const n = auto.partialFillChunks;
  if (n !== undefined && (!Number.isSafeInteger(n) || n < 1)) throw new RangeError(`auto.partialFillChunks: expected an integer ≥ 1, found ${String(n)}`);
}

export async function startFakeAlpaca(options: FakeAlpacaOptions = {}): Promise<FakeAlpaca> {
  const environment = options.environment ?? "paper";
  const keys = options.keys ?? {
    keyId: `${environment === "paper" ? "PK" : "AK"}FAKE0000000000000001`,
    secretKey: "fake-secret-key-for-tests-only-0000000000",
  };
  const others = options.otherEnvironmentKeys ?? [];
  const clock = options.clock ?? systemClock;
  const ids = new IdSource(options.seed ?? "fake-alpaca");
  const stamper = new Stamper(clock);
  const multiplier = options.buyingPowerMultiplier ?? 1;
  if (!Number.isSafeInteger(multiplier) || multiplier < 1) throw new RangeError(`buyingPowerMultiplier: expected an integer ≥ 1, found ${String(multiplier)}`);
  const auto = { ...defaultAuto, ...options.auto };
  checkChunks(auto);

  const faults = new FaultBoard();
  if (options.faults) faults.set(options.faults);
  const events: TradeUpdate[] = [];
  const keyOk = (keyId: unknown, secret: unknown): boolean => keyId === keys.keyId && secret === keys.secretKey;
  const stream = new TradeStream(
    { frames: "binary", conflict: "refuse-second", authTimeoutMs: 10_000, errorFrames: "action", ...options.stream },
    faults,
    keyOk,
  );
  const book = new OrderBook(
    {
      ids,
      stamper,
      startingCash: toMicros(options.startingCash ?? "100000", { field: "startingCash" }),
      buyingPowerMultiplier: BigInt(multiplier),
      shortingEnabled: options.shortingEnabled ?? false,
      tradableSymbols: options.tradableSymbols ? new Set(options.tradableSymbols) : null,
      auto,
    },
    (update) => {
      events.push(update);
      stream.publish(update);
    },
  );
  for (const [symbol, price] of Object.entries(options.prices ?? {})) book.setPrice(symbol, toMicros(price, { sign: "positive", field: `prices.${symbol}` }));
  const ctx = { book, calendar: new MarketCalendar(options.calendar), stamper, maxClientOrderIdLength: options.maxClientOrderIdLength ?? 128 };
  const auth = (keyId: string | undefined, secret: string | undefined): AuthVerdict => {
    if (!keyId || !secret) return "missing";
    if (keyOk(keyId, secret)) return "ok";
    return others.some((k) => k.keyId === keyId) ? "other-environment" : "wrong";
  };
  const http = new HttpFront({
    route: (method, url, body) => handleRest(ctx, method, url, body),
    auth,
    authFailureStatus: options.authFailureStatus ?? 401,
    limiter: new RateLimiter(options.rateLimit === false ? null : (options.rateLimit ?? { limit: 200, windowMs: 60_000 }), clock),
    faults,
    stream,
    retryAfterOn429: options.retryAfterOn429 ?? true,
    requestId: (seq) => ids.named("request", String(seq)).replace(/-/g, ""),
    nowMs: () => clock.nowMs(),
    observe: options.onRequest ?? null,
  });
  const port = await http.listen(options.port ?? 0);
  const find = (id: string): AlpacaOrderJson | undefined => {
    const order = book.get(id) ?? book.byClientOrderId(id);
    return order && orderJson(order);
  };
  let closing: Promise<void> | undefined;

  return {
    baseUrl: `http://127.0.0.1:${String(port)}`,
    streamUrl: `ws://127.0.0.1:${String(port)}/stream`,
    port,
    keys,
    faults: {
      set: (patch) => faults.set(patch),
      inject: (...rules) => rules.forEach((r) => faults.inject(r)),
      pending: () => faults.pending(),
      current: () => faults.current(),
      dropStreams: () => stream.dropAll(),
      clear: () => faults.clear(),
    },
    setPrice: (symbol, price) => book.setPrice(symbol, toMicros(price, { sign: "positive", field: `price of ${symbol}` })),
    setAuto: (patch) => {
      checkChunks(patch);
      Object.assign(book.auto, patch);
    },
    acceptOrder: (id) => book.acceptOrder(id),
    fillOrder: (id, qty, price) =>
      book.fillOrder(
        id,
        qty === undefined ? undefined : toShares(qty, { sign: "positive", field: "fill qty" }),
        price === undefined ? undefined : toMicros(price, { sign: "positive", field: "fill price" }),
      ),
    cancelFromBroker: (id) => book.cancelFromBroker(id),
    rejectOrder: (id) => book.rejectOrder(id),
    expireOrder: (id) => book.expireOrder(id),
    flushStream: () => stream.flush(),
    replayEvents: (...seqs) => {
      for (const seq of seqs) {
        const update = events[seq - 1];
        if (!update) throw new RangeError(`replayEvents: expected a seq in 1..${String(events.length)}, found ${String(seq)}`);
        stream.publish(update, true);
      }
    },
    orders: () => book.list().map(orderJson),
    order: find,
    submissions: () => http.submissions(),
    requests: () => http.requests(),
    events: () => [...events],
    deliveries: () => stream.deliveries(),
    streamConnections: () => stream.connections(),
    positions: () => book.view.positionsJson(),
    account: () => book.view.accountJson(),
    close: () => (closing ??= Promise.all([stream.close(), http.close()]).then(() => undefined)),
  };
}
