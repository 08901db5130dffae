/**
 * Contract and property tests of @mqk/portfolio through its public entry only.
 */
import { asTicker, divRound, type Micros, type Shares, type Ticker } from "@mqk/core";
import {
  AVG_COST_ROUNDING,
  applyFill,
  applyFills,
  emptyPortfolio,
  hasAppliedFill,
  markToMarket,
  portfolioFromParts,
  type Fill,
  type Portfolio,
  type PortfolioMarks,
} from "@mqk/portfolio";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const TICKERS = [asTicker("AAPL"), asTicker("MSFT"), asTicker("SPY")] as const;
const START_CASH = 1_000_000_000_000n as Micros; // $1M

const arbTicker = fc.constantFrom(...TICKERS);
const arbSide = fc.constantFrom("buy" as const, "sell" as const);
const arbQty = fc.bigInt({ min: 1n, max: 500n });
const arbPrice = fc.bigInt({ min: 1n, max: 2_000_000_000n }); // up to $2000
const arbFee = fc.bigInt({ min: 0n, max: 5_000_000n });

interface FillSpec {
  readonly ticker: Ticker;
  readonly side: "buy" | "sell";
  readonly qty: bigint;
  readonly price: bigint;
  readonly fee: bigint;
}
const arbFillSpec: fc.Arbitrary<FillSpec> = fc.record({ ticker: arbTicker, side: arbSide, qty: arbQty, price: arbPrice, fee: arbFee });

let seq = 0;
const toFill = (s: FillSpec): Fill => ({
  fillId: `fill-${String(++seq)}`,
  ticker: s.ticker,
  side: s.side,
  qtyShares: s.qty as Shares,
  priceMicros: s.price as Micros,
  feeMicros: s.fee as Micros,
});

function marksOf(p: Portfolio, prices: ReadonlyMap<Ticker, Micros>): PortfolioMarks {
  const r = markToMarket(p, prices);
  if (!r.ok) throw new Error(`unexpected missing prices ${r.error.tickers.join(",")}`);
  return r.value;
}

function collectLeafTypes(value: unknown, out: Set<string>, seen = new Set<unknown>()): Set<string> {
  if (value === null || value === undefined) return out;
  if (typeof value !== "object") {
    out.add(typeof value);
    return out;
  }
  if (seen.has(value)) return out;
  seen.add(value);
  const children = value instanceof Map ? [...value.values()] : Array.isArray(value) ? value : Object.values(value);
  for (const child of children) collectLeafTypes(child, out, seen);
  return out;
}

