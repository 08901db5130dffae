import { FakeClock } from "@mqk/core";
import { createTestDatabase, openDatabase, type TestDatabase } from "@mqk/db";
import {
  arm,
  bootIntegrity,
  checkFeedFreshness,
  FUTURE_BAR_TOLERANCE_MS,
  enforceFeedFreshness,
  readArmState,
  readGates,
  verifyAuditChain,
  type FeedFreshnessInput,
} from "@mqk/integrity";
import { CalendarError, nyseCalendar, type ExchangeCalendar, type ExpectedBarsQuery } from "@mqk/md";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanRecordVerifier, insertCleanRecord } from "./support/clean-record-verifier.js";

const calendar = nyseCalendar();
const at = (iso: string): number => Date.parse(iso);
const graceMs = 30_000;
/** November 2024 is EST: ET = UTC − 5 h. */
const tue1000 = at("2024-11-26T15:00:00Z"); // Tue 10:00 ET, a 1min bar opening then closes 10:01
const tue1559 = at("2024-11-26T20:59:00Z"); // Tue 15:59 ET, the day's last 1min bar (closes 16:00)
const age91s = 91_000; // older than 1 min + 30 s grace

function minuteFeed(lastBarTsMs: number | null, nowMs: number): FeedFreshnessInput {
  return { calendar, lastBarTsMs, interval: "1min", graceMs, nowMs };
}

