import type { ColumnType, Generated } from "kysely";

/**
 * Kysely row types of every table the migrations create (0001_init, 0002_risk, …),
 * one interface per table; a migration that adds a table adds its interface here
 * (test/d4-migrations.test.ts compares `tableNames` with the migrated catalog).
 * BIGINT columns are `bigint` both ways (see pg-types.ts); jsonb is written as a
 * JSON string (use canonicalJson from @mqk/core, so bigint never meets
 * JSON.stringify) and read back parsed; `date` reads as a YYYY-MM-DD string.
 */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

type Int8 = ColumnType<bigint, bigint, bigint>;
type Int8Default = ColumnType<bigint, bigint | undefined, bigint>;
type Serial = Generated<bigint>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<JsonValue, string, string>;
type JsonDefault = ColumnType<JsonValue, string | undefined, string>;
type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type RunMode = "BACKTEST" | "PAPER" | "LIVE";
export type RunStatus = "STARTING" | "RUNNING" | "STOPPING" | "STOPPED" | "COMPLETED" | "FAILED" | "ABORTED";
export type ReconcileResult = "CLEAN" | "DIRTY" | "REJECTED";
export type ArmState = "ARMED" | "DISARMED";
export type ArmReasonKind =
  | "INITIAL"
  | "BOOT"
  | "OPERATOR_ARM"
  | "OPERATOR_DISARM"
  | "RECONCILE_DIRTY"
  | "RECONCILE_STALE"
  | "STALE_FEED"
  | "DATA_GAP"
  | "DEADMAN"
  | "RISK_HALTED"
  | "INTEGRITY_FAULT";
export type DeadmanState = "CLEAR" | "TRIPPED";
export type RiskTradingState = "active" | "reducing" | "halted";
export type OutboxKind = "SUBMIT" | "CANCEL" | "REPLACE";
export type OutboxStatus = "PENDING" | "CLAIMED" | "AMBIGUOUS" | "SENT" | "ACKED" | "REJECTED" | "FAILED" | "CANCELLED";
export type OrderSide = "buy" | "sell";
export type OrderType = "market" | "limit" | "stop" | "stop_limit";
export type TimeInForce = "day" | "gtc" | "opg" | "cls" | "ioc" | "fok";
/** Every trade_updates event name (API-BRIEF §1.10), as inbox.kind's CHECK lists them. */
export const inboxKinds = [
  "new",
  "fill",
  "partial_fill",
  "canceled",
  "expired",
  "done_for_day",
  "replaced",
  "rejected",
  "pending_new",
  "stopped",
  "pending_cancel",
  "pending_replace",
  "calculated",
  "suspended",
  "order_replace_rejected",
  "order_cancel_rejected",
] as const;
export type InboxKind = (typeof inboxKinds)[number];
export type InboxSource = "stream" | "rest_backfill" | "sim";
export type OrderState =
  | "new"
  | "partially_filled"
  | "filled"
  | "done_for_day"
  | "canceled"
  | "expired"
  | "replaced"
  | "pending_cancel"
  | "pending_replace"
  | "accepted"
  | "pending_new"
  | "accepted_for_bidding"
  | "stopped"
  | "rejected"
  | "suspended"
  | "calculated"
  | "held";
export type CashReason = "INITIAL" | "DEPOSIT" | "WITHDRAWAL" | "FILL" | "FEE" | "DIVIDEND" | "INTEREST" | "ADJUSTMENT";
export type AuditKind =
  | "ARMED"
  | "DISARMED"
  | "BOOT_DISARMED"
  | "DEADMAN_TRIPPED"
  | "DEADMAN_RECOVERED"
  | "RISK_STATE_CHANGED"
  | "RECONCILE_RECORDED"
  | "PROMOTION_RECORDED"
  | "CONFIG_CHANGED"
  | "RUN_STARTED"
  | "RUN_ENDED"
  | "OPERATOR_NOTE";
export type BarInterval = "1min" | "5min" | "15min" | "30min" | "45min" | "1h" | "2h" | "4h" | "8h" | "1day" | "1week" | "1month";
export type PromotionTargetMode = "PAPER" | "LIVE";
export type PromotionDecision = "PROMOTED" | "REJECTED";

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  sha256: string;
  applied_at: TimestampDefault;
}

export interface RunsTable {
  id: string;
  mode: RunMode;
  status: ColumnType<RunStatus, RunStatus | undefined, RunStatus>;
  config_hash: string;
  broker: Nullable<string>;
  strategy_id: Nullable<string>;
  artifact_hash: Nullable<string>;
  error: Nullable<string>;
  started_at: TimestampDefault;
  ended_at: NullableTimestamp;
}

