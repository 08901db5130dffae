/**
 * E1: the bar timestamps a complete series must have, which gap detection
 * compares real bars against. Daily bars are labelled 00:00 UTC of the session
 * date; intraday bars by their open, on a 09:30 ET grid inside the regular session.
 */
import { describe, expect, it } from "vitest";
import { nyseCalendar } from "@mqk/md";

const calendar = nyseCalendar();
const iso = (ms: number): string => new Date(ms).toISOString();
const day = (date: string): number => Date.parse(`${date}T00:00:00Z`);

describe("expected bar timestamps", () => {
  it("E1: a 1-day series across Thanksgiving week 2024 has no Thursday bar", () => {
    const bars = calendar.expectedBarTimestamps({ interval: "1day", fromMs: day("2024-11-25"), toMs: day("2024-12-01") });
    expect(bars.map(iso)).toEqual(["2024-11-25T00:00:00.000Z", "2024-11-26T00:00:00.000Z", "2024-11-27T00:00:00.000Z", "2024-11-29T00:00:00.000Z"]);
  });

  it("E1: daily labels are Date.UTC of the session date, bounds inclusive", () => {
    const bars = calendar.expectedBarTimestamps({ interval: "1day", fromMs: day("2024-12-24"), toMs: day("2025-01-02") });
    expect(bars).toEqual([
      Date.UTC(2024, 11, 24),
      Date.UTC(2024, 11, 26),
      Date.UTC(2024, 11, 27),
      Date.UTC(2024, 11, 30),
      Date.UTC(2024, 11, 31),
      Date.UTC(2025, 0, 2),
    ]);
    // A bound inside a day only counts labels at or after it.
    expect(calendar.expectedBarTimestamps({ interval: "1day", fromMs: day("2024-12-24") + 1, toMs: day("2024-12-26") })).toEqual([Date.UTC(2024, 11, 26)]);
  });

  it("E1: 1-minute bars on 2024-11-29 stop at 13:00 ET: 210 bars, 09:30 to 12:59 ET", () => {
    const bars = calendar.expectedBarTimestamps({ interval: "1min", fromMs: day("2024-11-29"), toMs: day("2024-11-30") });
    expect(bars).toHaveLength(210);
    expect(iso(bars[0]!)).toBe("2024-11-29T14:30:00.000Z");
    expect(iso(bars[209]!)).toBe("2024-11-29T17:59:00.000Z");
  });

  it("E1: a normal day has 390 1-minute bars, 78 5-minute, 26 15-minute, 13 30-minute and 7 hourly", () => {
    const q = (interval: "1min" | "5min" | "15min" | "30min" | "1h") =>
      calendar.expectedBarTimestamps({ interval, fromMs: day("2024-07-15"), toMs: day("2024-07-16") - 1 });
    expect(q("1min")).toHaveLength(390);
    expect(q("5min")).toHaveLength(78);
    expect(q("15min")).toHaveLength(26);
    expect(q("30min")).toHaveLength(13);
    expect(q("1h").map(iso)).toEqual([
      "2024-07-15T13:30:00.000Z",
      "2024-07-15T14:30:00.000Z",
      "2024-07-15T15:30:00.000Z",
      "2024-07-15T16:30:00.000Z",
      "2024-07-15T17:30:00.000Z",
      "2024-07-15T18:30:00.000Z",
      "2024-07-15T19:30:00.000Z",
    ]);
    const bars = q("1min");
    for (let i = 1; i < bars.length; i += 1) expect(bars[i]! - bars[i - 1]!).toBe(60_000);
  });

  it("E1: a week of 1-minute bars skips the weekend and the holiday, and honours the early close", () => {
    // Mon 2024-11-25 … Sun 2024-12-01: four sessions, one of them 13:00.
    const bars = calendar.expectedBarTimestamps({ interval: "1min", fromMs: day("2024-11-25"), toMs: day("2024-12-02") - 1 });
    expect(bars).toHaveLength(3 * 390 + 210);
    expect(bars.some((t) => iso(t).startsWith("2024-11-28"))).toBe(false);
  });

  it("E1: bounds inside a session cut the series, inclusive at both ends", () => {
    const fromMs = Date.parse("2024-07-15T14:00:00Z");
    const toMs = Date.parse("2024-07-15T14:10:00Z");
    expect(calendar.expectedBarTimestamps({ interval: "5min", fromMs, toMs }).map(iso)).toEqual([
      "2024-07-15T14:00:00.000Z",
      "2024-07-15T14:05:00.000Z",
      "2024-07-15T14:10:00.000Z",
    ]);
  });

  it("E1: special sessions: a 12:00 ET late open and a 15:56 ET systems close", () => {
    const late = calendar.expectedBarTimestamps({ interval: "1min", fromMs: day("2002-09-11"), toMs: day("2002-09-12") - 1 });
    expect(late).toHaveLength(240);
    expect(iso(late[0]!)).toBe("2002-09-11T16:00:00.000Z");
    const lateHourly = calendar.expectedBarTimestamps({ interval: "1h", fromMs: day("2002-09-11"), toMs: day("2002-09-12") - 1 });
    expect(lateHourly.map(iso)[0]).toBe("2002-09-11T15:30:00.000Z"); // the 11:30 ET slot contains the 12:00 open
    const short = calendar.expectedBarTimestamps({ interval: "1min", fromMs: day("2005-06-01"), toMs: day("2005-06-02") - 1 });
    expect(short).toHaveLength(386);
    expect(iso(short[385]!)).toBe("2005-06-01T19:55:00.000Z");
  });

  it("E1: a holiday or weekend has no bars at all", () => {
    expect(calendar.expectedBarTimestamps({ interval: "1min", fromMs: day("2024-12-25"), toMs: day("2024-12-26") - 1 })).toEqual([]);
    expect(calendar.expectedBarTimestamps({ interval: "1day", fromMs: day("2024-12-28"), toMs: day("2024-12-29") })).toEqual([]);
  });

  it("E1: outside 2000–2040, or with reversed bounds, it fails closed", () => {
    expect(() => calendar.expectedBarTimestamps({ interval: "1day", fromMs: day("1999-12-31"), toMs: day("2000-01-10") })).toThrow(
      /outside the supported dates/,
    );
    expect(() => calendar.expectedBarTimestamps({ interval: "1min", fromMs: day("2040-12-31"), toMs: day("2041-01-02") })).toThrow(
      /outside the supported range/,
    );
    expect(() => calendar.expectedBarTimestamps({ interval: "1min", fromMs: day("2024-01-03"), toMs: day("2024-01-02") })).toThrow(/fromMs ≤ toMs/);
    expect(() => calendar.expectedBarTimestamps({ interval: "1min", fromMs: Number.NaN, toMs: day("2024-01-02") })).toThrow(/finite/);
  });
});
