import { toMicros, type Micros } from "@mqk/core";
import { describe, expect, it } from "vitest";
import { normaliseLimits, type RiskLimits } from "./limits.js";

const good: RiskLimits = {
  maxOrderQty: 10,
  maxOrderNotional: toMicros("1000"),
  priceCollarBps: 100,
  maxPositionQty: 20,
  maxGrossExposure: toMicros("5000"),
  dailyLossLimit: toMicros("100"),
  maxOrdersPerMinute: 3,
};

describe("normaliseLimits", () => {
  it("normalises counts to shares and keeps micros", () => {
    expect(normaliseLimits(good)).toEqual({
      maxOrderQtyShares: 10n,
      maxOrderNotionalMicros: 1_000_000_000n,
      priceCollarBps: 100n,
      maxPositionShares: 20n,
      maxGrossExposureMicros: 5_000_000_000n,
      dailyLossLimitMicros: 100_000_000n,
      maxOrdersPerMinute: 3,
    });
  });

  it("accepts share counts given as bigint (the config's Shares)", () => {
    expect(normaliseLimits({ ...good, maxOrderQty: 7n, maxPositionQty: 9n }).maxPositionShares).toBe(9n);
  });

  it.each([
    ["maxOrderQty", { maxOrderQty: 0 }],
    ["maxOrderQty", { maxOrderQty: 1.5 }],
    ["maxPositionQty", { maxPositionQty: Number.NaN }],
    ["priceCollarBps", { priceCollarBps: 0 }],
    ["priceCollarBps", { priceCollarBps: 10_001 }],
    ["maxOrdersPerMinute", { maxOrdersPerMinute: Number.POSITIVE_INFINITY }],
    ["dailyLossLimit", { dailyLossLimit: 0n as Micros }],
    ["maxGrossExposure", { maxGrossExposure: -1n as Micros }],
    ["maxOrderNotional", { maxOrderNotional: 5 as unknown as Micros }],
  ] as const)("refuses a bad %s (fail closed at construction)", (name, patch) => {
    expect(() => normaliseLimits({ ...good, ...patch })).toThrow(new RegExp(`risk\\.${name}`));
  });
});
