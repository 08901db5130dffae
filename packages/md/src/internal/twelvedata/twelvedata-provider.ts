/**
 * TwelveData `/time_series` adapter (API brief §2).
 *
 * Invariants:
 *  1. The key travels only in the `Authorization: apikey …` header — never in a
 *     URL — and every text that leaves (logs, errors) is scrubbed of it.
 *  2. Every JSON body is checked for `"status":"error"` whatever the HTTP code.
 *  3. Bar times are read in `meta.exchange_timezone` and held as UTC instants;
 *     daily bars keep their exchange date (00:00 UTC of that date).
 *  4. Ranges past the 5000-row cap are paged newest → oldest by `end_date`; pages
 *     that overlap must agree bar for bar, and the result is oldest first.
 *  5. Each request takes a credit from the plan's limiter first; 429 and 5xx are
 *     retried a bounded number of times, then a retryable DeskError is thrown.
 */
import { DeskError, err, ok, type Ticker } from "@mqk/core";
import type { SecretSource } from "@mqk/secrets";
import { barCloseTimeMs, dayMs, utcDateOf, type Bar, type BarInterval } from "../bar.js";
import { validateBarSeries } from "../bar-validation.js";
import { formatWallTime, wallTimeAt } from "../exchange-time.js";
import { getJson } from "../http/fetch-json.js";
import { redact } from "../http/redact.js";
import { baseUrlOf, remoteSetup, retryContext, type RemoteSetup } from "../http/remote-setup.js";
import { withRetries, type AttemptOutcome } from "../http/retry.js";
import type { HistoricalBarsRequest, MarketDataProvider, MarketDataSettings, MdFailure, MdResult, ProviderCapabilities, ProviderDeps } from "../provider.js";
import { checkInterval, checkRequest } from "../request-range.js";
import { twelveDataPlanLimits } from "./twelvedata-plans.js";
import { rawBarsOf, readTimeSeriesBody } from "./twelvedata-response.js";

const providerName = "twelvedata";
export const twelveDataDefaults = {
  baseUrl: "https://api.twelvedata.com",
  apiKeyEnv: "TWELVEDATA_API_KEY",
  /** Assumed until a response's meta says otherwise (US equities). */
  exchangeTimeZone: "America/New_York",
  maxRows: 5000,
  maxPages: 1000,
} as const;

type Page =
  | { readonly kind: "page"; readonly timeZone: string; readonly bars: readonly Bar[]; readonly rowCount: number; readonly oldestTime: string }
  | { readonly kind: "empty" };

type Collected = { readonly kind: "bars"; readonly bars: readonly Bar[] } | { readonly kind: "zone"; readonly timeZone: string };

const minuteMs = 60_000;

class TwelveDataProvider implements MarketDataProvider {
  readonly name = providerName;
  readonly capabilities: ProviderCapabilities;
  readonly #setup: RemoteSetup;
  readonly #base: URL;
  readonly #apiKeyEnv: string;
  /** Exchange zone learned per symbol from `meta`. */
  readonly #zones = new Map<string, string>();

  constructor(settings: MarketDataSettings, secrets: SecretSource, deps: ProviderDeps) {
    this.#apiKeyEnv = settings.apiKeyEnv ?? twelveDataDefaults.apiKeyEnv;
    const limit = twelveDataPlanLimits[settings.plan ?? "free"];
    this.#setup = remoteSetup(providerName, secrets, this.#apiKeyEnv, deps, limit);
    this.#base = baseUrlOf(providerName, settings.baseUrl, twelveDataDefaults.baseUrl);
    this.capabilities = {
      intervals: ["1min", "5min", "15min", "30min", "1h", "1day"],
      maxRowsPerRequest: twelveDataDefaults.maxRows,
      rateLimit: this.#setup.limiter.limit,
      remote: true,
    };
  }

