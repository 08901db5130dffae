/**
 * FMP end-of-day adapter (API brief §4): daily bars through the same interface
 * as TwelveData — the proof that the provider seam is real (S1.7).
 *
 * Endpoint: the stable `stable/historical-price-eod/full?symbol=…` under the
 * base URL; a base URL ending in `/api/v3` selects the legacy
 * `historical-price-full/{SYMBOL}`. Both body shapes are read either way.
 *
 * Invariants:
 *  1. FMP takes the key only as the `apikey` query parameter; the URL is never
 *     logged with it, and every text that leaves is scrubbed of the key.
 *  2. A row for another symbol, a bad bar or a body without a data array fails
 *     the call; nothing partial is returned.
 */
import { DeskError, err, ok, type Ticker } from "@mqk/core";
import type { SecretSource } from "@mqk/secrets";
import { barCloseTimeMs, dayMs, utcDateOf, type Bar, type BarInterval } from "../bar.js";
import { validateBarSeries } from "../bar-validation.js";
import { getJson } from "../http/fetch-json.js";
import type { RateLimit } from "../http/rate-limiter.js";
import { redact } from "../http/redact.js";
import { baseUrlOf, remoteSetup, retryContext, type RemoteSetup } from "../http/remote-setup.js";
import { withRetries, type AttemptOutcome } from "../http/retry.js";
import type { HistoricalBarsRequest, MarketDataProvider, MarketDataSettings, MdResult, ProviderCapabilities, ProviderDeps } from "../provider.js";
import { checkInterval, checkRequest } from "../request-range.js";
import { fmpRawBars, readFmpBody } from "./fmp-response.js";

const providerName = "fmp";
export const fmpDefaults = {
  baseUrl: "https://financialmodelingprep.com",
  apiKeyEnv: "FMP_API_KEY",
  /** Free tier: about 250 calls a day [UNV]; paid tiers 300 a minute. */
  freeLimit: { perMinute: 60, perDay: 250 } satisfies RateLimit,
  paidLimit: { perMinute: 300 } satisfies RateLimit,
  latestLookbackDays: 14,
} as const;

const minuteMs = 60_000;

class FmpProvider implements MarketDataProvider {
  readonly name = providerName;
  readonly capabilities: ProviderCapabilities;
  readonly #setup: RemoteSetup;
  readonly #base: URL;
  readonly #legacy: boolean;
  readonly #apiKeyEnv: string;

