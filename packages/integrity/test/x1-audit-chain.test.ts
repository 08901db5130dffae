import { FakeClock } from "@mqk/core";
import { createTestDatabase, sql, type TestDatabase } from "@mqk/db";
import { appendAudit, auditHash, GENESIS_HASH, verifyAuditChain } from "@mqk/integrity";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

let handle: TestDatabase;
const clock = new FakeClock(Date.UTC(2026, 0, 5, 15, 0, 0, 123));

beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(async () => {
  await handle.close();
});
beforeEach(async () => {
  await sql`TRUNCATE audit_events`.execute(handle.db);
});

async function appendFive(): Promise<void> {
  for (let i = 1; i <= 5; i += 1) {
    clock.advance(1_000);
    await appendAudit(
      handle.db,
      { kind: "OPERATOR_NOTE", payload: { note: `event ${String(i)}`, micros: 12_345_678n * BigInt(i), nested: { b: 1, a: [true, null] } } },
      clock,
    );
  }
}

async function seqs(): Promise<bigint[]> {
  const rows = await handle.db.selectFrom("audit_events").select("seq").orderBy("seq").execute();
  return rows.map((r) => r.seq);
}

describe("X1: the audit hash chain", () => {
  it("X1: appends link each row to the previous one and the intact chain verifies", async () => {
    await appendFive();
    const rows = await handle.db.selectFrom("audit_events").selectAll().orderBy("seq").execute();
    expect(rows).toHaveLength(5);
    expect(rows[0]?.prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i += 1) expect(rows[i]?.prev_hash).toBe(rows[i - 1]?.hash);
    const verified = await verifyAuditChain(handle.db);
    expect(verified).toEqual({ ok: true, value: { rows: 5, headHash: rows[4]?.hash, lastSeq: rows[4]?.seq } });
  });

  it("X1: an empty chain verifies", async () => {
    expect(await verifyAuditChain(handle.db)).toEqual({ ok: true, value: { rows: 0, headHash: GENESIS_HASH, lastSeq: null } });
  });

  it("X1: an edited payload is found and the row named", async () => {
    await appendFive();
    const [, , third] = await seqs();
    if (third === undefined) throw new Error("expected five rows");
    await sql`UPDATE audit_events SET payload = '{"note":"forged"}' WHERE seq = ${third}`.execute(handle.db);
    const verified = await verifyAuditChain(handle.db);
    expect(verified.ok).toBe(false);
    if (!verified.ok) {
      expect(verified.error).toMatchObject({ kind: "edited", seq: third });
      expect(verified.error.message).toContain(`seq ${third.toString()}`);
    }
  });

  it("X1: an edit whose hash was recomputed by the editor is still found (the next row names the old hash)", async () => {
    await appendFive();
    const rows = await handle.db.selectFrom("audit_events").selectAll().orderBy("seq").execute();
    const second = rows[1];
    if (second === undefined) throw new Error("expected five rows");
    const forgedPayload = { note: "forged" };
    const hash = auditHash({
      seq: second.seq,
      kind: second.kind,
      payload: forgedPayload,
      actor: second.actor,
      runId: second.run_id,
      createdAt: second.created_at,
      prevHash: second.prev_hash,
    });
    await sql`UPDATE audit_events SET payload = ${JSON.stringify(forgedPayload)}::jsonb, hash = ${hash} WHERE seq = ${second.seq}`.execute(handle.db);
    const verified = await verifyAuditChain(handle.db);
    expect(verified).toMatchObject({ ok: false, error: { kind: "edited", seq: second.seq } });
  });

  it("X1: an edited actor or created_at is found too", async () => {
    await appendFive();
    const [first, , , fourth] = await seqs();
    if (first === undefined || fourth === undefined) throw new Error("expected five rows");
    await sql`UPDATE audit_events SET created_at = created_at + interval '1 second' WHERE seq = ${fourth}`.execute(handle.db);
    expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: false, error: { kind: "edited", seq: fourth } });
    await sql`UPDATE audit_events SET actor = 'mallory' WHERE seq = ${first}`.execute(handle.db);
    expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: false, error: { kind: "edited", seq: first } });
  });

  it("X1: a deleted row is found and the gap named", async () => {
    await appendFive();
    const [, second, third, fourth] = await seqs();
    if (second === undefined || third === undefined || fourth === undefined) throw new Error("expected five rows");
    await sql`DELETE FROM audit_events WHERE seq = ${third}`.execute(handle.db);
    const verified = await verifyAuditChain(handle.db);
    expect(verified).toMatchObject({ ok: false, error: { kind: "deleted", afterSeq: second, beforeSeq: fourth } });
  });

  it("X1: deleting the first row is found", async () => {
    await appendFive();
    const [first, second] = await seqs();
    if (first === undefined || second === undefined) throw new Error("expected five rows");
    await sql`DELETE FROM audit_events WHERE seq = ${first}`.execute(handle.db);
    expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: false, error: { kind: "deleted", afterSeq: 0n, beforeSeq: second } });
  });

  it("X1: a rolled-back append takes no seq: the chain is numbered without gaps, so a gap means deleted rows", async () => {
    await appendFive();
    await expect(
      handle.db.transaction().execute(async (tx) => {
        await appendAudit(tx, { kind: "OPERATOR_NOTE", payload: { note: "rolled back" } }, clock);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    await appendFive();
    const all = await seqs();
    expect(all).toEqual(all.map((_seq, i) => (all[0] ?? 1n) + BigInt(i)));
    expect((await verifyAuditChain(handle.db)).ok).toBe(true);
    // Delete one row in the middle: the gap is named as a deletion, between its neighbours.
    const victim = all[6] ?? 0n;
    await sql`DELETE FROM audit_events WHERE seq = ${victim}`.execute(handle.db);
    expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: false, error: { kind: "deleted", afterSeq: victim - 1n, beforeSeq: victim + 1n } });
  });

  it("X1: the row before a broken link, edited and re-hashed, is named (also where a rolled-back append once was)", async () => {
    await appendFive();
    await handle.db
      .transaction()
      .execute(async (tx) => {
        await appendAudit(tx, { kind: "OPERATOR_NOTE", payload: { note: "rolled back" } }, clock);
        throw new Error("roll back");
      })
      .catch(() => undefined);
    await appendFive();
    const all = await seqs();
    const target = all[4] ?? 0n; // the last row before the rolled-back append
    const row = await handle.db.selectFrom("audit_events").selectAll().where("seq", "=", target).executeTakeFirstOrThrow();
    const payload = { note: "edited" };
    const hash = auditHash({ seq: target, kind: row.kind, payload, actor: row.actor, runId: row.run_id, createdAt: row.created_at, prevHash: row.prev_hash });
    await sql`UPDATE audit_events SET payload = ${JSON.stringify(payload)}::jsonb, hash = ${hash} WHERE seq = ${target}`.execute(handle.db);
    expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: false, error: { kind: "edited", seq: target } });
  });

  it("X1: a row appended at the end with a made-up link is found", async () => {
    await appendFive();
    const all = await seqs();
    const forgedSeq = (all[all.length - 1] ?? 0n) + 1n;
    const createdAt = new Date(clock.nowMs() + 1);
    const fakePrev = "e".repeat(64);
    const hash = auditHash({ seq: forgedSeq, kind: "ARMED", payload: {}, actor: "system", runId: null, createdAt, prevHash: fakePrev });
    await sql`INSERT INTO audit_events (seq, kind, payload, prev_hash, hash, created_at) VALUES (${forgedSeq}, 'ARMED', '{}', ${fakePrev}, ${hash}, ${createdAt})`.execute(
      handle.db,
    );
    expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: false, error: { kind: "inserted", seq: forgedSeq } });
  });

  it("X1: concurrent appends never fork the chain", async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => appendAudit(handle.db, { kind: "OPERATOR_NOTE", payload: { i } }, clock)));
    expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: true, value: { rows: 20 } });
  });
});