export interface ReconcileRunsTable {
  id: Serial;
  account: string;
  run_id: Nullable<string>;
  result: ReconcileResult;
  watermark_broker_ns: Int8;
  watermark_inbox_seq: Int8;
  snapshot_digest: string;
  local_digest: string;
  evidence_hash: string;
  diff: JsonDefault;
  started_at: Timestamp;
  finished_at: Timestamp;
  /** 0007: the mode that wrote it; only PAPER and LIVE records are evidence (B2, the gate, arming). */
  mode: RunMode;
}

export interface ArmStateTable {
  id: ColumnType<boolean, true | undefined, never>;
  state: ArmState;
  reason_kind: ArmReasonKind;
  reason: string;
  reconcile_run_id: Nullable<bigint>;
  run_id: Nullable<string>;
  changed_by: ColumnType<string, string | undefined, string>;
  changed_at: TimestampDefault;
}

export interface DeadmanTable {
  id: ColumnType<boolean, true | undefined, never>;
  state: DeadmanState;
  last_beat_at: NullableTimestamp;
  deadline_at: NullableTimestamp;
  tripped_at: NullableTimestamp;
  reason: Nullable<string>;
  recovered_at: NullableTimestamp;
  recovered_by: Nullable<string>;
  changed_at: TimestampDefault;
}

export type RiskCause = "initial" | "operator" | "daily_loss" | "rate_limit";
export type RiskEventKind = "breach" | "operator_halt" | "operator_reduce" | "operator_reset";

export interface RiskStateTable {
  id: ColumnType<boolean, true | undefined, never>;
  state: RiskTradingState;
  reason: string;
  detail: JsonDefault;
  trading_day: ColumnType<string | null, string | null | undefined, string | null>;
  day_start_equity_micros: Nullable<bigint>;
  day_realized_pnl_micros: Int8Default;
  orders_today: ColumnType<number, number | undefined, number>;
  halted_at: NullableTimestamp;
  changed_by: ColumnType<string, string | undefined, string>;
  changed_at: TimestampDefault;
  // 0002_risk
  day_start_ms: Nullable<bigint>;
  day_start_pnl_micros: Nullable<bigint>;
  cause: ColumnType<RiskCause, RiskCause | undefined, RiskCause>;
  state_since_ms: Int8Default;
}

/** 0002_risk: one row per approved order (R4's keys, R3's rate count). */
export interface RiskApprovalsTable {
  intent_id: string;
  strategy_id: string;
  decision_key: string;
  symbol: string;
  side: OrderSide;
  order_type: "market" | "limit";
  qty_shares: Int8;
  limit_price_micros: Nullable<bigint>;
  reference_price_micros: Int8;
  approved_at_ms: Int8;
  recorded_at: TimestampDefault;
}

/** 0004_risk_rate_buckets: approvals per second (and shard), for the rate throttle. */
export interface RiskRateBucketsTable {
  second_ms: Int8;
  shard: number;
  approvals: number;
}

/** 0002_risk: every change of trading mode. */
export interface RiskEventsTable {
  id: Serial;
  at_ms: Int8;
  event: RiskEventKind;
  from_state: RiskTradingState;
  to_state: RiskTradingState;
  reason: string;
  actor: string;
  detail: JsonDefault;
  recorded_at: TimestampDefault;
}

export interface OutboxTable {
  id: Serial;
  intent_id: string;
  client_order_id: Nullable<string>;
  kind: OutboxKind;
  status: ColumnType<OutboxStatus, OutboxStatus | undefined, OutboxStatus>;
  account: string;
  run_id: Nullable<string>;
  strategy_id: Nullable<string>;
  target_client_order_id: Nullable<string>;
  symbol: Nullable<string>;
  side: Nullable<OrderSide>;
  order_type: Nullable<OrderType>;
  time_in_force: Nullable<TimeInForce>;
  qty_shares: Nullable<bigint>;
  limit_price_micros: Nullable<bigint>;
  stop_price_micros: Nullable<bigint>;
  payload: JsonDefault;
  claimed_by: Nullable<string>;
  claimed_at: NullableTimestamp;
  lease_expires_at: NullableTimestamp;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: TimestampDefault;
  last_error: Nullable<string>;
  reject_reason: Nullable<string>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
  sent_at: NullableTimestamp;
}

export interface OrderMapTable {
  intent_id: string;
  client_order_id: string;
  broker_order_id: Nullable<string>;
  replaces_client_order_id: Nullable<string>;
  created_at: TimestampDefault;
  broker_order_id_at: NullableTimestamp;
}