  constructor(settings: MarketDataSettings, secrets: SecretSource, deps: ProviderDeps) {
    this.#apiKeyEnv = settings.apiKeyEnv ?? fmpDefaults.apiKeyEnv;
    const limit = settings.plan === undefined || settings.plan === "free" ? fmpDefaults.freeLimit : fmpDefaults.paidLimit;
    this.#setup = remoteSetup(providerName, secrets, this.#apiKeyEnv, deps, limit);
    this.#base = baseUrlOf(providerName, settings.baseUrl, fmpDefaults.baseUrl);
    this.#legacy = /\/api\/v3\/$/.test(this.#base.pathname);
    this.capabilities = { intervals: ["1day"], maxRowsPerRequest: undefined, rateLimit: this.#setup.limiter.limit, remote: true };
  }

  async historicalBars(request: HistoricalBarsRequest): Promise<MdResult<readonly Bar[]>> {
    const checked = checkRequest(providerName, this.capabilities, request);
    if (!checked.ok) return checked;
    const bars = await this.#fetch(request.symbol, utcDateOf(request.startMs), utcDateOf(request.endMs + dayMs));
    if (!bars.ok) return bars;
    return ok(bars.value.filter((bar) => bar.tsMs >= request.startMs && bar.tsMs < request.endMs));
  }

  async latestClosedBar(symbol: Ticker, interval: BarInterval): Promise<MdResult<Bar>> {
    const checked = checkInterval(providerName, this.capabilities, interval);
    if (!checked.ok) return checked;
    const now = this.#setup.clock.nowMs();
    const bars = await this.#fetch(symbol, utcDateOf(now - fmpDefaults.latestLookbackDays * dayMs), utcDateOf(now + dayMs));
    if (!bars.ok) return bars;
    const closed = bars.value.filter((bar) => barCloseTimeMs(bar) <= now);
    const latest = closed[closed.length - 1];
    if (latest === undefined) {
      return err({
        kind: "no_data",
        provider: providerName,
        symbol,
        message: `${providerName}: no closed daily bar for ${symbol} in the last ${String(fmpDefaults.latestLookbackDays)} days`,
      });
    }
    return ok(latest);
  }

  async #fetch(symbol: Ticker, from: string, to: string): Promise<MdResult<readonly Bar[]>> {
    const url = this.#legacy
      ? new URL(`historical-price-full/${encodeURIComponent(symbol)}`, this.#base)
      : new URL("stable/historical-price-eod/full", this.#base);
    if (!this.#legacy) url.searchParams.set("symbol", symbol);
    url.searchParams.set("from", from);
    url.searchParams.set("to", to);
    const described = `GET ${url.pathname} ${[...url.searchParams].map(([k, v]) => `${k}=${v}`).join(" ")}`;
    url.searchParams.set("apikey", this.#setup.apiKey.reveal());
    const setup = this.#setup;
    const secretValues = [setup.apiKey.reveal()];
    const fail = (message: string): MdResult<never> =>
      err({ kind: "bad_response", provider: providerName, message: `${providerName}: ${redact(message, secretValues)}` });
    return withRetries(retryContext(providerName, setup, described), async (): Promise<AttemptOutcome<MdResult<readonly Bar[]>>> => {
      const outcome = await getJson({ fetch: setup.fetch, url, headers: { Accept: "application/json" }, timeoutMs: setup.timeoutMs, secretValues });
      if (outcome.kind === "transport") return { kind: "retry", reason: outcome.reason };
      const status = outcome.status;
      setup.logger.info(`${providerName}: ${described}`, { status });
      if (status === 429) return { kind: "retry", reason: "HTTP 429", notBeforeMs: nextMinute(setup.clock.nowMs()) };
      if (status >= 500) return { kind: "retry", reason: `HTTP ${String(status)}` };
      if (status === 401 || status === 403) throw this.#refused(described, `HTTP ${String(status)}`);
      if (outcome.kind === "not_json") return { kind: "done", value: fail(`${described}: malformed JSON (HTTP ${String(status)}): ${outcome.snippet}`) };
      const body = readFmpBody(outcome.body);
      if (body.kind === "error") {
        const message = redact(body.message, secretValues).slice(0, 200);
        if (/limit/i.test(message)) return { kind: "retry", reason: message, notBeforeMs: Math.floor(setup.clock.nowMs() / dayMs) * dayMs + dayMs };
        if (/api ?key/i.test(message)) throw this.#refused(described, message);
        return {
          kind: "done",
          value: err({ kind: "request_rejected", provider: providerName, code: status, message: `${providerName}: ${described} was rejected: ${message}` }),
        };
      }
      if (body.kind === "malformed") return { kind: "done", value: fail(`${described}: ${body.problem}`) };
      if (status < 200 || status > 299) {
        return {
          kind: "done",
          value: err({
            kind: "request_rejected",
            provider: providerName,
            code: status,
            message: `${providerName}: ${described} was rejected (HTTP ${String(status)})`,
          }),
        };
      }
      if (body.symbol !== undefined && body.symbol.toUpperCase() !== symbol)
        return { kind: "done", value: fail(`${described}: expected bars for ${symbol}, found ${body.symbol.slice(0, 20)}`) };
      const raws = fmpRawBars(symbol, body.rows);
      const stranger = raws.find((raw) => raw.symbol.toUpperCase() !== symbol);
      if (stranger !== undefined)
        return { kind: "done", value: fail(`${described}: expected rows for ${symbol}, found a row for ${stranger.symbol.slice(0, 20)}`) };
      const validated = validateBarSeries(raws);
      if (!validated.ok) {
        const rejection = validated.error;
        return {
          kind: "done",
          value: err({
            kind: "bad_bar",
            provider: providerName,
            rejection,
            message: `${providerName}: rejected a bar: ${redact(rejection.message, secretValues)}`,
          }),
        };
      }
      return { kind: "done", value: ok(validated.value) };
    });
  }

  #refused(described: string, detail: string): DeskError {
    return new DeskError("MARKET_DATA", `${providerName}: ${described} was refused (${detail}). Check the key in env var ${this.#apiKeyEnv} and the plan.`);
  }
}

function nextMinute(nowMs: number): number {
  return Math.floor(nowMs / minuteMs) * minuteMs + minuteMs + 1000;
}

export function createFmpProvider(settings: MarketDataSettings, secrets: SecretSource, deps: ProviderDeps): MarketDataProvider {
  return new FmpProvider(settings, secrets, deps);
}
