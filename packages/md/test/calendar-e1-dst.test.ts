/**
 * E1: the regular session across daylight-saving changes. NYSE opens 09:30 New
 * York time all year, so the UTC open moves: 14:30Z on EST (winter), 13:30Z on EDT
 * (summer). Expected instants are written out by hand.
 */
import { describe, expect, it } from "vitest";
import { nyseCalendar } from "@mqk/md";

const calendar = nyseCalendar();

function utcHours(date: string): { open: string; close: string } {
  const s = calendar.sessionFor(date);
  if (s === undefined) throw new Error(`${date} has no session`);
  return { open: new Date(s.openMs).toISOString().slice(11, 16), close: new Date(s.closeMs).toISOString().slice(11, 16) };
}

const winter = { open: "14:30", close: "21:00" };
const summer = { open: "13:30", close: "20:00" };

describe("NYSE sessions across DST", () => {
  it("E1: the regular open is 14:30 UTC in winter and 13:30 UTC in summer", () => {
    expect(utcHours("2024-01-02")).toEqual(winter);
    expect(utcHours("2024-07-15")).toEqual(summer);
    expect(utcHours("2000-01-03")).toEqual(winter);
    expect(utcHours("2040-07-16")).toEqual(summer);
  });

  it("E1: 2024 (rule since 2007): EDT from Sunday 10 March to Sunday 3 November", () => {
    expect(utcHours("2024-03-08")).toEqual(winter); // Friday before the switch
    expect(utcHours("2024-03-11")).toEqual(summer); // Monday after
    expect(utcHours("2024-11-01")).toEqual(summer); // Friday before the switch back
    expect(utcHours("2024-11-04")).toEqual(winter); // Monday after
  });

  it("E1: 2006 (old rule): EDT from Sunday 2 April to Sunday 29 October, not the 2007 dates", () => {
    expect(utcHours("2006-03-13")).toEqual(winter); // would be EDT under the 2007 rule
    expect(utcHours("2006-03-31")).toEqual(winter);
    expect(utcHours("2006-04-03")).toEqual(summer);
    expect(utcHours("2006-10-27")).toEqual(summer);
    expect(utcHours("2006-10-30")).toEqual(winter);
    expect(utcHours("2006-11-03")).toEqual(winter); // would be EDT under the 2007 rule
    expect(utcHours("2007-03-12")).toEqual(summer); // first year of the new rule
    expect(utcHours("2007-11-02")).toEqual(summer);
    expect(utcHours("2007-11-05")).toEqual(winter);
  });

  it("E1: isOpen follows the local open on both sides of the March 2024 switch", () => {
    expect(calendar.isOpen(Date.parse("2024-03-08T14:00:00Z"))).toBe(false); // 09:00 EST
    expect(calendar.isOpen(Date.parse("2024-03-08T14:30:00Z"))).toBe(true);
    expect(calendar.isOpen(Date.parse("2024-03-11T13:30:00Z"))).toBe(true); // 09:30 EDT
    expect(calendar.isOpen(Date.parse("2024-03-11T20:00:00Z"))).toBe(false); // 16:00 EDT
    expect(calendar.isOpen(Date.parse("2024-03-08T20:30:00Z"))).toBe(true); // 15:30 EST
  });

  it("E1: the extended session runs 04:00–20:00 ET, past UTC midnight", () => {
    // Winter: 20:00 EST is 01:00Z the next UTC day; summer: 20:00 EDT is 00:00Z.
    expect(calendar.isOpen(Date.parse("2024-01-03T00:30:00Z"), { session: "extended" })).toBe(true);
    expect(calendar.isOpen(Date.parse("2024-01-03T01:00:00Z"), { session: "extended" })).toBe(false);
    expect(calendar.isOpen(Date.parse("2024-01-03T00:30:00Z"))).toBe(false);
    expect(calendar.isOpen(Date.parse("2024-07-16T00:00:00Z"), { session: "extended" })).toBe(false);
    expect(calendar.isOpen(Date.parse("2024-07-15T23:59:00Z"), { session: "extended" })).toBe(true);
    expect(calendar.isOpen(Date.parse("2024-07-15T08:00:00Z"), { session: "extended" })).toBe(true); // 04:00 EDT
    expect(calendar.isOpen(Date.parse("2024-07-15T07:59:59Z"), { session: "extended" })).toBe(false);
    // Post-market on an early-close day runs to 20:00 ET as Alpaca's session_close "2000" says.
    expect(calendar.isOpen(Date.parse("2024-11-29T18:30:00Z"))).toBe(false);
    expect(calendar.isOpen(Date.parse("2024-11-29T18:30:00Z"), { session: "extended" })).toBe(true);
    expect(calendar.isOpen(Date.parse("2024-11-30T00:59:00Z"), { session: "extended" })).toBe(true);
  });

  it("E1: the New York date of an instant rolls over at local midnight, not UTC midnight", () => {
    expect(calendar.localDateOf(Date.parse("2024-01-03T04:59:59Z"))).toBe("2024-01-02");
    expect(calendar.localDateOf(Date.parse("2024-01-03T05:00:00Z"))).toBe("2024-01-03");
    expect(calendar.localDateOf(Date.parse("2024-07-16T03:59:59Z"))).toBe("2024-07-15");
    expect(calendar.localDateOf(Date.parse("2024-07-16T04:00:00Z"))).toBe("2024-07-16");
  });
});
