/**
 * A fake FMP end-of-day API (API brief §4) on 127.0.0.1, serving both
 * generations: the stable `GET /stable/historical-price-eod/full?symbol=…`
 * (a bare array) and the legacy `GET /api/v3/historical-price-full/{SYMBOL}`
 * (`{symbol, historical: […]}`), newest first, JSON numbers, `from`/`to`
 * inclusive. `shape` forces either body on either path. The key is the `apikey`
 * query parameter. Faults: 429, 5xx, `{"Error Message": …}` with HTTP 200, slow
 * answers, malformed JSON, bad bars (shared with the TwelveData fake).
 */
import { systemClock, type Clock } from "@mqk/core";
import { startFakeHttp, type FakeAnswer, type FakeMarketDataRequest } from "../twelvedata/fake-http-server.js";
import { applyDefect, FaultSchedule, type MarketDataFault } from "../twelvedata/fault-schedule.js";
import { barsInWindow, dayNumberOf, formatDate } from "../twelvedata/synthetic-bars.js";
import { wallClockAt } from "../twelvedata/zone-clock.js";

export type FmpShape = "auto" | "array" | "historical";

export interface FakeFmpOptions {
  readonly apiKey: string;
  readonly clock?: Clock;
  /** Body shape: "auto" (default) answers each path with its own generation's shape. */
  readonly shape?: FmpShape;
  /** Calls allowed per UTC day (default unlimited); past it FMP's limit message with HTTP 429. */
  readonly callsPerDay?: number;
  readonly symbols?: readonly string[];
  readonly closedDates?: readonly string[];
}

export interface FakeFmp {
  readonly baseUrl: string;
  readonly requests: readonly FakeMarketDataRequest[];
  setFault(fault: MarketDataFault | readonly MarketDataFault[] | null): void;
  setShape(shape: FmpShape): void;
  close(): Promise<void>;
}

const datePattern = /^\d{4}-\d{2}-\d{2}$/;
const legacyPath = /^\/api\/v3\/historical-price-full\/([^/]+)$/;
const stablePath = "/stable/historical-price-eod/full";

const price = (value: number): number => Math.round(value) / 10_000;

export async function startFakeFmp(options: FakeFmpOptions): Promise<FakeFmp> {
  const clock = options.clock ?? systemClock;
  const faults = new FaultSchedule();
  const known = options.symbols === undefined ? undefined : new Set(options.symbols);
  const closedDates = new Set(options.closedDates ?? []);
  let shape: FmpShape = options.shape ?? "auto";
  const dayUse = new Map<number, number>();
  const json = (status: number, body: unknown): FakeAnswer => ({ status, body: JSON.stringify(body) });

  function history(request: FakeMarketDataRequest, symbol: string, legacy: boolean, fault: MarketDataFault | undefined): FakeAnswer {
    const from = request.query["from"];
    const to = request.query["to"];
    if ((from !== undefined && !datePattern.test(from)) || (to !== undefined && !datePattern.test(to)))
      return json(400, { "Error Message": "Invalid from/to date" });
    const today = wallClockAt(clock.nowMs(), "America/New_York").slice(0, 10);
    const exists = /^[A-Z][A-Z0-9.-]{0,11}$/.test(symbol) && (known === undefined || known.has(symbol));
    // `to` is inclusive at FMP: the window's upper bound is the next day.
    const bars = exists
      ? barsInWindow(symbol, "1day", {
          from,
          to: to === undefined ? undefined : formatDate(dayNumberOf(to) + 1),
          notAfter: today,
          limit: 5 * 366,
          closedDates,
        })
      : [];
    let rows: Record<string, unknown>[] = bars
      .map((bar) => {
        const row = { date: bar.datetime, open: price(bar.open), high: price(bar.high), low: price(bar.low), close: price(bar.close) };
        const change = price(bar.close - bar.open);
        return legacy
          ? {
              ...row,
              adjClose: row.close,
              volume: bar.volume,
              unadjustedVolume: bar.volume,
              change,
              changePercent: 0,
              vwap: row.close,
              label: bar.datetime,
              changeOverTime: 0,
            }
          : { symbol, ...row, volume: bar.volume, change, changePercent: 0, vwap: row.close };
      })
      .reverse();
    if (fault?.kind === "badBars")
      rows = applyDefect(rows, fault.defect, { open: "open", high: "high", low: "low", close: "close", volume: "volume", time: "date" }, false);
    const asArray = shape === "array" || (shape === "auto" && !legacy);
    if (asArray) return json(200, rows);
    return json(200, exists ? { symbol, historical: rows } : {});
  }

  const running = await startFakeHttp(clock, (request) => {
    const fault = faults.next();
    const delayMs = fault?.kind === "slow" ? fault.delayMs : 0;
    const answer = ((): FakeAnswer => {
      if (fault?.kind === "serverError") return json(fault.status ?? 500, { "Error Message": "Internal Server Error" });
      if (fault?.kind === "malformedJson") return { status: 200, body: '[{"symbol": "AAPL", "date": "2024-' };
      if (request.query["apikey"] !== options.apiKey) {
        return json(401, {
          "Error Message":
            "Invalid API KEY. Feel free to create a Free API Key or visit https://site.financialmodelingprep.com/faqs?search=why-is-my-api-key-invalid for more information.",
        });
      }
      if (fault?.kind === "rateLimited")
        return json(429, {
          "Error Message": "Limit Reach . Please upgrade your plan or visit our documentation for more details at https://site.financialmodelingprep.com/",
        });
      const day = Math.floor(clock.nowMs() / 86_400_000);
      const used = dayUse.get(day) ?? 0;
      if (options.callsPerDay !== undefined && used >= options.callsPerDay) {
        return json(429, {
          "Error Message": "Limit Reach . Please upgrade your plan or visit our documentation for more details at https://site.financialmodelingprep.com/",
        });
      }
      dayUse.set(day, used + 1);
      request.charged = true;
      if (fault?.kind === "errorEnvelope") return json(200, { "Error Message": fault.message });
      const legacy = legacyPath.exec(request.path);
      if (legacy !== null) return history(request, decodeURIComponent(legacy[1] ?? ""), true, fault);
      if (request.path === stablePath) {
        const symbol = request.query["symbol"];
        if (symbol === undefined) return json(400, { "Error Message": "symbol is required" });
        return history(request, symbol, false, fault);
      }
      return json(404, { "Error Message": `Not found: ${request.path}` });
    })();
    return delayMs > 0 ? { ...answer, delayMs } : answer;
  });

  return {
    baseUrl: running.baseUrl,
    requests: running.requests,
    setFault: (fault) => faults.set(fault),
    setShape: (next) => {
      shape = next;
    },
    close: () => running.close(),
  };
}
