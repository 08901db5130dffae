import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { FakeClock } from "@mqk/core";
import { IdSource, Stamper, parseInstantNanos, rfc3339Eastern, rfc3339Utc, uuidFrom } from "./wire-format.js";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("wire format", () => {
  it("ids are v4-shaped UUIDs, the same for the same seed and distinct per call", () => {
    fc.assert(fc.property(fc.string(), fc.string(), (seed, name) => UUID_V4.test(uuidFrom(seed, name))));
    const a = new IdSource("s");
    const b = new IdSource("s");
    const ids = [a.next("order"), a.next("order"), a.next("execution")];
    expect([b.next("order"), b.next("order"), b.next("execution")]).toEqual(ids);
    expect(new Set(ids).size).toBe(3);
    expect(a.named("asset", "AAPL")).toBe(b.named("asset", "AAPL"));
  });

  it("stamps have nine fraction digits and sort in the order taken, even within one millisecond", () => {
    const stamper = new Stamper(new FakeClock(Date.parse("2025-07-03T14:00:00.120Z")));
    const stamps = [stamper.now(), stamper.now(), stamper.now()].map((s) => s.text);
    expect(stamps[0]).toBe("2025-07-03T14:00:00.120000001Z");
    expect([...stamps].sort()).toEqual(stamps);
    expect(new Set(stamps).size).toBe(3);
    expect(rfc3339Utc(0, 5)).toBe("1970-01-01T00:00:00.000000005Z");
  });

  it("renders Eastern time with its offset", () => {
    expect(rfc3339Eastern(Date.parse("2025-07-03T14:15:00.123Z"), 456789)).toBe("2025-07-03T10:15:00.123456789-04:00");
    expect(rfc3339Eastern(Date.parse("2025-01-03T14:15:00Z"), 0)).toBe("2025-01-03T09:15:00.000000000-05:00");
  });

  it("parses instants to nanoseconds whatever the offset, and a date as UTC midnight", () => {
    const utc = parseInstantNanos("2025-07-03T14:00:00.123456789Z");
    expect(utc).toBe(BigInt(Date.parse("2025-07-03T14:00:00.123Z")) * 1_000_000n + 456_789n);
    expect(parseInstantNanos("2025-07-03T10:00:00.123456789-04:00")).toBe(utc);
    expect(parseInstantNanos("2025-07-03T16:00:00.123456789 02:00")).toBe(utc); // "+" decoded as a space
    expect(parseInstantNanos("2025-07-03")).toBe(BigInt(Date.parse("2025-07-03T00:00:00Z")) * 1_000_000n);
    expect(parseInstantNanos("yesterday")).toBeNull();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.integer({ min: 0, max: 999_999 }), (ms, sub) => {
        expect(parseInstantNanos(rfc3339Utc(ms, sub))).toBe(BigInt(ms) * 1_000_000n + BigInt(sub));
      }),
    );
  });
});