export interface InboxTable {
  seq: Serial;
  broker_message_id: string;
  account: string;
  kind: InboxKind;
  source: InboxSource;
  broker_order_id: Nullable<string>;
  client_order_id: Nullable<string>;
  execution_id: Nullable<string>;
  fill_qty_shares: Nullable<bigint>;
  fill_price_micros: Nullable<bigint>;
  position_qty_shares: Nullable<bigint>;
  event_ns: Nullable<bigint>;
  payload: Json;
  received_at: TimestampDefault;
  applied_at: NullableTimestamp;
  /** 0003: the order (its intent id) the event was applied to. */
  order_intent_id: Nullable<string>;
  /** 0003: the order's cumulative filled quantity after this execution. */
  fill_cum_qty_shares: Nullable<bigint>;
  /** 0003: why the event was kept but not applied. */
  apply_note: Nullable<string>;
}

export interface OrdersTable {
  id: Serial;
  intent_id: string;
  client_order_id: string;
  broker_order_id: Nullable<string>;
  account: string;
  symbol: string;
  side: OrderSide;
  order_type: OrderType;
  time_in_force: TimeInForce;
  state: OrderState;
  qty_shares: Int8;
  filled_qty_shares: Int8Default;
  limit_price_micros: Nullable<bigint>;
  stop_price_micros: Nullable<bigint>;
  filled_avg_price_micros: Nullable<bigint>;
  replaces_broker_order_id: Nullable<string>;
  replaced_by_broker_order_id: Nullable<string>;
  reject_reason: Nullable<string>;
  last_inbox_seq: Nullable<bigint>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface PositionsTable {
  account: string;
  symbol: string;
  qty_shares: Int8Default;
  avg_cost_micros: Int8Default;
  realized_pnl_micros: Int8Default;
  last_inbox_seq: Nullable<bigint>;
  updated_at: TimestampDefault;
}

export interface CashLedgerTable {
  id: Serial;
  account: string;
  amount_micros: Int8;
  reason: CashReason;
  source_ref: string;
  inbox_seq: Nullable<bigint>;
  symbol: Nullable<string>;
  note: Nullable<string>;
  created_at: TimestampDefault;
}

export interface AuditEventsTable {
  seq: Serial;
  kind: AuditKind;
  payload: Json;
  run_id: Nullable<string>;
  actor: ColumnType<string, string | undefined, string>;
  prev_hash: string;
  hash: string;
  created_at: Timestamp;
}

/**
 * 0009_audit_head: exactly one row, the seq and hash of the last row the audit writer
 * appended (0 and the genesis hash: none yet). The X1 verifier compares the chain's tail with it.
 */
export interface AuditHeadTable {
  id: ColumnType<boolean, true | undefined, never>;
  last_seq: Int8;
  last_hash: string;
  updated_at: TimestampDefault;
}

export interface MdBarsTable {
  provider: string;
  symbol: string;
  interval: BarInterval;
  ts: Timestamp;
  open_micros: Int8;
  high_micros: Int8;
  low_micros: Int8;
  close_micros: Int8;
  volume: Int8;
  fetched_at: TimestampDefault;
}

export interface PromotionsTable {
  id: Serial;
  run_id: string;
  strategy_id: string;
  target_mode: PromotionTargetMode;
  decision: PromotionDecision;
  artifact_hash: string;
  config_hash: string;
  metrics: Json;
  reason: string;
  evaluated_at: TimestampDefault;
}

export interface Database {
  schema_migrations: SchemaMigrationsTable;
  runs: RunsTable;
  reconcile_runs: ReconcileRunsTable;
  arm_state: ArmStateTable;
  deadman: DeadmanTable;
  risk_state: RiskStateTable;
  outbox: OutboxTable;
  order_map: OrderMapTable;
  inbox: InboxTable;
  orders: OrdersTable;
  positions: PositionsTable;
  cash_ledger: CashLedgerTable;
  audit_events: AuditEventsTable;
  audit_head: AuditHeadTable;
  md_bars: MdBarsTable;
  promotions: PromotionsTable;
  risk_approvals: RiskApprovalsTable;
  risk_events: RiskEventsTable;
  risk_rate_buckets: RiskRateBucketsTable;
}

/** Every table of the schema, for tests that walk them all. */
export const tableNames = [
  "schema_migrations",
  "runs",
  "reconcile_runs",
  "arm_state",
  "deadman",
  "risk_state",
  "outbox",
  "order_map",
  "inbox",
  "orders",
  "positions",
  "cash_ledger",
  "audit_events",
  "audit_head",
  "md_bars",
  "promotions",
  "risk_approvals",
  "risk_events",
  "risk_rate_buckets",
] as const satisfies readonly (keyof Database)[];
