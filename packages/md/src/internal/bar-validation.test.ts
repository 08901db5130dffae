import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NormalisationError, toMicros, toShares, type Micros } from "@mqk/core";
import { normaliseBar, validateBarSeries, type BarRejectReason, type RawBar } from "./bar-validation.js";

const priceText = fc.oneof(
  fc.integer({ min: 1, max: 99_999_999 }).map((cents) => `${String(Math.floor(cents / 100))}.${String(cents % 100).padStart(2, "0")}`),
  fc.double({ noDefaultInfinity: false, noNaN: false }),
  fc.constantFrom("NaN", "Infinity", "-1", "0", "0.0000001", "1e3", "abc", "", " 5", "1.2.3", "-0"),
  fc.string({ maxLength: 8 }),
);
const volumeText = fc.oneof(fc.nat().map(String), fc.constantFrom("-5", "1.5", "NaN", "", "1e2", "0"), fc.double());
const rawBar = fc.record({
  symbol: fc.constantFrom("AAPL", "BRK.B", "aapl", "", "TOO_LONG_TICKER"),
  open: priceText,
  high: priceText,
  low: priceText,
  close: priceText,
  volume: volumeText,
  tsMs: fc.oneof(fc.integer({ min: 0, max: 2 ** 42 }), fc.constant(undefined)),
});

type Oracle = { ok: true; values: [Micros, Micros, Micros, Micros, bigint] } | { ok: false; field: string; reason: BarRejectReason };

/** The rules of bar-validation, restated from the module header. */
function oracle(raw: RawBar): Oracle {
  if (!/^[A-Z][A-Z0-9.-]{0,11}$/.test(raw.symbol)) return { ok: false, field: "symbol", reason: "bad_symbol" };
  if (raw.tsMs === undefined) return { ok: false, field: "timestamp", reason: "bad_timestamp" };
  const fields = ["open", "high", "low", "close", "volume"] as const;
  for (const field of fields) {
    const value = raw[field];
    if (value === "" || value === undefined || value === null) return { ok: false, field, reason: "missing" };
  }
  const out: bigint[] = [];
  for (const field of fields) {
    const value = raw[field] as string | number;
    try {
      out.push(field === "volume" ? toShares(value, { sign: "nonNegative" }) : toMicros(value, { sign: "positive" }));
    } catch (error) {
      if (error instanceof NormalisationError) return { ok: false, field, reason: error.reason };
      throw error;
    }
  }
  const [o, h, l, c, v] = out as [Micros, Micros, Micros, Micros, bigint];
  if (h < (o > c ? o : c)) return { ok: false, field: "high", reason: "high_below_open_or_close" };
  if (l > (o < c ? o : c)) return { ok: false, field: "low", reason: "low_above_open_or_close" };
  return { ok: true, values: [o, h, l, c, v] };
}

describe("bar validation", () => {
  it("A5: random bars either validate to exactly toMicros/toShares of their inputs or are rejected with the reason — never changed", () => {
    fc.assert(
      fc.property(rawBar, (values) => {
        const raw: RawBar = { ...values, interval: "1min", time: "t" };
        const result = normaliseBar(raw);
        const expected = oracle(raw);
        if (expected.ok) {
          expect(result.ok).toBe(true);
          if (!result.ok) return;
          expect([result.value.open, result.value.high, result.value.low, result.value.close, result.value.volume]).toEqual(expected.values);
          expect(result.value.high >= result.value.open && result.value.high >= result.value.close).toBe(true);
          expect(result.value.low <= result.value.open && result.value.low <= result.value.close).toBe(true);
          expect(result.value.low > 0n).toBe(true);
        } else {
          expect(result.ok).toBe(false);
          if (result.ok) return;
          expect({ field: result.error.field, reason: result.error.reason }).toEqual({ field: expected.field, reason: expected.reason });
          expect(result.error.message).toContain(`${result.error.field}: expected`);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("A5: any consistent bar written as decimal text validates and keeps its exact micros", () => {
    const micros = fc.bigInt({ min: 1n, max: 10n ** 15n });
    fc.assert(
      fc.property(fc.array(micros, { minLength: 4, maxLength: 4 }), fc.bigInt({ min: 0n, max: 10n ** 12n }), (prices, volume) => {
        const sorted = [...prices].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const [low, a, b, high] = sorted as [bigint, bigint, bigint, bigint];
        const text = (m: bigint): string => `${String(m / 1_000_000n)}.${String(m % 1_000_000n).padStart(6, "0")}`;
        const result = normaliseBar({
          symbol: "SPY",
          interval: "1day",
          time: "t",
          tsMs: 0,
          open: text(a),
          high: text(high),
          low: text(low),
          close: text(b),
          volume: String(volume),
        });
        expect(result.ok && [result.value.open, result.value.high, result.value.low, result.value.close, result.value.volume]).toEqual([
          a,
          high,
          low,
          b,
          volume,
        ]);
      }),
    );
  });

  it("A5: a series with a repeated or earlier time is refused at that bar; nothing is returned", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 30 }), (times) => {
        const raws: RawBar[] = times.map((t) => ({
          symbol: "SPY",
          interval: "1min",
          time: String(t),
          tsMs: t * 60_000,
          open: "10",
          high: "11",
          low: "9",
          close: "10",
          volume: "1",
        }));
        const result = validateBarSeries(raws);
        const firstBad = times.findIndex((t, i) => i > 0 && t <= Math.max(...times.slice(0, i)));
        const strictlyIncreasing = times.every((t, i) => i === 0 || t > (times[i - 1] ?? -1));
        expect(result.ok).toBe(strictlyIncreasing);
        if (!result.ok) {
          const bad = times[firstBad] ?? -1;
          expect(result.error.time).toBe(String(bad));
          expect(result.error.reason).toBe(bad === times[firstBad - 1] ? "duplicate_timestamp" : "timestamp_not_increasing");
        }
      }),
    );
  });

  it("A5: a rejection names symbol, time, field and reason in one line", () => {
    const result = normaliseBar({ symbol: "AAPL", interval: "1day", time: "2024-03-11", tsMs: 0, open: "10", high: "9", low: "8", close: "10", volume: "5" });
    expect(!result.ok && result.error.message).toBe('AAPL 2024-03-11: high: expected high ≥ max(open, close) = 10, found "9"');
  });
});
