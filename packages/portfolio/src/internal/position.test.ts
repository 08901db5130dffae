import { asTicker, toMicros, toShares, type Micros, type Shares } from "@mqk/core";
import { describe, expect, it } from "vitest";
import type { Fill } from "./fill.js";
import { applyFillToPosition, averageCost, positionFromParts, type Position } from "./position.js";

const T = asTicker("AAPL");
const usd = (v: string): Micros => toMicros(v);
const sh = (v: number): Shares => toShares(Math.abs(v), { sign: "nonNegative" });
const pos = (qty: number, costUsd: string): Position | undefined =>
  positionFromParts(T, BigInt(qty) as Shares, (usd(costUsd.replace("-", "")) * (qty < 0 ? -1n : 1n)) as Micros);
let n = 0;
const fill = (side: "buy" | "sell", qty: number, priceUsd: string, feeUsd = "0"): Fill => ({
  fillId: `f${String(++n)}`,
  ticker: T,
  side,
  qtyShares: sh(qty),
  priceMicros: usd(priceUsd),
  feeMicros: usd(feeUsd),
});

interface Row {
  readonly name: string;
  readonly before: Position | undefined;
  readonly fill: Fill;
  readonly qty: bigint;
  readonly costBasis: string; // USD, signed
  readonly avg: string | undefined;
  readonly realised: string;
  readonly cash: string;
}

const signedUsd = (v: string): bigint => (v.startsWith("-") ? 0n - usd(v.slice(1)) : usd(v));

const rows: readonly Row[] = [
  { name: "open long", before: undefined, fill: fill("buy", 10, "100", "1"), qty: 10n, costBasis: "1000", avg: "100", realised: "0", cash: "-1001" },
  {
    name: "add to long moves the average",
    before: pos(10, "1000"),
    fill: fill("buy", 5, "106"),
    qty: 15n,
    costBasis: "1530",
    avg: "102",
    realised: "0",
    cash: "-530",
  },
  {
    name: "reduce long realises on the sold part only",
    before: pos(15, "1530"),
    fill: fill("sell", 5, "110", "0.5"),
    qty: 10n,
    costBasis: "1020",
    avg: "102",
    realised: "40",
    cash: "549.5",
  },
  {
    name: "close long at a loss",
    before: pos(10, "1020"),
    fill: fill("sell", 10, "99"),
    qty: 0n,
    costBasis: "0",
    avg: undefined,
    realised: "-30",
    cash: "990",
  },
  {
    name: "flip long to short in one fill",
    before: pos(10, "1000"),
    fill: fill("sell", 15, "110"),
    qty: -5n,
    costBasis: "-550",
    avg: "110",
    realised: "100",
    cash: "1650",
  },
  { name: "open short receives cash", before: undefined, fill: fill("sell", 10, "50"), qty: -10n, costBasis: "-500", avg: "50", realised: "0", cash: "500" },
  {
    name: "add to short moves the average",
    before: pos(-10, "-500"),
    fill: fill("sell", 10, "60"),
    qty: -20n,
    costBasis: "-1100",
    avg: "55",
    realised: "0",
    cash: "600",
  },
  {
    name: "cover part of a short at a profit",
    before: pos(-20, "-1100"),
    fill: fill("buy", 5, "45"),
    qty: -15n,
    costBasis: "-825",
    avg: "55",
    realised: "50",
    cash: "-225",
  },
  {
    name: "close short at a loss",
    before: pos(-15, "-825"),
    fill: fill("buy", 15, "60"),
    qty: 0n,
    costBasis: "0",
    avg: undefined,
    realised: "-75",
    cash: "-900",
  },
  {
    name: "flip short to long in one fill",
    before: pos(-5, "-500"),
    fill: fill("buy", 8, "90", "0.01"),
    qty: 3n,
    costBasis: "270",
    avg: "90",
    realised: "50",
    cash: "-720.01",
  },
  {
    name: "close exactly removes the whole cost basis (no rounding)",
    before: pos(3, "0.000302"),
    fill: fill("sell", 3, "0.000110"),
    qty: 0n,
    costBasis: "0",
    avg: undefined,
    realised: "0.000028",
    cash: "0.00033",
  },
  {
    name: "partial reduce keeps the HALF_EVEN average (302/3 → 101)",
    before: pos(3, "0.000302"),
    fill: fill("sell", 1, "0.000110"),
    qty: 2n,
    costBasis: "0.000202",
    avg: "0.000101",
    realised: "0.00001",
    cash: "0.00011",
  },
];

describe("applyFillToPosition: every transition", () => {
  it.each(rows)("$name", (row) => {
    const change = applyFillToPosition(row.before, row.fill);
    expect(change.position?.qtyShares ?? 0n).toBe(row.qty);
    expect(change.position?.costBasisMicros ?? 0n).toBe(signedUsd(row.costBasis));
    expect(change.position?.avgCostMicros).toBe(row.avg === undefined ? undefined : usd(row.avg));
    expect(change.realisedMicros).toBe(signedUsd(row.realised));
    expect(change.cashDeltaMicros).toBe(signedUsd(row.cash));
  });

  it("a fill for another ticker is an invariant error", () => {
    const other = { ...fill("buy", 1, "1"), ticker: asTicker("MSFT") };
    expect(() => applyFillToPosition(pos(1, "1"), other)).toThrow(/invariant broken.*MSFT/);
  });
});

describe("averageCost rounds HALF_EVEN", () => {
  it.each([
    [2n, 5n, 2n], // 2.5 → 2
    [2n, 7n, 4n], // 3.5 → 4
    [3n, 302n, 101n], // 100.67 → 101
    [-3n, -301n, 100n], // shorts use magnitudes: 100.33 → 100
  ])("qty %s cost %s → %s", (qty, cost, avg) => {
    expect(averageCost(qty, cost)).toBe(avg);
  });

  it("positionFromParts refuses a cost basis with the wrong sign or a flat position with cost", () => {
    expect(() => positionFromParts(T, 5n as Shares, -5n as Micros)).toThrow(/sign of qty/);
    expect(() => positionFromParts(T, 0n as Shares, 5n as Micros)).toThrow(/flat/);
    expect(positionFromParts(T, 0n as Shares, 0n as Micros)).toBeUndefined();
  });
});
