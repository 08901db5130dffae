/**
 * The Alpaca adapter (being written): @alpacahq/alpaca-trade-api v4, retries off for
 * order submission, one trade_updates stream per key pair.
 */
import { DeskError, type Clock } from "@mqk/core";
import type { Secret } from "@mqk/secrets";
import type { BrokerAdapter } from "../broker-port.js";

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
}

export function createAlpacaAdapter(options: AlpacaAdapterOptions): BrokerAdapter {
  throw new DeskError("INTERNAL", `the Alpaca adapter for ${options.account} is not built yet`);
}
