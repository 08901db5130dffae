/**
 * E1: the NYSE rules hold in every year of the supported range, 2000–2040.
 * The expectation is an oracle written independently of the implementation: it
 * classifies each weekday by plain predicates ("a Monday between Jan 15 and 21")
 * and takes Easter from a published table, then the calendar must agree exactly.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nyseCalendar } from "@mqk/md";

// Western Easter Sundays 2000–2040 (published tables; same as python-dateutil's easter()).
const easter =
  "2000-04-23 2001-04-15 2002-03-31 2003-04-20 2004-04-11 2005-03-27 2006-04-16 2007-04-08 2008-03-23 2009-04-12 2010-04-04 " +
  "2011-04-24 2012-04-08 2013-03-31 2014-04-20 2015-04-05 2016-03-27 2017-04-16 2018-04-01 2019-04-21 2020-04-12 2021-04-04 " +
  "2022-04-17 2023-04-09 2024-03-31 2025-04-20 2026-04-05 2027-03-28 2028-04-16 2029-04-01 2030-04-21 2031-04-13 2032-03-28 " +
  "2033-04-17 2034-04-09 2035-03-25 2036-04-13 2037-04-05 2038-04-25 2039-04-10 2040-04-01";
const easterByYear = new Map(easter.split(" ").map((d) => [Number(d.slice(0, 4)), Date.parse(`${d}T00:00:00Z`)]));

const specialClosures = [
  "2001-09-11",
  "2001-09-12",
  "2001-09-13",
  "2001-09-14",
  "2004-06-11",
  "2007-01-02",
  "2012-10-29",
  "2012-10-30",
  "2018-12-05",
  "2025-01-09",
];
// Unscheduled short sessions (NYSE closings history): 13:00 close after Christmas 2003, 15:56 systems close 2005.
const specialEarlyCloses = new Map([
  ["2003-12-26", 3.5],
  ["2005-06-01", 6 + 26 / 60],
]);
const lateOpens = new Map([
  ["2001-09-17", "09:33"],
  ["2001-10-08", "09:31"],
  ["2002-09-11", "12:00"],
  ["2003-03-20", "09:32"],
  ["2004-06-07", "09:32"],
  ["2006-12-27", "09:32"],
]);

const MON = 1;
const TUE = 2;
const WED = 3;
const THU = 4;
const FRI = 5;
const DAY = 86_400_000;

interface Day {
  readonly date: string;
  readonly t: number;
  readonly y: number;
  readonly m: number;
  readonly d: number;
  readonly w: number;
}

function weekdays(year: number): Day[] {
  const days: Day[] = [];
  for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += DAY) {
    const at = new Date(t);
    const w = at.getUTCDay();
    if (w !== 0 && w !== 6) days.push({ date: at.toISOString().slice(0, 10), t, y: year, m: at.getUTCMonth() + 1, d: at.getUTCDate(), w });
  }
  return days;
}

/** The rule holiday a weekday is, by plain predicates (API brief §5.1), or undefined. */
function ruleHoliday({ t, y, m, d, w }: Day): string | undefined {
  if (m === 1 && (d === 1 || (d === 2 && w === MON))) return "New Year's Day"; // a Saturday Jan 1 moves nothing
  if (m === 1 && w === MON && d >= 15 && d <= 21) return "MLK Day";
  if (m === 2 && w === MON && d >= 15 && d <= 21) return "Presidents Day";
  if (t === (easterByYear.get(y) ?? 0) - 2 * DAY) return "Good Friday";
  if (m === 5 && w === MON && d >= 25) return "Memorial Day";
  if (y >= 2022 && m === 6 && (d === 19 || (d === 18 && w === FRI) || (d === 20 && w === MON))) return "Juneteenth";
  if (m === 7 && (d === 4 || (d === 3 && w === FRI) || (d === 5 && w === MON))) return "Independence Day";
  if (m === 9 && w === MON && d <= 7) return "Labor Day";
  if (m === 11 && w === THU && d >= 22 && d <= 28) return "Thanksgiving";
  if (m === 12 && (d === 25 || (d === 24 && w === FRI) || (d === 26 && w === MON))) return "Christmas";
  return undefined;
}

/** Is the weekday a rule 13:00 early close (API brief §5.2)? */
function ruleEarlyClose({ y, m, d, w }: Day): boolean {
  if (m === 7 && d === 3) return w === MON || w === TUE || w === THU || (w === WED && y >= 2013);
  if (m === 7 && d === 5) return w === FRI && y < 2013; // before 2013 a Thursday July 4 moved it to Friday
  if (m === 11 && w === FRI && d >= 23 && d <= 29) return true; // the day after Thanksgiving
  if (m === 12 && d === 24) return w >= MON && w <= THU;
  return false;
}

const etTime = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", hourCycle: "h23", hour: "2-digit", minute: "2-digit" });
const etDate = new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York", year: "numeric", month: "2-digit", day: "2-digit" });

const calendar = nyseCalendar();
const years = Array.from({ length: 41 }, (_, i) => 2000 + i);