describe("portfolio transitions", () => {
  it("fees reduce cash and realised PnL", () => {
    const p = applyFill(emptyPortfolio(START_CASH), {
      fillId: "a",
      ticker: TICKERS[0],
      side: "buy",
      qtyShares: 10n as Shares,
      priceMicros: 100_000_000n as Micros,
      feeMicros: 1_500_000n as Micros,
    });
    expect(p.cashMicros).toBe(START_CASH - 1_000_000_000n - 1_500_000n);
    expect(p.realisedPnlMicros).toBe(-1_500_000n);
    expect(p.feesMicros).toBe(1_500_000n);
  });

  it("D2: applying the same fill id twice is an InvariantError", () => {
    const f: Fill = { fillId: "dup-1", ticker: TICKERS[0], side: "buy", qtyShares: 1n as Shares, priceMicros: 1n as Micros, feeMicros: 0n as Micros };
    const once = applyFill(emptyPortfolio(START_CASH), f);
    expect(hasAppliedFill(once, "dup-1")).toBe(true);
    expect(() => applyFill(once, f)).toThrowError(expect.objectContaining({ name: "InvariantError" }) as Error);
    expect(() => applyFill(once, { ...f, side: "sell" })).toThrow(/already applied/);
  });

  it("malformed fills are invariant errors", () => {
    const base: Fill = { fillId: "x", ticker: TICKERS[0], side: "buy", qtyShares: 1n as Shares, priceMicros: 1n as Micros, feeMicros: 0n as Micros };
    const bad: Fill[] = [
      { ...base, fillId: "" },
      { ...base, qtyShares: 0n as Shares },
      { ...base, qtyShares: -1n as Shares },
      { ...base, priceMicros: 0n as Micros },
      { ...base, feeMicros: -1n as Micros },
      { ...base, priceMicros: 1.5 as unknown as Micros },
    ];
    for (const f of bad) expect(() => applyFill(emptyPortfolio(START_CASH), f)).toThrow(/invariant broken/);
  });

  it("is immutable: the old state is unchanged after a fill", () => {
    const p0 = emptyPortfolio(START_CASH);
    const p1 = applyFill(p0, {
      fillId: "i1",
      ticker: TICKERS[1],
      side: "sell",
      qtyShares: 3n as Shares,
      priceMicros: 5_000_000n as Micros,
      feeMicros: 0n as Micros,
    });
    expect(p0.positions.size).toBe(0);
    expect(p0.cashMicros).toBe(START_CASH);
    expect(hasAppliedFill(p0, "i1")).toBe(false);
    expect(p1.positions.get(TICKERS[1])?.qtyShares).toBe(-3n);
    expect(Object.isFrozen(p1)).toBe(true);
  });

  it("marks a long and a short: unrealised, gross, net, equity", () => {
    const p = applyFills(emptyPortfolio(START_CASH), [
      { fillId: "m1", ticker: TICKERS[0], side: "buy", qtyShares: 10n as Shares, priceMicros: 100_000_000n as Micros, feeMicros: 0n as Micros },
      { fillId: "m2", ticker: TICKERS[1], side: "sell", qtyShares: 5n as Shares, priceMicros: 200_000_000n as Micros, feeMicros: 0n as Micros },
    ]);
    const m = marksOf(
      p,
      new Map([
        [TICKERS[0], 110_000_000n as Micros],
        [TICKERS[1], 190_000_000n as Micros],
      ]),
    );
    expect(m.unrealisedPnlMicros).toBe(100_000_000n + 50_000_000n);
    expect(m.grossExposureMicros).toBe(1_100_000_000n + 950_000_000n);
    expect(m.netExposureMicros).toBe(1_100_000_000n - 950_000_000n);
    expect(m.equityMicros).toBe(START_CASH + 150_000_000n);
    expect(m.totalPnlMicros).toBe(150_000_000n);
  });

  it("a position without a price is not valued: the marks name the missing tickers", () => {
    const p = applyFill(emptyPortfolio(START_CASH), {
      fillId: "n1",
      ticker: TICKERS[2],
      side: "buy",
      qtyShares: 1n as Shares,
      priceMicros: 1n as Micros,
      feeMicros: 0n as Micros,
    });
    expect(markToMarket(p, new Map())).toEqual({ ok: false, error: { kind: "missing_price", tickers: [TICKERS[2]] } });
  });

  it("portfolioFromParts round-trips a state", () => {
    const p = applyFills(emptyPortfolio(START_CASH), [
      toFill({ ticker: TICKERS[0], side: "buy", qty: 7n, price: 3n, fee: 1n }),
      toFill({ ticker: TICKERS[1], side: "sell", qty: 2n, price: 9n, fee: 0n }),
    ]);
    const q = portfolioFromParts({
      cashMicros: p.cashMicros,
      positions: [...p.positions.values()],
      realisedPnlMicros: p.realisedPnlMicros,
      feesMicros: p.feesMicros,
      appliedFillIds: p.appliedFillIds.toArray(),
    });
    expect(q).toEqual(p);
  });
});

