import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_ABS_MICROS, NormalisationError, formatMicros, microsFromInteger, toMicros, toShares } from "./micros.js";

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof NormalisationError) return e.reason;
    throw e;
  }
  return "accepted";
}

describe("toMicros", () => {
  it("A5: converts decimal strings and numbers exactly", () => {
    expect(toMicros("187.25")).toBe(187_250_000n);
    expect(toMicros(0.1)).toBe(100_000n);
    expect(toMicros("0.000001")).toBe(1n);
    expect(toMicros("1e-6")).toBe(1n);
    expect(toMicros(1.5e3)).toBe(1_500_000_000n);
    expect(toMicros("-2.5", { sign: "any" })).toBe(-2_500_000n);
    expect(toMicros(12n)).toBe(12_000_000n);
  });

  it("A5: rejects NaN, ±Infinity and their spellings with a typed error", () => {
    expect(reasonOf(() => toMicros(Number.NaN))).toBe("not_a_number");
    expect(reasonOf(() => toMicros("NaN"))).toBe("not_a_number");
    expect(reasonOf(() => toMicros(Number.POSITIVE_INFINITY))).toBe("not_finite");
    expect(reasonOf(() => toMicros(Number.NEGATIVE_INFINITY, { sign: "any" }))).toBe("not_finite");
    expect(reasonOf(() => toMicros("-Infinity", { sign: "any" }))).toBe("not_finite");
    expect(reasonOf(() => toMicros("inf"))).toBe("not_finite");
  });

  it("A5: rejects negatives where invalid, zero where positive is required", () => {
    expect(reasonOf(() => toMicros(-1))).toBe("negative");
    expect(reasonOf(() => toMicros("0", { sign: "positive" }))).toBe("not_positive");
    expect(reasonOf(() => toMicros("0.0000001", { sign: "positive" }))).toBe("not_positive"); // rounds to zero
  });

  it("A5: rejects out-of-range values and malformed text", () => {
    expect(reasonOf(() => toMicros("1000000000001"))).toBe("out_of_range");
    expect(reasonOf(() => toMicros(1e300))).toBe("out_of_range");
    expect(reasonOf(() => toMicros("1e41"))).toBe("out_of_range");
    expect(reasonOf(() => toMicros("5", { maxAbsMicros: 4_000_000n }))).toBe("out_of_range");
    for (const bad of ["", " ", "1,5", "0x10", "$5", "1.2.3", "--1", "1e", ".5"]) expect(reasonOf(() => toMicros(bad))).toBe("malformed");
  });

  it("A5: the error says what was expected and what was found, naming the field", () => {
    expect(() => toMicros("abc", { field: "bar.close" })).toThrow(/^bar\.close: expected a decimal number such as 187\.25, found "abc"$/);
  });

  it("A5: property — any decimal string with ≤ 6 places round-trips through formatMicros", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -MAX_ABS_MICROS, max: MAX_ABS_MICROS }), (micros) => {
        expect(toMicros(formatMicros(micros), { sign: "any" })).toBe(micros);
      }),
    );
  });

  it("A5: property — every finite number in range is accepted and within half a micro of its value", () => {
    fc.assert(
      fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true, noDefaultInfinity: true }), (x) => {
        const m = toMicros(x, { sign: "any" });
        expect(Math.abs(Number(m) / 1e6 - x)).toBeLessThanOrEqual(0.5e-6 + Math.abs(x) * 1e-15);
      }),
    );
  });

  it("A5: property — any non-finite or non-numeric input is refused, never coerced", () => {
    const junk = fc.oneof(
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
      fc.string().filter((s) => !/^\s*[+-]?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/.test(s)),
    );
    fc.assert(
      fc.property(junk, (x) => {
        expect(() => toMicros(x, { sign: "any" })).toThrow(NormalisationError);
      }),
    );
  });

  it("A5: property — the sign rule holds for every value", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: -1n }), (micros) => {
        expect(() => toMicros(formatMicros(micros))).toThrow(NormalisationError);
      }),
    );
  });
});

describe("toShares and microsFromInteger", () => {
  it("A5: whole shares only; fractions are refused, not rounded", () => {
    expect(toShares("100")).toBe(100n);
    expect(toShares(25)).toBe(25n);
    expect(toShares("-5", { sign: "any" })).toBe(-5n);
    expect(reasonOf(() => toShares("1.5"))).toBe("not_whole");
    expect(reasonOf(() => toShares(Number.NaN))).toBe("not_a_number");
    expect(reasonOf(() => toShares("1e13"))).toBe("out_of_range");
    expect(reasonOf(() => toShares(-1))).toBe("negative");
  });

  it("A5: integer micros from the database or JSON are range- and sign-checked", () => {
    expect(microsFromInteger("1500000")).toBe(1_500_000n);
    expect(microsFromInteger(-3n, { sign: "any" })).toBe(-3n);
    expect(reasonOf(() => microsFromInteger("1.5"))).toBe("malformed");
    expect(reasonOf(() => microsFromInteger(0.5))).toBe("not_whole");
    expect(reasonOf(() => microsFromInteger(MAX_ABS_MICROS + 1n))).toBe("out_of_range");
    expect(reasonOf(() => microsFromInteger(-1n))).toBe("negative");
  });
});
