import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { divRound, roundingModes } from "./rounding.js";

describe("divRound", () => {
  it("A5: each named mode rounds ties and signs as documented", () => {
    const table: [bigint, bigint, Record<string, bigint>][] = [
      [5n, 2n, { FLOOR: 2n, CEIL: 3n, TRUNC: 2n, HALF_UP: 3n, HALF_EVEN: 2n }],
      [7n, 2n, { FLOOR: 3n, CEIL: 4n, TRUNC: 3n, HALF_UP: 4n, HALF_EVEN: 4n }],
      [-5n, 2n, { FLOOR: -3n, CEIL: -2n, TRUNC: -2n, HALF_UP: -3n, HALF_EVEN: -2n }],
      [5n, -2n, { FLOOR: -3n, CEIL: -2n, TRUNC: -2n, HALF_UP: -3n, HALF_EVEN: -2n }],
      [10n, 3n, { FLOOR: 3n, CEIL: 4n, TRUNC: 3n, HALF_UP: 3n, HALF_EVEN: 3n }],
      [6n, 3n, { FLOOR: 2n, CEIL: 2n, TRUNC: 2n, HALF_UP: 2n, HALF_EVEN: 2n }],
    ];
    for (const [n, d, expected] of table) for (const mode of roundingModes) expect(divRound(n, d, mode), `${n}/${d} ${mode}`).toBe(expected[mode]);
  });

  it("A5: division by zero is refused", () => {
    expect(() => divRound(1n, 0n, "FLOOR")).toThrow(/division by zero/);
  });

  it("A5: property — the result is within one unit of the exact quotient and brackets it", () => {
    const nonZero = fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }).filter((d) => d !== 0n);
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n }), nonZero, (n, d) => {
        const floor = divRound(n, d, "FLOOR");
        const ceil = divRound(n, d, "CEIL");
        expect(floor * d <= n === d > 0n || floor * d === n).toBe(true);
        expect(ceil - floor === 0n || ceil - floor === 1n).toBe(true);
        for (const mode of roundingModes) {
          const q = divRound(n, d, mode);
          expect(q === floor || q === ceil).toBe(true);
        }
        // HALF_* never leave more than half a unit of error.
        const twiceErr = (q: bigint) => {
          const e = 2n * (n - q * d);
          return e < 0n ? -e : e;
        };
        const ad = d < 0n ? -d : d;
        expect(twiceErr(divRound(n, d, "HALF_EVEN")) <= ad).toBe(true);
        expect(twiceErr(divRound(n, d, "HALF_UP")) <= ad).toBe(true);
      }),
    );
  });
});