  async historicalBars(request: HistoricalBarsRequest): Promise<MdResult<readonly Bar[]>> {
    const checked = checkRequest(providerName, this.capabilities, request);
    if (!checked.ok) return checked;
    const assumed = this.#zones.get(request.symbol) ?? twelveDataDefaults.exchangeTimeZone;
    const first = await this.#collect(request, assumed);
    if (!first.ok) return first;
    if (first.value.kind === "bars") return ok(first.value.bars);
    // The dates went out in the wrong zone: ask again in the one meta named.
    const second = await this.#collect(request, first.value.timeZone);
    if (!second.ok) return second;
    if (second.value.kind === "bars") return ok(second.value.bars);
    return this.#fail(
      "bad_response",
      `the exchange zone of ${request.symbol} changed between requests (${first.value.timeZone}, then ${second.value.timeZone})`,
    );
  }

  async latestClosedBar(symbol: Ticker, interval: BarInterval): Promise<MdResult<Bar>> {
    const checked = checkInterval(providerName, this.capabilities, interval);
    if (!checked.ok) return checked;
    const page = await this.#page(symbol, interval, { outputsize: "5" });
    if (!page.ok) return page;
    const now = this.#setup.clock.nowMs();
    const closed = page.value.kind === "page" ? page.value.bars.filter((bar) => barCloseTimeMs(bar) <= now) : [];
    const latest = closed[closed.length - 1];
    if (latest === undefined) {
      return err({ kind: "no_data", provider: providerName, symbol, message: `${providerName}: no closed ${interval} bar for ${symbol} in the latest rows` });
    }
    return ok(latest);
  }

  /** All pages of one range, or the zone meta named when it differs from `timeZone`. */
  async #collect(request: HistoricalBarsRequest, timeZone: string): Promise<MdResult<Collected>> {
    const { symbol, interval, startMs, endMs } = request;
    // Dates are padded by a bar (daily) or exact to the second (intraday) and the
    // result is filtered, so it does not matter whether end_date is inclusive.
    let startDate: string;
    let endDate: string;
    if (interval === "1day") {
      startDate = utcDateOf(startMs);
      endDate = utcDateOf(endMs + dayMs);
    } else {
      const startWall = wallTimeAt(startMs, timeZone);
      const endWall = wallTimeAt(endMs, timeZone);
      if (startWall === undefined || endWall === undefined) return this.#fail("bad_response", `unknown exchange zone ${timeZone}`);
      startDate = formatWallTime(startWall);
      endDate = formatWallTime(endWall);
    }
    const pages: (readonly Bar[])[] = [];
    let oldestMs = Number.POSITIVE_INFINITY;
    for (let n = 0; n < twelveDataDefaults.maxPages; n += 1) {
      const page = await this.#page(symbol, interval, { start_date: startDate, end_date: endDate });
      if (!page.ok) return page;
      if (page.value.kind === "empty") break;
      // Daily dates are zone-free; intraday dates went out in `timeZone` and must match meta's.
      if (interval !== "1day" && page.value.timeZone !== timeZone) return ok({ kind: "zone", timeZone: page.value.timeZone });
      const merged = mergeOlderPage(page.value.bars, pages[0], oldestMs);
      if (!merged.ok) return this.#fail("bad_response", merged.error);
      const first = merged.value[0];
      if (first === undefined || first.tsMs >= oldestMs) {
        if (page.value.rowCount >= twelveDataDefaults.maxRows)
          return this.#fail("bad_response", `paging stopped advancing at end_date=${endDate} for ${symbol}`);
        break;
      }
      pages.unshift(merged.value);
      oldestMs = first.tsMs;
      if (page.value.rowCount < twelveDataDefaults.maxRows || oldestMs <= startMs) break;
      endDate = page.value.oldestTime;
      if (n === twelveDataDefaults.maxPages - 1)
        return this.#fail("bad_response", `more than ${String(twelveDataDefaults.maxPages)} pages for ${symbol}; ask for a shorter range`);
    }
    return ok({ kind: "bars", bars: pages.flat().filter((bar) => bar.tsMs >= startMs && bar.tsMs < endMs) });
  }

  /** One `/time_series` request, retried as the policy says, validated. */
  async #page(symbol: Ticker, interval: BarInterval, params: Readonly<Record<string, string>>): Promise<MdResult<Page>> {
    const url = new URL("time_series", this.#base);
    url.searchParams.set("symbol", symbol);
    url.searchParams.set("interval", interval);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    const described = `GET /time_series ${[...url.searchParams].map(([k, v]) => `${k}=${v}`).join(" ")}`;
    const setup = this.#setup;
    const secretValues = [setup.apiKey.reveal()];
    const scrub = (text: string): string => redact(text, secretValues);
    return withRetries(retryContext(providerName, setup, described), async (): Promise<AttemptOutcome<MdResult<Page>>> => {
      const outcome = await getJson({
        fetch: setup.fetch,
        url,
        headers: { Authorization: `apikey ${setup.apiKey.reveal()}`, Accept: "application/json" },
        timeoutMs: setup.timeoutMs,
        secretValues,
      });
      if (outcome.kind === "transport") return { kind: "retry", reason: outcome.reason };
      const status = outcome.status;
      setup.logger.info(`${providerName}: ${described}`, { status });
      if (outcome.kind === "not_json") {
        if (status === 429 || status >= 500) return { kind: "retry", reason: `HTTP ${String(status)}` };
        return { kind: "done", value: this.#fail("bad_response", `malformed JSON (HTTP ${String(status)}): ${outcome.snippet}`) };
      }
      const body = readTimeSeriesBody(outcome.body);
      if (body.kind === "error" || status < 200 || status > 299) {
        const code = body.kind === "error" ? (body.code ?? status) : status;
        const message = body.kind === "error" ? scrub(body.message) : `HTTP ${String(status)}`;
        return this.#onError(code, message, symbol, described);
      }
      if (body.kind === "malformed") return { kind: "done", value: this.#fail("bad_response", `${described}: ${body.problem}`) };
      if (body.symbol.toUpperCase() !== symbol || body.interval !== interval) {
        return {
          kind: "done",
          value: this.#fail(
            "bad_response",
            `${described}: expected meta for ${symbol} ${interval}, found ${scrub(body.symbol).slice(0, 20)} ${scrub(body.interval).slice(0, 10)}`,
          ),
        };
      }
      this.#zones.set(symbol, body.timeZone);
      const raws = rawBarsOf(symbol, interval, body.timeZone, body.rows);
      const validated = validateBarSeries(raws);
      if (!validated.ok) {
        const rejection = validated.error;
        const failure: MdFailure = {
          kind: "bad_bar",
          provider: providerName,
          rejection,
          message: `${providerName}: rejected a bar: ${scrub(rejection.message)}`,
        };
        return { kind: "done", value: err(failure) };
      }
      const oldest = raws[0];
      if (oldest === undefined) return { kind: "done", value: ok({ kind: "empty" }) };
      return { kind: "done", value: ok({ kind: "page", timeZone: body.timeZone, bars: validated.value, rowCount: raws.length, oldestTime: oldest.time }) };
    });
  }

  #onError(code: number, message: string, symbol: string, described: string): AttemptOutcome<MdResult<Page>> {
    if (code === 429) {
      const now = this.#setup.clock.nowMs();
      const daily = /\bday\b|daily/i.test(message);
      const notBeforeMs = daily ? Math.floor(now / dayMs) * dayMs + dayMs : Math.floor(now / minuteMs) * minuteMs + minuteMs + 1000;
      return { kind: "retry", reason: `code 429: ${message}`, notBeforeMs };
    }
    if (code >= 500) return { kind: "retry", reason: `code ${String(code)}: ${message}` };
    if (code === 401 || code === 403) {
      throw new DeskError(
        "MARKET_DATA",
        `${providerName}: ${described} was refused (code ${String(code)}: ${message}). Check the key in env var ${this.#apiKeyEnv} and that the plan covers this symbol and interval.`,
      );
    }
    if (code === 404)
      return {
        kind: "done",
        value: err({ kind: "unknown_symbol", provider: providerName, symbol, message: `${providerName}: symbol ${symbol} not found (${message})` }),
      };
    if (code === 400 && /no data/i.test(message)) return { kind: "done", value: ok({ kind: "empty" }) };
    return {
      kind: "done",
      value: err({
        kind: "request_rejected",
        provider: providerName,
        code,
        message: `${providerName}: ${described} was rejected (code ${String(code)}: ${message})`,
      }),
    };
  }

  #fail(kind: "bad_response", detail: string): MdResult<never> {
    return err({ kind, provider: providerName, message: `${providerName}: ${redact(detail, [this.#setup.apiKey.reveal()])}` });
  }
}

