/**
 * The calendar's queries through the public entry: next/previous open and close,
 * trading days between dates, the JSON the CLI prints, and the fail-closed errors.
 */
import { describe, expect, it } from "vitest";
import { CalendarError, NyseCalendar, calendarDaysJson, nyseCalendar, type ExchangeCalendar } from "@mqk/md";

const calendar: ExchangeCalendar = nyseCalendar();
const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();

function reasonOf(run: () => unknown): string {
  try {
    run();
  } catch (error: unknown) {
    if (error instanceof CalendarError) return `${error.reason}/${error.code}`;
    throw error;
  }
  return "no error";
}

describe("next and previous opens and closes", () => {
  it("nextOpen skips a holiday weekend: after Friday's close before Labor Day comes Tuesday's open", () => {
    expect(iso(calendar.nextOpen(at("2024-08-30T20:00:00Z")))).toBe("2024-09-03T13:30:00.000Z");
    // Good Friday weekend 2024: Thursday after the close → Monday 1 April.
    expect(iso(calendar.nextOpen(at("2024-03-28T21:00:00Z")))).toBe("2024-04-01T13:30:00.000Z");
    // Christmas 2024 from Christmas Eve's early close: Thursday 26 December.
    expect(iso(calendar.nextOpen(at("2024-12-24T18:00:00Z")))).toBe("2024-12-26T14:30:00.000Z");
    // Four closed days after 9/11, then the weekend: Monday 17 September, opened late at 09:33.
    expect(iso(calendar.nextOpen(at("2001-09-11T12:00:00Z")))).toBe("2001-09-17T13:33:00.000Z");
  });

  it("nextOpen is strictly after: at or during a session it is the next session's open", () => {
    expect(iso(calendar.nextOpen(at("2024-07-15T13:30:00Z")))).toBe("2024-07-16T13:30:00.000Z");
    expect(iso(calendar.nextOpen(at("2024-07-15T13:29:59.999Z")))).toBe("2024-07-15T13:30:00.000Z");
    expect(iso(calendar.nextOpen(at("2024-07-15T17:00:00Z")))).toBe("2024-07-16T13:30:00.000Z");
  });

  it("nextClose: the running session's close, an early close included", () => {
    expect(iso(calendar.nextClose(at("2024-11-29T15:00:00Z")))).toBe("2024-11-29T18:00:00.000Z");
    expect(iso(calendar.nextClose(at("2024-11-29T18:00:00Z")))).toBe("2024-12-02T21:00:00.000Z");
    expect(iso(calendar.nextClose(at("2024-11-27T22:00:00Z")))).toBe("2024-11-29T18:00:00.000Z");
  });

  it("previousClose and previousOpen are at or before the instant, across weekends and holidays", () => {
    expect(iso(calendar.previousClose(at("2024-12-02T14:00:00Z")))).toBe("2024-11-29T18:00:00.000Z"); // Monday morning → Black Friday 13:00 ET
    expect(iso(calendar.previousClose(at("2024-11-29T18:00:00Z")))).toBe("2024-11-29T18:00:00.000Z");
    expect(iso(calendar.previousClose(at("2024-11-29T17:59:59Z")))).toBe("2024-11-27T21:00:00.000Z");
    expect(iso(calendar.previousOpen(at("2024-07-15T13:30:00Z")))).toBe("2024-07-15T13:30:00.000Z");
    expect(iso(calendar.previousOpen(at("2024-07-15T13:29:00Z")))).toBe("2024-07-12T13:30:00.000Z");
    expect(iso(calendar.previousOpen(at("2025-01-10T12:00:00Z")))).toBe("2025-01-08T14:30:00.000Z"); // Carter mourning day skipped
  });

  it("the extended session has its own edges: 04:00 and 20:00 ET", () => {
    expect(iso(calendar.nextOpen(at("2024-07-15T20:00:00Z"), { session: "extended" }))).toBe("2024-07-16T08:00:00.000Z");
    expect(iso(calendar.nextClose(at("2024-07-15T20:00:00Z"), { session: "extended" }))).toBe("2024-07-16T00:00:00.000Z");
    expect(iso(calendar.previousClose(at("2024-01-08T10:00:00Z"), { session: "extended" }))).toBe("2024-01-06T01:00:00.000Z"); // Friday 20:00 EST
    expect(iso(calendar.previousOpen(at("2024-01-08T10:00:00Z"), { session: "extended" }))).toBe("2024-01-08T09:00:00.000Z");
  });
});

