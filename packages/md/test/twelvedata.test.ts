import { afterEach, describe, expect, it } from "vitest";
import { asTicker, DeskError, formatMicros } from "@mqk/core";
import { createProviderRegistry, type Bar, type MarketDataProvider, type ProviderDeps } from "@mqk/md";
import { startFakeTwelveData, type FakeMarketDataRequest, type FakeTwelveData, type FakeTwelveDataOptions } from "@mqk/testkit";
import { captureLogger, everythingIn, ms, scaledTime, secretsOf, virtualTime } from "./support/harness.js";

const KEY = "td-canary-3f9a1c7e55b2";
const AAPL = asTicker("AAPL");
const fakes: FakeTwelveData[] = [];

afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function setup(startIso: string, fakeOptions: Partial<FakeTwelveDataOptions> = {}, deps: Partial<ProviderDeps> = {}, scale?: number) {
  const time = scale === undefined ? virtualTime(ms(startIso)) : scaledTime(ms(startIso), scale);
  const fake = await startFakeTwelveData({ apiKey: KEY, clock: time.clock, ...fakeOptions });
  fakes.push(fake);
  const log = captureLogger();
  const provider = createProviderRegistry().create({ provider: "twelvedata", baseUrl: fake.baseUrl, plan: "free" }, secretsOf({ TWELVEDATA_API_KEY: KEY }), {
    clock: time.clock,
    sleep: time.sleep,
    logger: log.logger,
    ...deps,
  });
  return { ...time, fake, provider, log };
}

const timeSeries = (fake: FakeTwelveData): FakeMarketDataRequest[] => fake.requests.filter((r) => r.path === "/time_series");
const iso = (bar: Bar | undefined): string => (bar === undefined ? "none" : new Date(bar.tsMs).toISOString());

async function bars(provider: MarketDataProvider, interval: Bar["interval"], startIso: string, endIso: string): Promise<readonly Bar[]> {
  const result = await provider.historicalBars({ symbol: AAPL, interval, startMs: ms(startIso), endMs: ms(endIso) });
  if (!result.ok) throw new Error(`expected bars, got ${result.error.kind}: ${result.error.message}`);
  return result.value;
}

