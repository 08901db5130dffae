/**
 * A fake TwelveData REST API (API brief §2.7) on 127.0.0.1: `/time_series`,
 * `/price` and `/api_usage`, with the documented shapes — string numbers, `meta`,
 * `values` newest first, the 5000-row cap, `start_date`/`end_date` read in the
 * exchange zone (end exclusive), `order`, `outputsize` (default 30 without
 * dates), `timezone`. The key is taken from `Authorization: apikey …` or the
 * `apikey` query parameter (the log says which). A per-key credit bucket
 * (fixed minute and UTC-day windows, on the injected clock) answers the 429
 * envelope when spent. Faults: 429, 5xx, an error envelope (HTTP mirroring the
 * code or always 200), slow answers, malformed JSON, bad bars.
 */
import { systemClock, type Clock } from "@mqk/core";
import { applyDefect, FaultSchedule, type MarketDataFault } from "./fault-schedule.js";
import { startFakeHttp, type FakeAnswer, type FakeMarketDataRequest } from "./fake-http-server.js";
import { barsInWindow, dayNumberOf, formatDate, isFakeInterval, type FakeInterval, type SyntheticBar } from "./synthetic-bars.js";
import { utcOfWallClock, wallClockAt } from "./zone-clock.js";

export type TwelveDataStatusMode = "mirror" | "always200";

export interface FakeTwelveDataOptions {
  /** The only key accepted. */
  readonly apiKey: string;
  /** Time for "now", the credit windows and the request log. Default: the system clock. */
  readonly clock?: Clock;
  /** Basic plan by default: 8 credits a minute, 800 a day. */
  readonly creditsPerMinute?: number;
  readonly creditsPerDay?: number;
  /** HTTP status of error envelopes: the envelope's code ("mirror", default) or 200. */
  readonly httpStatusMode?: TwelveDataStatusMode;
  readonly exchangeTimezone?: string;
  /** Symbols that exist; default: every upper-case ticker. */
  readonly symbols?: readonly string[];
  /** Dates (YYYY-MM-DD) with no session, e.g. holidays. */
  readonly closedDates?: readonly string[];
  /** Row cap per response (default 5000, as the real API). */
  readonly maxOutputSize?: number;
  /** Treat `end_date` as inclusive (default false: the support article shows it exclusive). */
  readonly endDateInclusive?: boolean;
}

export interface FakeTwelveData {
  readonly baseUrl: string;
  /** Every request received, in order, with headers. */
  readonly requests: readonly FakeMarketDataRequest[];
  /** One fault, a sequence of faults (each for its `times`), or null for normal service. */
  setFault(fault: MarketDataFault | readonly MarketDataFault[] | null): void;
  setHttpStatusMode(mode: TwelveDataStatusMode): void;
  close(): Promise<void>;
}

const timeSeriesIntervals: readonly FakeInterval[] = ["1min", "5min", "15min", "30min", "45min", "1h", "2h", "4h", "1day"];
const datePattern = /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$/;

const messages = {
  401: "**apikey** parameter is incorrect or not specified. You can get your free API key instantly following this link: https://twelvedata.com/pricing.",
  noData: "No data is available on the specified dates. Try setting different start/end dates.",
};

function fourDecimals(value: number): string {
  return (value / 10_000).toFixed(4);
}

function normaliseWall(text: string): string {
  const t = text.replace("T", " ");
  return t.length === 10 ? `${t} 00:00:00` : t.length === 16 ? `${t}:00` : t;
}