/**
 * Joins an older page to the newest kept page: rows at or after `keptOldestMs`
 * repeat what is kept and must match it exactly; they are then dropped.
 */
function mergeOlderPage(
  older: readonly Bar[],
  kept: readonly Bar[] | undefined,
  keptOldestMs: number,
): { ok: true; value: readonly Bar[] } | { ok: false; error: string } {
  if (kept === undefined) return { ok: true, value: older };
  const fresh: Bar[] = [];
  for (const bar of older) {
    if (bar.tsMs < keptOldestMs) {
      fresh.push(bar);
      continue;
    }
    const twin = kept.find((k) => k.tsMs === bar.tsMs);
    if (twin === undefined || !sameBar(twin, bar)) {
      return { ok: false, error: `two pages disagree about ${bar.symbol} at ${new Date(bar.tsMs).toISOString()}` };
    }
  }
  return { ok: true, value: fresh };
}

function sameBar(a: Bar, b: Bar): boolean {
  return a.tsMs === b.tsMs && a.open === b.open && a.high === b.high && a.low === b.low && a.close === b.close && a.volume === b.volume;
}

export function createTwelveDataProvider(settings: MarketDataSettings, secrets: SecretSource, deps: ProviderDeps): MarketDataProvider {
  return new TwelveDataProvider(settings, secrets, deps);
}
