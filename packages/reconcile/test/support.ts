/**
 * Shared set-up for reconcile's contract tests: a real Postgres per file
 * (createTestDatabase), the real sim broker through execution's public
 * openBrokerSession, and writers for the local tables (positions, orders with their
 * outbox and id-map rows, cash ledger, inbox). Imports only public entries.
 */
import { asBrokerOrderId, asTicker, FakeClock, toMicros, type Clock, type Micros, type Shares } from "@mqk/core";
import { parseConfigText } from "@mqk/config";
import { createTestDatabase, type Database, type Kysely, type OrderSide, type OrderState, type OutboxStatus, type TestDatabase } from "@mqk/db";
import { openBrokerSession, type BrokerOrder, type BrokerSession, type BrokerSnapshot } from "@mqk/execution";
import { resolveSecrets } from "@mqk/secrets";
import { afterAll, beforeAll } from "vitest";

/** Dollars as Micros; negative amounts allowed (ledger entries, differences). */
export const usd = (v: string): Micros => toMicros(v, { sign: "any" });
export const ACCOUNT = "sim";
/** 2026-11-25T15:00:00Z */
export const T0 = Date.UTC(2026, 10, 25, 15, 0, 0);
export const MS_NS = 1_000_000n;
export const TOLERANCE = usd("1.00");

/** One database for every test of the file; the getter is valid inside tests. */
export function useDatabase(): () => TestDatabase {
  let handle: TestDatabase | undefined;
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => {
    await handle?.close();
  });
  return () => {
    if (handle === undefined) throw new Error("useDatabase: the database exists only inside tests");
    return handle;
  };
}

const simConfigYaml = `
mode: PAPER
broker: { kind: sim }
marketData: { provider: csv, csvDir: data/daily, symbols: [AAPL], interval: 1day }
alerts: { channels: {} }
risk: { maxOrderQty: 1000, maxOrderNotional: "50000", priceCollarBps: 500, maxPositionQty: 5000, maxGrossExposure: "250000", dailyLossLimit: "2000", maxOrdersPerMinute: 30 }
`;

/** The real sim broker, opened the way the runtime opens it (config → secrets → session). */
export function openSimSession(clock: Clock, startingCash: Micros = usd("100000"), account = ACCOUNT): BrokerSession {
  const config = parseConfigText(simConfigYaml, "reconcile-test.yaml");
  if (!config.ok) throw new Error(`test config refused: ${JSON.stringify(config.error)}`);
  const secrets = resolveSecrets(config.value, {});
  if (!secrets.ok) throw new Error("sim secrets refused");
  return openBrokerSession(config.value.broker, secrets.value, { account, clock, sim: { startingCashMicros: startingCash } });
}

export function newClock(): FakeClock {
  return new FakeClock(T0);
}

let refSeq = 0;
const nextRef = (prefix: string): string => `${prefix}-${String(++refSeq)}`;

export async function bookCash(db: Kysely<Database>, amount: Micros, account = ACCOUNT): Promise<void> {
  await db
    .insertInto("cash_ledger")
    .values({ account, amount_micros: amount, reason: "ADJUSTMENT", source_ref: nextRef("cash") })
    .execute();
}

export async function setPosition(db: Kysely<Database>, symbol: string, qty: bigint, avgCost: Micros, account = ACCOUNT): Promise<void> {
  await db
    .insertInto("positions")
    .values({ account, symbol, qty_shares: qty, avg_cost_micros: qty === 0n ? 0n : avgCost })
    .onConflict((oc) => oc.columns(["account", "symbol"]).doUpdateSet({ qty_shares: qty, avg_cost_micros: qty === 0n ? 0n : avgCost }))
    .execute();
}

export interface LocalOrderInput {
  readonly clientOrderId: string;
  readonly brokerOrderId?: string | null;
  readonly symbol?: string;
  readonly side?: OrderSide;
  readonly qty?: bigint;
  readonly limitUsd?: string;
  /** undefined: in flight (outbox row only, no orders row). */
  readonly state?: OrderState;
  readonly outboxStatus?: OutboxStatus;
  readonly filledQty?: bigint;
  readonly account?: string;
}

