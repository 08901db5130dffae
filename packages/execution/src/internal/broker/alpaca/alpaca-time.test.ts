import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatTimestampNs, parseTimestampNs } from "./alpaca-time.js";

describe("parseTimestampNs", () => {
  it("keeps every nanosecond digit, in UTC and with an offset", () => {
    expect(parseTimestampNs("2025-07-03T14:00:00.123456789Z")).toBe(1_751_551_200_123_456_789n);
    expect(parseTimestampNs("2025-07-03T10:00:00.123456789-04:00")).toBe(1_751_551_200_123_456_789n);
    expect(parseTimestampNs("2025-07-03T19:30:00.000000001+05:30")).toBe(1_751_551_200_000_000_001n);
    expect(parseTimestampNs("2025-07-03T14:00:00Z")).toBe(1_751_551_200_000_000_000n);
    expect(parseTimestampNs("2025-07-03T14:00:00.5Z")).toBe(1_751_551_200_500_000_000n);
    expect(parseTimestampNs("1970-01-01T00:00:00.000000001Z")).toBe(1n);
    expect(parseTimestampNs("1969-12-31T23:59:59.999999999Z")).toBe(-1n);
  });

  it("agrees with Date to the millisecond and adds the sub-millisecond digits exactly (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        fc.integer({ min: 0, max: 999_999 }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        (ms, subMs, offsetMinutes) => {
          const wall = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
          const abs = Math.abs(offsetMinutes);
          const offset = `${offsetMinutes < 0 ? "-" : "+"}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
          const text = `${wall}${String(subMs).padStart(6, "0")}${offset}`;
          expect(parseTimestampNs(text)).toBe(BigInt(ms) * 1_000_000n + BigInt(subMs));
        },
      ),
    );
  });

  it("formatTimestampNs round-trips through parseTimestampNs (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -1_000_000_000_000_000_000n, max: 4_102_444_800_000_000_000n }), (ns) => {
        expect(parseTimestampNs(formatTimestampNs(ns))).toBe(ns);
      }),
    );
  });

  it.each([
    ["2025-07-03 14:00:00", "malformed"],
    ["2025-07-03T14:00:00.1234567891Z", "malformed"],
    ["2025-02-30T14:00:00Z", "no such date"],
    ["2025-07-03T24:00:00Z", "time of day out of range"],
    ["2016-12-31T23:59:60Z", "time of day out of range"],
    ["2025-07-03T14:00:00+24:00", "offset out of range"],
    ["", "malformed"],
  ])("refuses %j (%s) with what it expected", (input, why) => {
    expect(() => parseTimestampNs(input, "order.updated_at")).toThrow(`order.updated_at: expected an RFC 3339 timestamp`);
    expect(() => parseTimestampNs(input, "order.updated_at")).toThrow(why);
  });

  it("refuses a non-string", () => {
    expect(() => parseTimestampNs(1_751_551_200)).toThrow("not a string");
    expect(() => parseTimestampNs(null)).toThrow("not a string");
  });
});