/** The NYSE calendar, with some of its answers replaced (to watch or break them). */
function calendarWith(overrides: Partial<Pick<ExchangeCalendar, "expectedBarTimestamps" | "nextClose">>): ExchangeCalendar {
  return new Proxy(calendar, {
    get(target, property) {
      if (property === "expectedBarTimestamps" && overrides.expectedBarTimestamps !== undefined) return overrides.expectedBarTimestamps;
      if (property === "nextClose" && overrides.nextClose !== undefined) return overrides.nextClose;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
const y1999 = at("1999-12-15T15:00:00Z"); // a Wednesday 10:00 ET, before the calendar's first date

describe("E3: checkFeedFreshness (pure)", () => {
  it("E3: in session, a 1min bar is fresh until its close + interval + grace, stale just after, with age and limits", () => {
    const close = tue1000 + 60_000;
    expect(checkFeedFreshness(minuteFeed(tue1000, close + 90_000))).toMatchObject({ kind: "fresh", ageMs: 90_000, limitMs: 90_000 });
    expect(checkFeedFreshness(minuteFeed(tue1000, close + age91s))).toEqual({
      kind: "stale",
      ageMs: age91s,
      lastBarCloseMs: close,
      intervalMs: 60_000,
      graceMs,
      limitMs: 90_000,
      deadlineMs: close + 90_000,
    });
  });

  it("E3: the same age at night, on a weekend and on a holiday is outside_session", () => {
    expect(checkFeedFreshness(minuteFeed(tue1559, tue1559 + 60_000 + age91s))).toEqual({ kind: "outside_session", nowMs: tue1559 + 60_000 + age91s });
    const fri1559 = at("2024-11-22T20:59:00Z");
    expect(checkFeedFreshness(minuteFeed(fri1559, at("2024-11-23T16:00:00Z"))).kind).toBe("outside_session");
    expect(checkFeedFreshness(minuteFeed(at("2024-11-27T20:59:00Z"), at("2024-11-28T16:00:00Z"))).kind).toBe("outside_session"); // Thanksgiving
    // The early close on 2024-11-29: after 13:00 ET the market is shut.
    expect(checkFeedFreshness(minuteFeed(at("2024-11-29T17:59:00Z"), at("2024-11-29T18:05:00Z"))).kind).toBe("outside_session");
  });

  it("E3: after a weekend the next bar is due only once traded: Monday 09:30:30 ET fresh, 09:31:31 stale", () => {
    const fri1559 = at("2024-11-22T20:59:00Z");
    expect(checkFeedFreshness(minuteFeed(fri1559, at("2024-11-25T14:30:30Z"))).kind).toBe("fresh");
    expect(checkFeedFreshness(minuteFeed(fri1559, at("2024-11-25T14:31:30Z"))).kind).toBe("fresh");
    expect(checkFeedFreshness(minuteFeed(fri1559, at("2024-11-25T14:31:31Z"))).kind).toBe("stale");
  });

  it("E3: daily bars: Friday's bar is fresh through Monday's session; Monday's missing bar is stale on Tuesday", () => {
    const friday = { calendar, lastBarTsMs: at("2024-11-22T00:00:00Z"), interval: "1day" as const, graceMs: 3_600_000 };
    const monday = checkFeedFreshness({ ...friday, nowMs: at("2024-11-25T20:30:00Z") });
    expect(monday).toMatchObject({ kind: "fresh", lastBarCloseMs: at("2024-11-22T21:00:00Z") });
    expect(checkFeedFreshness({ ...friday, nowMs: tue1000 })).toMatchObject({ kind: "stale", deadlineMs: at("2024-11-25T22:00:00Z") });
  });

  it("E3: daily bars across Thanksgiving: Wednesday's bar stays fresh on the early-close Friday until 13:00 ET + grace", () => {
    const wednesday = { calendar, lastBarTsMs: at("2024-11-27T00:00:00Z"), interval: "1day" as const, graceMs: 60_000 };
    expect(checkFeedFreshness({ ...wednesday, nowMs: at("2024-11-29T17:59:00Z") }).kind).toBe("fresh");
    expect(checkFeedFreshness({ ...wednesday, nowMs: at("2024-12-02T14:30:00Z") })).toMatchObject({ kind: "stale", deadlineMs: at("2024-11-29T18:01:00Z") });
  });

  it("E3: a negative grace is refused", () => {
    expect(() => checkFeedFreshness({ ...minuteFeed(tue1000, tue1000), graceMs: -1 })).toThrow(/grace ≥ 0/);
  });

  it("E3: a last bar years old (but inside the calendar) is stale, and the calendar is asked about two sessions, not years of bars", () => {
    const queries: ExpectedBarsQuery[] = [];
    const watched = calendarWith({
      expectedBarTimestamps: (query) => {
        queries.push(query);
        return calendar.expectedBarTimestamps(query);
      },
    });
    const thu2001 = at("2001-03-01T15:00:00Z"); // Thu 10:00 ET: the next bar opens 10:01, closes 10:02
    expect(checkFeedFreshness({ calendar: watched, lastBarTsMs: thu2001, interval: "1min", graceMs, nowMs: tue1000 })).toMatchObject({
      kind: "stale",
      deadlineMs: thu2001 + 120_000 + graceMs,
    });
    const label2003 = at("2003-01-02T00:00:00Z"); // a Thursday; Friday's session closes 16:00 ET
    expect(checkFeedFreshness({ calendar: watched, lastBarTsMs: label2003, interval: "1day", graceMs, nowMs: tue1000 })).toMatchObject({
      kind: "stale",
      deadlineMs: at("2003-01-03T21:00:00Z") + graceMs,
    });
    expect(queries).toHaveLength(2);
    for (const q of queries) expect(q.toMs - q.fromMs).toBeLessThanOrEqual(5 * 86_400_000);
  });
});

describe("E3: enforceFeedFreshness disarms on a stale feed in session, and only then", () => {
  let handle: TestDatabase;

  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });

  async function armedAt(nowMs: number): Promise<FakeClock> {
    const clock = new FakeClock(nowMs);
    await bootIntegrity(handle.db, clock);
    const evidence = await insertCleanRecord(handle.db, nowMs);
    const armed = await arm(handle.db, { evidence, verifier: cleanRecordVerifier, actor: "op", reason: "e3 test" }, clock);
    expect(armed.ok).toBe(true);
    return clock;
  }

  async function auditCount(): Promise<number> {
    return (await handle.db.selectFrom("audit_events").select("seq").execute()).length;
  }

  const feed = "AAPL 1min (test)";

  it("E3: the same age at night, on a weekend and on a holiday trips nothing; neither does a fresh feed", async () => {
    const cases = [
      { lastBarTsMs: tue1559, nowMs: tue1559 + 60_000 + age91s }, // night
      { lastBarTsMs: at("2024-11-22T20:59:00Z"), nowMs: at("2024-11-23T16:00:00Z") }, // Saturday
      { lastBarTsMs: at("2024-11-27T20:59:00Z"), nowMs: at("2024-11-28T16:00:00Z") }, // Thanksgiving
      { lastBarTsMs: tue1000, nowMs: tue1000 + 60_000 + 90_000 }, // fresh, in session
    ];
    for (const c of cases) {
      const clock = await armedAt(c.nowMs);
      const before = await auditCount();
      const result = await enforceFeedFreshness(handle.db, clock, { calendar, lastBarTsMs: c.lastBarTsMs, interval: "1min", graceMs, feed });
      expect(result).toMatchObject({ action: "none", status: null });
      expect(["outside_session", "fresh"]).toContain(result.freshness.kind);
      expect((await readArmState(handle.db)).state).toBe("ARMED");
      expect(await auditCount()).toBe(before);
    }
  });

  it("E3: stale during a session → DISARMED (STALE_FEED), persisted, audited, the gates read not armed", async () => {
    const nowMs = tue1000 + 60_000 + age91s;
    const clock = await armedAt(nowMs);
    const result = await enforceFeedFreshness(handle.db, clock, { calendar, lastBarTsMs: tue1000, interval: "1min", graceMs, feed });
    expect(result).toMatchObject({ action: "disarmed", freshness: { kind: "stale", ageMs: age91s }, status: { state: "DISARMED", reasonKind: "STALE_FEED" } });
    expect(result.status?.reason).toContain(feed);

    // Persisted: a fresh connection reads the same.
    const other = await openDatabase({ kind: "url", url: handle.connectionString });
    try {
      expect(await readArmState(other.db)).toMatchObject({ state: "DISARMED", reasonKind: "STALE_FEED" });
      const gates = await readGates(other.db, nowMs);
      expect(gates).toMatchObject({ armed: false, open: false });
      expect(gates.blockedBy.join("\n")).toContain("STALE_FEED");
    } finally {
      await other.close();
    }

    // Audited, and the chain still verifies.
    const last = await handle.db.selectFrom("audit_events").select(["kind", "payload"]).orderBy("seq", "desc").executeTakeFirstOrThrow();
    expect(last.kind).toBe("DISARMED");
    expect(last.payload).toMatchObject({ reasonKind: "STALE_FEED", previousState: "ARMED" });
    expect((await verifyAuditChain(handle.db)).ok).toBe(true);

    // Still stale a minute later: no second audit row while already disarmed for a stale feed.
    const before = await auditCount();
    clock.advance(60_000);
    const again = await enforceFeedFreshness(handle.db, clock, { calendar, lastBarTsMs: tue1000, interval: "1min", graceMs, feed });
    expect(again.action).toBe("already_disarmed");
    expect(await auditCount()).toBe(before);
  });

  it("E3: a last bar stamped after now (a provider clock or zone error) is no evidence: stale in session, disarms; outside a session nothing trips", async () => {
    const nowMs = tue1000 + 30_000;
    const fiveHoursAhead = tue1000 + 5 * 3_600_000;
    expect(checkFeedFreshness({ calendar, lastBarTsMs: fiveHoursAhead, interval: "1min", graceMs, nowMs })).toEqual({
      kind: "from_future",
      nowMs,
      lastBarTsMs: fiveHoursAhead,
    });
    // clock skew within the tolerance is not an error
    expect(checkFeedFreshness({ calendar, lastBarTsMs: nowMs + FUTURE_BAR_TOLERANCE_MS, interval: "1min", graceMs, nowMs }).kind).toBe("fresh");
    expect(checkFeedFreshness({ calendar, lastBarTsMs: fiveHoursAhead, interval: "1min", graceMs, nowMs: tue1559 + 3_600_000 }).kind).toBe("outside_session");
    const clock = await armedAt(nowMs);
    const result = await enforceFeedFreshness(handle.db, clock, { calendar, lastBarTsMs: fiveHoursAhead, interval: "1min", graceMs, feed });
    expect(result).toMatchObject({ action: "disarmed", freshness: { kind: "from_future" }, status: { state: "DISARMED", reasonKind: "STALE_FEED" } });
    expect(result.status?.reason).toMatch(/after now/);
  });
  it("E3: no bar yet, in session → stale, disarms", async () => {
    expect(checkFeedFreshness(minuteFeed(null, tue1000))).toEqual({ kind: "no_bar", nowMs: tue1000 });
    expect(checkFeedFreshness(minuteFeed(null, tue1559 + 3_600_000)).kind).toBe("outside_session");
    const clock = await armedAt(tue1000 + 5_000);
    const before = await auditCount();
    const result = await enforceFeedFreshness(handle.db, clock, { calendar, lastBarTsMs: null, interval: "1min", graceMs, feed });
    expect(result).toMatchObject({ action: "disarmed", freshness: { kind: "no_bar" }, status: { state: "DISARMED", reasonKind: "STALE_FEED" } });
    expect(result.status?.reason).toMatch(/no bar received yet/);
    expect(result.status?.reason).toContain(feed);
    expect(await readArmState(handle.db)).toMatchObject({ state: "DISARMED", reasonKind: "STALE_FEED" });
    expect(await auditCount()).toBe(before + 1);
  });

  it("E3: a last bar from 1999 (or epoch 0) in session → stale, disarms; outside a session nothing trips", async () => {
    for (const old of [y1999, 0]) {
      expect(checkFeedFreshness(minuteFeed(old, tue1000))).toEqual({ kind: "predates_calendar", nowMs: tue1000, lastBarTsMs: old, firstDate: "2000-01-01" });
      expect(checkFeedFreshness({ calendar, lastBarTsMs: old, interval: "1day", graceMs, nowMs: tue1000 }).kind).toBe("predates_calendar");

      // Outside a session: nothing trips, nothing is written.
      const night = await armedAt(tue1559 + 3_600_000);
      const quiet = await auditCount();
      expect(await enforceFeedFreshness(handle.db, night, { calendar, lastBarTsMs: old, interval: "1min", graceMs, feed })).toMatchObject({
        action: "none",
        freshness: { kind: "outside_session" },
        status: null,
      });
      expect((await readArmState(handle.db)).state).toBe("ARMED");
      expect(await auditCount()).toBe(quiet);

      // In session: stale, disarmed, with a reason that says why.
      const clock = await armedAt(tue1000 + 60_000);
      const result = await enforceFeedFreshness(handle.db, clock, { calendar, lastBarTsMs: old, interval: "1min", graceMs, feed });
      expect(result).toMatchObject({ action: "disarmed", freshness: { kind: "predates_calendar" }, status: { state: "DISARMED", reasonKind: "STALE_FEED" } });
      expect(result.status?.reason).toContain(`before 2000-01-01, the first date the exchange calendar covers`);
      expect(await readArmState(handle.db)).toMatchObject({ state: "DISARMED", reasonKind: "STALE_FEED" });
    }
  });

  it("E3: a calendar error never leaves the desk armed: it disarms (INTEGRITY_FAULT) with the error, once", async () => {
    // The calendar refuses a query in session.
    const broken = calendarWith({
      nextClose: () => {
        throw new CalendarError("out_of_range", "test calendar: no close known after this instant");
      },
    });
    const clock = await armedAt(tue1000 + 60_000 + age91s);
    const result = await enforceFeedFreshness(handle.db, clock, { calendar: broken, lastBarTsMs: tue1000, interval: "1min", graceMs, feed });
    expect(result).toMatchObject({ action: "disarmed", freshness: { kind: "check_failed" }, status: { state: "DISARMED", reasonKind: "INTEGRITY_FAULT" } });
    expect(result.status?.reason).toContain("no close known after this instant");
    expect(result.status?.reason).toContain(feed);
    const before = await auditCount();
    expect((await enforceFeedFreshness(handle.db, clock, { calendar: broken, lastBarTsMs: tue1000, interval: "1min", graceMs, feed })).action).toBe(
      "already_disarmed",
    );
    expect(await auditCount()).toBe(before);

    // Now past the calendar's last date: it cannot even say whether the market is open.
    const beyond = await armedAt(at("2041-01-02T15:00:00Z"));
    const late = await enforceFeedFreshness(handle.db, beyond, { calendar, lastBarTsMs: at("2041-01-02T14:59:00Z"), interval: "1min", graceMs, feed });
    expect(late).toMatchObject({ action: "disarmed", freshness: { kind: "check_failed" }, status: { state: "DISARMED", reasonKind: "INTEGRITY_FAULT" } });
    expect(late.status?.reason).toMatch(/cannot be told/);
  });
});