describe("NYSE rules 2000–2040", () => {
  it("E1: every year has exactly the rule holidays and special closures the oracle predicts", () => {
    for (const year of years) {
      const expected = weekdays(year)
        .filter((day) => ruleHoliday(day) !== undefined || specialClosures.includes(day.date))
        .map((day) => day.date);
      const actual = calendar.closuresBetween(`${String(year)}-01-01`, `${String(year)}-12-31`).map((c) => c.date);
      expect(actual, String(year)).toEqual(expected);
      const ruleCount = weekdays(year).filter((day) => ruleHoliday(day) !== undefined).length;
      // 9 federal-style holidays + Good Friday (+ Juneteenth from 2022), less a Saturday New Year.
      const saturdayNewYear = new Date(Date.UTC(year, 0, 1)).getUTCDay() === 6;
      expect(ruleCount, String(year)).toBe(9 + (year >= 2022 ? 1 : 0) - (saturdayNewYear ? 1 : 0));
    }
  });

  it("E1: every other weekday trades, with the 13:00 ET early closes exactly where the rules put them", () => {
    let sessions = 0;
    for (const year of years) {
      for (const day of weekdays(year)) {
        const session = calendar.sessionFor(day.date);
        if (ruleHoliday(day) !== undefined || specialClosures.includes(day.date)) {
          expect(session, day.date).toBeUndefined();
          continue;
        }
        sessions += 1;
        expect(session, day.date).toBeDefined();
        if (session === undefined) continue;
        const special = specialEarlyCloses.get(day.date);
        const early = special !== undefined || ruleEarlyClose(day);
        expect(session.earlyClose, day.date).toBe(early);
        expect(etDate.format(session.openMs), day.date).toBe(day.date);
        expect(etTime.format(session.openMs), day.date).toBe(lateOpens.get(day.date) ?? "09:30");
        expect(etTime.format(session.closeMs), day.date).toBe(
          special !== undefined ? etTime.format(session.openMs + special * 3_600_000) : early ? "13:00" : "16:00",
        );
        expect(etTime.format(session.extendedOpenMs), day.date).toBe("04:00");
        expect(etTime.format(session.extendedCloseMs), day.date).toBe("20:00");
      }
    }
    expect(sessions).toBe(calendar.tradingDaysBetween("2000-01-01", "2040-12-31").length);
  });

  it("E1: Good Friday is Easter Sunday − 2 days and closed, every year", () => {
    for (const year of years) {
      const goodFriday = new Date((easterByYear.get(year) ?? 0) - 2 * DAY).toISOString().slice(0, 10);
      expect(calendar.closuresBetween(goodFriday, goodFriday)).toEqual([{ date: goodFriday, reason: "Good Friday" }]);
    }
  });

  it("E1: a Saturday New Year's Day is not observed: the Friday before trades a full day", () => {
    for (const friday of ["2004-12-31", "2010-12-31", "2021-12-31", "2027-12-31", "2032-12-31", "2038-12-31"]) {
      expect(new Date(`${friday}T00:00:00Z`).getUTCDay()).toBe(FRI);
      expect(calendar.sessionFor(friday)?.earlyClose, friday).toBe(false);
    }
    // A Sunday New Year moves to Monday January 2.
    for (const monday of ["2006-01-02", "2012-01-02", "2017-01-02", "2023-01-02", "2034-01-02", "2040-01-02"]) {
      expect(calendar.closuresBetween(monday, monday)).toEqual([{ date: monday, reason: "New Year's Day" }]);
    }
  });

  it("E1: Juneteenth is absent before 2022 and observed on the nearest weekday from 2022", () => {
    expect(calendar.isTradingDay("2020-06-19")).toBe(true); // a Friday
    expect(calendar.isTradingDay("2021-06-18")).toBe(true); // Friday before a Saturday June 19, 2021
    expect(calendar.isTradingDay("2022-06-20")).toBe(false); // Sunday 2022 → Monday
    expect(calendar.isTradingDay("2026-06-19")).toBe(false);
    expect(calendar.isTradingDay("2027-06-18")).toBe(false); // Saturday 2027 → Friday
    expect(calendar.isTradingDay("2033-06-20")).toBe(false); // Sunday 2033 → Monday
  });

  it("E1: the special closures since 2000 are closed, and the days around them trade", () => {
    for (const date of specialClosures) {
      expect(calendar.isTradingDay(date), date).toBe(false);
      expect(calendar.sessionFor(date), date).toBeUndefined();
    }
    expect(calendar.tradingDaysBetween("2001-09-10", "2001-09-17")).toEqual(["2001-09-10", "2001-09-17"]);
    expect(calendar.tradingDaysBetween("2012-10-26", "2012-10-31")).toEqual(["2012-10-26", "2012-10-31"]);
    expect(calendar.tradingDaysBetween("2018-12-04", "2018-12-06")).toEqual(["2018-12-04", "2018-12-06"]);
  });

  it("E1: isOpen agrees with the session of the instant's New York date at random instants 2000–2040", () => {
    const lo = Date.parse("2000-01-01T05:00:00Z");
    const hi = Date.parse("2041-01-01T05:00:00Z") - 1;
    fc.assert(
      fc.property(fc.integer({ min: lo, max: hi }), fc.constantFrom("regular" as const, "extended" as const), (ts, kind) => {
        const date = etDate.format(ts);
        expect(calendar.localDateOf(ts)).toBe(date);
        const s = calendar.sessionFor(date);
        const inSession = s !== undefined && (kind === "regular" ? ts >= s.openMs && ts < s.closeMs : ts >= s.extendedOpenMs && ts < s.extendedCloseMs);
        expect(calendar.isOpen(ts, { session: kind })).toBe(inSession);
      }),
      { numRuns: 5000 },
    );
  });
});