describe("TwelveData adapter", () => {
  it("TwelveData paging: a range past the 5000-row cap is paged by end_date and comes back whole, oldest first", async () => {
    const { fake, provider } = await setup("2024-04-02T12:00:00Z");
    const got = await bars(provider, "1min", "2024-03-04T00:00:00Z", "2024-03-30T00:00:00Z");
    // 20 weekdays × 390 one-minute bars (the fake has no holidays unless told).
    expect(got).toHaveLength(20 * 390);
    expect(iso(got[0])).toBe("2024-03-04T14:30:00.000Z"); // 09:30 EST
    expect(iso(got[got.length - 1])).toBe("2024-03-29T19:59:00.000Z"); // 15:59 EDT
    for (let i = 1; i < got.length; i += 1) expect((got[i]?.tsMs ?? 0) > (got[i - 1]?.tsMs ?? 0)).toBe(true);
    const requests = timeSeries(fake);
    expect(requests).toHaveLength(2);
    expect(requests[0]?.query["end_date"]).toBe("2024-03-29 20:00:00");
    // The second page ends where the first one's oldest row was.
    // (5000 rows back from 03-29 15:59: twelve full sessions, then 320 rows of 03-13.)
    expect(requests[1]?.query["end_date"]).toBe("2024-03-13 10:40:00");
    expect(requests.every((r) => r.query["outputsize"] === undefined)).toBe(true);
  });

  it("TwelveData paging: pages that overlap on the boundary row are joined without a duplicate", async () => {
    const { fake, provider } = await setup("2024-04-20T12:00:00Z", { endDateInclusive: true });
    const got = await bars(provider, "1min", "2024-03-04T00:00:00Z", "2024-04-13T00:00:00Z");
    expect(got).toHaveLength(30 * 390);
    expect(new Set(got.map((b) => b.tsMs)).size).toBe(got.length);
    for (let i = 1; i < got.length; i += 1) expect((got[i]?.tsMs ?? 0) > (got[i - 1]?.tsMs ?? 0)).toBe(true);
    expect(timeSeries(fake)).toHaveLength(3);
  });

  it("TwelveData timezones: a March week across the DST start maps 09:30 New York to 14:30Z, then 13:30Z", async () => {
    const { provider } = await setup("2024-03-20T12:00:00Z");
    const got = await bars(provider, "1h", "2024-03-07T00:00:00Z", "2024-03-13T00:00:00Z");
    const opens = got.filter((_, i) => i % 7 === 0).map(iso);
    expect(opens).toEqual(["2024-03-07T14:30:00.000Z", "2024-03-08T14:30:00.000Z", "2024-03-11T13:30:00.000Z", "2024-03-12T13:30:00.000Z"]);
    expect(iso(got.find((b) => b.tsMs >= ms("2024-03-11T00:00:00Z")))).toBe("2024-03-11T13:30:00.000Z");
    expect(got).toHaveLength(4 * 7);
  });

  it("TwelveData timezones: a November week across the DST end maps 09:30 New York to 13:30Z, then 14:30Z", async () => {
    const { provider } = await setup("2024-11-20T12:00:00Z");
    const got = await bars(provider, "30min", "2024-10-31T00:00:00Z", "2024-11-06T00:00:00Z");
    const opens = got.filter((_, i) => i % 13 === 0).map(iso);
    expect(opens).toEqual(["2024-10-31T13:30:00.000Z", "2024-11-01T13:30:00.000Z", "2024-11-04T14:30:00.000Z", "2024-11-05T14:30:00.000Z"]);
    const last = got[got.length - 1];
    expect(iso(last)).toBe("2024-11-05T20:30:00.000Z"); // 15:30 EST bar
  });

  it("TwelveData timezones: daily bars keep their exchange date as 00:00 UTC", async () => {
    const { provider } = await setup("2024-03-20T12:00:00Z");
    const got = await bars(provider, "1day", "2024-03-07T00:00:00Z", "2024-03-13T00:00:00Z");
    expect(got.map(iso)).toEqual(["2024-03-07", "2024-03-08", "2024-03-11", "2024-03-12"].map((d) => `${d}T00:00:00.000Z`));
  });

  it("TwelveData timezones: dates are sent in the zone meta names, learned on the first answer", async () => {
    const { fake, provider } = await setup("2024-03-20T12:00:00Z", { exchangeTimezone: "Europe/London" });
    const got = await bars(provider, "1h", "2024-03-12T00:00:00Z", "2024-03-13T00:00:00Z");
    expect(iso(got[0])).toBe("2024-03-12T09:30:00.000Z"); // 09:30 GMT
    const requests = timeSeries(fake);
    expect(requests).toHaveLength(2); // one in the assumed New York zone, one again in London time
    expect(requests[1]?.query["start_date"]).toBe("2024-03-12 00:00:00");
    await bars(provider, "1h", "2024-03-14T00:00:00Z", "2024-03-15T00:00:00Z");
    expect(timeSeries(fake)).toHaveLength(3);
  });

  it("TwelveData latest closed bar: the forming bar is not returned", async () => {
    const { provider } = await setup("2024-03-12T14:07:30Z"); // 10:07:30 EDT
    const latest = await provider.latestClosedBar(AAPL, "5min");
    expect(latest.ok && iso(latest.value)).toBe("2024-03-12T14:00:00.000Z"); // 10:00 bar closed at 10:05
    const daily = await provider.latestClosedBar(AAPL, "1day");
    expect(daily.ok && iso(daily.value)).toBe("2024-03-11T00:00:00.000Z");
  });

  it("S1.5: the TwelveData key travels only in the Authorization header, never in a URL", async () => {
    const { fake, provider } = await setup("2024-03-20T12:00:00Z");
    await bars(provider, "1day", "2024-03-01T00:00:00Z", "2024-03-15T00:00:00Z");
    await provider.latestClosedBar(AAPL, "1min");
    expect(fake.requests.length).toBeGreaterThan(0);
    for (const request of fake.requests) {
      expect(request.headers["authorization"]).toBe(`apikey ${KEY}`);
      expect(request.url).not.toContain(KEY);
      expect(request.query["apikey"]).toBeUndefined();
    }
  });
});

