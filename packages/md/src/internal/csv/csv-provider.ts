/**
 * The `csv` provider: bars from the CSV files in `marketData.csvDir` (default
 * `data`), for backtests and offline paper runs. Files are read through the
 * same scanner as `mqk data validate`; one bad line fails every request that
 * reads that file. Files up to 32 MiB are kept in memory after the first read
 * (re-read when their size or mtime changes); larger ones are streamed on each
 * request, keeping only the requested series.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { DeskError, err, ok, type Ticker } from "@mqk/core";
import { barCloseTimeMs, barIntervals, type Bar, type BarInterval } from "../bar.js";
import type { HistoricalBarsRequest, MarketDataProvider, MarketDataSettings, MdLogger, MdResult, ProviderCapabilities, ProviderDeps } from "../provider.js";
import { silentLogger } from "../provider.js";
import { checkInterval, checkRequest } from "../request-range.js";
import { intervalFromFileName } from "./csv-file.js";
import { formatCsvLineError } from "./csv-format.js";
import { scanCsvFile } from "./csv-scan.js";

const providerName = "csv";
const cacheLimitBytes = 32 * 1024 * 1024;

interface CachedFile {
  readonly size: number;
  readonly mtimeMs: number;
  readonly series: ReadonlyMap<string, readonly Bar[]>;
}

const seriesKey = (symbol: string, interval: BarInterval): string => `${symbol}|${interval}`;

class CsvProvider implements MarketDataProvider {
  readonly name = providerName;
  readonly capabilities: ProviderCapabilities = { intervals: barIntervals, maxRowsPerRequest: undefined, rateLimit: undefined, remote: false };
  readonly #dir: string;
  readonly #defaultInterval: BarInterval | undefined;
  readonly #deps: ProviderDeps;
  readonly #logger: MdLogger;
  readonly #cache = new Map<string, CachedFile>();

  constructor(settings: MarketDataSettings, deps: ProviderDeps) {
    this.#dir = settings.csvDir ?? "data";
    this.#defaultInterval = settings.interval;
    this.#deps = deps;
    this.#logger = deps.logger ?? silentLogger;
  }

  async historicalBars(request: HistoricalBarsRequest): Promise<MdResult<readonly Bar[]>> {
    const checked = checkRequest(providerName, this.capabilities, request);
    if (!checked.ok) return checked;
    const series = await this.#series(request.symbol, request.interval);
    if (!series.ok) return series;
    return ok(series.value.filter((bar) => bar.tsMs >= request.startMs && bar.tsMs < request.endMs));
  }

  async latestClosedBar(symbol: Ticker, interval: BarInterval): Promise<MdResult<Bar>> {
    const checked = checkInterval(providerName, this.capabilities, interval);
    if (!checked.ok) return checked;
    const series = await this.#series(symbol, interval);
    if (!series.ok) return series;
    const now = this.#deps.clock.nowMs();
    const closed = series.value.filter((bar) => barCloseTimeMs(bar) <= now);
    const latest = closed[closed.length - 1];
    if (latest === undefined)
      return err({ kind: "no_data", provider: providerName, symbol, message: `${providerName}: no closed ${interval} bar for ${symbol} in ${this.#dir}` });
    return ok(latest);
  }

  /** Every bar of one series across the directory, oldest first. */
  async #series(symbol: Ticker, interval: BarInterval): Promise<MdResult<readonly Bar[]>> {
    const collected: Bar[] = [];
    let symbolSeen = false;
    for (const file of await this.#files()) {
      const named = intervalFromFileName(file);
      if (named !== undefined && named !== interval) continue;
      const loaded = await this.#load(file, symbol, interval);
      if (!loaded.ok) return loaded;
      if (loaded.value.symbolSeen) symbolSeen = true;
      collected.push(...loaded.value.bars);
    }
    if (!symbolSeen)
      return err({
        kind: "unknown_symbol",
        provider: providerName,
        symbol,
        message: `${providerName}: no file in ${this.#dir} holds ${symbol} at ${interval}`,
      });
    collected.sort((a, b) => a.tsMs - b.tsMs);
    for (let i = 1; i < collected.length; i += 1) {
      const bar = collected[i];
      if (bar !== undefined && bar.tsMs === collected[i - 1]?.tsMs) {
        return err({
          kind: "bad_response",
          provider: providerName,
          message: `${providerName}: two files in ${this.#dir} hold ${symbol} ${interval} at ${new Date(bar.tsMs).toISOString()}`,
        });
      }
    }
    return ok(collected);
  }

  async #files(): Promise<string[]> {
    try {
      const names = await readdir(this.#dir);
      return names
        .filter((name) => name.toLowerCase().endsWith(".csv"))
        .sort()
        .map((name) => join(this.#dir, name));
    } catch (error) {
      throw new DeskError("IO", `${providerName}: expected a directory of CSV files at ${this.#dir} (marketData.csvDir), found it unreadable`, {
        cause: error,
      });
    }
  }

  async #load(file: string, symbol: Ticker, interval: BarInterval): Promise<MdResult<{ readonly symbolSeen: boolean; readonly bars: readonly Bar[] }>> {
    const info = await stat(file);
    const wanted = seriesKey(symbol, interval);
    const cached = this.#cache.get(file);
    if (cached !== undefined && cached.size === info.size && cached.mtimeMs === info.mtimeMs) return ok(pick(cached.series, symbol, wanted));
    const keepAll = info.size <= cacheLimitBytes;
    const series = new Map<string, Bar[]>();
    const instantInterval = intervalFromFileName(file) ?? this.#defaultInterval;
    let symbolSeen = false;
    const scanned = await scanCsvFile(file, {
      ...(instantInterval === undefined ? {} : { instantInterval }),
      onBar: (bar) => {
        if (bar.symbol === symbol) symbolSeen = true;
        const key = seriesKey(bar.symbol, bar.interval);
        if (!keepAll && key !== wanted) return;
        const list = series.get(key);
        if (list === undefined) series.set(key, [bar]);
        else list.push(bar);
      },
    });
    if (!scanned.ok) {
      if (scanned.error.code === "interval_unknown") {
        this.#logger.warn(`${providerName}: skipped ${file}: its rows are instants and neither its name nor marketData.interval says their interval`);
        return ok({ symbolSeen: false, bars: [] });
      }
      return err({
        kind: "bad_file",
        provider: providerName,
        file,
        error: scanned.error,
        message: `${providerName}: ${formatCsvLineError(scanned.error, file)}`,
      });
    }
    if (!keepAll) return ok({ symbolSeen, bars: series.get(wanted) ?? [] });
    this.#cache.set(file, { size: info.size, mtimeMs: info.mtimeMs, series });
    return ok(pick(series, symbol, wanted));
  }
}

function pick(series: ReadonlyMap<string, readonly Bar[]>, symbol: string, wanted: string): { readonly symbolSeen: boolean; readonly bars: readonly Bar[] } {
  const symbolSeen = [...series.keys()].some((key) => key.startsWith(`${symbol}|`));
  return { symbolSeen, bars: series.get(wanted) ?? [] };
}

export function createCsvProvider(settings: MarketDataSettings, deps: ProviderDeps): MarketDataProvider {
  return new CsvProvider(settings, deps);
}