describe("trading days between dates", () => {
  it("lists trading dates inclusive of both ends", () => {
    expect(calendar.tradingDaysBetween("2024-11-27", "2024-12-02")).toEqual(["2024-11-27", "2024-11-29", "2024-12-02"]);
    expect(calendar.tradingDaysBetween("2024-11-28", "2024-11-28")).toEqual([]);
    expect(calendar.tradingDaysBetween("2024-11-29", "2024-11-29")).toEqual(["2024-11-29"]);
  });

  it("counts per year follow the rules (2024: 252, cross-checked by hand in the E1 reference test)", () => {
    const counts = Object.fromEntries(
      [2000, 2001, 2012, 2018, 2024, 2025, 2026, 2040].map((y) => [y, calendar.tradingDaysBetween(`${String(y)}-01-01`, `${String(y)}-12-31`).length]),
    );
    // By hand: 2000 has 260 weekdays (leap, starts Saturday) and 8 weekday holidays (New Year on a
    // Saturday is not observed) → 252; 2001 has 261 weekdays, 9 holidays and the four 9/11 days → 248;
    // 2040 has 261 weekdays (leap, starts Sunday) and 10 holidays (New Year observed Monday 2 Jan) → 251.
    // 2012 loses two days to Sandy and 2018 one to the Bush mourning day.
    expect(counts).toEqual({ 2000: 252, 2001: 248, 2012: 250, 2018: 251, 2024: 252, 2025: 250, 2026: 251, 2040: 251 });
    expect(calendar.tradingDaysBetween("2000-01-01", "2040-12-31")).toHaveLength(10_305);
  });
});

describe("the CLI's JSON", () => {
  it("gives one object per trading day with the regular open and close as UTC ISO instants", () => {
    const result = calendarDaysJson(calendar, "2024-07-02", "2024-07-05");
    expect(result).toEqual({
      ok: true,
      value: [
        { date: "2024-07-02", open: "2024-07-02T13:30:00.000Z", close: "2024-07-02T20:00:00.000Z" },
        { date: "2024-07-03", open: "2024-07-03T13:30:00.000Z", close: "2024-07-03T17:00:00.000Z" },
        { date: "2024-07-05", open: "2024-07-05T13:30:00.000Z", close: "2024-07-05T20:00:00.000Z" },
      ],
    });
    expect(JSON.parse(JSON.stringify(result.ok ? result.value : null))).toHaveLength(3);
  });

  it("covers the whole range 2000–2040, special closures included", () => {
    const result = calendarDaysJson(calendar, "2000-01-01", "2040-12-31");
    expect(result.ok && result.value.length).toBe(10_305);
    expect(result.ok && result.value[0]).toEqual({ date: "2000-01-03", open: "2000-01-03T14:30:00.000Z", close: "2000-01-03T21:00:00.000Z" });
    expect(result.ok && result.value.some((d) => d.date === "2012-10-29")).toBe(false);
  });

  it("returns operator mistakes as values with a kind and a message", () => {
    expect(calendarDaysJson(calendar, "1999-12-01", "2000-01-10")).toEqual({
      ok: false,
      error: { kind: "out_of_range", message: "XNYS calendar: 1999-12-01 is outside the supported range 2000-01-01 … 2040-12-31; ask for a date inside it" },
    });
    expect(calendarDaysJson(calendar, "2024-02-30", "2024-03-10")).toMatchObject({ ok: false, error: { kind: "invalid_date" } });
    expect(calendarDaysJson(calendar, "2024-03-10", "2024-03-01")).toMatchObject({ ok: false, error: { kind: "invalid_range" } });
  });
});

