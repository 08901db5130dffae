import { copyFile, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock } from "@mqk/core";
import { createTestDatabase, defaultMigrationsDir, migrate, sql, type Database, type Kysely, type RawBuilder, type TestDatabase } from "@mqk/db";
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
  // TRUNCATE fires no row trigger (0009 refuses UPDATE and DELETE); the head goes back to genesis with it.
  await sql`TRUNCATE audit_events`.execute(handle.db);
  await sql`INSERT INTO audit_head (last_seq, last_hash) VALUES (0, ${GENESIS_HASH})
            ON CONFLICT (id) DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash`.execute(handle.db);
});

/**
 * Tampers as someone with storage access would: with audit_events' append-only trigger
 * switched off for this one transaction (the ALTER is transactional, so nobody else sees it off).
 */
async function asAttacker(statement: RawBuilder<unknown>): Promise<void> {
  await handle.db.transaction().execute(async (tx) => {
    await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`.execute(tx);
    await statement.execute(tx);
    await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only`.execute(tx);
  });
}

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
    await asAttacker(sql`UPDATE audit_events SET payload = '{"note":"forged"}' WHERE seq = ${third}`);
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
    await asAttacker(sql`UPDATE audit_events SET payload = ${JSON.stringify(forgedPayload)}::jsonb, hash = ${hash} WHERE seq = ${second.seq}`);
    const verified = await verifyAuditChain(handle.db);
    expect(verified).toMatchObject({ ok: false, error: { kind: "edited", seq: second.seq } });
  });

  it("X1: an edited actor or created_at is found too", async () => {
    await appendFive();
    const [first, , , fourth] = await seqs();
    if (first === undefined || fourth === undefined) throw new Error("expected five rows");
    await asAttacker(sql`UPDATE audit_events SET created_at = created_at + interval '1 second' WHERE seq = ${fourth}`);
    expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: false, error: { kind: "edited", seq: fourth } });
    await asAttacker(sql`UPDATE audit_events SET actor = 'mallory' WHERE seq = ${first}`);
    expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: false, error: { kind: "edited", seq: first } });
  });

  it("X1: a deleted row is found and the gap named", async () => {
    await appendFive();
    const [, second, third, fourth] = await seqs();
    if (second === undefined || third === undefined || fourth === undefined) throw new Error("expected five rows");
    await asAttacker(sql`DELETE FROM audit_events WHERE seq = ${third}`);
    const verified = await verifyAuditChain(handle.db);
    expect(verified).toMatchObject({ ok: false, error: { kind: "deleted", afterSeq: second, beforeSeq: fourth } });
  });

  it("X1: deleting the first row is found", async () => {
    await appendFive();
    const [first, second] = await seqs();
    if (first === undefined || second === undefined) throw new Error("expected five rows");
    await asAttacker(sql`DELETE FROM audit_events WHERE seq = ${first}`);
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
    await asAttacker(sql`DELETE FROM audit_events WHERE seq = ${victim}`);
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
    await asAttacker(sql`UPDATE audit_events SET payload = ${JSON.stringify(payload)}::jsonb, hash = ${hash} WHERE seq = ${target}`);
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
    const appended = await Promise.all(Array.from({ length: 20 }, (_, i) => appendAudit(handle.db, { kind: "OPERATOR_NOTE", payload: { i } }, clock)));
    expect(appended.every((a) => a.anchored)).toBe(true);
    expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: true, value: { rows: 20 } });
    expect(await readHead()).toEqual({ last_seq: 20n, last_hash: appended.find((a) => a.seq === 20n)?.hash });
  });
});

async function readHead(db: Kysely<Database> = handle.db): Promise<{ last_seq: bigint; last_hash: string } | undefined> {
  return db.selectFrom("audit_head").select(["last_seq", "last_hash"]).executeTakeFirst();
}

/** Inserts a row at the end of the chain, linked and hashed correctly, as someone bypassing the writer would. */
async function forgeCorrectlyLinkedRow(): Promise<bigint> {
  const tail = await handle.db.selectFrom("audit_events").select(["seq", "hash"]).orderBy("seq", "desc").limit(1).executeTakeFirstOrThrow();
  const seq = tail.seq + 1n;
  const createdAt = new Date(clock.nowMs() + 1);
  const payload = { note: "forged" };
  const hash = auditHash({ seq, kind: "ARMED", payload, actor: "system", runId: null, createdAt, prevHash: tail.hash });
  await sql`INSERT INTO audit_events (seq, kind, payload, prev_hash, hash, created_at)
            VALUES (${seq}, 'ARMED', ${JSON.stringify(payload)}::jsonb, ${tail.hash}, ${hash}, ${createdAt})`.execute(handle.db);
  return seq;
}