export async function startFakeTwelveData(options: FakeTwelveDataOptions): Promise<FakeTwelveData> {
  const clock = options.clock ?? systemClock;
  const zone = options.exchangeTimezone ?? "America/New_York";
  const perMinute = options.creditsPerMinute ?? 8;
  const perDay = options.creditsPerDay ?? 800;
  const maxRows = options.maxOutputSize ?? 5000;
  const closedDates = new Set(options.closedDates ?? []);
  const known = options.symbols === undefined ? undefined : new Set(options.symbols);
  const faults = new FaultSchedule();
  let statusMode: TwelveDataStatusMode = options.httpStatusMode ?? "mirror";
  const minuteUse = new Map<number, number>();
  const dayUse = new Map<number, number>();

  const json = (status: number, body: unknown, extra: Partial<FakeAnswer> = {}): FakeAnswer => ({ status, body: JSON.stringify(body), ...extra });
  const envelope = (code: number, message: string): FakeAnswer => json(statusMode === "mirror" ? code : 200, { code, message, status: "error" });

  function keyOf(request: FakeMarketDataRequest): string | undefined {
    const header = request.headers["authorization"];
    if (header !== undefined && /^apikey /i.test(header)) return header.slice(7).trim();
    return request.query["apikey"];
  }

  function charge(request: FakeMarketDataRequest): FakeAnswer | undefined {
    const now = clock.nowMs();
    const minute = Math.floor(now / 60_000);
    const day = Math.floor(now / 86_400_000);
    const usedMinute = minuteUse.get(minute) ?? 0;
    const usedDay = dayUse.get(day) ?? 0;
    if (usedDay + 1 > perDay)
      return envelope(
        429,
        `You have run out of API credits for the day. ${String(usedDay + 1)} API credits were used, with the current limit being ${String(perDay)}.`,
      );
    if (usedMinute + 1 > perMinute) {
      return envelope(
        429,
        `You have run out of API credits for the current minute. ${String(usedMinute + 1)} API credits were used, with the current limit being ${String(perMinute)}. Wait for the next minute or consider switching to a higher tier plan at https://twelvedata.com/pricing`,
      );
    }
    minuteUse.set(minute, usedMinute + 1);
    dayUse.set(day, usedDay + 1);
    request.charged = true;
    return undefined;
  }

  function creditHeaders(): Record<string, string> {
    const used = minuteUse.get(Math.floor(clock.nowMs() / 60_000)) ?? 0;
    return { "api-credits-used": String(used), "api-credits-left": String(Math.max(0, perMinute - used)) };
  }

  function timeSeries(request: FakeMarketDataRequest, fault: MarketDataFault | undefined): FakeAnswer {
    const q = request.query;
    const symbol = q["symbol"] ?? "";
    const interval = q["interval"] ?? "";
    if (symbol === "") return envelope(400, "**symbol** parameter is missing or invalid. Please provide a valid symbol according to API documentation.");
    if (!isFakeInterval(interval) || !timeSeriesIntervals.includes(interval)) return envelope(400, `**interval** is not supported: ${interval}`);
    if (!/^[A-Z][A-Z0-9.-]{0,11}$/.test(symbol) || (known !== undefined && !known.has(symbol))) {
      return envelope(404, `**symbol** not found: ${symbol}. Please specify it correctly according to API Documentation.`);
    }
    const hasDates = q["start_date"] !== undefined || q["end_date"] !== undefined;
    const sizeText = q["outputsize"];
    const size = sizeText === undefined ? (hasDates ? maxRows : 30) : Number(sizeText);
    if (!Number.isSafeInteger(size) || size < 1 || size > maxRows) return envelope(400, `**outputsize** must be within 1 and ${String(maxRows)}`);
    for (const name of ["start_date", "end_date"] as const) {
      const value = q[name];
      if (value !== undefined && !datePattern.test(value)) return envelope(400, `**${name}** parameter is invalid: ${value}`);
    }
    const orderText = (q["order"] ?? "desc").toLowerCase();
    if (orderText !== "asc" && orderText !== "desc") return envelope(400, "**order** must be asc or desc");
    const requested = q["timezone"] ?? "Exchange";
    const outZone = interval === "1day" || requested.toLowerCase() === "exchange" ? zone : requested;
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: outZone });
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      return envelope(400, `**timezone** is invalid: ${requested}`);
    }
    // Bounds given in the output zone are moved into the exchange zone.
    const toExchange = (text: string | undefined): string | undefined =>
      text === undefined || outZone === zone || interval === "1day" ? text : wallClockAt(utcOfWallClock(normaliseWall(text), outZone), zone);
    const endText = toExchange(q["end_date"]);
    // An inclusive end is served as an exclusive bound one second (or one day) later.
    const to =
      endText === undefined || options.endDateInclusive !== true
        ? endText
        : interval === "1day"
          ? formatDate(dayNumberOf(endText.slice(0, 10)) + 1)
          : wallClockAt(utcOfWallClock(normaliseWall(endText), "UTC") + 1000, "UTC");
    const bars = barsInWindow(symbol, interval, {
      from: toExchange(q["start_date"]),
      to,
      notAfter: wallClockAt(clock.nowMs(), zone),
      limit: size,
      closedDates,
    });
    if (bars.length === 0) return envelope(400, messages.noData);
    const shown = (bar: SyntheticBar): string => (outZone === zone ? bar.datetime : wallClockAt(utcOfWallClock(bar.datetime, zone), outZone));
    let values = bars
      .map((bar) => ({
        datetime: shown(bar),
        open: fourDecimals(bar.open),
        high: fourDecimals(bar.high),
        low: fourDecimals(bar.low),
        close: fourDecimals(bar.close),
        volume: String(bar.volume),
      }))
      .reverse();
    if (fault?.kind === "badBars")
      values = applyDefect(values, fault.defect, { open: "open", high: "high", low: "low", close: "close", volume: "volume", time: "datetime" }, true);
    if (orderText === "asc") values.reverse();
    return json(
      200,
      {
        meta: { symbol, interval, currency: "USD", exchange_timezone: zone, exchange: "NASDAQ", mic_code: "XNGS", type: "Common Stock" },
        values,
        status: "ok",
      },
      { headers: creditHeaders() },
    );
  }

  const running = await startFakeHttp(clock, (request) => {
    const fault = faults.next();
    const delayMs = fault?.kind === "slow" ? fault.delayMs : 0;
    const answer = ((): FakeAnswer => {
      if (fault?.kind === "serverError") return json(fault.status ?? 500, { code: fault.status ?? 500, message: "Internal server error", status: "error" });
      if (fault?.kind === "malformedJson") return { status: 200, body: '{"meta": {"symbol": "AAPL", "interval": "1day"}, "values": [{"datetime": "2024-' };
      if (keyOf(request) !== options.apiKey) return envelope(401, messages[401]);
      if (request.path === "/api_usage") {
        const used = minuteUse.get(Math.floor(clock.nowMs() / 60_000)) ?? 0;
        return json(200, { timestamp: wallClockAt(clock.nowMs(), "UTC"), current_usage: used, plan_limit: perMinute, plan_category: "basic" });
      }
      if (request.path !== "/time_series" && request.path !== "/price") return envelope(404, `**endpoint** not found: ${request.path}`);
      if (fault?.kind === "rateLimited") {
        return envelope(
          429,
          `You have run out of API credits for the current minute. ${String(perMinute + 1)} API credits were used, with the current limit being ${String(perMinute)}.`,
        );
      }
      const spent = charge(request);
      if (spent !== undefined) return spent;
      if (fault?.kind === "errorEnvelope") return envelope(fault.code ?? 400, fault.message);
      if (request.path === "/price") {
        const symbol = request.query["symbol"] ?? "AAPL";
        const [bar] = barsInWindow(symbol, "1min", { from: undefined, to: undefined, notAfter: wallClockAt(clock.nowMs(), zone), limit: 1, closedDates });
        return json(200, { price: fourDecimals(bar?.close ?? 1_000_000) });
      }
      return timeSeries(request, fault);
    })();
    return delayMs > 0 ? { ...answer, delayMs } : answer;
  });

  return {
    baseUrl: running.baseUrl,
    requests: running.requests,
    setFault: (fault) => faults.set(fault),
    setHttpStatusMode: (mode) => {
      statusMode = mode;
    },
    close: () => running.close(),
  };
}