describe("TwelveData rate limiting", () => {
  function maxInAnyMinute(requests: readonly FakeMarketDataRequest[]): number {
    let max = 0;
    for (const start of requests) max = Math.max(max, requests.filter((r) => r.atMs >= start.atMs && r.atMs < start.atMs + 60_000).length);
    return max;
  }

  it("TwelveData rate limiting: 30 calls on the free plan never put more than 8 requests in any minute", async () => {
    const { fake, provider, clock } = await setup("2024-03-20T12:00:00Z");
    const t0 = clock.nowMs();
    for (let i = 0; i < 30; i += 1) expect((await provider.latestClosedBar(AAPL, "1day")).ok).toBe(true);
    expect(fake.requests).toHaveLength(30);
    expect(fake.requests.every((r) => r.status === 200)).toBe(true);
    expect(maxInAnyMinute(fake.requests)).toBe(8);
    // 30 credits at 8 a minute need at least three more minutes.
    expect(clock.nowMs() - t0).toBeGreaterThanOrEqual(3 * 60_000);
  });

  it("TwelveData rate limiting: concurrent callers share one budget", async () => {
    // Waits run in real time scaled down 1000×, so in-flight requests reach the fake before the clock moves on.
    const { fake, provider } = await setup("2024-03-20T12:00:00Z", {}, {}, 1000);
    const results = await Promise.all(Array.from({ length: 20 }, () => provider.latestClosedBar(AAPL, "1day")));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fake.requests.every((r) => r.status === 200)).toBe(true);
    expect(maxInAnyMinute(fake.requests)).toBeLessThanOrEqual(8);
  });

  it("TwelveData rate limiting: the 801st call of a day is refused before it is sent, with a retryable DeskError", async () => {
    const { fake, provider } = await setup("2024-03-20T00:00:30Z", { creditsPerMinute: 100 });
    for (let i = 0; i < 800; i += 1) {
      const result = await provider.latestClosedBar(AAPL, "1day");
      if (!result.ok) throw new Error(result.error.message);
    }
    const refused = await provider.latestClosedBar(AAPL, "1day").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DeskError);
    expect(refused).toMatchObject({ code: "MARKET_DATA", retryable: true });
    expect((refused as DeskError).message).toMatch(/8\/min, 800\/day/);
    expect(fake.requests).toHaveLength(800);
    expect(fake.requests.every((r) => r.status === 200)).toBe(true);
    expect(maxInAnyMinute(fake.requests)).toBeLessThanOrEqual(8);
  });
});

