import { afterEach, describe, expect, it } from "vitest";
import { asTicker, DeskError } from "@mqk/core";
import { createProviderRegistry, type MarketDataProvider } from "@mqk/md";
import { startFakeFmp, type FakeFmp, type FakeFmpOptions } from "@mqk/testkit";
import { captureLogger, everythingIn, ms, secretsOf, virtualTime } from "./support/harness.js";

const KEY = "fmp-canary-8d21b6e4a0";
const MSFT = asTicker("MSFT");
const fakes: FakeFmp[] = [];

afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function setup(path: "" | "/api/v3", fakeOptions: Partial<FakeFmpOptions> = {}) {
  const time = virtualTime(ms("2024-03-20T12:00:00Z"));
  const fake = await startFakeFmp({ apiKey: KEY, clock: time.clock, ...fakeOptions });
  fakes.push(fake);
  const log = captureLogger();
  const provider = createProviderRegistry().create({ provider: "fmp", baseUrl: `${fake.baseUrl}${path}` }, secretsOf({ FMP_API_KEY: KEY }), {
    clock: time.clock,
    sleep: time.sleep,
    logger: log.logger,
  });
  return { ...time, fake, provider, log };
}

const range = { symbol: MSFT, interval: "1day" as const, startMs: ms("2024-03-04T00:00:00Z"), endMs: ms("2024-03-16T00:00:00Z") };

async function closes(provider: MarketDataProvider): Promise<bigint[]> {
  const result = await provider.historicalBars(range);
  if (!result.ok) throw new Error(result.error.message);
  return result.value.map((bar) => bar.close);
}

describe("FMP adapter", () => {
  it("FMP both shapes: the stable bare array and the legacy {historical} object give the same bars, oldest first", async () => {
    const stable = await setup("");
    const result = await stable.provider.historicalBars(range);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.map((b) => new Date(b.tsMs).toISOString().slice(0, 10))).toEqual([
      "2024-03-04",
      "2024-03-05",
      "2024-03-06",
      "2024-03-07",
      "2024-03-08",
      "2024-03-11",
      "2024-03-12",
      "2024-03-13",
      "2024-03-14",
      "2024-03-15",
    ]);
    expect(stable.fake.requests[0]?.path).toBe("/stable/historical-price-eod/full");
    const legacy = await setup("/api/v3");
    expect(await closes(legacy.provider)).toEqual(result.value.map((b) => b.close));
    expect(legacy.fake.requests[0]?.path).toBe("/api/v3/historical-price-full/MSFT");
  });

  it("FMP both shapes: either body on either path is accepted (clients are defensive, as the brief says)", async () => {
    const stable = await setup("", { shape: "historical" });
    const legacy = await setup("/api/v3", { shape: "array" });
    expect(await closes(stable.provider)).toEqual(await closes(legacy.provider));
  });

  it("FMP: an object with no data array is an error, even with HTTP 200", async () => {
    const { fake, provider } = await setup("/api/v3", { symbols: ["MSFT"] });
    const unknown = await provider.historicalBars({ ...range, symbol: asTicker("NOPE") });
    expect(!unknown.ok && unknown.error.kind).toBe("bad_response");
    fake.setFault({ kind: "errorEnvelope", message: "Something odd happened", times: 1 });
    const odd = await provider.historicalBars(range);
    expect(!odd.ok && odd.error.kind).toBe("request_rejected");
  });

  it("FMP: 'Invalid API KEY' is a non-retryable DeskError naming the env var; 'Limit Reach' waits for the next day", async () => {
    const { fake, provider } = await setup("");
    fake.setFault({ kind: "errorEnvelope", message: "Invalid API KEY. Feel free to create a Free API Key", times: 1 });
    const refused = await provider.historicalBars(range).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "MARKET_DATA", retryable: false });
    expect((refused as Error).message).toMatch(/FMP_API_KEY/);
    fake.setFault({ kind: "errorEnvelope", message: "Limit Reach . Please upgrade your plan", times: 1 });
    const limited = await provider.historicalBars(range).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(DeskError);
    expect(limited).toMatchObject({ retryable: true });
    expect((limited as Error).message).toMatch(/used up until 2024-03-21T00:00:00/);
  });

  it("FMP retries: 429 and 5xx are retried, then success", async () => {
    const { fake, provider } = await setup("");
    fake.setFault([
      { kind: "serverError", status: 500, times: 1 },
      { kind: "rateLimited", times: 1 },
    ]);
    expect(await closes(provider)).toHaveLength(10);
    expect(fake.requests.map((r) => r.status)).toEqual([500, 429, 200]);
  });

  it("S1.5: the FMP key (a query parameter FMP requires) never appears in a log line or an error", async () => {
    const { fake, provider, log } = await setup("");
    const outcomes: unknown[] = [];
    const run = async (): Promise<void> => {
      outcomes.push(await provider.historicalBars(range).catch((e: unknown) => e));
    };
    fake.setFault({ kind: "errorEnvelope", message: `Invalid API KEY ${KEY}`, times: 1 });
    await run();
    fake.setFault({ kind: "errorEnvelope", message: `odd apikey=${KEY}`, times: 1 });
    await run();
    fake.setFault({ kind: "malformedJson", times: 1 });
    await run();
    fake.setFault({ kind: "badBars", defect: "highBelowLow", times: 1 });
    await run();
    fake.setFault({ kind: "serverError" });
    await run();
    await fake.close();
    await run();
    expect(outcomes.filter((o) => o instanceof DeskError)).toHaveLength(4); // two refusals, 5xx exhausted, connection refused
    for (const outcome of outcomes) expect(everythingIn(outcome)).not.toContain(KEY);
    expect(log.lines.length).toBeGreaterThan(3);
    expect(log.text()).not.toContain(KEY);
    expect(fake.requests.every((r) => r.query["apikey"] === KEY)).toBe(true);
  });

  it("FMP latest closed bar: today's bar is not closed yet", async () => {
    const { provider } = await setup("");
    const latest = await provider.latestClosedBar(MSFT, "1day");
    expect(latest.ok && new Date(latest.value.tsMs).toISOString()).toBe("2024-03-19T00:00:00.000Z");
    const intraday = await provider.latestClosedBar(MSFT, "1min");
    expect(!intraday.ok && intraday.error.kind).toBe("unsupported_interval");
  });
});
