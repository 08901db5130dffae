import { describe, expect, it } from "vitest";
import { asTicker, DeskError, err, ok, toMicros, type Ticker } from "@mqk/core";
import { createProviderRegistry, validateBarSeries, type Bar, type BarInterval, type MarketDataProvider, type ProviderFactory } from "@mqk/md";
import { secretsOf, virtualTime } from "./support/harness.js";

/** A provider written entirely in this test file: a new adapter plus one registration. */
const constantFeed: ProviderFactory = (settings, secrets, deps) => {
  const key = secrets.get(settings.apiKeyEnv ?? "CONSTANT_FEED_KEY");
  if (key === undefined) throw new DeskError("SECRETS_MISSING", "constant-feed: expected CONSTANT_FEED_KEY");
  const provider: MarketDataProvider = {
    name: "constant-feed",
    capabilities: { intervals: ["1day"], maxRowsPerRequest: undefined, rateLimit: undefined, remote: false },
    historicalBars: (request) => {
      const raws = [0, 1, 2].map((i) => {
        const tsMs = request.startMs + i * 86_400_000;
        return {
          symbol: request.symbol,
          interval: request.interval,
          time: new Date(tsMs).toISOString(),
          tsMs,
          open: "10",
          high: "11",
          low: "9",
          close: "10.5",
          volume: "100",
        };
      });
      const validated = validateBarSeries(raws);
      return Promise.resolve(
        validated.ok ? ok(validated.value) : err({ kind: "bad_bar", provider: "constant-feed", rejection: validated.error, message: validated.error.message }),
      );
    },
    latestClosedBar: (symbol: Ticker, interval: BarInterval) => {
      const bar: Bar = {
        symbol,
        interval,
        tsMs: deps.clock.nowMs() - 86_400_000,
        open: toMicros("10"),
        high: toMicros("11"),
        low: toMicros("9"),
        close: toMicros("10"),
        volume: 1n,
      };
      return Promise.resolve(ok(bar));
    },
  };
  return provider;
};

describe("provider registry", () => {
  it("S1.7: a provider is added by registering a factory — chosen by its config name, nothing else touched", async () => {
    const registry = createProviderRegistry();
    registry.registerProvider("constant-feed", constantFeed);
    const { clock } = virtualTime(Date.UTC(2024, 2, 20));
    const provider = registry.create({ provider: "constant-feed" }, secretsOf({ CONSTANT_FEED_KEY: "x-key" }), { clock });
    expect(provider.name).toBe("constant-feed");
    const bars = await provider.historicalBars({ symbol: asTicker("MSFT"), interval: "1day", startMs: Date.UTC(2024, 2, 1), endMs: Date.UTC(2024, 2, 4) });
    expect(bars.ok && bars.value.map((b) => b.close)).toEqual([10_500_000n, 10_500_000n, 10_500_000n]);
    expect(registry.names()).toEqual(["constant-feed", "csv", "fmp", "twelvedata"]);
  });

  it("S1.7: the built-in registry has twelvedata, fmp and csv; registries do not share state", () => {
    const first = createProviderRegistry();
    const second = createProviderRegistry();
    first.registerProvider("constant-feed", constantFeed);
    expect(second.names()).toEqual(["csv", "fmp", "twelvedata"]);
    expect(createProviderRegistry({ builtIns: false }).names()).toEqual([]);
  });

  it("S1.7: an unknown provider name, a taken name or a bad name is refused with the choices listed", () => {
    const registry = createProviderRegistry();
    const { clock } = virtualTime(0);
    expect(() => registry.create({ provider: "polygon" }, secretsOf({}), { clock })).toThrow(/expected one of csv, fmp, twelvedata, found "polygon"/);
    expect(() => registry.registerProvider("twelvedata", constantFeed)).toThrow(/already registered/);
    expect(() => registry.registerProvider("Bad Name", constantFeed)).toThrow(/lower-case name/);
  });

  it("S1.7: a factory that builds a provider under another name is refused", () => {
    const registry = createProviderRegistry({ builtIns: false });
    registry.registerProvider("alias", constantFeed);
    const { clock } = virtualTime(0);
    expect(() => registry.create({ provider: "alias" }, secretsOf({ CONSTANT_FEED_KEY: "k" }), { clock })).toThrow(/built a provider named "constant-feed"/);
  });

  it("S1.7: each built-in is created by name from settings", () => {
    const registry = createProviderRegistry();
    const { clock } = virtualTime(0);
    const secrets = secretsOf({ TWELVEDATA_API_KEY: "a", FMP_API_KEY: "b" });
    expect(registry.create({ provider: "twelvedata" }, secrets, { clock }).capabilities.rateLimit).toEqual({ perMinute: 8, perDay: 800 });
    expect(registry.create({ provider: "twelvedata", plan: "pro" }, secrets, { clock }).capabilities.rateLimit).toEqual({ perMinute: 610 });
    expect(registry.create({ provider: "fmp" }, secrets, { clock }).capabilities.intervals).toEqual(["1day"]);
    expect(registry.create({ provider: "csv", csvDir: "data" }, secrets, { clock }).capabilities.remote).toBe(false);
  });
});
