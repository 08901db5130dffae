/**
 * Risk's persisted state: the trading mode (risk_state, one row), the daily-loss
 * baseline, approvals (R4 and the rate throttle) and the history of mode changes.
 *
 * Two kinds of write, on purpose:
 *  - In the CALLER's executor (the transaction that writes the outbox row):
 *    reads, the approval row, and the day baseline when approve() is the day's
 *    first mark. An approval exists exactly when its intent does; a baseline
 *    whose transaction rolls back was no mark, and the next mark takes its place.
 *  - In the store's OWN transaction on the root database, committed before the
 *    method returns: mode changes (halts, operator actions), and the baseline
 *    when no caller transaction is involved (checkDailyLoss, a halting approve).
 *    A halt must survive the caller rolling back; a halt that only lived in the
 *    caller's transaction would vanish with it.
 *
 * Connections: an approve that does not halt runs entirely on the caller's
 * connection, so any number of concurrent approving transactions fit in any
 * pool. A HALTING approve needs one spare connection for its own transaction
 * while the caller's stays open (halts are rare and stick: after one, approve
 * returns `halted` on the caller's connection).
 *
 * Consequences for callers: never hold a lock on risk_state while calling into
 * risk (its own transaction would wait for yours), and approve at most once per
 * transaction: the day's first approval holds risk_state's row until you commit,
 * and a halt later in the same transaction would wait on it.
 *
 * Rows are `unknown` until parsed here; every query is plain SQL through kysely's
 * `sql` so the store runs on any executor over the desk's Database.
 */
import { canonicalJson, DeskError, err, invariant, ok, type IntentId, type Micros, type Result } from "@mqk/core";
import { prepared, sql, type Database, type Kysely } from "@mqk/db";
import type { ApprovedOrderFields } from "./approved-order.js";
import { transitionTradingState, type TradingCause, type TradingEvent, type TradingMode, type TradingState, type TransitionError } from "./trading-state.js";

/** The root database or a transaction on it. */
export type RiskExecutor = Kysely<Database>;

export interface DayBaseline {
  readonly dayStartMs: number;
  readonly pnlMicros: Micros;
}

export interface AppliedTradingEvent {
  readonly state: TradingState;
  readonly changed: boolean;
}

export interface ApprovalContext {
  readonly state: TradingState;
  /** Set when the intent already has an approval. */
  readonly firstApprovedAtMs: number | undefined;
  /** Approvals inside the window: exact when at or above the limit asked about, else an upper bound below it. */
  readonly recentApprovals: number;
  /** The stored day baseline as the executor sees it; undefined before the first mark ever. */
  readonly dayBaseline: DayBaseline | undefined;
}

export interface RiskEventRecord {
  readonly atMs: number;
  readonly event: TradingEvent["kind"];
  readonly from: TradingMode;
  readonly to: TradingMode;
  readonly reason: string;
  readonly actor: string;
}

const MODES: readonly TradingMode[] = ["active", "reducing", "halted"];
const CAUSES: readonly TradingCause[] = ["initial", "operator", "daily_loss", "rate_limit"];
const EVENTS: readonly TradingEvent["kind"][] = ["breach", "operator_halt", "operator_reduce", "operator_reset"];

function bad(what: string, found: unknown): DeskError {
  return new DeskError(
    "INTERNAL",
    `risk store: expected ${what} in a database row, found ${typeof found === "string" ? JSON.stringify(found.slice(0, 60)) : typeof found}; check migrations 0001/0002 are applied`,
  );
}

function field(row: unknown, name: string): unknown {
  if (typeof row !== "object" || row === null) throw bad("a row object", row);
  return (row as Record<string, unknown>)[name];
}

function oneOf<T extends string>(allowed: readonly T[], value: unknown, what: string): T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw bad(what, value);
}

function text(value: unknown, what: string): string {
  if (typeof value !== "string") throw bad(what, value);
  return value;
}

function int8(value: unknown, what: string): bigint {
  if (typeof value !== "bigint") throw bad(`${what} (int8)`, value);
  return value;
}

/** How far past the window start a bucket still counts (another process's clock may run ahead). */
const AHEAD_MS = 3_600_000n;

/** count(*) is int8 (bigint here); sum(integer) is also int8 — both arrive as bigint. */
function numeric(value: unknown, what: string): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "string" && /^[0-9]+$/.test(value)) return BigInt(value);
  throw bad(`${what} (an integer)`, value);
}

