/**
 * The trade_updates stream: one connection at a time per adapter (Alpaca allows
 * one per key pair), through the SDK's TradingStream with its own reconnect OFF.
 * This loop reconnects instead, so it knows exactly when a connection is usable
 * again: after the server's `listening` ack for trade_updates (or, when a server
 * never acks, its first trade_updates frame), `onConnected({reconnect})` runs —
 * that is where the caller backfills what the gap lost.
 *
 * The SDK's `mapTradeUpdate` turns `timestamp` into a millisecond Date, losing
 * the nanoseconds the message ids need; so trade_updates frames are taken raw in
 * `handleMessage` (a protected hook of TradingStream) before the SDK maps them,
 * and parsed here. Auth, listen, ping and framing stay the SDK's.
 *
 * Invariants:
 *  1. Handlers run strictly one at a time in arrival order: `onConnected`, then
 *     each event, each awaited before the next starts.
 *  2. A frame that cannot be parsed, or a handler that throws, is reported to
 *     `onProblem` and skipped; nothing here throws into the socket.
 *  3. After `close()` no connection is opened and no handler is called again.
 *  4. No text handed to `onProblem` contains a key (redacted).
 */
import { streaming } from "@alpacahq/alpaca-trade-api";
import { errorMessage } from "@mqk/core";
import type { StreamHandlers } from "../broker-port.js";
import type { Redact } from "./alpaca-outcome.js";
import { parseTradeUpdate } from "./alpaca-trade-update.js";
import { isRecord } from "./alpaca-wire.js";

export interface TradeStreamOptions {
  readonly url: string;
  readonly account: string;
  /** Called when a connection is built (the SDK sends them in its auth frame). */
  readonly credentials: () => { readonly keyId: string; readonly secret: string };
  readonly redact: Redact;
  /** First reconnect delay; doubles on each failed attempt up to maxReconnectDelayMs. */
  readonly reconnectDelayMs: number;
  readonly maxReconnectDelayMs: number;
  /** A connection not subscribed within this many ms is dropped and retried. */
  readonly subscribeTimeoutMs: number;
  /** SDK keepalive ping; 0 turns it off. */
  readonly pingIntervalMs: number;
}

type Sink = (message: unknown) => boolean;

/** TradingStream that hands trade_updates and listening frames to us before the SDK maps them. */
class RawTradingStream extends streaming.TradingStream {
  readonly #sink: Sink;

  constructor(options: streaming.TradingStreamOptions, sink: Sink) {
    super(options);
    this.#sink = sink;
  }

  protected override handleMessage(message: unknown): void {
    if (!this.#sink(message)) super.handleMessage(message);
  }
}

interface Connection {
  readonly socket: RawTradingStream;
  subscribed: boolean;
  timer: NodeJS.Timeout | undefined;
}

type Job = { readonly kind: "connected"; readonly reconnect: boolean } | { readonly kind: "frame"; readonly data: unknown };

export class AlpacaTradeStream {
  readonly #o: TradeStreamOptions;
  #handlers: StreamHandlers | null = null;
  #conn: Connection | null = null;
  #retryTimer: NodeJS.Timeout | undefined;
  #failures = 0;
  #everSubscribed = false;
  #closed = false;
  readonly #queue: Job[] = [];
  #draining: Promise<void> | null = null;
  /** Settles once the first attempt has subscribed (and onConnected ran) or failed. */
  #firstAttempt: (() => void) | null = null;

  constructor(options: TradeStreamOptions) {
    this.#o = options;
  }

  get started(): boolean {
    return this.#handlers !== null;
  }

