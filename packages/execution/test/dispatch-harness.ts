/**
 * Set-up for the dispatcher tests: the gates as real rows (a reconcile record
 * with a genuine evidence hash, an arm through integrity's `arm`, a deadman
 * beat), a sim broker session, and a clock that runs with real time plus an
 * offset (outbox.next_attempt_at defaults to the database's now(), so the
 * dispatcher's clock must not lag it) and can be pushed forward.
 */
import { err, ok, type Clock } from "@mqk/core";
import type { Database, Kysely } from "@mqk/db";
import { arm, beat, disarm, evidenceHashOfRecord, reconcileEvidenceHash, type ArmEvidenceVerifier } from "@mqk/integrity";
import { openBrokerSession, type BrokerSession, type OpenBrokerOptions } from "@mqk/execution";
import { resolveSecrets } from "@mqk/secrets";
import { parseConfigText } from "@mqk/config";

export class ShiftedClock implements Clock {
  #offsetMs = 0;
  nowMs(): number {
    return Date.now() + this.#offsetMs;
  }
  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}

/** Accepts a reconcile record whose stored hash recomputes and matches the evidence (the real verifier lives in reconcile). */
export const genuineRecordVerifier: ArmEvidenceVerifier = {
  async verify(tx, evidence) {
    const row = await tx.selectFrom("reconcile_runs").selectAll().where("id", "=", evidence.reconcileRunId).executeTakeFirst();
    if (row === undefined || row.result !== "CLEAN") return err("no CLEAN record");
    const hash = evidenceHashOfRecord(row);
    if (hash !== row.evidence_hash || hash !== evidence.evidenceHash) return err("hash mismatch");
    return ok({ reconcileRunId: row.id, summary: { result: row.result } });
  },
};

let recordSeq = 0;

/** A reconcile record as reconcile would write it (genuine evidence hash), finished at `finishedAtMs`. */
export async function writeReconcileRecord(
  db: Kysely<Database>,
  account: string,
  result: "CLEAN" | "DIRTY",
  finishedAtMs: number,
): Promise<{ readonly reconcileRunId: bigint; readonly evidenceHash: string }> {
  recordSeq += 1;
  const fields = {
    account,
    result,
    mode: "PAPER" as const,
    watermarkBrokerNs: BigInt(finishedAtMs) * 1_000_000n + BigInt(recordSeq),
    watermarkInboxSeq: 0n,
    snapshotDigest: "a".repeat(63) + String(recordSeq % 10),
    localDigest: "b".repeat(64),
    finishedAtMs,
  };
  const evidenceHash = reconcileEvidenceHash(fields);
  const row = await db
    .insertInto("reconcile_runs")
    .values({
      account,
      result,
      watermark_broker_ns: fields.watermarkBrokerNs,
      watermark_inbox_seq: fields.watermarkInboxSeq,
      snapshot_digest: fields.snapshotDigest,
      local_digest: fields.localDigest,
      evidence_hash: evidenceHash,
      started_at: new Date(finishedAtMs),
      finished_at: new Date(finishedAtMs),
      mode: fields.mode,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { reconcileRunId: row.id, evidenceHash };
}

/** Every gate open: a fresh CLEAN record, armed on it, the deadman beaten, risk active. */
export async function openGates(db: Kysely<Database>, clock: Clock, account: string): Promise<void> {
  const record = await writeReconcileRecord(db, account, "CLEAN", clock.nowMs());
  const beaten = await beat(db, clock, 600_000);
  if (!beaten.ok) throw new Error(`test set-up: beat refused: ${beaten.error.message}`);
  const armed = await arm(db, { evidence: record, actor: "test", reason: "test arms", verifier: genuineRecordVerifier }, clock);
  if (!armed.ok) throw new Error(`test set-up: arm refused: ${armed.error.message}`);
}

export async function disarmDesk(db: Kysely<Database>, clock: Clock, reason = "test disarms"): Promise<void> {
  await disarm(db, { reasonKind: "OPERATOR_DISARM", reason, actor: "test" }, clock);
}

/** A sim broker session through the public factory, as the runtime opens it. */
export function openSim(clock: Clock, options: Omit<OpenBrokerOptions, "clock"> = {}): BrokerSession {
  return openSessionFromConfig(SIM_CONFIG, {}, { clock, ...options });
}

/** Opens a broker session as the runtime does: config text → resolved secrets from `env` → the factory. */
export function openSessionFromConfig(configText: string, env: Readonly<Record<string, string>>, options: OpenBrokerOptions): BrokerSession {
  const config = parseConfigText(configText, "test-desk.yaml");
  if (!config.ok) throw new Error(`test set-up: the config is invalid: ${JSON.stringify(config.error)}`);
  const secrets = resolveSecrets(config.value, env);
  if (!secrets.ok) throw new Error("test set-up: secrets did not resolve");
  return openBrokerSession(config.value.broker, secrets.value, options);
}

/** A PAPER desk config around a broker section (YAML, indented two spaces under `broker:`). */
export function paperConfigText(broker: string): string {
  return `
mode: PAPER
broker:
${broker}
marketData:
  provider: csv
  csvDir: data
  symbols: [AAPL]
  interval: 1day
risk:
  maxOrderQty: 1000
  maxOrderNotional: "50000"
  priceCollarBps: 500
  maxPositionQty: 5000
  maxGrossExposure: "250000"
  dailyLossLimit: "2000"
  maxOrdersPerMinute: 30
reconcile: { intervalSeconds: 30, freshnessSeconds: 120, cashTolerance: "1.00" }
integrity: { staleFeedGraceSeconds: 120, deadmanTimeoutSeconds: 60, gapDetection: true }
database:
  source: embedded
`;
}

const SIM_CONFIG = paperConfigText("  kind: sim");

/** Empties the order path's tables (children first), for tests that share one database. */
export async function clearOrderTables(db: Kysely<Database>): Promise<void> {
  await db.deleteFrom("orders").execute();
  await db.deleteFrom("positions").execute();
  await db.deleteFrom("cash_ledger").execute();
  await db.deleteFrom("inbox").execute();
  await db.deleteFrom("order_map").execute();
  await db.deleteFrom("outbox").execute();
}

export async function outboxStatuses(db: Kysely<Database>): Promise<Record<string, number>> {
  const rows = await db.selectFrom("outbox").select(["status"]).execute();
  const out: Record<string, number> = {};
  for (const r of rows) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}
