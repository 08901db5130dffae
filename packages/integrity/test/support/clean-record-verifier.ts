import { randomBytes } from "node:crypto";
import { err, ok } from "@mqk/core";
import type { Kysely, Database } from "@mqk/db";
import type { ArmEvidenceVerifier } from "@mqk/integrity";

/**
 * A stand-in for reconcile's verifier (which does not exist yet): accepts a reconcile_runs
 * row that exists, says CLEAN and carries the presented evidence hash. Real rows, real checks.
 */
export const cleanRecordVerifier: ArmEvidenceVerifier = {
  async verify(tx, evidence) {
    const row = await tx.selectFrom("reconcile_runs").select(["result", "evidence_hash"]).where("id", "=", evidence.reconcileRunId).executeTakeFirst();
    if (row === undefined) return err(`reconcile record ${evidence.reconcileRunId.toString()} does not exist`);
    if (row.result !== "CLEAN") return err(`reconcile record ${evidence.reconcileRunId.toString()} is ${row.result}, not CLEAN`);
    if (row.evidence_hash !== evidence.evidenceHash) return err("evidence hash does not match the record");
    return ok({ reconcileRunId: evidence.reconcileRunId, summary: { result: row.result } });
  },
};

/** Inserts a CLEAN reconcile record and returns the evidence that names it. */
export async function insertCleanRecord(db: Kysely<Database>, nowMs: number): Promise<{ reconcileRunId: bigint; evidenceHash: string }> {
  const evidenceHash = randomBytes(32).toString("hex");
  const row = await db
    .insertInto("reconcile_runs")
    .values({
      account: "paper-test",
      result: "CLEAN",
      watermark_broker_ns: BigInt(nowMs) * 1_000_000n,
      watermark_inbox_seq: 0n,
      snapshot_digest: "b".repeat(64),
      local_digest: "c".repeat(64),
      evidence_hash: evidenceHash,
      started_at: new Date(nowMs),
      finished_at: new Date(nowMs),
      mode: "PAPER",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { reconcileRunId: row.id, evidenceHash };
}
