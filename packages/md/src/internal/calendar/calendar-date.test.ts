import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DAY_MS, MONDAY, SUNDAY, THURSDAY, formatDayNumber, lastWeekdayOfMonth, nthWeekdayOfMonth, parseDayNumber, weekdayOf } from "./calendar-date.js";

describe("calendar dates as day numbers", () => {
  it("round-trips every day 1990–2050 through YYYY-MM-DD and agrees with Date on the weekday", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1) / DAY_MS, max: Date.UTC(2050, 11, 31) / DAY_MS }), (day) => {
        const text = formatDayNumber(day);
        expect(parseDayNumber(text)).toBe(day);
        expect(weekdayOf(day)).toBe(new Date(day * DAY_MS).getUTCDay());
      }),
    );
  });

  it("refuses text that is not a real date", () => {
    for (const text of ["2024-02-30", "2023-02-29", "2024-13-01", "2024-00-10", "2024-1-01", "20240101", "2024-01-01T00:00:00Z", " 2024-01-01", ""]) {
      expect(parseDayNumber(text)).toBeUndefined();
    }
    expect(parseDayNumber("2024-02-29")).toBe(Date.UTC(2024, 1, 29) / DAY_MS);
  });

  it("finds nth and last weekdays of a month", () => {
    expect(formatDayNumber(nthWeekdayOfMonth(2024, 1, MONDAY, 3))).toBe("2024-01-15");
    expect(formatDayNumber(nthWeekdayOfMonth(2024, 11, THURSDAY, 4))).toBe("2024-11-28");
    expect(formatDayNumber(nthWeekdayOfMonth(2024, 9, MONDAY, 1))).toBe("2024-09-02");
    expect(formatDayNumber(nthWeekdayOfMonth(2007, 3, SUNDAY, 2))).toBe("2007-03-11");
    expect(formatDayNumber(lastWeekdayOfMonth(2024, 5, MONDAY))).toBe("2024-05-27");
    expect(formatDayNumber(lastWeekdayOfMonth(2021, 5, MONDAY))).toBe("2021-05-31");
    expect(formatDayNumber(lastWeekdayOfMonth(2006, 10, SUNDAY))).toBe("2006-10-29");
  });
});
