import { detectGaps } from "@mqk/integrity";
import fc from "fast-check";
import { nyseCalendar } from "@mqk/md";
import { describe, expect, it } from "vitest";

const calendar = nyseCalendar();
const day = (date: string): number => Date.parse(`${date}T00:00:00Z`);
const minute = 60_000;

/** Thanksgiving week 2024: Thu 2024-11-28 closed, Fri 2024-11-29 closes 13:00 ET (18:00 UTC). */
const thanksgivingWeek = { interval: "1day" as const, fromMs: day("2024-11-23"), toMs: day("2024-12-01") };
const tradingDates = ["2024-11-25", "2024-11-26", "2024-11-27", "2024-11-29"];

describe("E1: gap detection against the calendar", () => {
  it("E1: a 1-day series across Thanksgiving week 2024 has no false gap (the holiday and the weekend expect no bar)", () => {
    const report = detectGaps(
      calendar,
      tradingDates.map((d) => ({ tsMs: day(d) })),
      thanksgivingWeek,
    );
    expect(report).toEqual({ missing: [], unexpected: [], expectedCount: 4 });
  });

  it("E1: the same series without Tuesday 2024-11-26 reports exactly that gap, named by its timestamp", () => {
    const bars = tradingDates.filter((d) => d !== "2024-11-26").map((d) => ({ tsMs: day(d) }));
    const report = detectGaps(calendar, bars, thanksgivingWeek);
    expect(report.missing).toEqual([day("2024-11-26")]);
    expect(report.unexpected).toEqual([]);
  });

  it("E1: a bar on the Thanksgiving holiday or a weekend is reported as unexpected", () => {
    const bars = [...tradingDates, "2024-11-28", "2024-11-30"].map((d) => ({ tsMs: day(d) }));
    const report = detectGaps(calendar, bars, thanksgivingWeek);
    expect(report.missing).toEqual([]);
    expect(report.unexpected).toEqual([day("2024-11-28"), day("2024-11-30")]);
  });

  it("E1: 1-minute bars on the 2024-11-29 early close end at 12:59 ET with no false gap after 13:00 ET", () => {
    const open = Date.parse("2024-11-29T14:30:00Z"); // 09:30 ET
    const earlyClose = Date.parse("2024-11-29T18:00:00Z"); // 13:00 ET
    const bars: { tsMs: number }[] = [];
    for (let t = open; t < earlyClose; t += minute) bars.push({ tsMs: t });
    expect(bars).toHaveLength(210);
    const wholeDay = { interval: "1min" as const, fromMs: day("2024-11-29"), toMs: day("2024-11-30") - 1 };
    expect(detectGaps(calendar, bars, wholeDay)).toEqual({ missing: [], unexpected: [], expectedCount: 210 });

    // A bar after the early close is not expected; one missing minute inside the session is a gap.
    const withLate = [...bars.filter((b) => b.tsMs !== open + 90 * minute), { tsMs: earlyClose }];
    expect(detectGaps(calendar, withLate, wholeDay)).toEqual({ missing: [open + 90 * minute], unexpected: [earlyClose], expectedCount: 210 });
  });

  it("E1: a missing whole session of intraday bars is reported minute by minute", () => {
    const bars: { tsMs: number }[] = [];
    for (const date of ["2024-11-25", "2024-11-27"]) {
      const open = Date.parse(`${date}T14:30:00Z`);
      for (let t = open; t < open + 390 * minute; t += minute) bars.push({ tsMs: t });
    }
    const report = detectGaps(calendar, bars, { interval: "1min", fromMs: day("2024-11-25"), toMs: day("2024-11-28") - 1 });
    expect(report.expectedCount).toBe(3 * 390);
    expect(report.missing).toHaveLength(390);
    expect(report.missing[0]).toBe(Date.parse("2024-11-26T14:30:00Z"));
    expect(report.missing.at(-1)).toBe(Date.parse("2024-11-26T20:59:00Z"));
    expect(report.unexpected).toEqual([]);
  });

  it("E1: a range that is not two ordered finite instants is refused", () => {
    expect(() => detectGaps(calendar, [], { interval: "1day", fromMs: day("2024-11-30"), toMs: day("2024-11-01") })).toThrow(/fromMs ≤ toMs/);
    expect(() => detectGaps(calendar, [], { interval: "1day", fromMs: Number.NaN, toMs: day("2024-11-01") })).toThrow(/fromMs ≤ toMs/);
  });

  it("E1: for any trading days removed from a 1-day series of 2024, exactly those are reported missing (property)", () => {
    const year = { interval: "1day" as const, fromMs: day("2024-01-01"), toMs: day("2024-12-31") };
    const expected = calendar.expectedBarTimestamps(year);
    expect(expected).toHaveLength(252);
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat({ max: expected.length - 1 }), { maxLength: 20 }), (removed) => {
        const gone = new Set(removed.map((i) => expected[i]));
        const report = detectGaps(
          calendar,
          expected.filter((t) => !gone.has(t)).map((tsMs) => ({ tsMs })),
          year,
        );
        expect(report.missing).toEqual(expected.filter((t) => gone.has(t)));
        expect(report.unexpected).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});
