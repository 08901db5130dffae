import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NormalisationError, toMicros, toShares } from "@mqk/core";
import { plainDecimalKey } from "./decimal-cache.js";

const plain = fc
  .tuple(fc.stringMatching(/^\d{1,8}$/), fc.option(fc.stringMatching(/^\d{1,6}$/), { nil: undefined }))
  .map(([int, frac]) => (frac === undefined ? int : `${int}.${frac}`));

function attempt(f: () => bigint): bigint | string {
  try {
    return f();
  } catch (error) {
    if (error instanceof NormalisationError) return error.reason;
    throw error;
  }
}

describe("CSV decimal cache key", () => {
  it("A5: texts with the same cache key get the same toMicros and toShares results (so the cache never changes a value)", () => {
    fc.assert(
      fc.property(plain, plain, (a, b) => {
        const ka = plainDecimalKey(a);
        const kb = plainDecimalKey(b);
        expect(ka).toBeGreaterThanOrEqual(0);
        if (ka === kb) {
          expect(attempt(() => toMicros(a, { sign: "positive" }))).toEqual(attempt(() => toMicros(b, { sign: "positive" })));
          expect(attempt(() => toShares(a))).toEqual(attempt(() => toShares(b)));
        }
      }),
      { numRuns: 5000 },
    );
  });

  it("A5: texts that spell different decimals get different keys", () => {
    fc.assert(
      fc.property(plain, plain, (a, b) => {
        const [ia = "", fa = ""] = a.split(".");
        const [ib = "", fb = ""] = b.split(".");
        const same = BigInt(ia + fa) === BigInt(ib + fb) && fa.length === fb.length;
        expect(plainDecimalKey(a) === plainDecimalKey(b)).toBe(same);
      }),
      { numRuns: 5000 },
    );
  });

  it("A5: anything but a plain decimal is not cached (key -1) and goes to toMicros each time", () => {
    for (const text of ["", "-1", "+1", "1e3", " 1", "1 ", ".5", "5.", "1.2.3", "NaN", "Infinity", "1,5", "123456789012345", "0x10"]) {
      expect(plainDecimalKey(text)).toBe(-1);
    }
    expect(plainDecimalKey("187.25")).toBe(18725 * 16 + 2);
    expect(plainDecimalKey("AAPL,187.25,x", 5, 11)).toBe(18725 * 16 + 2);
  });
});
