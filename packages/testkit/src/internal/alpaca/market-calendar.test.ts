import { describe, expect, it } from "vitest";
import { MarketCalendar, calendarBound } from "./market-calendar.js";
import { addDays, easternToUtcMs, weekday } from "./wire-format.js";

// API-BRIEF §5.4, copied as the fixture.
const reference: Record<string, { closed: string[]; early: string[] }> = {
  "2024": { closed: ["01-01", "01-15", "02-19", "03-29", "05-27", "06-19", "07-04", "09-02", "11-28", "12-25"], early: ["07-03", "11-29", "12-24"] },
  "2025": { closed: ["01-01", "01-09", "01-20", "02-17", "04-18", "05-26", "06-19", "07-04", "09-01", "11-27", "12-25"], early: ["07-03", "11-28", "12-24"] },
  "2026": { closed: ["01-01", "01-19", "02-16", "04-03", "05-25", "06-19", "07-03", "09-07", "11-26", "12-25"], early: ["11-27", "12-24"] },
};

describe("MarketCalendar", () => {
  it("serves exactly the weekdays of 2024–2026 minus the reference closures, with 13:00 on the early closes", () => {
    const calendar = new MarketCalendar();
    for (const [year, ref] of Object.entries(reference)) {
      const days = calendar.between(`${year}-01-01`, `${year}-12-31`);
      const expected: string[] = [];
      for (let d = `${year}-01-01`; d <= `${year}-12-31`; d = addDays(d, 1)) {
        if (weekday(d) !== 0 && weekday(d) !== 6 && !ref.closed.includes(d.slice(5))) expected.push(d);
      }
      expect(days.map((d) => d.date)).toEqual(expected);
      expect(days.filter((d) => d.close === "13:00").map((d) => d.date.slice(5))).toEqual(ref.early);
    }
  });

  it("settles T+1 on the next trading day", () => {
    expect(new MarketCalendar().day("2025-07-03")?.settlement_date).toBe("2025-07-07");
    expect(new MarketCalendar().day("2025-07-04")).toBeUndefined();
  });

  it("a given list replaces the table", () => {
    const day = { date: "2025-07-04", open: "09:30", close: "16:00", session_open: "0400", session_close: "2000", settlement_date: "2025-07-07" };
    const calendar = new MarketCalendar([day]);
    expect(calendar.between("2025-07-01", "2025-07-10")).toEqual([day]);
    expect(() => new MarketCalendar([{ ...day, date: "7/4/2025" }])).toThrow(/YYYY-MM-DD/);
  });

  it("converts Eastern wall times across daylight saving", () => {
    expect(new Date(easternToUtcMs("2025-03-07", "09:30")).toISOString()).toBe("2025-03-07T14:30:00.000Z");
    expect(new Date(easternToUtcMs("2025-03-10", "09:30")).toISOString()).toBe("2025-03-10T13:30:00.000Z");
    expect(new Date(easternToUtcMs("2025-11-03", "16:00")).toISOString()).toBe("2025-11-03T21:00:00.000Z");
  });

  it("reads calendar bounds as dates or RFC 3339, and refuses anything else", () => {
    expect(calendarBound("2025-07-01", "x")).toBe("2025-07-01");
    expect(calendarBound("2025-07-01T00:00:00.000Z", "x")).toBe("2025-07-01");
    expect(calendarBound(null, "2025-01-01")).toBe("2025-01-01");
    expect(calendarBound("July 1", "x")).toBeUndefined();
  });
});
