import { describe, expect, it } from "vitest";
import { formatWallTime, parseWallTime, utcMsFromWallTime, wallTimeAt } from "./exchange-time.js";

const wall = (text: string) => {
  const parsed = parseWallTime(text);
  if (parsed === undefined) throw new Error(`bad wall time ${text}`);
  return parsed;
};
const utc = (text: string, zone: string) => {
  const result = utcMsFromWallTime(wall(text), zone);
  return result.ok ? new Date(result.value).toISOString() : result.error;
};

describe("exchange time", () => {
  it("TwelveData timezones: New York wall times around both 2024 DST changes", () => {
    expect(utc("2024-03-08 09:30:00", "America/New_York")).toBe("2024-03-08T14:30:00.000Z");
    expect(utc("2024-03-11 09:30:00", "America/New_York")).toBe("2024-03-11T13:30:00.000Z");
    expect(utc("2024-03-10 03:00:00", "America/New_York")).toBe("2024-03-10T07:00:00.000Z");
    expect(utc("2024-11-01 16:00:00", "America/New_York")).toBe("2024-11-01T20:00:00.000Z");
    expect(utc("2024-11-04 16:00:00", "America/New_York")).toBe("2024-11-04T21:00:00.000Z");
  });

  it("TwelveData timezones: a wall time in the spring gap or the autumn overlap is refused, never guessed", () => {
    expect(utc("2024-03-10 02:30:00", "America/New_York")).toBe("nonexistent");
    expect(utc("2024-11-03 01:30:00", "America/New_York")).toBe("ambiguous");
    expect(utc("2024-03-31 01:30:00", "Europe/London")).toBe("nonexistent");
  });

  it("TwelveData timezones: other zones, fractional offsets, UTC and a bad zone", () => {
    expect(utc("2024-07-01 09:15:00", "Asia/Kolkata")).toBe("2024-07-01T03:45:00.000Z");
    expect(utc("2024-07-01 10:00:00", "Europe/London")).toBe("2024-07-01T09:00:00.000Z");
    expect(utc("2024-07-01 10:00:00", "UTC")).toBe("2024-07-01T10:00:00.000Z");
    expect(utc("2024-07-01 10:00:00", "Mars/Olympus")).toBe("unknown_zone");
    expect(utc("2024-02-30 10:00:00", "UTC")).toBe("malformed");
  });

  it("TwelveData timezones: UTC instant → wall time → UTC instant round-trips every hour of 2024 in New York (outside the gap)", () => {
    for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2025, 0, 1); t += 3_600_000) {
      const local = wallTimeAt(t, "America/New_York");
      if (local === undefined) throw new Error("zone missing");
      const back = utcMsFromWallTime(local, "America/New_York");
      if (back.ok) expect(back.value).toBe(t);
      else expect(back.error).toBe("ambiguous"); // the repeated 01:00 hour in November
      expect(parseWallTime(formatWallTime(local))).toEqual(local);
    }
  });
});