describe("outside 2000–2040 the calendar fails closed", () => {
  it("throws a CalendarError (BAD_INPUT) naming the supported range, never guessing", () => {
    expect(reasonOf(() => calendar.isOpen(at("1999-12-31T15:00:00Z")))).toBe("out_of_range/BAD_INPUT");
    expect(reasonOf(() => calendar.isOpen(at("2041-01-02T15:00:00Z")))).toBe("out_of_range/BAD_INPUT");
    expect(reasonOf(() => calendar.isTradingDay("1999-12-31"))).toBe("out_of_range/BAD_INPUT");
    expect(reasonOf(() => calendar.sessionFor("2041-01-02"))).toBe("out_of_range/BAD_INPUT");
    expect(reasonOf(() => calendar.tradingDaysBetween("1999-12-01", "2000-01-31"))).toBe("out_of_range/BAD_INPUT");
    expect(reasonOf(() => calendar.localDateOf(at("2041-01-01T05:00:00Z")))).toBe("out_of_range/BAD_INPUT");
    expect(() => calendar.isOpen(at("1999-12-31T15:00:00Z"))).toThrow("XNYS calendar: instant 1999-12-31T15:00:00.000Z is outside the supported range");
  });

  it("the edges of the range answer, one step beyond does not", () => {
    expect(calendar.isOpen(at("2000-01-01T05:00:00Z"))).toBe(false); // midnight New York, Saturday 1 January 2000
    expect(reasonOf(() => calendar.isOpen(at("2000-01-01T04:59:59.999Z")))).toBe("out_of_range/BAD_INPUT");
    expect(calendar.isOpen(at("2041-01-01T04:59:59.999Z"), { session: "extended" })).toBe(false);
    expect(iso(calendar.previousClose(at("2041-01-01T04:59:59.999Z")))).toBe("2040-12-31T21:00:00.000Z");
    // The next open after the last session would be in 2041: unknown, so an error.
    expect(reasonOf(() => calendar.nextOpen(at("2040-12-31T22:00:00Z")))).toBe("out_of_range/BAD_INPUT");
    // Nothing closed before the first session of 2000.
    expect(reasonOf(() => calendar.previousClose(at("2000-01-03T12:00:00Z")))).toBe("out_of_range/BAD_INPUT");
    expect(iso(calendar.previousClose(at("2000-01-03T21:00:00Z")))).toBe("2000-01-03T21:00:00.000Z");
  });

  it("malformed dates and instants are refused, not read as closed", () => {
    expect(reasonOf(() => calendar.isTradingDay("2024-02-30"))).toBe("invalid_date/BAD_INPUT");
    expect(reasonOf(() => calendar.isTradingDay("2024/01/02"))).toBe("invalid_date/BAD_INPUT");
    expect(reasonOf(() => calendar.isOpen(Number.NaN))).toBe("invalid_instant/BAD_INPUT");
    expect(reasonOf(() => calendar.isOpen(Number.POSITIVE_INFINITY))).toBe("invalid_instant/BAD_INPUT");
    expect(reasonOf(() => calendar.nextOpen(Number.NaN))).toBe("invalid_instant/BAD_INPUT");
    expect(reasonOf(() => calendar.tradingDaysBetween("2024-03-10", "2024-03-01"))).toBe("invalid_range/BAD_INPUT");
  });
});

describe("the ExchangeCalendar seam", () => {
  it("E1: gap detection written against the interface runs on the NYSE implementation", () => {
    // A consumer sees only ExchangeCalendar; a second exchange is another implementation of it.
    function missingDailyBars(cal: ExchangeCalendar, barsMs: readonly number[], fromMs: number, toMs: number): string[] {
      const have = new Set(barsMs);
      return cal
        .expectedBarTimestamps({ interval: "1day", fromMs, toMs })
        .filter((t) => !have.has(t))
        .map((t) => iso(t).slice(0, 10));
    }
    const week = [Date.UTC(2024, 10, 25), Date.UTC(2024, 10, 27), Date.UTC(2024, 10, 29)]; // Tuesday missing, Thursday is Thanksgiving
    expect(missingDailyBars(new NyseCalendar(), week, Date.UTC(2024, 10, 25), Date.UTC(2024, 10, 29))).toEqual(["2024-11-26"]);
    expect(calendar.exchange).toBe("XNYS");
    expect(calendar.timeZone).toBe("America/New_York");
    expect([calendar.firstDate, calendar.lastDate]).toEqual(["2000-01-01", "2040-12-31"]);
  });
});