describe("X1: the chain's tail is anchored in audit_head, and audit_events is append-only", () => {
  it("X1: a plain UPDATE or DELETE of an audit row is refused: the log is append-only", async () => {
    await appendFive();
    const before = await handle.db.selectFrom("audit_events").selectAll().orderBy("seq").execute();
    const [first] = await seqs();
    if (first === undefined) throw new Error("expected five rows");
    await expect(sql`UPDATE audit_events SET actor = 'mallory' WHERE seq = ${first}`.execute(handle.db)).rejects.toThrow(/audit log is append-only: UPDATE/);
    await expect(sql`DELETE FROM audit_events WHERE seq = ${first}`.execute(handle.db)).rejects.toThrow(/audit log is append-only: DELETE/);
    await expect(handle.db.deleteFrom("audit_events").execute()).rejects.toThrow(/append-only/);
    expect(await handle.db.selectFrom("audit_events").selectAll().orderBy("seq").execute()).toEqual(before);
    expect((await verifyAuditChain(handle.db)).ok).toBe(true);
  });

  it("X1: every append moves the head to the row it wrote, in the same transaction (a rolled-back append leaves it)", async () => {
    expect(await readHead()).toEqual({ last_seq: 0n, last_hash: GENESIS_HASH });
    const first = await appendAudit(handle.db, { kind: "OPERATOR_NOTE", payload: { n: 1 } }, clock);
    expect(first).toMatchObject({ seq: 1n, prevHash: GENESIS_HASH, anchored: true });
    expect(await readHead()).toEqual({ last_seq: 1n, last_hash: first.hash });
    await handle.db
      .transaction()
      .execute(async (tx) => {
        await appendAudit(tx, { kind: "OPERATOR_NOTE", payload: { n: "rolled back" } }, clock);
        throw new Error("roll back");
      })
      .catch(() => undefined);
    expect(await readHead()).toEqual({ last_seq: 1n, last_hash: first.hash });
    expect(await verifyAuditChain(handle.db)).toEqual({ ok: true, value: { rows: 1, headHash: first.hash, lastSeq: 1n } });
  });

  it("X1: deleting the last row is found", async () => {
    await appendFive();
    const [, , , fourth, fifth] = await seqs();
    if (fourth === undefined || fifth === undefined) throw new Error("expected five rows");
    await asAttacker(sql`DELETE FROM audit_events WHERE seq = ${fifth}`);
    const verified = await verifyAuditChain(handle.db);
    expect(verified).toMatchObject({ ok: false, error: { kind: "truncated", afterSeq: fourth, headSeq: fifth } });
    if (!verified.ok) expect(verified.error.message).toMatch(new RegExp(`after seq ${fourth.toString()} were deleted.*is seq ${fifth.toString()}`));
  });

  it("X1: deleting every row, or truncating the log, is found (the head still names the last append)", async () => {
    await appendFive();
    await sql`TRUNCATE audit_events`.execute(handle.db);
    expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: false, error: { kind: "truncated", afterSeq: 0n, headSeq: 5n } });
  });

  it("X1: a row appended at the end with a correct link and recomputed hash (not through the writer) is found", async () => {
    await appendFive();
    const forged = await forgeCorrectlyLinkedRow();
    const verified = await verifyAuditChain(handle.db);
    expect(verified).toMatchObject({ ok: false, error: { kind: "appended", seq: forged, headSeq: forged - 1n } });
    if (!verified.ok) expect(verified.error.message).toContain(`seq ${forged.toString()} was appended outside the audit writer`);
  });

  it("X1: the writer's next append does not launder a forged tail: the head stays at its own last row", async () => {
    await appendFive();
    const forged = await forgeCorrectlyLinkedRow();
    const next = await appendAudit(handle.db, { kind: "OPERATOR_NOTE", payload: { note: "after the forgery" } }, clock);
    expect(next).toMatchObject({ seq: forged + 1n, anchored: false });
    expect((await readHead())?.last_seq).toBe(forged - 1n);
    expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: false, error: { kind: "appended", seq: forged, headSeq: forged - 1n } });
  });

  it("X1: nor does it hide a deleted last row: the row it writes in its place is not the one the head records", async () => {
    await appendFive();
    const [, , , , fifth] = await seqs();
    if (fifth === undefined) throw new Error("expected five rows");
    await asAttacker(sql`DELETE FROM audit_events WHERE seq = ${fifth}`);
    const next = await appendAudit(handle.db, { kind: "OPERATOR_NOTE", payload: { note: "after the deletion" } }, clock);
    expect(next).toMatchObject({ seq: fifth, anchored: false });
    await appendAudit(handle.db, { kind: "OPERATOR_NOTE", payload: { note: "and another" } }, clock);
    const verified = await verifyAuditChain(handle.db);
    expect(verified).toMatchObject({ ok: false, error: { kind: "head_mismatch", seq: fifth } });
    if (!verified.ok) expect(verified.error.message).toMatch(/not the row the audit writer appended there/);
  });

  it("X1: the last row edited and re-hashed is found against the head", async () => {
    await appendFive();
    const rows = await handle.db.selectFrom("audit_events").selectAll().orderBy("seq").execute();
    const last = rows[rows.length - 1];
    if (last === undefined) throw new Error("expected five rows");
    const payload = { note: "edited" };
    const hash = auditHash({
      seq: last.seq,
      kind: last.kind,
      payload,
      actor: last.actor,
      runId: last.run_id,
      createdAt: last.created_at,
      prevHash: last.prev_hash,
    });
    await asAttacker(sql`UPDATE audit_events SET payload = ${JSON.stringify(payload)}::jsonb, hash = ${hash} WHERE seq = ${last.seq}`);
    expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: false, error: { kind: "head_mismatch", seq: last.seq } });
  });

  it("X1: a missing head row is found while rows exist, and the writer does not re-create it", async () => {
    await appendFive();
    await sql`DELETE FROM audit_head`.execute(handle.db);
    const verified = await verifyAuditChain(handle.db);
    expect(verified).toMatchObject({ ok: false, error: { kind: "head_missing" } });
    if (!verified.ok) expect(verified.error.message).toContain("rows up to seq 5");
    expect(await appendAudit(handle.db, { kind: "OPERATOR_NOTE", payload: {} }, clock)).toMatchObject({ seq: 6n, anchored: false });
    expect(await readHead()).toBeUndefined();
    expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: false, error: { kind: "head_missing" } });
  });

  it("X1: migration 0009 starts the head at the chain's current tail, or at genesis when the chain is empty", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mqk-x1-0009-"));
    const upgraded = await createTestDatabase({ migrated: false });
    const fresh = await createTestDatabase({ migrated: false });
    try {
      const files = (await readdir(defaultMigrationsDir)).filter((f) => f.endsWith(".sql")).sort();
      expect(files).toContain("0009_audit_head.sql");
      for (const f of files.filter((name) => name < "0009")) await copyFile(join(defaultMigrationsDir, f), join(dir, f));
      expect((await migrate(upgraded.pool, { dir })).ok).toBe(true);
      // Three rows written as the writer before 0009 did: chained, no head.
      let prevHash = GENESIS_HASH;
      for (let seq = 1n; seq <= 3n; seq += 1n) {
        const createdAt = new Date(clock.nowMs() + Number(seq));
        const hash = auditHash({ seq, kind: "OPERATOR_NOTE", payload: {}, actor: "system", runId: null, createdAt, prevHash });
        await sql`INSERT INTO audit_events (seq, kind, payload, prev_hash, hash, created_at) VALUES (${seq}, 'OPERATOR_NOTE', '{}', ${prevHash}, ${hash}, ${createdAt})`.execute(
          upgraded.db,
        );
        prevHash = hash;
      }
      await copyFile(join(defaultMigrationsDir, "0009_audit_head.sql"), join(dir, "0009_audit_head.sql"));
      expect(await migrate(upgraded.pool, { dir })).toMatchObject({ ok: true, kind: "applied" });
      expect(await readHead(upgraded.db)).toEqual({ last_seq: 3n, last_hash: prevHash });
      expect(await verifyAuditChain(upgraded.db)).toEqual({ ok: true, value: { rows: 3, headHash: prevHash, lastSeq: 3n } });
      expect(await appendAudit(upgraded.db, { kind: "OPERATOR_NOTE", payload: {} }, clock)).toMatchObject({ seq: 4n, anchored: true });

      expect((await migrate(fresh.pool)).ok).toBe(true);
      expect(await readHead(fresh.db)).toEqual({ last_seq: 0n, last_hash: GENESIS_HASH });
      expect(await verifyAuditChain(fresh.db)).toEqual({ ok: true, value: { rows: 0, headHash: GENESIS_HASH, lastSeq: null } });
    } finally {
      await Promise.all([upgraded.close(), fresh.close(), rm(dir, { recursive: true, force: true })]);
    }
  });
});