describe("portfolio properties (fast-check)", () => {
  it("conservation: equity change equals price moves on held shares minus fees", () => {
    type Step = { kind: "move"; ticker: Ticker; price: bigint } | { kind: "fill"; ticker: Ticker; side: "buy" | "sell"; qty: bigint; fee: bigint };
    const arbStep: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant("move" as const), ticker: arbTicker, price: arbPrice }),
      fc.record({ kind: fc.constant("fill" as const), ticker: arbTicker, side: arbSide, qty: arbQty, fee: arbFee }),
    );
    fc.assert(
      fc.property(fc.tuple(arbPrice, arbPrice, arbPrice), fc.array(arbStep, { maxLength: 60 }), (initial, steps) => {
        const prices = new Map<Ticker, Micros>(TICKERS.map((t, i) => [t, initial[i] as Micros]));
        let p = emptyPortfolio(START_CASH);
        const equity0 = marksOf(p, prices).equityMicros;
        let expected = 0n;
        for (const step of steps) {
          if (step.kind === "move") {
            const old = prices.get(step.ticker) ?? 0n;
            expected += (p.positions.get(step.ticker)?.qtyShares ?? 0n) * (step.price - old);
            prices.set(step.ticker, step.price as Micros);
          } else {
            // a fill at the current mark changes equity by −fee only
            p = applyFill(p, toFill({ ticker: step.ticker, side: step.side, qty: step.qty, price: prices.get(step.ticker) ?? 1n, fee: step.fee }));
            expected -= step.fee;
          }
          expect(marksOf(p, prices).equityMicros - equity0).toBe(expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("realised + unrealised = equity − start cash, and cash + cost bases = start cash + realised, exactly", () => {
    fc.assert(
      fc.property(fc.array(arbFillSpec, { maxLength: 60 }), fc.tuple(arbPrice, arbPrice, arbPrice), (specs, marks) => {
        const p = applyFills(emptyPortfolio(START_CASH), specs.map(toFill));
        const m = marksOf(p, new Map(TICKERS.map((t, i) => [t, marks[i] as Micros])));
        expect(m.realisedPnlMicros + m.unrealisedPnlMicros).toBe(m.equityMicros - START_CASH);
        const costBases = [...p.positions.values()].reduce((s, x) => s + x.costBasisMicros, 0n);
        expect(p.cashMicros + costBases).toBe(START_CASH + p.realisedPnlMicros);
        expect(p.feesMicros).toBe(specs.reduce((s, x) => s + x.fee, 0n));
        for (const x of p.positions.values()) {
          expect(x.qtyShares).not.toBe(0n);
          expect(x.costBasisMicros > 0n).toBe(x.qtyShares > 0n);
          const abs = (v: bigint): bigint => (v < 0n ? -v : v);
          expect(x.avgCostMicros).toBe(divRound(abs(x.costBasisMicros), abs(x.qtyShares), AVG_COST_ROUNDING));
        }
        // each ticker's qty is the signed sum of its fills
        for (const t of TICKERS) {
          const q = specs.filter((s) => s.ticker === t).reduce((s, x) => s + (x.side === "buy" ? x.qty : -x.qty), 0n);
          expect(p.positions.get(t)?.qtyShares ?? 0n).toBe(q);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("any split of the same fill gives the same position, average cost, realised PnL and cash", () => {
    const arbSplit = fc.array(fc.bigInt({ min: 1n, max: 200n }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(fc.array(arbFillSpec, { maxLength: 20 }), arbTicker, arbSide, arbPrice, arbSplit, arbFee, (history, ticker, side, price, parts, fee) => {
        const start = applyFills(emptyPortfolio(START_CASH), history.map(toFill));
        const total = parts.reduce((s, x) => s + x, 0n);
        const whole = applyFill(start, toFill({ ticker, side, qty: total, price, fee }));
        // fees split too: all on the first piece, the rest free (any split of the fee sums the same)
        const split = applyFills(
          start,
          parts.map((qty, i) => toFill({ ticker, side, qty, price, fee: i === 0 ? fee : 0n })),
        );
        expect(split.positions).toEqual(whole.positions);
        expect(split.realisedPnlMicros).toBe(whole.realisedPnlMicros);
        expect(split.cashMicros).toBe(whole.cashMicros);
      }),
      { numRuns: 400 },
    );
  });

  it("no float anywhere: every number in a state and its marks is a bigint", () => {
    fc.assert(
      fc.property(fc.array(arbFillSpec, { maxLength: 30 }), fc.tuple(arbPrice, arbPrice, arbPrice), (specs, marks) => {
        const p = applyFills(emptyPortfolio(START_CASH), specs.map(toFill));
        const m = marksOf(p, new Map(TICKERS.map((t, i) => [t, marks[i] as Micros])));
        const leaves = collectLeafTypes({ cash: p.cashMicros, positions: p.positions, realised: p.realisedPnlMicros, fees: p.feesMicros, marks: m }, new Set());
        expect([...leaves].filter((t) => t !== "bigint" && t !== "string")).toEqual([]);
        expect(leaves.has("bigint")).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
