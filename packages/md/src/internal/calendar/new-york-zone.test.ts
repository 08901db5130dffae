import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DAY_MS, dayNumberOf } from "./calendar-date.js";
import { newYorkZone } from "./new-york-zone.js";

// The host's tz database, through Intl, is the independent reference: the zone is coded by
// rule so no Intl call sits in the calendar's path, and this test says if the two ever part.
const offsetFormat = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", timeZoneName: "longOffset" });

function intlOffsetMinutes(tsMs: number): number {
  const name = offsetFormat.formatToParts(new Date(tsMs)).find((p) => p.type === "timeZoneName")?.value ?? "";
  const m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
  if (!m) throw new Error(`unexpected zone name ${name}`);
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

const first = dayNumberOf(2000, 1, 1);
const last = dayNumberOf(2040, 12, 31);

describe("America/New_York by rule", () => {
  it("E1: agrees with the tz database on the offset at 04:00, 09:30, 16:00 and 20:00 local of every day 2000–2040", () => {
    for (let day = first; day <= last; day += 1) {
      for (const minute of [240, 570, 960, 1200]) {
        const ts = newYorkZone.localToUtcMs(day, minute);
        const offset = intlOffsetMinutes(ts);
        expect(ts).toBe(day * DAY_MS + (minute - offset) * 60_000);
        expect(newYorkZone.offsetMinutesAt(ts)).toBe(offset);
      }
    }
  });

  it("E1: agrees with the tz database at random instants 2000–2040", () => {
    fc.assert(
      fc.property(fc.integer({ min: first * DAY_MS, max: (last + 1) * DAY_MS }), (ts) => {
        expect(newYorkZone.offsetMinutesAt(ts)).toBe(intlOffsetMinutes(ts));
      }),
      { numRuns: 2000 },
    );
  });

  it("E1: switches at 02:00 local on the rule Sundays, old rule before 2007 and new rule from 2007", () => {
    // 2006 (old rule): 2 April and 29 October; 2024 (new rule): 10 March and 3 November.
    const cases: [number, number, number][] = [
      [2006, 4, 2],
      [2006, 10, 29],
      [2024, 3, 10],
      [2024, 11, 3],
    ];
    for (const [year, month, day] of cases) {
      const switchDay = dayNumberOf(year, month, day);
      const spring = month < 7;
      const changeMs = switchDay * DAY_MS + (spring ? 7 : 6) * 3_600_000;
      expect(newYorkZone.offsetMinutesAt(changeMs - 1)).toBe(spring ? -300 : -240);
      expect(newYorkZone.offsetMinutesAt(changeMs)).toBe(spring ? -240 : -300);
      expect(intlOffsetMinutes(changeMs - 1)).toBe(spring ? -300 : -240);
      expect(intlOffsetMinutes(changeMs)).toBe(spring ? -240 : -300);
    }
  });

  it("reads a skipped wall time forward and a repeated one as the earlier instant", () => {
    const spring = dayNumberOf(2024, 3, 10);
    expect(new Date(newYorkZone.localToUtcMs(spring, 150)).toISOString()).toBe("2024-03-10T07:30:00.000Z"); // 02:30 does not exist → 03:30 EDT
    const fall = dayNumberOf(2024, 11, 3);
    expect(new Date(newYorkZone.localToUtcMs(fall, 90)).toISOString()).toBe("2024-11-03T05:30:00.000Z"); // 01:30 EDT, the first one
    expect(new Date(newYorkZone.localToUtcMs(fall, 120)).toISOString()).toBe("2024-11-03T07:00:00.000Z"); // 02:00 EST
  });
});
