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
import { nyseCalendar } from "@mqk/md";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanRecordVerifier, insertCleanRecord } from "./support/clean-record-verifier.js";

const calendar = nyseCalendar();
const at = (iso: string): number => Date.parse(iso);
const graceMs = 30_000;
/** November 2024 is EST: ET = UTC − 5 h. */
const tue1000 = at("2024-11-26T15:00:00Z"); // Tue 10:00 ET, a 1min bar opening then closes 10:01
const tue1559 = at("2024-11-26T20:59:00Z"); // Tue 15:59 ET, the day's last 1min bar (closes 16:00)
const age91s = 91_000; // older than 1 min + 30 s grace

function minuteFeed(lastBarTsMs: number, nowMs: number): FeedFreshnessInput {
  return { calendar, lastBarTsMs, interval: "1min", graceMs, nowMs };
}

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
});
