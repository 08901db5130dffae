/**
 * The broker session: the one public handle on a broker. It is opened from the
 * config and the resolved secrets (S1.3) and offers READS only — the snapshot
 * reconcile needs — plus the sim's price feed. The adapter inside is reachable
 * only through this module's WeakMap, which index.ts does not export: outside
 * this package nothing can submit, cancel or replace (A1); the dispatcher, which
 * reads the gates itself, is the one caller of those verbs.
 */
import { DeskError, systemClock, toMicros, type Clock, type Micros, type Ticker } from "@mqk/core";
import type { BrokerConfig } from "@mqk/config";
import type { ResolvedSecrets } from "@mqk/secrets";
import { createAlpacaAdapter } from "./broker/alpaca/alpaca-adapter.js";
import type { BrokerAdapter, BrokerOrder, BrokerPosition } from "./broker/broker-port.js";
import { SimBroker } from "./broker/sim/sim-broker.js";

export type { BrokerOrder, BrokerPosition };

/** The broker's side at one instant, as reconcile reads it. */
export interface BrokerSnapshot {
  readonly broker: string;
  readonly account: string;
  /** The broker's clock at the snapshot, epoch nanoseconds: the broker half of the watermark (B2). */
  readonly brokerTimeNs: bigint;
  readonly cashMicros: Micros;
  readonly positions: readonly BrokerPosition[];
  readonly openOrders: readonly BrokerOrder[];
}

export interface BrokerSession {
  /** "alpaca" or "sim". */
  readonly broker: string;
  readonly account: string;
  /** Positions, open orders and cash, read from the broker now. */
  snapshot(): Promise<BrokerSnapshot>;
  close(): Promise<void>;
}

export interface OpenBrokerOptions {
  /** The account label of every row; default "alpaca-paper" / "alpaca-live" / "sim". */
  readonly account?: string;
  readonly clock?: Clock;
  /** The sim's starting cash in micros (default 100,000 USD) and first prices. */
  readonly sim?: { readonly startingCashMicros?: Micros; readonly prices?: ReadonlyMap<Ticker, Micros> };
  /** Alpaca: timeout of one order send, ms (default 10 000); its expiry is an ambiguous outcome. */
  readonly sendTimeoutMs?: number;
  /** Alpaca: delay before a stream reconnect, ms (default 1 000). */
  readonly reconnectDelayMs?: number;
}

const adapters = new WeakMap<BrokerSession, BrokerAdapter>();

const defaultHosts = { paper: "https://paper-api.alpaca.markets", live: "https://api.alpaca.markets" } as const;

/** The stream URL of a trading host: https→wss, http→ws, path /stream. */
export function streamUrlOf(baseUrl: string): string {
  const url = new URL(baseUrl);
  url.protocol = url.protocol === "http:" ? "ws:" : "wss:";
  url.pathname = "/stream";
  url.search = "";
  return url.toString();
}

/** Opens the broker the config names. Alpaca needs its two key NAMES resolved in `secrets`. */
export function openBrokerSession(config: BrokerConfig, secrets: ResolvedSecrets, options: OpenBrokerOptions = {}): BrokerSession {
  const clock = options.clock ?? systemClock;
  let adapter: BrokerAdapter;
  switch (config.kind) {
    case "sim":
      adapter = new SimBroker({
        account: options.account ?? "sim",
        clock,
        startingCashMicros: options.sim?.startingCashMicros ?? toMicros("100000"),
        prices: options.sim?.prices ?? new Map(),
      });
      break;
    case "alpaca": {
      const { environment, keyIdEnv, secretKeyEnv } = config.alpaca;
      const baseUrl = config.alpaca.baseUrl ?? defaultHosts[environment];
      adapter = createAlpacaAdapter({
        environment,
        baseUrl,
        streamUrl: streamUrlOf(baseUrl),
        keyId: secrets.require(keyIdEnv),
        secretKey: secrets.require(secretKeyEnv),
        account: options.account ?? `alpaca-${environment}`,
        clock,
        ...(options.sendTimeoutMs === undefined ? {} : { sendTimeoutMs: options.sendTimeoutMs }),
        ...(options.reconnectDelayMs === undefined ? {} : { reconnectDelayMs: options.reconnectDelayMs }),
      });
      break;
    }
  }
  return sessionFor(adapter);
}

function sessionFor(adapter: BrokerAdapter): BrokerSession {
  const session: BrokerSession = Object.freeze({
    broker: adapter.name,
    account: adapter.account,
    async snapshot(): Promise<BrokerSnapshot> {
      const data = await adapter.snapshot();
      return { broker: adapter.name, account: adapter.account, ...data };
    },
    close: () => adapter.close(),
  });
  adapters.set(session, adapter);
  return session;
}

/** The adapter behind a session: for this package's dispatcher and ingest only. */
export function adapterOf(session: BrokerSession): BrokerAdapter {
  const adapter = adapters.get(session);
  if (adapter === undefined) throw new DeskError("BAD_INPUT", "expected a BrokerSession from openBrokerSession, found another object");
  return adapter;
}

/**
 * Feeds the sim broker a last price (its fill model fills resting orders that
 * the price reaches). Refused for any other broker: real brokers price themselves.
 */
export function setSimPrice(session: BrokerSession, symbol: Ticker, priceMicros: Micros): void {
  const adapter = adapterOf(session);
  if (!(adapter instanceof SimBroker)) throw new DeskError("BAD_INPUT", `setSimPrice: expected a sim broker session, found ${adapter.name}`);
  adapter.setPrice(symbol, priceMicros);
}

/**
 * Waits until the sim broker has handed every queued event to its subscriber and
 * the ingest running on the session (if any) has put them through the inbox
 * (tests, offline runs). Applying an event never makes the sim emit another.
 */
export async function simSettled(session: BrokerSession): Promise<void> {
  const adapter = adapterOf(session);
  if (adapter instanceof SimBroker) await adapter.settled();
  await settledHooks.get(session)?.();
}

const settledHooks = new WeakMap<BrokerSession, () => Promise<void>>();

/** The ingest registers how to wait for it (kept here so this module does not import the ingest). */
export function onSessionSettled(session: BrokerSession, wait: () => Promise<void>): void {
  settledHooks.set(session, wait);
}
