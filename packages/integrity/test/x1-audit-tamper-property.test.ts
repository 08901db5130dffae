import { FakeClock } from "@mqk/core";
import { createTestDatabase, sql, type TestDatabase } from "@mqk/db";
import { appendAudit, verifyAuditChain } from "@mqk/integrity";
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

describe("X1: any single tamper is found and named (property)", () => {
  it("X1: for random chains and payloads, editing or deleting any one row fails verification at that row", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(payloadArb, { minLength: 2, maxLength: 6 }), fc.nat(), fc.constantFrom("edit", "delete"), async (payloads, pick, action) => {
        await sql`TRUNCATE audit_events`.execute(handle.db);
        for (const payload of payloads) {
          clock.advance(7);
          await appendAudit(handle.db, { kind: "CONFIG_CHANGED", payload }, clock);
        }
        expect((await verifyAuditChain(handle.db)).ok).toBe(true);
        const seqs = (await handle.db.selectFrom("audit_events").select("seq").orderBy("seq").execute()).map((r) => r.seq);
        // Deleting the tail row cannot be seen without an anchor (stated in verifyAuditChain), so delete before it.
        const index = action === "delete" ? pick % (seqs.length - 1) : pick % seqs.length;
        const seq = seqs[index];
        if (seq === undefined) throw new Error("no row picked");
        if (action === "edit") {
          await sql`UPDATE audit_events SET payload = jsonb_build_object('tampered', payload) WHERE seq = ${seq}`.execute(handle.db);
          expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: false, error: { kind: "edited", seq } });
        } else {
          await sql`DELETE FROM audit_events WHERE seq = ${seq}`.execute(handle.db);
          expect(await verifyAuditChain(handle.db)).toMatchObject({
            ok: false,
            error: { kind: "deleted", afterSeq: seqs[index - 1] ?? 0n, beforeSeq: seqs[index + 1] },
          });
        }
      }),
      { numRuns: 40 },
    );
  });
});
