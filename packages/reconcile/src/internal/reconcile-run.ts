/**
 * One reconcile: broker snapshot → watermark → B2 check → diff → one transaction that
 * records the result (reconcile_runs + a RECONCILE_RECORDED audit row, and for DIRTY a
 * sticky RECONCILE_DIRTY disarm) → for DIRTY an alert after the commit.
 *
 * B2 is decided inside the recording transaction under a per-account advisory lock, so two
 * concurrent reconciles of one account cannot both be accepted out of order. It is skipped
 * only in BACKTEST; nothing turns it off in PAPER or LIVE.
 *
 * Reconcile only reads the broker and writes its own record (and a disarm): it never
 * creates, cancels or replaces an order to force agreement.
 *
 * B1: only a CLEAN PAPER/LIVE record that `runReconcile` wrote from a BrokerSession's
 * snapshot is remembered as "written by this process" (what the arm verifier requires).
 * `reconcileSnapshot` records a snapshot VALUE — one built in code is as easy as one read
 * from a broker — so its records are written and gate-readable but can never arm.
 */
import { canonicalJson, DeskError, type Clock, type Micros } from "@mqk/core";
import { sql, type Database, type Kysely, type ReconcileResult, type RunMode, type Transaction } from "@mqk/db";
import type { BrokerSession, BrokerSnapshot } from "@mqk/execution";
import { appendAudit, disarm, RECONCILE_RECORD_COLUMNS, reconcileEvidenceHash } from "@mqk/integrity";
import type { AlertEvent } from "@mqk/alerts";
import { describeEntry, diffJson, type DiffEntry, type WatermarkRejection } from "./diff-entry.js";
import { diffReconcile } from "./diff-engine.js";
import { localStateDigest, snapshotDigest } from "./digests.js";
import { readLocalState } from "./local-state.js";
import { compareWatermark, formatWatermark, type Watermark } from "./watermark.js";

/** Where a DIRTY result is announced; an `AlertRouter` of @mqk/alerts fits. */
export interface ReconcileAlertSink {
  send(event: AlertEvent): unknown;
}

/** A reconcile record as written. */
export interface ReconcileRecord {
  readonly id: bigint;
  readonly account: string;
  readonly runId: string | null;
  readonly result: ReconcileResult;
  readonly watermark: Watermark;
  readonly snapshotDigest: string;
  readonly localDigest: string;
  readonly evidenceHash: string;
  /** CLEAN: empty; DIRTY: every difference; REJECTED: empty (see `rejection`). */
  readonly entries: readonly DiffEntry[];
  /** REJECTED only: why the snapshot was refused (B2). */
  readonly rejection: WatermarkRejection | null;
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
}

export interface ReconcileSnapshotOptions {
  readonly db: Kysely<Database>;
  readonly snapshot: BrokerSnapshot;
  readonly clock: Clock;
  /** B2 is enforced in PAPER and LIVE, skipped in BACKTEST only. */
  readonly mode: RunMode;
  /** config reconcile.cashTolerance. */
  readonly cashTolerance: Micros;
  readonly alerts?: ReconcileAlertSink;
  /** The runs row this reconcile belongs to (reconcile_runs.run_id, audit rows). */
  readonly runId?: string | null;
  /** When the reconcile began (before the snapshot was taken); default now. */
  readonly startedAtMs?: number;
}