function ms(value: unknown, what: string): number {
  const v = int8(value, what);
  if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(`${what} as epoch ms`, String(v));
  return Number(v);
}

function parseState(row: unknown): TradingState {
  return Object.freeze({
    mode: oneOf(MODES, field(row, "state"), "risk_state.state"),
    cause: oneOf(CAUSES, field(row, "cause"), "risk_state.cause"),
    reason: text(field(row, "reason"), "risk_state.reason"),
    actor: text(field(row, "changed_by"), "risk_state.changed_by"),
    sinceMs: ms(field(row, "state_since_ms"), "risk_state.state_since_ms"),
  });
}

/** The stored baseline of a risk_state row; undefined while none was ever stored. */
function parseBaseline(row: unknown): DayBaseline | undefined {
  if (field(row, "day_start_ms") === null) return undefined;
  return Object.freeze({
    dayStartMs: ms(field(row, "day_start_ms"), "risk_state.day_start_ms"),
    pnlMicros: int8(field(row, "day_start_pnl_micros"), "risk_state.day_start_pnl_micros") as Micros,
  });
}

function eventDetail(event: TradingEvent): string {
  switch (event.kind) {
    case "breach":
      return canonicalJson({ halt: event.halt });
    case "operator_halt":
    case "operator_reduce":
      return "{}";
    case "operator_reset":
      return canonicalJson({ to: event.to });
  }
}

const STATE_COLUMNS = sql`state, cause, reason, changed_by, state_since_ms`;

