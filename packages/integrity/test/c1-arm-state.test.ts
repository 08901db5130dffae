import { FakeClock } from "@mqk/core";
import { createTestDatabase, type TestDatabase } from "@mqk/db";
import { arm, bootIntegrity, disarm, readArmState, readGates, recoverDeadman, beat, checkDeadman, verifyAuditChain } from "@mqk/integrity";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cleanRecordVerifier, insertCleanRecord } from "./support/clean-record-verifier.js";
import { runFixture } from "./support/run-fixture.js";

let handle: TestDatabase;
const clock = new FakeClock(Date.UTC(2026, 0, 5, 15, 0, 0));

beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(async () => {
  await handle.close();
});
beforeEach(async () => {
  clock.advance(1_000);
  // Each test starts with a deadman that promised nothing (a promise an earlier test left to
  // run out would trip at boot: C2).
  await handle.db.updateTable("deadman").set({ state: "CLEAR", last_beat_at: null, deadline_at: null, tripped_at: null, reason: null }).execute();
  await bootIntegrity(handle.db, clock);
});

async function auditKinds(): Promise<string[]> {
  const rows = await handle.db.selectFrom("audit_events").select("kind").orderBy("seq").execute();
  return rows.map((r) => r.kind);
}

async function armWithCleanRecord(): Promise<Awaited<ReturnType<typeof arm>>> {
  const evidence = await insertCleanRecord(handle.db, clock.nowMs());
  return arm(handle.db, { evidence, verifier: cleanRecordVerifier, actor: "op", reason: "clean reconcile" }, clock);
}

describe("C1: the arm state machine", () => {
  it("C1: boot comes up DISARMED with a BOOT reason and audits it", async () => {
    const status = await readArmState(handle.db);
    expect(status).toMatchObject({ state: "DISARMED", reasonKind: "BOOT" });
    expect(await auditKinds()).toContain("BOOT_DISARMED");
  });

  it("C1/B1: the default verifier refuses every evidence; nothing changes", async () => {
    const evidence = await insertCleanRecord(handle.db, clock.nowMs());
    const refused = await arm(handle.db, { evidence, actor: "op", reason: "try" }, clock);
    expect(refused).toMatchObject({ ok: false, error: { kind: "evidence_rejected" } });
    expect(await readArmState(handle.db)).toMatchObject({ state: "DISARMED", reasonKind: "BOOT" });
  });

  it("C1/B1: evidence the verifier rejects (wrong hash, missing record) does not arm", async () => {
    const evidence = await insertCleanRecord(handle.db, clock.nowMs());
    const wrongHash = await arm(
      handle.db,
      { evidence: { ...evidence, evidenceHash: "d".repeat(64) }, verifier: cleanRecordVerifier, actor: "op", reason: "try" },
      clock,
    );
    expect(wrongHash).toMatchObject({ ok: false, error: { kind: "evidence_rejected" } });
    const missing = await arm(
      handle.db,
      { evidence: { reconcileRunId: 999_999n, evidenceHash: "d".repeat(64) }, verifier: cleanRecordVerifier, actor: "op", reason: "try" },
      clock,
    );
    expect(missing).toMatchObject({ ok: false, error: { kind: "evidence_rejected" } });
    expect((await readArmState(handle.db)).state).toBe("DISARMED");
  });

  it("C1: an empty actor or reason is refused", async () => {
    const evidence = await insertCleanRecord(handle.db, clock.nowMs());
    expect(await arm(handle.db, { evidence, verifier: cleanRecordVerifier, actor: " ", reason: "x" }, clock)).toMatchObject({
      ok: false,
      error: { kind: "bad_request" },
    });
    await expect(disarm(handle.db, { reasonKind: "OPERATOR_DISARM", reason: "  " }, clock)).rejects.toThrow("non-empty");
  });

  it("C1: verified evidence arms, records the reconcile record and audits ARMED", async () => {
    const armed = await armWithCleanRecord();
    expect(armed).toMatchObject({ ok: true, value: { state: "ARMED", reasonKind: "OPERATOR_ARM", changedBy: "op" } });
    expect(await auditKinds()).toContain("ARMED");
  });

  it("C1: DISARMED is sticky: disarm, then beats, deadman checks and recover attempts never re-arm", async () => {
    expect((await armWithCleanRecord()).ok).toBe(true);
    const disarmed = await disarm(handle.db, { reasonKind: "INTEGRITY_FAULT", reason: "test fault", actor: "integrity" }, clock);
    expect(disarmed).toMatchObject({ state: "DISARMED", reasonKind: "INTEGRITY_FAULT", reconcileRunId: null });
    expect((await beat(handle.db, clock, 5_000)).ok).toBe(true);
    await checkDeadman(handle.db, clock);
    expect(await recoverDeadman(handle.db, { reason: "nothing to recover", actor: "op" }, clock)).toMatchObject({ ok: false, error: { kind: "not_tripped" } });
    clock.advance(60_000);
    expect(await readArmState(handle.db)).toMatchObject({ state: "DISARMED", reasonKind: "INTEGRITY_FAULT" });
    expect((await readGates(handle.db, clock.nowMs())).armed).toBe(false);
  });

  it("C1: the gates open only when armed and the deadman is clear and beaten", async () => {
    const shut = await readGates(handle.db, clock.nowMs());
    expect(shut).toMatchObject({ armed: false, open: false });
    expect((await armWithCleanRecord()).ok).toBe(true);
    await beat(handle.db, clock, 10_000);
    const open = await readGates(handle.db, clock.nowMs());
    expect(open).toMatchObject({ armed: true, deadmanClear: true, open: true, blockedBy: [] });
    const late = await readGates(handle.db, clock.nowMs() + 10_001);
    expect(late).toMatchObject({ armed: true, deadmanClear: false, open: false });
    const inTx = await handle.db.transaction().execute((tx) => readGates(tx, clock.nowMs()));
    expect(inTx.open).toBe(true);
  });

  it("C1: arm, SIGKILL the armed process, restart in a new process → boot reads DISARMED", async () => {
    const armedChild = await runFixture("arm-and-hang.ts", handle.connectionString, [], "ARMED\n");
    expect(armedChild).toMatchObject({ signal: "SIGKILL", stdout: "ARMED\n", stderr: "" });
    expect((await readArmState(handle.db)).state).toBe("ARMED");
    const booted = await runFixture("boot.ts", handle.connectionString);
    expect(booted).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(booted.stdout)).toEqual({ previous: "ARMED", status: "DISARMED", reasonKind: "BOOT", deadman: "CLEAR" });
    expect(await readArmState(handle.db)).toMatchObject({ state: "DISARMED", reasonKind: "BOOT" });
    expect((await verifyAuditChain(handle.db)).ok).toBe(true);
  });
});

