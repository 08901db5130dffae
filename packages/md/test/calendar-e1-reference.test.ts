/**
 * E1: the NYSE calendar against the published 2024–2026 holidays and early closes.
 * The fixture is transcribed from the API brief §5.4 (computed from NYSE's rules,
 * checked there against the npm package nyse-holidays); the project never reads the
 * brief at test time.
 */
import { describe, expect, it } from "vitest";
import { nyseCalendar } from "@mqk/md";

const fixture = {
  2024: { closed: "01-01 01-15 02-19 03-29 05-27 06-19 07-04 09-02 11-28 12-25", early: "07-03 11-29 12-24" },
  2025: { closed: "01-01 01-09 01-20 02-17 04-18 05-26 06-19 07-04 09-01 11-27 12-25", early: "07-03 11-28 12-24" },
  2026: { closed: "01-01 01-19 02-16 04-03 05-25 06-19 07-03 09-07 11-26 12-25", early: "11-27 12-24" },
} as const;

// US daylight saving time (EDT, UTC−4) in those years, published by NIST: from the second
// Sunday of March to the first Sunday of November. Outside it New York is on EST, UTC−5.
const edt: Record<number, readonly [string, string]> = {
  2024: ["2024-03-10", "2024-11-03"],
  2025: ["2025-03-09", "2025-11-02"],
  2026: ["2026-03-08", "2026-11-01"],
};

/** UTC ms of an ET wall time (after 03:00) on a date in 2024–2026. */
function et(date: string, hhmm: string): number {
  const [start, end] = edt[Number(date.slice(0, 4))] ?? ["", ""];
  const offsetHours = date >= start && date < end ? 4 : 5;
  const [h, m] = hhmm.split(":").map(Number);
  return Date.parse(`${date}T00:00:00Z`) + ((h ?? 0) + offsetHours) * 3_600_000 + (m ?? 0) * 60_000;
}

function weekdaysOf(year: number): string[] {
  const days: string[] = [];
  for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) {
    const w = new Date(t).getUTCDay();
    if (w !== 0 && w !== 6) days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

const calendar = nyseCalendar();

describe("NYSE 2024–2026 reference table", () => {
  for (const [yearText, { closed, early }] of Object.entries(fixture)) {
    const year = Number(yearText);
    const closedDates = new Set(closed.split(" ").map((md) => `${yearText}-${md}`));
    const earlyDates = new Set(early.split(" ").map((md) => `${yearText}-${md}`));

    it(`E1: ${yearText}: every listed holiday is closed, every early close ends 13:00 ET, every other weekday is 09:30–16:00 ET`, () => {
      let checked = 0;
      for (const date of weekdaysOf(year)) {
        const session = calendar.sessionFor(date);
        if (closedDates.has(date)) {
          expect(session, date).toBeUndefined();
          expect(calendar.isTradingDay(date), date).toBe(false);
          expect(calendar.isOpen(et(date, "12:00")), date).toBe(false);
          expect(calendar.isOpen(et(date, "12:00"), { session: "extended" }), date).toBe(false);
        } else {
          const close = earlyDates.has(date) ? "13:00" : "16:00";
          expect(session, date).toEqual({
            date,
            openMs: et(date, "09:30"),
            closeMs: et(date, close),
            extendedOpenMs: et(date, "04:00"),
            extendedCloseMs: et(date, "20:00"),
            earlyClose: earlyDates.has(date),
            lateOpen: false,
          });
          expect(calendar.isTradingDay(date), date).toBe(true);
          expect(calendar.isOpen(et(date, "09:29")), date).toBe(false);
          expect(calendar.isOpen(et(date, "09:30")), date).toBe(true);
          expect(calendar.isOpen(et(date, close)), date).toBe(false);
          expect(calendar.isOpen(et(date, close) - 1), date).toBe(true);
        }
        checked += 1;
      }
      expect(checked).toBe(weekdaysOf(year).length);
    });

    it(`E1: ${yearText}: the closures are exactly the listed days, no more`, () => {
      const closures = calendar.closuresBetween(`${yearText}-01-01`, `${yearText}-12-31`).map((c) => c.date);
      expect(closures).toEqual([...closedDates].sort());
      const earlyCloses = calendar
        .tradingDaysBetween(`${yearText}-01-01`, `${yearText}-12-31`)
        .filter((date) => calendar.sessionFor(date)?.earlyClose === true);
      expect(earlyCloses).toEqual([...earlyDates].sort());
    });
  }

  it("E1: 2025-01-09 is the Carter National Day of Mourning, a special closure", () => {
    expect(calendar.closuresBetween("2025-01-09", "2025-01-09")).toEqual([{ date: "2025-01-09", reason: "National Day of Mourning, Jimmy Carter" }]);
  });

  it("E1: trading-day counts follow: 262 − 10 = 252 in 2024, 261 − 11 = 250 in 2025, 261 − 10 = 251 in 2026", () => {
    // By hand for 2024: a leap year starting on a Monday has 52 weeks + Mon + Tue = 262 weekdays;
    // all ten 2024 holidays fall on weekdays, so 252 sessions.
    expect(weekdaysOf(2024)).toHaveLength(262);
    expect(calendar.tradingDaysBetween("2024-01-01", "2024-12-31")).toHaveLength(252);
    expect(weekdaysOf(2025)).toHaveLength(261);
    expect(calendar.tradingDaysBetween("2025-01-01", "2025-12-31")).toHaveLength(250);
    expect(weekdaysOf(2026)).toHaveLength(261);
    expect(calendar.tradingDaysBetween("2026-01-01", "2026-12-31")).toHaveLength(251);
  });
});
