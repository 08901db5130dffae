import { randomBytes } from "node:crypto";
import { err, ok } from "@mqk/core";
import type { Kysely, Database } from "@mqk/db";
import { reconcileEvidenceHash, type ArmEvidenceVerifier } from "@mqk/integrity";

/**
 * A stand-in for reconcile's verifier (integrity cannot depend on reconcile): accepts a
 * reconcile_runs row that exists, says CLEAN and carries the presented evidence hash.
 * Real rows, real checks — and `arm` checks the record itself as well (hash, mode, latest…).
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

/**
 * Inserts a CLEAN PAPER reconcile record finished at `nowMs`, with the evidence hash reconcile
 * would write (v2), as the newest record of its account; returns the evidence that names it.
 */
export async function insertCleanRecord(
  db: Kysely<Database>,
  nowMs: number,
  account = "paper-test",
): Promise<{ reconcileRunId: bigint; evidenceHash: string }> {
  const fields = {
    account,
    result: "CLEAN" as const,
    mode: "PAPER" as const,
    watermarkBrokerNs: BigInt(nowMs) * 1_000_000n,
    watermarkInboxSeq: 0n,
    // Random: two records inserted in the same millisecond must not share one evidence hash.
    snapshotDigest: randomBytes(32).toString("hex"),
    localDigest: "c".repeat(64),
    finishedAtMs: nowMs,
  };
  const evidenceHash = reconcileEvidenceHash(fields);
  const row = await db
    .insertInto("reconcile_runs")
    .values({
      account,
      result: fields.result,
      watermark_broker_ns: fields.watermarkBrokerNs,
      watermark_inbox_seq: fields.watermarkInboxSeq,
      snapshot_digest: fields.snapshotDigest,
      local_digest: fields.localDigest,
      evidence_hash: evidenceHash,
      started_at: new Date(nowMs),
      finished_at: new Date(nowMs),
      mode: fields.mode,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { reconcileRunId: row.id, evidenceHash };
}