  /** Opens the first connection; resolves when it is subscribed and onConnected ran, or when it failed (retries go on). */
  start(handlers: StreamHandlers): Promise<void> {
    this.#handlers = handlers;
    if (this.#closed) return Promise.resolve();
    const first = new Promise<void>((resolve) => {
      this.#firstAttempt = resolve;
    });
    this.#open();
    return first;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    const conn = this.#conn;
    this.#conn = null;
    if (conn !== null) {
      clearTimeout(conn.timer);
      conn.socket.disconnect();
    }
    this.#queue.length = 0;
    this.#settleFirst();
    while (this.#draining !== null) await this.#draining;
  }

  #problem(message: string): void {
    const handlers = this.#handlers;
    if (handlers === null || this.#closed) return;
    try {
      handlers.onProblem(this.#o.redact(`Alpaca trade_updates (${this.#o.account}): ${message}`));
    } catch {
      // onProblem must never throw; if it does, there is nowhere left to report it.
    }
  }

  #settleFirst(): void {
    const settle = this.#firstAttempt;
    this.#firstAttempt = null;
    settle?.();
  }

  #open(): void {
    if (this.#closed) return;
    const { keyId, secret } = this.#o.credentials();
    let conn: Connection | null = null;
    const socket = new RawTradingStream(
      { credentials: { keyId, secret }, url: this.#o.url, reconnect: false, pingIntervalMs: this.#o.pingIntervalMs },
      (message) => (conn === null ? false : this.#onMessage(conn, message)),
    );
    conn = { socket, subscribed: false, timer: undefined };
    const current = conn;
    this.#conn = current;
    socket.onError((message) => this.#problem(message));
    socket.onDisconnect(() => this.#onDropped(current));
    current.timer = setTimeout(() => {
      if (this.#conn !== current || current.subscribed) return;
      this.#problem(`not subscribed within ${String(this.#o.subscribeTimeoutMs)} ms; dropping the connection`);
      current.socket.disconnect();
    }, this.#o.subscribeTimeoutMs);
    socket.subscribeTradeUpdates();
    socket.connect();
  }

  /** True when the frame was ours (trade_updates or the listening ack). */
  #onMessage(conn: Connection, message: unknown): boolean {
    if (this.#conn !== conn || this.#closed || !isRecord(message)) return false;
    const stream = message["stream"];
    if (stream === "listening") {
      const data = message["data"];
      const streams = isRecord(data) && Array.isArray(data["streams"]) ? (data["streams"] as unknown[]) : [];
      if (streams.includes("trade_updates")) this.#subscribed(conn);
      else this.#problem("the server's listening ack does not include trade_updates");
      return true;
    }
    if (stream === "trade_updates") {
      this.#subscribed(conn); // a server that never acks still proves the subscription by sending
      this.#push({ kind: "frame", data: message["data"] });
      return true;
    }
    return false;
  }

  #subscribed(conn: Connection): void {
    if (conn.subscribed) return;
    conn.subscribed = true;
    clearTimeout(conn.timer);
    this.#failures = 0;
    const reconnect = this.#everSubscribed;
    this.#everSubscribed = true;
    this.#push({ kind: "connected", reconnect });
  }

  #onDropped(conn: Connection): void {
    if (this.#conn !== conn) return;
    clearTimeout(conn.timer);
    this.#conn = null;
    if (this.#closed) return;
    if (!conn.subscribed) this.#failures += 1;
    const delay = Math.min(this.#o.reconnectDelayMs * 2 ** Math.max(0, this.#failures - 1), this.#o.maxReconnectDelayMs);
    this.#problem(`connection closed${conn.subscribed ? "" : " before it was subscribed"}; reconnecting in ${String(delay)} ms`);
    // The first attempt failed: start() returns, the retries go on in the background.
    if (!this.#everSubscribed) this.#settleFirst();
    this.#retryTimer = setTimeout(() => this.#open(), delay);
  }

  #push(job: Job): void {
    this.#queue.push(job);
    this.#drain();
  }

  #drain(): void {
    const handlers = this.#handlers;
    if (this.#draining !== null || handlers === null || this.#queue.length === 0) return;
    this.#draining = (async () => {
      for (let job = this.#queue.shift(); job !== undefined && !this.#closed; job = this.#queue.shift()) await this.#run(handlers, job);
    })().finally(() => {
      this.#draining = null;
      this.#drain();
    });
  }

  async #run(handlers: StreamHandlers, job: Job): Promise<void> {
    if (job.kind === "connected") {
      try {
        await handlers.onConnected({ reconnect: job.reconnect });
      } catch (error) {
        this.#problem(`onConnected failed: ${errorMessage(error)}`);
      }
      this.#settleFirst();
      return;
    }
    let event;
    try {
      event = parseTradeUpdate(job.data, this.#o.account);
    } catch (error) {
      this.#problem(`a trade update was skipped: ${errorMessage(error)}`);
      return;
    }
    try {
      await handlers.onEvent(event);
    } catch (error) {
      this.#problem(`applying ${event.brokerMessageId} failed: ${errorMessage(error)}`);
    }
  }
}