describe("C1: state changes and their audit rows are one transaction", () => {
  it("C1: a disarm inside a caller's transaction that rolls back leaves neither the state nor an audit row", async () => {
    expect((await armWithCleanRecord()).ok).toBe(true);
    const before = await auditKinds();
    await expect(
      handle.db.transaction().execute(async (tx) => {
        await disarm(tx, { reasonKind: "OPERATOR_DISARM", reason: "will roll back" }, clock);
        throw new Error("caller failed");
      }),
    ).rejects.toThrow("caller failed");
    expect((await readArmState(handle.db)).state).toBe("ARMED");
    expect(await auditKinds()).toEqual(before);
  });

  it("C1: a disarm waits for a dispatcher's claim transaction that read the gates; the next claim sees it", async () => {
    expect((await armWithCleanRecord()).ok).toBe(true);
    await beat(handle.db, clock, 60_000);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let gatesRead: () => void = () => undefined;
    const read = new Promise<void>((resolve) => (gatesRead = resolve));
    const order: string[] = [];
    const claim = handle.db.transaction().execute(async (tx) => {
      const gates = await readGates(tx, clock.nowMs());
      order.push(`claim saw open=${String(gates.open)}`);
      gatesRead();
      await held;
      order.push("claim committed");
    });
    await read;
    const disarming = disarm(handle.db, { reasonKind: "OPERATOR_DISARM", reason: "stop" }, clock).then(() => order.push("disarmed"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    order.push("released");
    release();
    await Promise.all([claim, disarming]);
    expect(order).toEqual(["claim saw open=true", "released", "claim committed", "disarmed"]);
    expect((await handle.db.transaction().execute((tx) => readGates(tx, clock.nowMs()))).open).toBe(false);
  });
});
