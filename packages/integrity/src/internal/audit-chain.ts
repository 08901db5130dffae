import { canonicalJson, DeskError, sha256Hex, type Clock } from "@mqk/core";
import { sql, type AuditKind, type Database, type JsonValue, type Transaction } from "@mqk/db";
import { inTransaction, type Executor } from "./executor.js";

/** The prev_hash of the first row of the chain. */
export const GENESIS_HASH = "0".repeat(64);

/** Key of the transaction-scoped advisory lock that serialises appends ("mqk_audt"). */
export const AUDIT_LOCK_KEY = 0x6d716b5f61756474n;

export interface AuditEntry {
  readonly kind: AuditKind;
  /** Any JSON-able value; bigint becomes a decimal string (canonicalJson). */
  readonly payload: unknown;
  readonly actor?: string;
  readonly runId?: string | null;
}

export interface AppendedAudit {
  readonly seq: bigint;
  readonly hash: string;
  readonly prevHash: string;
  /**
   * true: the row extends the chain the writer last recorded, and audit_head now names it.
   * false: the chain's tail was not audit_head (rows deleted or appended outside this writer,
   * or the head row gone): the row is appended all the same — a disarm must never fail for
   * want of its audit row — but the head stays where it was, so `verifyAuditChain` keeps
   * naming the break instead of the new row hiding it.
   */
  readonly anchored: boolean;
}

/** The fields a row's hash covers, exactly as they read back from the table. */
export interface AuditHashInput {
  readonly seq: bigint;
  readonly kind: string;
  readonly payload: JsonValue;
  readonly actor: string;
  readonly runId: string | null;
  readonly createdAt: Date;
  readonly prevHash: string;
}

/**
 * X1: sha256 over the canonical JSON of (seq, kind, payload, actor, run_id, created_at,
 * prev_hash). Every column of the row but the hash itself, so no field can change unseen.
 */
export function auditHash(input: AuditHashInput): string {
  return sha256Hex(
    canonicalJson({
      seq: input.seq,
      kind: input.kind,
      payload: input.payload,
      actor: input.actor,
      run_id: input.runId,
      created_at: input.createdAt,
      prev_hash: input.prevHash,
    }),
  );
}

/**
 * Appends one event to audit_events, linked to the current tail, and moves audit_head (0009)
 * to it. Appends are serialised by a transaction-scoped advisory lock (and UNIQUE (prev_hash)
 * would refuse a fork even without it). Inside the caller's transaction when given one, so
 * the state change, its audit row and the head commit or roll back together.
 */
export async function appendAudit(executor: Executor, entry: AuditEntry, clock: Clock): Promise<AppendedAudit> {
  return inTransaction(executor, (tx) => appendLocked(tx, entry, clock));
}

async function appendLocked(tx: Transaction<Database>, entry: AuditEntry, clock: Clock): Promise<AppendedAudit> {
  const nowMs = clock.nowMs();
  if (!Number.isSafeInteger(nowMs)) throw new DeskError("BAD_INPUT", `appendAudit: expected an integer epoch-ms clock, found ${String(nowMs)}`);
  // The payload as it will read back from jsonb: JSON only (bigint already a string).
  const payloadJson = canonicalJson(entry.payload);
  const payload = JSON.parse(payloadJson) as JsonValue;
  await sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK_KEY.toString()}::bigint)`.execute(tx);
  const tail = await tx.selectFrom("audit_events").select(["seq", "hash"]).orderBy("seq", "desc").limit(1).executeTakeFirst();
  const head = await tx.selectFrom("audit_head").select(["last_seq", "last_hash"]).forUpdate().executeTakeFirst();
  const prevHash = tail?.hash ?? GENESIS_HASH;
  const tailSeq = tail === undefined ? 0n : BigInt(tail.seq);
  // The tail's seq + 1, under the append lock: a rolled-back append takes no number, so the
  // chain's seqs have no gaps and a gap in them means rows were deleted (see the verifier).
  const seq = tailSeq + 1n;
  const createdAt = new Date(nowMs);
  const actor = entry.actor ?? "system";
  const runId = entry.runId ?? null;
  const hash = auditHash({ seq, kind: entry.kind, payload, actor, runId, createdAt, prevHash });
  await tx
    .insertInto("audit_events")
    .values({ seq, kind: entry.kind, payload: payloadJson, actor, run_id: runId, prev_hash: prevHash, hash, created_at: createdAt })
    .execute();
  // Only a tail this writer put there moves the head on: adopting any other would bless a
  // deleted or forged tail (X1). The head row itself is never re-created here.
  const anchored = head !== undefined && BigInt(head.last_seq) === tailSeq && head.last_hash === prevHash;
  if (anchored) await tx.updateTable("audit_head").set({ last_seq: seq, last_hash: hash, updated_at: createdAt }).execute();
  return { seq, hash, prevHash, anchored };
}