describe("TwelveData retries and error envelopes", () => {
  it("TwelveData retries: a 429 is followed by a wait to the next minute, then success", async () => {
    const { fake, provider, clock, log } = await setup("2024-03-20T12:00:10Z");
    fake.setFault({ kind: "rateLimited", times: 1 });
    const result = await provider.latestClosedBar(AAPL, "1day");
    expect(result.ok).toBe(true);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(fake.requests[1]?.atMs).toBeGreaterThanOrEqual(ms("2024-03-20T12:01:00Z"));
    expect(clock.nowMs()).toBeLessThan(ms("2024-03-20T12:02:00Z"));
    expect(log.lines.some((l) => l.level === "warn" && /429/.test(l.message))).toBe(true);
  });

  it("TwelveData retries: a 5xx is retried after a backoff, then success", async () => {
    const { fake, provider, slept } = await setup("2024-03-20T12:00:00Z");
    fake.setFault([{ kind: "serverError", status: 503, times: 1 }]);
    const result = await provider.historicalBars({ symbol: AAPL, interval: "1day", startMs: ms("2024-03-01T00:00:00Z"), endMs: ms("2024-03-08T00:00:00Z") });
    expect(result.ok && result.value.length).toBe(5);
    expect(fake.requests.map((r) => r.status)).toEqual([503, 200]);
    expect(slept).toContain(1000);
  });

  it("TwelveData retries: persistent 5xx gives up after 4 attempts with a retryable DeskError", async () => {
    const { fake, provider, slept } = await setup("2024-03-20T12:00:00Z");
    fake.setFault({ kind: "serverError", status: 502 });
    const error = await provider.latestClosedBar(AAPL, "1day").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeskError);
    expect(error).toMatchObject({ code: "MARKET_DATA", retryable: true });
    expect((error as Error).message).toMatch(/failed after 4 attempts; last: code 502/);
    expect(fake.requests).toHaveLength(4);
    expect(slept.filter((s) => s >= 1000)).toEqual([1000, 2000, 4000]);
  });

  it("TwelveData retries: a slow answer past the timeout is retried", async () => {
    const { fake, provider } = await setup("2024-03-20T12:00:00Z", {}, { requestTimeoutMs: 150 });
    fake.setFault({ kind: "slow", delayMs: 1500, times: 1 });
    const result = await provider.latestClosedBar(AAPL, "1day");
    expect(result.ok).toBe(true);
    expect(fake.requests).toHaveLength(2);
  });

  it("TwelveData 200-with-error: a 429 envelope inside HTTP 200 is a rate limit and is retried", async () => {
    const { fake, provider } = await setup("2024-03-20T12:00:00Z", { httpStatusMode: "always200" });
    fake.setFault({ kind: "rateLimited", times: 2 });
    const result = await provider.latestClosedBar(AAPL, "1day");
    expect(result.ok).toBe(true);
    expect(fake.requests.map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it("TwelveData 200-with-error: a 500 envelope inside HTTP 200 is retried, and never read as data", async () => {
    const { fake, provider } = await setup("2024-03-20T12:00:00Z", { httpStatusMode: "always200" });
    fake.setFault({ kind: "errorEnvelope", code: 500, message: "Internal error" });
    const error = await provider.latestClosedBar(AAPL, "1day").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "MARKET_DATA", retryable: true });
    expect(fake.requests).toHaveLength(4);
  });

  it("TwelveData 200-with-error: a 401 envelope inside HTTP 200 throws a non-retryable DeskError naming the env var", async () => {
    const { fake, provider } = await setup("2024-03-20T12:00:00Z", { httpStatusMode: "always200" });
    fake.setFault({ kind: "errorEnvelope", code: 401, message: "**apikey** parameter is incorrect or not specified." });
    const error = await provider.latestClosedBar(AAPL, "1day").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "MARKET_DATA", retryable: false });
    expect((error as Error).message).toMatch(/TWELVEDATA_API_KEY/);
    expect(fake.requests).toHaveLength(1);
  });

  it("TwelveData 200-with-error: 404 is an unknown symbol, 400 'no data' an empty range, other 400s a rejected request", async () => {
    const { fake, provider } = await setup("2024-03-20T12:00:00Z", { httpStatusMode: "always200", symbols: ["AAPL"] });
    const missing = await provider.latestClosedBar(asTicker("ZZZZ"), "1day");
    expect(!missing.ok && missing.error.kind).toBe("unknown_symbol");
    const weekend = await provider.historicalBars({ symbol: AAPL, interval: "1day", startMs: ms("2024-03-16T00:00:00Z"), endMs: ms("2024-03-17T00:00:00Z") });
    expect(weekend.ok && weekend.value).toEqual([]);
    fake.setFault({ kind: "errorEnvelope", code: 414, message: "parameter too long", times: 1 });
    const rejected = await provider.latestClosedBar(AAPL, "1day");
    expect(!rejected.ok && rejected.error).toMatchObject({ kind: "request_rejected", code: 414 });
    expect(fake.requests.every((r) => r.status === 200)).toBe(true);
  });

  it("TwelveData: malformed JSON fails the call as a bad response without a retry", async () => {
    const { fake, provider } = await setup("2024-03-20T12:00:00Z");
    fake.setFault({ kind: "malformedJson", times: 1 });
    const result = await provider.latestClosedBar(AAPL, "1day");
    expect(!result.ok && result.error.kind).toBe("bad_response");
    expect(fake.requests).toHaveLength(1);
  });

  it("TwelveData: an unsupported interval or an empty range is refused before any request", async () => {
    const { fake, provider } = await setup("2024-03-20T12:00:00Z");
    const backwards = await provider.historicalBars({ symbol: AAPL, interval: "1day", startMs: ms("2024-03-10T00:00:00Z"), endMs: ms("2024-03-01T00:00:00Z") });
    expect(!backwards.ok && backwards.error.kind).toBe("bad_range");
    expect(fake.requests).toHaveLength(0);
  });
});

