import { err, ok, type Result } from "@mqk/core";
import { auditHash, GENESIS_HASH } from "./audit-chain.js";
import type { Executor } from "./executor.js";

/** How a chain was found broken: the row named, and what happened to it. */
export type AuditChainBreak =
  /** The row's content no longer hashes to its stored hash, or its hash was rewritten. */
  | { readonly kind: "edited"; readonly seq: bigint; readonly message: string }
  /** A row that no append made: it does not follow its predecessor, and its successor skips it. */
  | { readonly kind: "inserted"; readonly seq: bigint; readonly message: string }
  /** One or more rows between `afterSeq` (0n: the start) and `beforeSeq` are gone. */
  | { readonly kind: "deleted"; readonly afterSeq: bigint; readonly beforeSeq: bigint; readonly message: string };

export interface AuditChainSummary {
  readonly rows: number;
  /** The hash of the last row (GENESIS_HASH for an empty chain): an anchor to record elsewhere. */
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

/**
 * X1: walks audit_events in seq order, checking every link (prev_hash = the previous
 * row's hash) and every hash (recomputed from the row). Names the first row found bad.
 * Appends number the chain without gaps (a rolled-back one takes no seq), so a gap
 * between two rows that do not link means rows were deleted there.
 * Limit, stated: a row appended at the tail by someone who recomputes the hash, or the
 * tail row deleted, can only be caught against an anchor (`headHash`) kept elsewhere.
 */
export async function verifyAuditChain(executor: Executor): Promise<Result<AuditChainSummary, AuditChainBreak>> {
  const rows: readonly Row[] = await executor
    .selectFrom("audit_events")
    .select(["seq", "kind", "payload", "actor", "run_id", "created_at", "prev_hash", "hash"])
    .orderBy("seq", "asc")
    .execute();
  let prevSeq = 0n;
  let prevHash = GENESIS_HASH;
  for (let i = 0; i < rows.length; i += 1) {
    const row = rows[i];
    if (row === undefined) break;
    const seq = BigInt(row.seq);
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
  return ok({ rows: rows.length, headHash: prevHash, lastSeq: rows.length === 0 ? null : prevSeq });
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
