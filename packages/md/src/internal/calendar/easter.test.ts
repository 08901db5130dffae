import { describe, expect, it } from "vitest";
import { formatDayNumber } from "./calendar-date.js";
import { easterSunday } from "./easter.js";

// Western Easter Sundays, from published tables (cross-checked with python-dateutil's easter()).
const knownEasters: Record<number, string> = {
  2000: "2000-04-23",
  2001: "2001-04-15",
  2008: "2008-03-23",
  2011: "2011-04-24",
  2016: "2016-03-27",
  2019: "2019-04-21",
  2024: "2024-03-31",
  2025: "2025-04-20",
  2026: "2026-04-05",
  2035: "2035-03-25",
  2038: "2038-04-25",
  2040: "2040-04-01",
};

describe("Easter computus", () => {
  it("E1: matches a known Easter table, including the earliest and latest dates of the range", () => {
    for (const [year, date] of Object.entries(knownEasters)) expect(formatDayNumber(easterSunday(Number(year)))).toBe(date);
  });
});