describe("TwelveData secrecy", () => {
  it("S1.5: the TwelveData key never appears in a log line or an error (canary), whatever fails", async () => {
    const { fake, provider, log } = await setup("2024-03-20T12:00:00Z", {}, { requestTimeoutMs: 100, retry: { maxAttempts: 2 } });
    const outcomes: unknown[] = [];
    const run = async (): Promise<void> => {
      outcomes.push(await provider.latestClosedBar(AAPL, "1min").catch((e: unknown) => e));
    };
    fake.setFault({ kind: "errorEnvelope", code: 400, message: `bad request for apikey=${KEY} (${KEY})`, times: 1 });
    await run();
    fake.setFault({ kind: "errorEnvelope", code: 401, message: `key ${KEY} is not valid`, times: 1 });
    await run();
    fake.setFault({ kind: "errorEnvelope", code: 500, message: `boom ${KEY}` });
    await run();
    fake.setFault({ kind: "slow", delayMs: 500 });
    await run();
    fake.setFault({ kind: "badBars", defect: "nanString", times: 1 });
    await run();
    fake.setFault(null);
    await run();
    const wrongKey = createProviderRegistry().create({ provider: "twelvedata", baseUrl: fake.baseUrl }, secretsOf({ TWELVEDATA_API_KEY: `${KEY}-wrong` }), {
      clock: { nowMs: () => Date.now() },
      logger: log.logger,
    });
    outcomes.push(await wrongKey.latestClosedBar(AAPL, "1day").catch((e: unknown) => e));
    await fake.close();
    outcomes.push(await provider.latestClosedBar(AAPL, "1day").catch((e: unknown) => e));

    expect(outcomes.filter((o) => o instanceof DeskError).length).toBeGreaterThanOrEqual(4);
    for (const outcome of outcomes) expect(everythingIn(outcome)).not.toContain(KEY);
    expect(log.lines.length).toBeGreaterThan(5);
    expect(log.text()).not.toContain(KEY);
    expect(everythingIn(provider)).not.toContain(KEY);
  });

  it("TwelveData: a missing key is reported by env var NAME at construction", () => {
    const { clock } = virtualTime(0);
    const build = () => createProviderRegistry().create({ provider: "twelvedata", apiKeyEnv: "MY_TD_KEY" }, secretsOf({}), { clock });
    expect(build).toThrow(/MY_TD_KEY/);
  });

  it("TwelveData: prices arrive as micros exactly as printed", async () => {
    const { provider } = await setup("2024-03-20T12:00:00Z");
    const [bar] = await bars(provider, "1day", "2024-03-12T00:00:00Z", "2024-03-13T00:00:00Z");
    expect(bar).toBeDefined();
    expect(formatMicros(bar?.close ?? 0n)).toMatch(/^\d+(\.\d{1,4})?$/);
  });
});
