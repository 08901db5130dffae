/**
 * Risk limits, structurally the config's risk section. Counts arrive as
 * `number` (from the config file) and are normalised here once (A5); amounts
 * are already Micros. A limit that makes no sense stops construction: trading
 * with a misread limit would be guessing towards "allowed".
 */
import { DeskError, toShares, type Micros, type Shares } from "@mqk/core";

export interface RiskLimits {
  /** R1: largest quantity of one order, shares (a number, or the config's Shares). */
  readonly maxOrderQty: number | bigint;
  /** R1: largest notional of one order. */
  readonly maxOrderNotional: Micros;
  /** R1: how far (basis points) an order's price may sit from the last trusted price. */
  readonly priceCollarBps: number;
  /** R2: largest absolute position per symbol after the trade, shares (number or Shares). */
  readonly maxPositionQty: number | bigint;
  /** R2: largest gross exposure (Σ |qty| × price) after the trade. */
  readonly maxGrossExposure: Micros;
  /** R3: largest loss (realised + unrealised) since the start of the trading day. */
  readonly dailyLossLimit: Micros;
  /** R3: most orders approved in any rolling 60 seconds. */
  readonly maxOrdersPerMinute: number;
}

/** The limits in the units the checks use. */
export interface NormalisedLimits {
  readonly maxOrderQtyShares: Shares;
  readonly maxOrderNotionalMicros: Micros;
  readonly priceCollarBps: bigint;
  readonly maxPositionShares: Shares;
  readonly maxGrossExposureMicros: Micros;
  readonly dailyLossLimitMicros: Micros;
  readonly maxOrdersPerMinute: number;
}

function positiveCount(value: number, field: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw new DeskError("CONFIG_INVALID", `risk.${field}: expected a whole number > 0, found ${String(value)}; fix the risk section of the config`);
  }
  return value;
}

function positiveShares(value: number | bigint, field: string): Shares {
  if (typeof value === "bigint") {
    if (value <= 0n)
      throw new DeskError("CONFIG_INVALID", `risk.${field}: expected whole shares > 0, found ${String(value)}; fix the risk section of the config`);
    return toShares(value, { sign: "positive", field: `risk.${field}` });
  }
  return toShares(positiveCount(value, field), { sign: "positive", field: `risk.${field}` });
}

function positiveMicros(value: Micros, field: string): Micros {
  if (typeof value !== "bigint" || value <= 0n) {
    throw new DeskError("CONFIG_INVALID", `risk.${field}: expected micros (bigint) > 0, found ${String(value)}; fix the risk section of the config`);
  }
  return value;
}

export function normaliseLimits(limits: RiskLimits): NormalisedLimits {
  const collar = positiveCount(limits.priceCollarBps, "priceCollarBps");
  if (collar > 10_000) throw new DeskError("CONFIG_INVALID", `risk.priceCollarBps: expected at most 10000 (100%), found ${String(collar)}`);
  return Object.freeze({
    maxOrderQtyShares: positiveShares(limits.maxOrderQty, "maxOrderQty"),
    maxOrderNotionalMicros: positiveMicros(limits.maxOrderNotional, "maxOrderNotional"),
    priceCollarBps: BigInt(collar),
    maxPositionShares: positiveShares(limits.maxPositionQty, "maxPositionQty"),
    maxGrossExposureMicros: positiveMicros(limits.maxGrossExposure, "maxGrossExposure"),
    dailyLossLimitMicros: positiveMicros(limits.dailyLossLimit, "dailyLossLimit"),
    maxOrdersPerMinute: positiveCount(limits.maxOrdersPerMinute, "maxOrdersPerMinute"),
  });
}
