import { createHash } from "node:crypto";
import type { PgPool, PgPoolClient } from "@mqk/db";

/**
 * One valid row per table of the schema, numbered so that rows n ≠ m never share
 * an identity. D1 and D3 start from these rows and break exactly one column.
 * A table added by a later migration gets its row here (the D1 test says so).
 */
export type Row = Readonly<Record<string, unknown>>;

const hex = (seed: string): string => createHash("sha256").update(seed).digest("hex");
const ACCOUNT = "sim:fixtures";

export const SINGLE_ROW_TABLES: ReadonlySet<string> = new Set(["arm_state", "deadman", "risk_state", "audit_head"]);

export const validRow: Readonly<Record<string, (n: number) => Row>> = {
  runs: (n) => ({ id: `run-${n}`, mode: "PAPER", status: "RUNNING", config_hash: hex(`config-${n}`) }),
  reconcile_runs: (n) => ({
    account: ACCOUNT,
    run_id: "run-0",
    result: "CLEAN",
    watermark_broker_ns: BigInt(n) + 1n,
    watermark_inbox_seq: 0n,
    snapshot_digest: hex(`snap-${n}`),
    local_digest: hex(`local-${n}`),
    evidence_hash: hex(`evidence-${n}`),
    diff: "[]",
    started_at: new Date(Date.UTC(2025, 6, 3, 14, 0, 0)),
    finished_at: new Date(Date.UTC(2025, 6, 3, 14, 0, 1)),
    mode: "PAPER",
  }),
  arm_state: () => ({ state: "DISARMED", reason_kind: "BOOT", reason: "fixture boot" }),
  deadman: () => ({ state: "CLEAR" }),
  risk_state: () => ({ state: "active", reason: "fixture" }),
  outbox: (n) => ({
    intent_id: `intent-${n}`,
    client_order_id: `coid-${n}`,
    kind: "SUBMIT",
    status: "PENDING",
    account: ACCOUNT,
    run_id: "run-0",
    symbol: "AAPL",
    side: "buy",
    order_type: "limit",
    time_in_force: "day",
    qty_shares: 10n,
    limit_price_micros: 150_000_000n,
    payload: "{}",
  }),
  order_map: (n) => ({ intent_id: `intent-${n}`, client_order_id: `coid-${n}`, broker_order_id: `bo-${n}`, broker_order_id_at: new Date() }),
  inbox: (n) => ({
    broker_message_id: `msg-${n}`,
    account: ACCOUNT,
    kind: "new",
    source: "stream",
    broker_order_id: `bo-${n}`,
    client_order_id: `coid-${n}`,
    payload: JSON.stringify({ event: "new" }),
  }),
  orders: (n) => ({
    intent_id: `intent-${n}`,
    client_order_id: `coid-${n}`,
    broker_order_id: `bo-${n}`,
    account: ACCOUNT,
    symbol: "AAPL",
    side: "buy",
    order_type: "limit",
    time_in_force: "day",
    state: "new",
    qty_shares: 10n,
    limit_price_micros: 150_000_000n,
  }),
  positions: (n) => ({ account: ACCOUNT, symbol: `P${n}`, qty_shares: 5n, avg_cost_micros: 100_000_000n }),
  cash_ledger: (n) => ({ account: ACCOUNT, amount_micros: 1_000_000n, reason: "INITIAL", source_ref: `ref-${n}` }),
  audit_events: (n) => ({
    kind: "OPERATOR_NOTE",
    payload: "{}",
    prev_hash: hex(`prev-${n}`),
    hash: hex(`hash-${n}`),
    created_at: new Date(Date.UTC(2025, 6, 3) + n),
  }),
  // 0009_audit_head (single row)
  audit_head: (n) => ({ last_seq: BigInt(n) + 1n, last_hash: hex(`head-${n}`) }),
  md_bars: (n) => ({
    provider: "csv",
    symbol: "AAPL",
    interval: "1day",
    ts: new Date(Date.UTC(2025, 0, 2) + n * 86_400_000),
    open_micros: 100_000_000n,
    high_micros: 110_000_000n,
    low_micros: 90_000_000n,
    close_micros: 105_000_000n,
    volume: 1_000n,
  }),
  promotions: (n) => ({
    run_id: `run-${n}`,
    strategy_id: "sma_cross",
    target_mode: "PAPER",
    decision: "PROMOTED",
    artifact_hash: hex(`artifact-${n}`),
    config_hash: hex(`config-${n}`),
    metrics: JSON.stringify({ sharpe: 1.2 }),
    reason: "fixture",
  }),
  // 0002_risk
  risk_approvals: (n) => ({
    intent_id: `intent-${n}`,
    strategy_id: "sma_cross",
    decision_key: `decision-${n}`,
    symbol: "AAPL",
    side: "buy",
    order_type: "market",
    qty_shares: 10n,
    reference_price_micros: 150_000_000n,
    approved_at_ms: 1_751_551_200_000n,
  }),
  risk_events: () => ({ at_ms: 1_751_551_200_000n, event: "breach", from_state: "active", to_state: "halted", reason: "fixture", actor: "test" }),
  // 0004_risk_rate_buckets
  risk_rate_buckets: (n) => ({ second_ms: 1_751_551_200_000n + BigInt(n) * 1000n, shard: n % 8, approvals: 1 }),
  schema_migrations: (n) => ({ version: 1000 + n, name: `fixture_${n}`, sha256: hex(`m-${n}`) }),
};

/** Rows that row n of `table` needs first (its foreign keys), in order. */
export function prerequisites(table: string, n: number): readonly (readonly [string, number])[] {
  switch (table) {
    case "order_map":
      return [["outbox", n]];
    case "orders":
      return [
        ["outbox", n],
        ["order_map", n],
      ];
    case "promotions":
      return [["runs", n]];
    default:
      return [];
  }
}

type Queryable = PgPool | PgPoolClient;

export async function insertRow(client: Queryable, table: string, row: Row): Promise<void> {
  const columns = Object.keys(row);
  const params = columns.map((_, i) => `$${String(i + 1)}`);
  await client.query(`INSERT INTO ${table} (${columns.join(", ")}) VALUES (${params.join(", ")})`, Object.values(row));
}

/** Row 0 of every parent table the fixtures reference (run-0). */
export async function insertParents(client: Queryable): Promise<void> {
  await insertRow(client, "runs", requireRow("runs", 0));
}

export function requireRow(table: string, n: number): Row {
  const make = validRow[table];
  if (make === undefined) {
    throw new Error(`no valid fixture row for table ${table}: add one to packages/db/test/support/schema-fixtures.ts`);
  }
  return make(n);
}

/** Inserts row n of `table` with its prerequisites; single-row tables are emptied first. */
export async function insertWithPrerequisites(client: Queryable, table: string, n: number, override: Row = {}): Promise<void> {
  for (const [parent, m] of prerequisites(table, n)) await insertRow(client, parent, requireRow(parent, m));
  if (SINGLE_ROW_TABLES.has(table)) await client.query(`DELETE FROM ${table}`);
  await insertRow(client, table, { ...requireRow(table, n), ...override });
}
