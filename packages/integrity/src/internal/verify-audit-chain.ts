import { err, ok, type Result } from "@mqk/core";
import { sql } from "@mqk/db";
import { auditHash, GENESIS_HASH } from "./audit-chain.js";
import type { Executor } from "./executor.js";

/** How a chain was found broken: the row named, and what happened to it. */
export type AuditChainBreak =
  /** The row's content no longer hashes to its stored hash, or its hash was rewritten. */
  | { readonly kind: "edited"; readonly seq: bigint; readonly message: string }
  /** A row that no append made: it does not follow its predecessor, and its successor skips it. */
  | { readonly kind: "inserted"; readonly seq: bigint; readonly message: string }
  /** One or more rows between `afterSeq` (0n: the start) and `beforeSeq` are gone. */
  | { readonly kind: "deleted"; readonly afterSeq: bigint; readonly beforeSeq: bigint; readonly message: string }
  /** The rows after `afterSeq` (0n: all of them) up to `headSeq`, the audit writer's last append, are gone. */
  | { readonly kind: "truncated"; readonly afterSeq: bigint; readonly headSeq: bigint; readonly message: string }
  /** Rows from `seq` on follow the writer's last append (`headSeq`) but were not appended by the writer. */
  | { readonly kind: "appended"; readonly seq: bigint; readonly headSeq: bigint; readonly message: string }
  /** The row at `seq`, where audit_head says the writer's last append is, is not that append (edited and re-hashed, or replaced). */
  | { readonly kind: "head_mismatch"; readonly seq: bigint; readonly message: string }
  /** audit_head, the anchor of the chain's tail (migration 0009), has no row. */
  | { readonly kind: "head_missing"; readonly message: string };

export interface AuditChainSummary {
  readonly rows: number;
  /** The hash of the last row (GENESIS_HASH for an empty chain), equal to audit_head's. */
  readonly headHash: string;
  readonly lastSeq: bigint | null;
}

interface Row {
  readonly seq: bigint;
  readonly kind: string;
  readonly payload: Parameters<typeof auditHash>[0]["payload"];
  readonly actor: string;
  readonly run_id: string | null;
  readonly created_at: Date;
  readonly prev_hash: string;
  readonly hash: string;
}

interface Head {
  readonly lastSeq: bigint;
  readonly lastHash: string;
}

/**
 * X1: walks audit_events in seq order, checking every link (prev_hash = the previous
 * row's hash) and every hash (recomputed from the row), then compares the chain's tail
 * with audit_head, where the audit writer records its last append. Names the first row
 * found bad. Appends number the chain without gaps (a rolled-back one takes no seq), so a
 * gap between two rows that do not link means rows were deleted there; the head finds the
 * tail's own tampering: its last rows deleted, or rows appended with correct links and
 * recomputed hashes outside the writer.
 * Rows and head are read by one statement, so one snapshot: a concurrent append is either
 * in both or in neither.
 * Limit, stated: the head lives in the same database; one who rewrites rows AND head
 * consistently is caught only against an anchor kept elsewhere (`headHash`).
 */
export async function verifyAuditChain(executor: Executor): Promise<Result<AuditChainSummary, AuditChainBreak>> {
  const joined = await executor
    .selectFrom(sql<{ one: number }>`(SELECT 1 AS one)`.as("one"))
    .leftJoin("audit_head", (join) => join.onTrue())
    .leftJoin("audit_events", (join) => join.onTrue())
    .select([
      "audit_head.last_seq as head_seq",
      "audit_head.last_hash as head_hash",
      "audit_events.seq",
      "audit_events.kind",
      "audit_events.payload",
      "audit_events.actor",
      "audit_events.run_id",
      "audit_events.created_at",
      "audit_events.prev_hash",
      "audit_events.hash",
    ])
    .orderBy("audit_events.seq", "asc")
    .execute();
  const first = joined[0];
  // Every joined row carries the head (null columns: no head row); no audit rows: one row of nulls.
  const headSeq = first?.head_seq ?? null;
  const headHash = first?.head_hash ?? null;
  const head: Head | null = headSeq === null || headHash === null ? null : { lastSeq: BigInt(headSeq), lastHash: headHash };
  const rows: Row[] = [];
  for (const r of joined) {
    // seq null: the one row of an empty log. (payload may well be JSON null; run_id may be null.)
    if (r.seq === null || r.kind === null || r.actor === null || r.created_at === null || r.prev_hash === null || r.hash === null) continue;
    rows.push({
      seq: BigInt(r.seq),
      kind: r.kind,
      payload: r.payload,
      actor: r.actor,
      run_id: r.run_id,
      created_at: r.created_at,
      prev_hash: r.prev_hash,
      hash: r.hash,
    });
  }
  let prevSeq = 0n;
  let prevHash = GENESIS_HASH;
  for (let i = 0; i < rows.length; i += 1) {
    const row = rows[i];
    if (row === undefined) break;
    const seq = row.seq;
    const recomputed = auditHash({
      seq,
      kind: row.kind,
      payload: row.payload,
      actor: row.actor,
      runId: row.run_id,
      createdAt: row.created_at,
      prevHash: row.prev_hash,
    });
    const hashOk = recomputed === row.hash;
    if (row.prev_hash !== prevHash) return err(classifyBrokenLink({ next: rows[i + 1], prevSeq, prevHash, seq, hashOk }));
    if (!hashOk)
      return err({
        kind: "edited",
        seq,
        message: `audit row seq ${seq.toString()} was edited: its content hashes to ${recomputed.slice(0, 12)}…, its stored hash is ${row.hash.slice(0, 12)}…. Restore the row from a backup or investigate who wrote it.`,
      });
    prevSeq = seq;
    prevHash = row.hash;
  }
  const lastSeq = rows.length === 0 ? null : prevSeq;
  const tailBreak = compareWithHead(rows, lastSeq, head);
  if (tailBreak !== null) return err(tailBreak);
  return ok({ rows: rows.length, headHash: prevHash, lastSeq });
}

