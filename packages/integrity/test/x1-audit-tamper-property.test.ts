import { FakeClock } from "@mqk/core";
import { createTestDatabase, sql, type TestDatabase } from "@mqk/db";
import { appendAudit, auditHash, GENESIS_HASH, verifyAuditChain } from "@mqk/integrity";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let handle: TestDatabase;
const clock = new FakeClock(Date.UTC(2026, 2, 8, 6, 59, 59, 999));

beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(async () => {
  await handle.close();
});

const payloadArb = fc.jsonValue({ maxDepth: 2 }).filter((v) => !JSON.stringify(v).includes("\\u0000"));

/** Empties the log and puts the head back to genesis (TRUNCATE fires no row trigger; 0009 refuses DELETE). */
async function resetAuditLog(): Promise<void> {
  await sql`TRUNCATE audit_events`.execute(handle.db);
  await sql`UPDATE audit_head SET last_seq = 0, last_hash = ${GENESIS_HASH}`.execute(handle.db);
}

/** Edits or deletes as someone with storage access would: the append-only trigger off for this one transaction. */
async function tamper(statement: ReturnType<typeof sql>): Promise<void> {
  await handle.db.transaction().execute(async (tx) => {
    await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`.execute(tx);
    await statement.execute(tx);
    await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only`.execute(tx);
  });
}

describe("X1: any single tamper is found and named (property)", () => {
  it("X1: for random chains and payloads, editing or deleting any one row (the last included), or appending one outside the writer, fails verification at that row", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(payloadArb, { minLength: 1, maxLength: 6 }),
        fc.nat(),
        fc.constantFrom("edit", "delete", "append"),
        async (payloads, pick, action) => {
          await resetAuditLog();
          for (const payload of payloads) {
            clock.advance(7);
            await appendAudit(handle.db, { kind: "CONFIG_CHANGED", payload }, clock);
          }
          expect((await verifyAuditChain(handle.db)).ok).toBe(true);
          const rows = await handle.db.selectFrom("audit_events").select(["seq", "hash"]).orderBy("seq").execute();
          const seqs = rows.map((r) => r.seq);
          const lastSeq = seqs[seqs.length - 1];
          if (lastSeq === undefined) throw new Error("no rows appended");
          const index = pick % seqs.length;
          const seq = seqs[index];
          if (seq === undefined) throw new Error("no row picked");
          if (action === "edit") {
            await tamper(sql`UPDATE audit_events SET payload = jsonb_build_object('tampered', payload) WHERE seq = ${seq}`);
            expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: false, error: { kind: "edited", seq } });
          } else if (action === "delete") {
            await tamper(sql`DELETE FROM audit_events WHERE seq = ${seq}`);
            const expected =
              seq === lastSeq
                ? { kind: "truncated", afterSeq: seqs[index - 1] ?? 0n, headSeq: lastSeq }
                : { kind: "deleted", afterSeq: seqs[index - 1] ?? 0n, beforeSeq: seqs[index + 1] };
            expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: false, error: expected });
          } else {
            // A row linked to the tail and hashed as the writer would, but not written by it.
            const prevHash = rows[rows.length - 1]?.hash ?? GENESIS_HASH;
            const forgedSeq = lastSeq + 1n;
            const createdAt = new Date(clock.nowMs() + 1);
            const payload = { forged: index };
            const hash = auditHash({ seq: forgedSeq, kind: "CONFIG_CHANGED", payload, actor: "system", runId: null, createdAt, prevHash });
            await sql`INSERT INTO audit_events (seq, kind, payload, prev_hash, hash, created_at)
                      VALUES (${forgedSeq}, 'CONFIG_CHANGED', ${JSON.stringify(payload)}::jsonb, ${prevHash}, ${hash}, ${createdAt})`.execute(handle.db);
            expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: false, error: { kind: "appended", seq: forgedSeq, headSeq: lastSeq } });
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