export interface RunReconcileOptions extends Omit<ReconcileSnapshotOptions, "snapshot" | "startedAtMs"> {
  readonly session: BrokerSession;
  /**
   * Confirm a difference before recording it: when the first look is DIRTY, wait this
   * long and take a second snapshot; the SECOND look is recorded, whatever it says. An
   * order in flight or a fill not yet through the inbox then does not disarm the desk,
   * while a real difference (still there after the wait) does. 0 (the default): record
   * the first look. The schedule passes its own default.
   */
  readonly confirmDirtyAfterMs?: number;
  /** How to wait (tests may pass a fake); default setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** "mqk_rec" — with hashtext(account), the advisory lock that serialises one account's records. */
export const RECONCILE_LOCK_KEY = 0x6d716b5f;

/**
 * Takes a broker snapshot through the session and reconciles it. Throws DeskError when the
 * broker cannot be read. Its CLEAN PAPER/LIVE records are the only ones the arm verifier
 * accepts (B1: "written by this process", from a snapshot read from the broker).
 */
export async function runReconcile(options: RunReconcileOptions): Promise<ReconcileRecord> {
  const record = await reconcileFromSession(options);
  if (record.result === "CLEAN" && options.mode !== "BACKTEST") rememberWritten(record);
  return record;
}

async function reconcileFromSession(options: RunReconcileOptions): Promise<ReconcileRecord> {
  const startedAtMs = options.clock.nowMs();
  const snapshot = await options.session.snapshot();
  if (snapshot.account !== options.session.account)
    throw new DeskError("INTERNAL", `runReconcile: the session of account ${options.session.account} returned a snapshot of ${snapshot.account}`);
  const { session: _session, confirmDirtyAfterMs = 0, sleep = defaultSleep, ...rest } = options;
  if (!Number.isSafeInteger(confirmDirtyAfterMs) || confirmDirtyAfterMs < 0 || confirmDirtyAfterMs > 60_000)
    throw new DeskError("BAD_INPUT", `runReconcile: expected confirmDirtyAfterMs as an integer in 0…60000, found ${String(confirmDirtyAfterMs)}`);
  if (confirmDirtyAfterMs > 0) {
    const local = await readLocalState(options.db, snapshot.account);
    const first = diffReconcile(snapshot, local, { cashToleranceMicros: options.cashTolerance });
    if (first.result === "DIRTY") {
      await sleep(confirmDirtyAfterMs);
      const again = await options.session.snapshot();
      return recordSnapshot({ ...rest, snapshot: again, startedAtMs });
    }
  }
  return recordSnapshot({ ...rest, snapshot, startedAtMs });
}

const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * Reconciles a snapshot already taken (benchmarks, tests, BACKTEST). Its record is written,
 * audited and read by the gate like any other, and a DIRTY one disarms; but the snapshot is
 * a value the caller may have built in code, so its records never arm (B1: the arm
 * verifier accepts only records runReconcile wrote from a broker session's snapshot).
 */
export async function reconcileSnapshot(options: ReconcileSnapshotOptions): Promise<ReconcileRecord> {
  return recordSnapshot(options);
}

/** runReconcile's second half and reconcileSnapshot's body: diff, B2, record, disarm, alert. Remembers nothing. */
async function recordSnapshot(options: ReconcileSnapshotOptions): Promise<ReconcileRecord> {
  const { db, snapshot, clock, mode } = options;
  const startedAtMs = options.startedAtMs ?? clock.nowMs();
  const runId = options.runId ?? null;
  const local = await readLocalState(db, snapshot.account);
  const watermark: Watermark = { brokerNs: snapshot.brokerTimeNs, inboxSeq: local.inboxSeq };
  const digests = { snapshotDigest: snapshotDigest(snapshot), localDigest: localStateDigest(local) };
  const diff = diffReconcile(snapshot, local, { cashToleranceMicros: options.cashTolerance });

  let repeatDirty = false;
  const record = await inTransaction(db, async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${RECONCILE_LOCK_KEY}::int4, hashtext(${snapshot.account}))`.execute(tx);
    const last = await lastAcceptedRecord(tx, snapshot.account);
    let rejection: WatermarkRejection | null = null;
    if (mode !== "BACKTEST" && last !== undefined) {
      const verdict = compareWatermark(watermark, last.watermark);
      if (!verdict.newer) {
        rejection = {
          kind: "watermark_not_newer",
          reason: verdict.reason,
          message: verdict.message,
          lastAcceptedId: last.id,
          lastAcceptedBrokerNs: last.watermark.brokerNs,
          lastAcceptedInboxSeq: last.watermark.inboxSeq,
        };
      }
    }
    const result: ReconcileResult = rejection === null ? diff.result : "REJECTED";
    const entries = rejection === null ? diff.entries : [];
    // The same stale snapshot again (a broker stuck on one answer): the same REJECTED record.
    const repeated = result === "REJECTED" ? await repeatedRejection(tx, snapshot.account, mode, watermark, digests) : undefined;
    // finished_at is written from these integer ms and bound by the evidence hash (v2), as is the mode.
    const finishedAtMs = repeated?.finishedAtMs ?? Math.max(startedAtMs, clock.nowMs());
    const recordStartedAtMs = repeated?.startedAtMs ?? startedAtMs;
    const evidenceHash =
      repeated?.evidenceHash ??
      reconcileEvidenceHash({
        account: snapshot.account,
        result,
        mode,
        watermarkBrokerNs: watermark.brokerNs,
        watermarkInboxSeq: watermark.inboxSeq,
        ...digests,
        finishedAtMs,
      });
    const id =
      repeated?.id ??
      (await insertRecord(tx, {
        account: snapshot.account,
        runId,
        result,
        watermark,
        evidenceHash,
        ...digests,
        diff: diffJson(rejection === null ? entries : [rejection]),
        mode,
        startedAtMs: recordStartedAtMs,
        finishedAtMs,
      }));
    const written: ReconcileRecord = {
      id,
      account: snapshot.account,
      runId,
      result,
      watermark,
      ...digests,
      evidenceHash,
      entries,
      rejection,
      startedAtMs: recordStartedAtMs,
      finishedAtMs,
    };
    // Lock order as every integrity writer: the arm_state row (disarm) before the audit
    // chain's lock, so a concurrent arm (arm row → audit) cannot deadlock with us.
    if (result === "DIRTY") {
      // The same DIRTY again (the previous accepted record was DIRTY with these very
      // differences, and the desk is still disarmed for it): recorded and audited, but it
      // neither disarms again nor alerts again (a 30 s schedule would repeat both forever).
      // Other differences, or a DIRTY after a CLEAN, are news: disarm (again) and alert.
      const arm = await tx.selectFrom("arm_state").select(["state", "reason_kind"]).forUpdate().executeTakeFirst();
      repeatDirty =
        arm?.state === "DISARMED" && arm.reason_kind === "RECONCILE_DIRTY" && last?.result === "DIRTY" && canonicalJson(last.diff) === diffJson(entries);
      if (!repeatDirty) await disarm(tx, { reasonKind: "RECONCILE_DIRTY", reason: dirtyReason(written), runId }, clock);
    }
    await appendAudit(tx, { kind: "RECONCILE_RECORDED", runId, payload: auditPayload(written) }, clock);
    return written;
  });
  if (record.result === "DIRTY" && !repeatDirty && options.alerts !== undefined) {
    options.alerts.send({ kind: "reconcile_dirty", mismatches: record.entries.length, detail: dirtyDetail(record) });
  }
  return record;
}

/**
 * The CLEAN PAPER/LIVE records runReconcile of THIS process wrote from a broker session's
 * snapshot (id → evidence hash), newest last, at most WRITTEN_HERE_MAX. B1: only these can
 * arm. A row that came from anywhere else — typed by hand (even with a hash that
 * recomputes: the hash has no secret), another process, an earlier run of this one, or
 * reconcileSnapshot on a snapshot value — never arms; arming runs a fresh reconcile.
 */
const writtenHere = new Map<bigint, string>();
const WRITTEN_HERE_MAX = 1_000;

function rememberWritten(record: ReconcileRecord): void {
  writtenHere.set(record.id, record.evidenceHash);
  for (const id of writtenHere.keys()) {
    if (writtenHere.size <= WRITTEN_HERE_MAX) break;
    writtenHere.delete(id);
  }
}

/** True when runReconcile of this process wrote the CLEAN record `id` from a broker session's snapshot, with exactly this evidence hash. */
export function writtenByThisProcess(id: bigint, evidenceHash: string): boolean {
  return writtenHere.get(id) === evidenceHash;
}

async function inTransaction<T>(db: Kysely<Database>, work: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db as Transaction<Database>);
  return db.transaction().execute(work);
}

export interface AcceptedRecordHead {
  readonly id: bigint;
  readonly watermark: Watermark;
  readonly result: ReconcileResult;
  /** The record's differences as stored (JSON). */
  readonly diff: unknown;
}

/**
 * The latest CLEAN or DIRTY record of `account` written by a trading mode (PAPER or LIVE):
 * the chain B2 keeps monotonic. REJECTED ones change nothing; BACKTEST ones are no evidence.
 */
export async function lastAcceptedRecord(db: Kysely<Database>, account: string, beforeId?: bigint): Promise<AcceptedRecordHead | undefined> {
  let query = db
    .selectFrom("reconcile_runs")
    .select(["id", "watermark_broker_ns", "watermark_inbox_seq", "result", "diff"])
    .where("account", "=", account)
    .where("result", "in", ["CLEAN", "DIRTY"])
    .where("mode", "in", ["PAPER", "LIVE"]);
  if (beforeId !== undefined) query = query.where("id", "<", beforeId);
  const row = await query.orderBy("id", "desc").limit(1).executeTakeFirst();
  return row === undefined
    ? undefined
    : { id: row.id, watermark: { brokerNs: row.watermark_broker_ns, inboxSeq: row.watermark_inbox_seq }, result: row.result, diff: row.diff };
}

interface RepeatedRejection {
  readonly id: bigint;
  readonly evidenceHash: string;
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
}

/**
 * The account's latest record when it is a REJECTED one of this mode for exactly this
 * watermark and these digests: presenting the same stale snapshot again is the same
 * evidence, so that record is reused (its own times and hash: the hash binds finished_at).
 */
async function repeatedRejection(
  tx: Transaction<Database>,
  account: string,
  mode: RunMode,
  watermark: Watermark,
  digests: { readonly snapshotDigest: string; readonly localDigest: string },
): Promise<RepeatedRejection | undefined> {
  const latest = await tx
    .selectFrom("reconcile_runs")
    .select([...RECONCILE_RECORD_COLUMNS, "started_at"])
    .where("account", "=", account)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  if (
    latest === undefined ||
    latest.result !== "REJECTED" ||
    latest.mode !== mode ||
    latest.watermark_broker_ns !== watermark.brokerNs ||
    latest.watermark_inbox_seq !== watermark.inboxSeq ||
    latest.snapshot_digest !== digests.snapshotDigest ||
    latest.local_digest !== digests.localDigest
  )
    return undefined;
  return { id: latest.id, evidenceHash: latest.evidence_hash, startedAtMs: latest.started_at.getTime(), finishedAtMs: latest.finished_at.getTime() };
}

/** The columns of a record as written: the record without its id, with the diff as JSON text. */
type RecordRow = Omit<ReconcileRecord, "id" | "entries" | "rejection"> & { readonly diff: string; readonly mode: RunMode };

/**
 * Inserts the record. evidence_hash is unique and covers (account, result, mode,
 * watermark, digests, finished_at): a REJECTED record with the very same evidence (the
 * same stale snapshot in the same millisecond) is reused (`repeatedRejection` catches the
 * usual repeat, a later one). An accepted record can only repeat in BACKTEST (B2 forbids
 * it elsewhere): in the same millisecond that is refused, as two records must never share
 * one hash.
 */
async function insertRecord(tx: Transaction<Database>, row: RecordRow): Promise<bigint> {
  const inserted = await tx
    .insertInto("reconcile_runs")
    .values({
      account: row.account,
      run_id: row.runId,
      result: row.result,
      watermark_broker_ns: row.watermark.brokerNs,
      watermark_inbox_seq: row.watermark.inboxSeq,
      snapshot_digest: row.snapshotDigest,
      local_digest: row.localDigest,
      evidence_hash: row.evidenceHash,
      mode: row.mode,
      diff: row.diff,
      started_at: new Date(row.startedAtMs),
      finished_at: new Date(row.finishedAtMs),
    })
    .onConflict((oc) => oc.column("evidence_hash").doNothing())
    .returning("id")
    .executeTakeFirst();
  if (inserted !== undefined) return inserted.id;
  const existing = await tx.selectFrom("reconcile_runs").select(["id", "result"]).where("evidence_hash", "=", row.evidenceHash).executeTakeFirstOrThrow();
  if (row.result !== "REJECTED" || existing.result !== "REJECTED")
    throw new DeskError(
      "BAD_INPUT",
      `reconcile: record ${existing.id.toString()} already holds this exact evidence (the same snapshot and local state, ${row.result}); take a new snapshot instead of replaying one`,
    );
  return existing.id;
}

function auditPayload(record: ReconcileRecord): unknown {
  return {
    recordId: record.id,
    account: record.account,
    result: record.result,
    watermarkBrokerNs: record.watermark.brokerNs,
    watermarkInboxSeq: record.watermark.inboxSeq,
    snapshotDigest: record.snapshotDigest,
    localDigest: record.localDigest,
    evidenceHash: record.evidenceHash,
    mismatches: record.entries.length,
    ...(record.rejection === null ? {} : { rejected: record.rejection.message }),
  };
}

const DETAIL_LINES = 10;

function dirtyDetail(record: ReconcileRecord): string {
  const lines = record.entries.slice(0, DETAIL_LINES).map(describeEntry);
  const more = record.entries.length - lines.length;
  return [...lines, ...(more > 0 ? [`… and ${String(more)} more (reconcile_runs id ${record.id.toString()})`] : [])].join("\n");
}

function dirtyReason(record: ReconcileRecord): string {
  const first = record.entries[0];
  return (
    `reconcile record ${record.id.toString()} of account ${record.account} is DIRTY at ${formatWatermark(record.watermark)}: ` +
    `${String(record.entries.length)} mismatch(es)${first === undefined ? "" : `, first: ${describeEntry(first)}`}. ` +
    "Resolve the differences with the broker, run a clean reconcile and re-arm."
  );
}