export class RiskStateStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** The trading mode as committed (read in `executor`, default the root). */
  async readTradingState(executor: RiskExecutor = this.#db): Promise<TradingState> {
    const result = await sql`SELECT ${STATE_COLUMNS} FROM risk_state WHERE id`.execute(executor);
    const row = result.rows[0];
    // Fail closed: no row means the schema is not what risk was built for.
    if (row === undefined)
      throw new DeskError("INTERNAL", "risk store: risk_state has no row; migration 0001 seeds it — the database is not migrated or was edited");
    return parseState(row);
  }

  /**
   * Applies a mode event in the store's own transaction (row locked FOR UPDATE),
   * committed before this returns, and records it in risk_events when it changes
   * something.
   */
  async applyEvent(event: TradingEvent, nowMs: number): Promise<Result<AppliedTradingEvent, TransitionError>> {
    invariant(Number.isSafeInteger(nowMs) && nowMs >= 0, `risk store: nowMs must be epoch ms, found ${String(nowMs)}`);
    return this.#db.transaction().execute(async (tx) => {
      const locked = await sql`SELECT ${STATE_COLUMNS} FROM risk_state WHERE id FOR UPDATE`.execute(tx);
      if (locked.rows[0] === undefined) throw new DeskError("INTERNAL", "risk store: risk_state has no row; migration 0001 seeds it");
      const before = parseState(locked.rows[0]);
      const next = transitionTradingState(before, event, nowMs);
      if (!next.ok) return err(next.error);
      const after = next.value;
      if (after === before) return ok({ state: before, changed: false });
      const detail = eventDetail(event);
      await sql`
        UPDATE risk_state
           SET state = ${after.mode}, cause = ${after.cause}, reason = ${after.reason}, changed_by = ${after.actor},
               state_since_ms = ${BigInt(after.sinceMs)}, detail = ${detail}::jsonb,
               halted_at = CASE WHEN ${after.mode}::text = 'halted' THEN to_timestamp(${BigInt(nowMs)}::bigint / 1000.0) ELSE NULL END,
               changed_at = to_timestamp(${BigInt(nowMs)}::bigint / 1000.0)
         WHERE id`.execute(tx);
      await sql`
        INSERT INTO risk_events (at_ms, event, from_state, to_state, reason, actor, detail)
        VALUES (${BigInt(nowMs)}, ${event.kind}, ${before.mode}, ${after.mode}, ${after.reason.slice(0, 2000)}, ${after.actor.slice(0, 200)}, ${detail}::jsonb)`.execute(
        tx,
      );
      return ok({ state: after, changed: true });
    });
  }

  /** Operator: halt now (nothing passes). */
  operatorHalt(input: { readonly reason: string; readonly actor: string }, nowMs: number): Promise<Result<AppliedTradingEvent, TransitionError>> {
    return this.applyEvent({ kind: "operator_halt", reason: input.reason, actor: input.actor }, nowMs);
  }

  /** Operator: only exposure-reducing orders pass. Refused while halted (reset instead). */
  operatorReduce(input: { readonly reason: string; readonly actor: string }, nowMs: number): Promise<Result<AppliedTradingEvent, TransitionError>> {
    return this.applyEvent({ kind: "operator_reduce", reason: input.reason, actor: input.actor }, nowMs);
  }

  /** Operator: leave halted (or reducing) for `to`; the reason is required and recorded. */
  operatorReset(
    input: { readonly to: "active" | "reducing"; readonly reason: string; readonly actor: string },
    nowMs: number,
  ): Promise<Result<AppliedTradingEvent, TransitionError>> {
    return this.applyEvent({ kind: "operator_reset", to: input.to, reason: input.reason, actor: input.actor }, nowMs);
  }

  /**
   * The daily-loss baseline of the day starting at `dayStartMs`. The first call
   * of a day stores `pnlIfNew` in `executor` (default the root: committed at once;
   * in a caller's transaction it commits or rolls back with it); later calls
   * return what was stored. A day start before the stored one (a clock that went
   * back) keeps the stored day. Idempotent: concurrent first calls store one.
   */
  async dayBaseline(dayStartMs: number, pnlIfNew: Micros, equityIfNew: Micros, executor: RiskExecutor = this.#db): Promise<DayBaseline> {
    invariant(Number.isSafeInteger(dayStartMs) && dayStartMs >= 0, `risk store: dayStartMs must be epoch ms, found ${String(dayStartMs)}`);
    await sql`
      UPDATE risk_state
         SET day_start_ms = ${BigInt(dayStartMs)}, day_start_pnl_micros = ${pnlIfNew}, day_start_equity_micros = ${equityIfNew},
             trading_day = (to_timestamp(${BigInt(dayStartMs)}::bigint / 1000.0) AT TIME ZONE 'UTC')::date
       WHERE id AND (day_start_ms IS NULL OR day_start_ms < ${BigInt(dayStartMs)})`.execute(executor);
    const result = await sql`SELECT day_start_ms, day_start_pnl_micros FROM risk_state WHERE id`.execute(executor);
    const baseline = parseBaseline(result.rows[0]);
    if (baseline === undefined) throw bad("risk_state.day_start_ms after storing it", null);
    return baseline;
  }

  /** When this intent was approved, if it was (visible to `executor`). */
  async findApproval(executor: RiskExecutor, intentId: IntentId): Promise<{ readonly approvedAtMs: number } | undefined> {
    const result = await sql`SELECT approved_at_ms FROM risk_approvals WHERE intent_id = ${intentId}`.execute(executor);
    const row = result.rows[0];
    return row === undefined ? undefined : { approvedAtMs: ms(field(row, "approved_at_ms"), "risk_approvals.approved_at_ms") };
  }

  /**
   * Everything approve() reads, in one round trip on the caller's executor: the
   * mode, whether this intent was already approved, and how many approvals fall
   * after `windowAfterMs` — bounded work however busy the window is. The seconds'
   * buckets give an upper bound at once (the second holding the window start counted
   * whole); only when that bound reaches `limit` is the count made exact: the whole
   * seconds from their buckets, the partial one row by row from risk_approvals.
   */
  async approvalContext(executor: RiskExecutor, intentId: IntentId, windowAfterMs: number, limit: number): Promise<ApprovalContext> {
    invariant(Number.isSafeInteger(windowAfterMs), `approvalContext: expected the window start as integer epoch ms, found ${String(windowAfterMs)}`);
    invariant(Number.isSafeInteger(limit) && limit > 0, `approvalContext: expected the limit as a positive integer, found ${String(limit)}`);
    const after = BigInt(windowAfterMs);
    const partialStart = BigInt(Math.floor(windowAfterMs / 1000) * 1000);
    // Every range is bounded at both ends, so even a generic plan reads an index range;
    // buckets of a clock that runs ahead still count, up to an hour ahead.
    // Prepared: key lookups and ranges of risk_rate_buckets' key and risk_approvals_approved_at_ms_idx.
    const result = await sql`${prepared}
      WITH bound AS (
        SELECT coalesce(sum(approvals), 0) AS upper FROM risk_rate_buckets WHERE second_ms >= ${partialStart} AND second_ms < ${after + AHEAD_MS})
      SELECT ${STATE_COLUMNS}, day_start_ms, day_start_pnl_micros,
             (SELECT approved_at_ms FROM risk_approvals WHERE intent_id = ${intentId}) AS first_approved_at_ms,
             CASE WHEN bound.upper < ${BigInt(limit)} THEN bound.upper
                  ELSE (SELECT coalesce(sum(approvals), 0) FROM risk_rate_buckets WHERE second_ms > ${after} AND second_ms < ${after + AHEAD_MS})
                     + (SELECT count(*) FROM risk_approvals WHERE approved_at_ms > ${after} AND approved_at_ms < ${partialStart + 1000n})
             END AS recent_approvals
        FROM risk_state CROSS JOIN bound WHERE id`.execute(executor);
    const row = result.rows[0];
    if (row === undefined)
      throw new DeskError("INTERNAL", "risk store: risk_state has no row; migration 0001 seeds it — the database is not migrated or was edited");
    const first = field(row, "first_approved_at_ms");
    return Object.freeze({
      state: parseState(row),
      firstApprovedAtMs: first === null ? undefined : ms(first, "risk_approvals.approved_at_ms"),
      recentApprovals: Number(numeric(field(row, "recent_approvals"), "the window's approval count")),
      dayBaseline: parseBaseline(row),
    });
  }

  /**
   * Records an approval in the caller's transaction, and counts it in its second's
   * rate bucket in the same statement; "duplicate" when the decision already has one.
   * The parameters are typed with their base types: the columns' domains (0008) then
   * check them in the executor, not once per parameter in the bind, which costs more.
   */
  async recordApproval(executor: RiskExecutor, order: ApprovedOrderFields): Promise<"recorded" | "duplicate"> {
    const result = await sql`${prepared}
      WITH approval AS (
        INSERT INTO risk_approvals (intent_id, strategy_id, decision_key, symbol, side, order_type, qty_shares, limit_price_micros, reference_price_micros, approved_at_ms)
        VALUES (${order.intentId}::text, ${order.strategyId}::text, ${order.decisionKey}::text, ${order.ticker}::text, ${order.side}::text,
                ${order.type}::text, ${order.qtyShares}::bigint, ${order.limitPriceMicros}::bigint, ${order.referencePriceMicros}::bigint,
                ${BigInt(order.approvedAtMs)}::bigint)
        ON CONFLICT DO NOTHING
        RETURNING approved_at_ms)
      INSERT INTO risk_rate_buckets (second_ms, shard, approvals)
      SELECT approved_at_ms - approved_at_ms % 1000, pg_backend_pid() % 8, 1 FROM approval
      ON CONFLICT (second_ms, shard) DO UPDATE SET approvals = risk_rate_buckets.approvals + 1
      RETURNING approvals`.execute(executor);
    return result.rows.length === 1 ? "recorded" : "duplicate";
  }

  /** Approvals with approved_at_ms > `afterMs`, as `executor` sees them. */
  async countApprovalsAfter(executor: RiskExecutor, afterMs: number): Promise<number> {
    const result = await sql`SELECT count(*) AS n FROM risk_approvals WHERE approved_at_ms > ${BigInt(afterMs)}`.execute(executor);
    return Number(int8(field(result.rows[0], "n"), "count(*)"));
  }

  /** The latest mode changes, newest first. */
  async recentEvents(limit = 50): Promise<readonly RiskEventRecord[]> {
    const result = await sql`SELECT at_ms, event, from_state, to_state, reason, actor FROM risk_events ORDER BY id DESC LIMIT ${limit}`.execute(this.#db);
    return result.rows.map((row) =>
      Object.freeze({
        atMs: ms(field(row, "at_ms"), "risk_events.at_ms"),
        event: oneOf(EVENTS, field(row, "event"), "risk_events.event"),
        from: oneOf(MODES, field(row, "from_state"), "risk_events.from_state"),
        to: oneOf(MODES, field(row, "to_state"), "risk_events.to_state"),
        reason: text(field(row, "reason"), "risk_events.reason"),
        actor: text(field(row, "actor"), "risk_events.actor"),
      }),
    );
  }
}
