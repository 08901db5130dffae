/**
 * The face every market-data source shows the desk: bars for a symbol, interval
 * and range, the latest closed bar, a name and what it can do.
 */
import type { Clock, Result, Ticker } from "@mqk/core";
import type { SecretSource } from "@mqk/secrets";
import type { Bar, BarInterval } from "./bar.js";
import type { BarRejection } from "./bar-validation.js";
import type { CsvLineError } from "./csv/csv-format.js";
import type { RateLimit } from "./http/rate-limiter.js";
import type { RetryPolicy } from "./http/retry.js";
import type { Sleep } from "./sleep.js";

export type MarketDataPlan = "free" | "grow" | "pro" | "ultra" | "enterprise";

/** Structurally the config's `marketData` section (this package does not import @mqk/config). */
export interface MarketDataSettings {
  readonly provider: string;
  /** NAME of the environment variable holding the API key (never the key). */
  readonly apiKeyEnv?: string;
  readonly plan?: MarketDataPlan;
  readonly baseUrl?: string;
  readonly csvDir?: string;
  readonly symbols?: readonly string[];
  readonly interval?: BarInterval;
}

export interface MdLogFields {
  readonly [key: string]: string | number | boolean | undefined;
}

/** Where adapters report requests, retries and waits. Lines never carry a secret. */
export interface MdLogger {
  info(message: string, fields?: MdLogFields): void;
  warn(message: string, fields?: MdLogFields): void;
}

export const silentLogger: MdLogger = { info: () => undefined, warn: () => undefined };

/** What a factory receives besides settings and secrets. */
export interface ProviderDeps {
  readonly clock: Clock;
  /** Defaults to the global fetch (undici). Tests may pass their own. */
  readonly fetch?: typeof fetch;
  /** Waits between retries and for the rate limiter; tests pass one that moves a FakeClock. */
  readonly sleep?: Sleep;
  readonly logger?: MdLogger;
  /** Per-request timeout, default 15 s. */
  readonly requestTimeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Overrides the plan's limits (for an unusual plan). */
  readonly rateLimit?: RateLimit;
}

export interface ProviderCapabilities {
  readonly intervals: readonly BarInterval[];
  /** Rows one request returns at most (the adapter pages past it); undefined when unbounded. */
  readonly maxRowsPerRequest: number | undefined;
  /** Client-side request budget the adapter keeps; undefined for local sources. */
  readonly rateLimit: RateLimit | undefined;
  /** True when bars come over the network (as opposed to files). */
  readonly remote: boolean;
}

export interface HistoricalBarsRequest {
  readonly symbol: Ticker;
  readonly interval: BarInterval;
  /** Inclusive, UTC epoch ms. */
  readonly startMs: number;
  /** Exclusive, UTC epoch ms. */
  readonly endMs: number;
}

/**
 * Expected failures, as values. Transport faults, 429/5xx after the retries,
 * a refused key and an exhausted daily budget throw a DeskError instead
 * (code MARKET_DATA, `retryable` set as it should be).
 */
export type MdFailure =
  | { readonly kind: "bad_bar"; readonly provider: string; readonly rejection: BarRejection; readonly message: string }
  | { readonly kind: "bad_response"; readonly provider: string; readonly message: string }
  | { readonly kind: "unknown_symbol"; readonly provider: string; readonly symbol: string; readonly message: string }
  | { readonly kind: "unsupported_interval"; readonly provider: string; readonly interval: string; readonly message: string }
  | { readonly kind: "bad_range"; readonly provider: string; readonly message: string }
  | { readonly kind: "bad_file"; readonly provider: string; readonly file: string; readonly error: CsvLineError; readonly message: string }
  | { readonly kind: "request_rejected"; readonly provider: string; readonly code: number | undefined; readonly message: string }
  | { readonly kind: "no_data"; readonly provider: string; readonly symbol: string; readonly message: string };

export type MdResult<T> = Result<T, MdFailure>;

export interface MarketDataProvider {
  readonly name: string;
  readonly capabilities: ProviderCapabilities;
  /** Validated bars in [startMs, endMs), oldest first. A bad bar anywhere in a response fails the call. */
  historicalBars(request: HistoricalBarsRequest): Promise<MdResult<readonly Bar[]>>;
  /** The newest bar whose close time (see `barCloseTimeMs`) is at or before now. */
  latestClosedBar(symbol: Ticker, interval: BarInterval): Promise<MdResult<Bar>>;
}

export type ProviderFactory = (settings: MarketDataSettings, secrets: SecretSource, deps: ProviderDeps) => MarketDataProvider;