/** The chain (already found intact link by link) against audit_head: null when they agree. */
function compareWithHead(rows: readonly Row[], lastSeq: bigint | null, head: Head | null): AuditChainBreak | null {
  if (head === null)
    return {
      kind: "head_missing",
      message:
        `audit_head has no row${lastSeq === null ? "" : ` while audit_events holds rows up to seq ${lastSeq.toString()}`}: the anchor of the chain's tail was deleted, ` +
        "so a deleted or forged last row cannot be ruled out. Restore audit_head and the log from a backup, or investigate who deleted it.",
    };
  const headSeq = head.lastSeq;
  const at = `seq ${headSeq.toString()}`;
  if (headSeq === 0n) {
    if (head.lastHash !== GENESIS_HASH)
      return {
        kind: "head_mismatch",
        seq: 0n,
        message: `audit_head records seq 0 with a hash other than the genesis hash (${head.lastHash.slice(0, 12)}…): the head row was edited. Restore it from a backup.`,
      };
    const firstSeq = rows[0]?.seq;
    if (firstSeq === undefined) return null;
    return {
      kind: "appended",
      seq: firstSeq,
      headSeq,
      message: `audit rows from seq ${firstSeq.toString()} were appended outside the audit writer: audit_head records no append at all. Remove them and investigate who wrote them.`,
    };
  }
  if (lastSeq === null || lastSeq < headSeq)
    return {
      kind: "truncated",
      afterSeq: lastSeq ?? 0n,
      headSeq,
      message:
        `audit rows after ${lastSeq === null ? "the start of the chain (all of them)" : `seq ${lastSeq.toString()}`} were deleted: ` +
        `the audit writer's last append, recorded in audit_head, is ${at}. Restore them from a backup.`,
    };
  const anchor = rows.find((r) => r.seq === headSeq);
  if (anchor === undefined)
    return {
      kind: "head_mismatch",
      seq: headSeq,
      message: `audit_head records the writer's last append at ${at}, but the chain holds no such row (it starts at seq ${String(rows[0]?.seq ?? "?")}): the log was replaced. Restore it from a backup.`,
    };
  if (anchor.hash !== head.lastHash)
    return {
      kind: "head_mismatch",
      seq: headSeq,
      message:
        `audit row ${at} is not the row the audit writer appended there: its hash is ${anchor.hash.slice(0, 12)}…, audit_head records ${head.lastHash.slice(0, 12)}…. ` +
        `It was edited and re-hashed, or the rows from ${at} on were deleted and others appended. Restore them from a backup.`,
    };
  if (lastSeq > headSeq)
    return {
      kind: "appended",
      seq: headSeq + 1n,
      headSeq,
      message:
        `audit row seq ${(headSeq + 1n).toString()}${lastSeq > headSeq + 1n ? ` (through seq ${lastSeq.toString()})` : ""} was appended outside the audit writer: ` +
        `its last append, recorded in audit_head, is ${at}. Remove the row(s) and investigate who wrote them.`,
    };
  return null;
}

interface BrokenLink {
  /** The row after the one that does not link, if any. */
  readonly next: Row | undefined;
  readonly prevSeq: bigint;
  readonly prevHash: string;
  readonly seq: bigint;
  /** Whether the row that does not link hashes to its own stored hash. */
  readonly hashOk: boolean;
}

function classifyBrokenLink({ next, prevSeq, prevHash, seq, hashOk }: BrokenLink): AuditChainBreak {
  const where = prevSeq === 0n ? "the start of the chain" : `seq ${prevSeq.toString()}`;
  const at = `seq ${seq.toString()}`;
  // The following row still links to the predecessor: this row was slipped in between.
  if (next !== undefined && next.prev_hash === prevHash)
    return {
      kind: "inserted",
      seq,
      message: `audit row ${at} was inserted: it does not follow ${where}, and the next row skips it. Remove it and investigate who wrote it.`,
    };
  if (!hashOk)
    return {
      kind: "edited",
      seq,
      message: `audit row ${at} was edited: its content no longer hashes to its stored hash and it does not follow ${where}. Restore it from a backup.`,
    };
  // No seq lies between the two rows (appends number the chain without gaps), so nothing
  // was deleted there: the row before was edited and re-hashed — or, at the very start, this
  // row's link itself was rewritten.
  if (seq === prevSeq + 1n) {
    if (prevSeq === 0n)
      return {
        kind: "edited",
        seq,
        message: `audit row ${at}, the first of the chain, does not start from the genesis hash: its link was rewritten. Restore it from a backup.`,
      };
    // At the tail the two cannot be told apart: a last row appended by hand with a wrong
    // link, or the row before it edited and re-hashed. Both are named.
    if (next === undefined)
      return {
        kind: "inserted",
        seq,
        message: `audit row ${at}, the last, does not follow seq ${prevSeq.toString()}: it was appended by hand, or seq ${prevSeq.toString()} was edited and re-hashed. Investigate both.`,
      };
    return {
      kind: "edited",
      seq: prevSeq,
      message: `audit row seq ${prevSeq.toString()} was edited and re-hashed: ${at} was chained to a different hash. Restore it from a backup.`,
    };
  }
  return {
    kind: "deleted",
    afterSeq: prevSeq,
    beforeSeq: seq,
    message: `audit rows were deleted between ${where} and ${at}: ${at} is chained to a row that is gone. Restore them from a backup.`,
  };
}