/** An outbox SUBMIT row with its id-map row and, when `state` is given, its orders row. */
export async function placeLocalOrder(db: Kysely<Database>, input: LocalOrderInput): Promise<void> {
  const account = input.account ?? ACCOUNT;
  const intentId = `intent-${input.clientOrderId}`;
  const limit = input.limitUsd === undefined ? null : usd(input.limitUsd);
  const brokerOrderId = input.brokerOrderId ?? null;
  const status: OutboxStatus = input.outboxStatus ?? (input.state === undefined ? "SENT" : "ACKED");
  await db
    .insertInto("outbox")
    .values({
      intent_id: intentId,
      client_order_id: input.clientOrderId,
      kind: "SUBMIT",
      status,
      account,
      symbol: input.symbol ?? "AAPL",
      side: input.side ?? "buy",
      order_type: limit === null ? "market" : "limit",
      time_in_force: "day",
      qty_shares: input.qty ?? 10n,
      limit_price_micros: limit,
      ...(status === "CLAIMED" ? { claimed_by: "test", claimed_at: new Date(T0), lease_expires_at: new Date(T0 + 60_000) } : {}),
    })
    .execute();
  await db
    .insertInto("order_map")
    .values({
      intent_id: intentId,
      client_order_id: input.clientOrderId,
      broker_order_id: brokerOrderId,
      broker_order_id_at: brokerOrderId === null ? null : new Date(T0),
    })
    .execute();
  if (input.state === undefined) return;
  const filled = input.filledQty ?? 0n;
  await db
    .insertInto("orders")
    .values({
      intent_id: intentId,
      client_order_id: input.clientOrderId,
      broker_order_id: brokerOrderId,
      account,
      symbol: input.symbol ?? "AAPL",
      side: input.side ?? "buy",
      order_type: limit === null ? "market" : "limit",
      time_in_force: "day",
      state: input.state,
      qty_shares: input.qty ?? 10n,
      filled_qty_shares: filled,
      filled_avg_price_micros: filled === 0n ? null : (limit ?? usd("100")),
      limit_price_micros: limit,
    })
    .execute();
}

/** An inbox row (advances the inbox half of the watermark). */
export async function receiveEvent(db: Kysely<Database>, account = ACCOUNT): Promise<bigint> {
  const row = await db
    .insertInto("inbox")
    .values({ broker_message_id: nextRef("msg"), account, kind: "new", source: "sim", payload: "{}" })
    .returning("seq")
    .executeTakeFirstOrThrow();
  return row.seq;
}

export interface BrokerOrderInput {
  readonly brokerOrderId: string;
  readonly clientOrderId: string;
  readonly symbol?: string;
  readonly side?: OrderSide;
  readonly qty?: bigint;
  readonly limitUsd?: string;
  readonly status?: OrderState;
  readonly filledQty?: bigint;
}

export function brokerOrder(input: BrokerOrderInput): BrokerOrder {
  const limit = input.limitUsd === undefined ? null : usd(input.limitUsd);
  const filled = input.filledQty ?? 0n;
  return {
    brokerOrderId: asBrokerOrderId(input.brokerOrderId),
    clientOrderId: input.clientOrderId,
    symbol: asTicker(input.symbol ?? "AAPL"),
    side: input.side ?? "buy",
    type: limit === null ? "market" : "limit",
    timeInForce: "day",
    status: input.status ?? "new",
    qtyShares: (input.qty ?? 10n) as Shares,
    filledQtyShares: filled as Shares,
    filledAvgPriceMicros: filled === 0n ? null : (limit ?? usd("100")),
    limitPriceMicros: limit,
    stopPriceMicros: null,
    replacesBrokerOrderId: null,
    replacedByBrokerOrderId: null,
    updatedAtNs: BigInt(T0) * MS_NS,
  };
}

export interface SnapshotInput {
  readonly brokerTimeMs?: number;
  readonly brokerTimeNs?: bigint;
  readonly cash?: Micros;
  readonly positions?: readonly { readonly symbol: string; readonly qty: bigint; readonly avgUsd?: string }[];
  readonly orders?: readonly BrokerOrder[];
  readonly account?: string;
}

/** A broker snapshot as a value (what any broker's session returns), for reconcileSnapshot and the pure diff. */
export function snapshotOf(input: SnapshotInput = {}): BrokerSnapshot {
  return {
    broker: "sim",
    account: input.account ?? ACCOUNT,
    brokerTimeNs: input.brokerTimeNs ?? BigInt(input.brokerTimeMs ?? T0) * MS_NS,
    cashMicros: input.cash ?? usd("0"),
    positions: (input.positions ?? []).map((p) => ({ symbol: asTicker(p.symbol), qtyShares: p.qty, avgEntryPriceMicros: usd(p.avgUsd ?? "100") })),
    openOrders: input.orders ?? [],
  };
}

export async function countRows(db: Kysely<Database>, table: "outbox" | "orders" | "order_map" | "reconcile_runs"): Promise<number> {
  const rows = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<bigint>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(rows.n);
}

/** Resolves once `predicate` holds (polled every 5 ms); rejects after `timeoutMs`. */
export function until(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (predicate()) resolve();
      else if (Date.now() > deadline) reject(new Error("until: condition not met in time"));
      else setTimeout(poll, 5);
    };
    poll();
  });
}
