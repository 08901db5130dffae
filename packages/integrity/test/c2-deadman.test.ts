import { FakeClock } from "@mqk/core";
import { createTestDatabase, openDatabase, type TestDatabase } from "@mqk/db";
import {
  arm,
  beat,
  bootIntegrity,
  checkDeadman,
  readArmState,
  readDeadman,
  readGates,
  recoverDeadman,
  standDownDeadman,
  verifyAuditChain,
} from "@mqk/integrity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanRecordVerifier, insertCleanRecord } from "./support/clean-record-verifier.js";

let handle: TestDatabase;
const clock = new FakeClock(Date.UTC(2026, 0, 5, 15, 0, 0));

beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(async () => {
  await handle.close();
});

describe("C2: the deadman", () => {
  it("C2: never trips before the first beat; beats inside the deadline keep it clear", async () => {
    await bootIntegrity(handle.db, clock);
    clock.advance(60_000);
    expect((await checkDeadman(handle.db, clock)).state).toBe("CLEAR");
    for (let i = 0; i < 3; i += 1) {
      expect((await beat(handle.db, clock, 5_000)).ok).toBe(true);
      clock.advance(5_000);
      expect((await checkDeadman(handle.db, clock)).state).toBe("CLEAR");
    }
  });

  it("C2: a missed deadline trips (persisted, audited, disarms); it stays tripped across a restart until recover with a reason", async () => {
    const evidence = await insertCleanRecord(handle.db, clock.nowMs());
    expect((await beat(handle.db, clock, 5_000)).ok).toBe(true);
    expect((await arm(handle.db, { evidence, verifier: cleanRecordVerifier, actor: "op", reason: "go" }, clock)).ok).toBe(true);
    clock.advance(5_001);
    const tripped = await checkDeadman(handle.db, clock);
    expect(tripped).toMatchObject({ state: "TRIPPED", trippedAtMs: clock.nowMs() });
    expect(tripped.reason).toContain("missed heartbeat");
    expect(await readArmState(handle.db)).toMatchObject({ state: "DISARMED", reasonKind: "DEADMAN" });
    const kinds = (await handle.db.selectFrom("audit_events").select("kind").orderBy("seq").execute()).map((r) => r.kind);
    expect(kinds.slice(-2)).toEqual(["DEADMAN_TRIPPED", "DISARMED"]);

    // Restart: a new pool on the same database, boot as a new process would.
    const restarted = await openDatabase({ kind: "url", url: handle.connectionString });
    try {
      const boot = await bootIntegrity(restarted.db, clock);
      expect(boot.deadman).toBe("TRIPPED");
      expect((await readDeadman(restarted.db)).state).toBe("TRIPPED");
      expect(await beat(restarted.db, clock, 5_000)).toMatchObject({ ok: false, error: { kind: "tripped" } });
      expect((await readDeadman(restarted.db)).state).toBe("TRIPPED");
      const newEvidence = await insertCleanRecord(restarted.db, clock.nowMs());
      expect(await arm(restarted.db, { evidence: newEvidence, verifier: cleanRecordVerifier, actor: "op", reason: "again" }, clock)).toMatchObject({
        ok: false,
        error: { kind: "deadman_tripped" },
      });
      expect((await readGates(restarted.db, clock.nowMs())).blockedBy.join("\n")).toContain("deadman tripped");

      expect(await recoverDeadman(restarted.db, { reason: "  ", actor: "op" }, clock)).toMatchObject({ ok: false, error: { kind: "bad_request" } });
      expect((await readDeadman(restarted.db)).state).toBe("TRIPPED");
      const recovered = await recoverDeadman(restarted.db, { reason: "runtime restarted after host reboot", actor: "op" }, clock);
      expect(recovered).toMatchObject({ ok: true, value: { state: "CLEAR", deadlineAtMs: null } });
      // Recovery does not arm (C1 stickiness); an arm now can.
      expect((await readArmState(restarted.db)).state).toBe("DISARMED");
      expect((await beat(restarted.db, clock, 5_000)).ok).toBe(true);
      expect(await arm(restarted.db, { evidence: newEvidence, verifier: cleanRecordVerifier, actor: "op", reason: "again" }, clock)).toMatchObject({
        ok: true,
      });
      const last = await restarted.db.selectFrom("audit_events").select(["kind", "actor"]).orderBy("seq", "desc").limit(2).execute();
      expect(last.map((r) => r.kind)).toEqual(["ARMED", "DEADMAN_RECOVERED"]);
      expect((await verifyAuditChain(restarted.db)).ok).toBe(true);
    } finally {
      await restarted.close();
    }
  });

  it("C2: a tripped deadman is not tripped twice (one audit row per trip)", async () => {
    await beat(handle.db, clock, 1_000);
    clock.advance(2_000);
    await checkDeadman(handle.db, clock);
    const before = await handle.db.selectFrom("audit_events").select("seq").execute();
    clock.advance(2_000);
    expect((await checkDeadman(handle.db, clock)).state).toBe("TRIPPED");
    const after = await handle.db.selectFrom("audit_events").select("seq").execute();
    expect(after.length).toBe(before.length);
  });

  /** A clear deadman that promised nothing, and an armed desk on it. */
  async function armedWithPromise(timeoutMs: number): Promise<void> {
    await handle.db.updateTable("deadman").set({ state: "CLEAR", last_beat_at: null, deadline_at: null, tripped_at: null, reason: null }).execute();
    await bootIntegrity(handle.db, clock);
    expect((await beat(handle.db, clock, timeoutMs)).ok).toBe(true);
    const evidence = await insertCleanRecord(handle.db, clock.nowMs());
    expect((await arm(handle.db, { evidence, verifier: cleanRecordVerifier, actor: "op", reason: "go" }, clock)).ok).toBe(true);
  }

  it("C2: a beat that comes after the deadline does not renew it: the deadman trips (persisted, audited, disarmed) and the beat is refused", async () => {
    await armedWithPromise(5_000);
    clock.advance(60_000); // the runtime stalled for a minute, and its beat timer fires before any check
    const late = await beat(handle.db, clock, 5_000);
    expect(late).toMatchObject({ ok: false, error: { kind: "tripped" } });
    expect(late.ok ? "" : late.error.message).toMatch(/came after the deadline/);
    expect(await readDeadman(handle.db)).toMatchObject({ state: "TRIPPED", trippedAtMs: clock.nowMs() });
    expect(await readArmState(handle.db)).toMatchObject({ state: "DISARMED", reasonKind: "DEADMAN" });
    expect((await readGates(handle.db, clock.nowMs())).open).toBe(false);
    const kinds = (await handle.db.selectFrom("audit_events").select("kind").orderBy("seq").execute()).map((r) => r.kind);
    expect(kinds.slice(-2)).toEqual(["DEADMAN_TRIPPED", "DISARMED"]);
  });

  it("C2: a promise that ran out while no process kept it (a crash) trips at the next boot; one still running does not", async () => {
    await armedWithPromise(30_000);
    clock.advance(10_000); // crashed; restarted within the promise
    expect((await bootIntegrity(handle.db, clock)).deadman).toBe("CLEAR");
    clock.advance(25_000); // crashed again; this time the restart comes after the deadline
    const boot = await bootIntegrity(handle.db, clock);
    expect(boot).toMatchObject({ deadman: "TRIPPED", status: { state: "DISARMED" } });
    expect((await readDeadman(handle.db)).reason).toMatch(/missed heartbeat/);
  });

  it("C2: a clean stop stands the promise down, so the next start's first beat is fine; a late stand-down trips instead", async () => {
    await armedWithPromise(5_000);
    expect(await standDownDeadman(handle.db, clock)).toMatchObject({ state: "CLEAR", deadlineAtMs: null });
    expect((await readGates(handle.db, clock.nowMs())).open).toBe(false); // no promise: shut until the next beat
    clock.advance(3_600_000); // the desk is down for an hour
    expect((await bootIntegrity(handle.db, clock)).deadman).toBe("CLEAR");
    expect((await beat(handle.db, clock, 5_000)).ok).toBe(true);
    clock.advance(6_000);
    expect(await standDownDeadman(handle.db, clock)).toMatchObject({ state: "TRIPPED" });
  });
});
