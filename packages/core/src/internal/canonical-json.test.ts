import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, sha256Hex } from "./canonical-json.js";

describe("canonicalJson", () => {
  it("sorts keys at every depth, drops undefined, writes bigint as a string, no whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, "x", null], c: 2n }, u: undefined })).toBe('{"a":{"c":"2","d":[1,"x",null]},"b":1}');
  });

  it("refuses values JSON cannot hold exactly", () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/\$\.a is NaN/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/);
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cycle/);
  });

  it("property — invariant under key order, and parses back to the same data", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
        expect(canonicalJson(JSON.parse(canonicalJson(obj)))).toBe(canonicalJson(obj));
      }),
    );
  });

  it("sha256Hex matches the known digest of the empty string", () => {
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });
});
