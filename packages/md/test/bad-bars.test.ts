import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asTicker } from "@mqk/core";
import { createProviderRegistry, type BarRejectReason, type MarketDataProvider } from "@mqk/md";
import { badBarDefects, startFakeFmp, startFakeTwelveData, type BadBarDefect, type FakeFmp, type FakeTwelveData } from "@mqk/testkit";
import { ms, secretsOf, virtualTime } from "./support/harness.js";

const expected: Record<Exclude<BadBarDefect, "gap">, { field: string; reason: BarRejectReason }> = {
  nanString: { field: "close", reason: "not_a_number" },
  infinity: { field: "high", reason: "not_finite" },
  negativePrice: { field: "low", reason: "not_positive" },
  zeroPrice: { field: "open", reason: "not_positive" },
  emptyPrice: { field: "open", reason: "missing" },
  highBelowLow: { field: "high", reason: "high_below_open_or_close" },
  highBelowClose: { field: "high", reason: "high_below_open_or_close" },
  lowAboveOpen: { field: "low", reason: "low_above_open_or_close" },
  negativeVolume: { field: "volume", reason: "negative" },
  fractionalVolume: { field: "volume", reason: "not_whole" },
  duplicate: { field: "timestamp", reason: "duplicate_timestamp" },
  outOfOrder: { field: "timestamp", reason: "timestamp_not_increasing" },
  badDatetime: { field: "timestamp", reason: "bad_timestamp" },
};

const AAPL = asTicker("AAPL");
const request = { symbol: AAPL, interval: "1day" as const, startMs: ms("2024-03-04T00:00:00Z"), endMs: ms("2024-03-16T00:00:00Z") };

let td: FakeTwelveData;
let fmp: FakeFmp;
let tdProvider: MarketDataProvider;
let fmpProvider: MarketDataProvider;

beforeAll(async () => {
  const { clock, sleep } = virtualTime(ms("2024-03-20T12:00:00Z"));
  td = await startFakeTwelveData({ apiKey: "td-key", clock, creditsPerMinute: 1000, creditsPerDay: 100_000 });
  fmp = await startFakeFmp({ apiKey: "fmp-key", clock });
  const secrets = secretsOf({ TWELVEDATA_API_KEY: "td-key", FMP_API_KEY: "fmp-key" });
  const registry = createProviderRegistry();
  tdProvider = registry.create({ provider: "twelvedata", baseUrl: td.baseUrl, plan: "enterprise" }, secrets, { clock, sleep });
  fmpProvider = registry.create({ provider: "fmp", baseUrl: fmp.baseUrl, plan: "pro" }, secrets, { clock, sleep });
});

afterAll(async () => {
  await Promise.all([td.close(), fmp.close()]);
});

describe("A5: malformed bars from a provider never reach the caller", () => {
  for (const [name, provider, fake] of [
    ["twelvedata", () => tdProvider, () => td],
    ["fmp", () => fmpProvider, () => fmp],
  ] as const) {
    for (const defect of badBarDefects) {
      if (defect === "gap") continue;
      it(`A5: ${name} bad-data mode "${defect}" is rejected as ${expected[defect].reason} on ${expected[defect].field}, naming symbol and time`, async () => {
        fake().setFault({ kind: "badBars", defect, times: 1 });
        const result = await provider().historicalBars(request);
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.error.kind).toBe("bad_bar");
        if (result.error.kind !== "bad_bar") return;
        const rejection = result.error.rejection;
        expect({ field: rejection.field, reason: rejection.reason }).toEqual(expected[defect]);
        expect(rejection.symbol).toBe("AAPL");
        expect(rejection.time).toMatch(/^2024-/);
        expect(result.error.message).toContain("AAPL 2024-");
        expect(result.error.message).toContain(`${rejection.field}: expected`);
        expect("value" in result).toBe(false);
      });
    }

    it(`A5: ${name} gaps are passed through as gaps — never filled, never repaired`, async () => {
      fake().setFault(null);
      const whole = await provider().historicalBars(request);
      fake().setFault({ kind: "badBars", defect: "gap", times: 1 });
      const gapped = await provider().historicalBars(request);
      if (!whole.ok || !gapped.ok) throw new Error("expected both calls to succeed");
      expect(gapped.value).toHaveLength(whole.value.length - 1);
      const kept = new Set(gapped.value.map((b) => b.tsMs));
      const missing = whole.value.filter((b) => !kept.has(b.tsMs));
      expect(missing).toHaveLength(1);
      expect(gapped.value).toEqual(whole.value.filter((b) => b.tsMs !== missing[0]?.tsMs));
    });
  }
});
