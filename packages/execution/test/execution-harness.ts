/**
 * Shared set-up for the execution contract tests: a real Postgres
 * (createTestDatabase), the real risk engine (the only source of an
 * ApprovedOrder), and builders for broker events. Imports only public entries.
 */
import { asBrokerMessageId, asStrategyId, asTicker, FakeClock, toMicros, type BrokerOrderId, type Micros, type Shares, type Ticker } from "@mqk/core";
import { createTestDatabase, openDatabase, type DeskDatabase, type TestDatabase } from "@mqk/db";
import { emptyPortfolio } from "@mqk/portfolio";
import { createRiskEngine, RiskStateStore, type ApprovedOrder, type OrderRequest, type RiskEngine, type RiskSnapshot } from "@mqk/risk";
import { afterAll, beforeAll } from "vitest";
import { enqueueApprovedOrder, type BrokerEvent, type EnqueuedOrder } from "@mqk/execution";

export const usd = (v: string): Micros => toMicros(v);
export const AAPL = asTicker("AAPL");
export const STRAT = asStrategyId("momo");
export const ACCOUNT = "paper-1";
/** 2026-11-25T14:30:00Z */
export const T0 = Date.UTC(2026, 10, 25, 14, 30, 0);

export interface Desk {
  readonly handle: TestDatabase;
  readonly engine: RiskEngine;
  readonly clock: FakeClock;
}

/** One database and one risk engine for every test of the file; the getter is valid inside tests. */
export function useDesk(): () => Desk {
  let desk: Desk | undefined;
  beforeAll(async () => {
    const handle = await createTestDatabase();
    const clock = new FakeClock(T0);
    const engine = createRiskEngine({
      limits: {
        maxOrderQty: 100_000,
        maxOrderNotional: usd("100000000"),
        priceCollarBps: 500,
        maxPositionQty: 1_000_000,
        maxGrossExposure: usd("1000000000"),
        dailyLossLimit: usd("1000000"),
        maxOrdersPerMinute: 100_000,
      },
      store: new RiskStateStore(handle.db),
      clock,
    });
    desk = { handle, engine, clock };
  });
  afterAll(async () => {
    await desk?.handle.close();
  });
  return () => {
    if (desk === undefined) throw new Error("useDesk: the desk exists only inside tests");
    return desk;
  };
}

/** A second pool on the same database: what a restarted process would open. */
export async function reopen(handle: TestDatabase): Promise<DeskDatabase> {
  return openDatabase({ kind: "url", url: handle.connectionString });
}

export function snapshot(ticker: Ticker = AAPL, priceUsd = "100"): RiskSnapshot {
  return {
    portfolio: emptyPortfolio(usd("100000000")),
    trustedPricesMicros: new Map([[ticker, usd(priceUsd)]]),
    buyingPowerMicros: usd("100000000"),
    openOrders: [],
  };
}

let decisionSeq = 0;
export function marketRequest(side: "buy" | "sell", qty: bigint, ticker: Ticker = AAPL): OrderRequest {
  return { strategyId: STRAT, decisionKey: `exec-${String(++decisionSeq)}`, ticker, side, qtyShares: qty as Shares, type: "market" };
}

/** Risk approves `request` and the gateway enqueues it, in one transaction (the order path). */
export async function approveAndEnqueue(
  desk: Desk,
  request: OrderRequest,
  account = ACCOUNT,
): Promise<{ readonly approved: ApprovedOrder; readonly enqueued: EnqueuedOrder }> {
  return desk.handle.db.transaction().execute(async (tx) => {
    const verdict = await desk.engine.approve(tx, request, snapshot(request.ticker));
    if (!verdict.ok) throw new Error(`risk refused the test order: ${verdict.error.kind}`);
    const enqueued = await enqueueApprovedOrder(tx, verdict.value, { account });
    return { approved: verdict.value, enqueued };
  });
}

export interface FillEventInput {
  readonly messageId: string;
  readonly executionId: string;
  readonly clientOrderId: string | null;
  readonly brokerOrderId?: BrokerOrderId | null;
  readonly qty: bigint;
  readonly priceUsd: string;
  readonly feeUsd?: string;
  readonly kind?: "fill" | "partial_fill";
  readonly account?: string;
}

export function fillEvent(input: FillEventInput): BrokerEvent {
  return {
    brokerMessageId: asBrokerMessageId(input.messageId),
    account: input.account ?? ACCOUNT,
    kind: input.kind ?? "fill",
    source: "stream",
    clientOrderId: input.clientOrderId,
    brokerOrderId: input.brokerOrderId ?? null,
    fill: { executionId: input.executionId, qtyShares: input.qty as Shares, priceMicros: usd(input.priceUsd), feeMicros: usd(input.feeUsd ?? "0") },
    positionQtyShares: null,
    eventNs: null,
    payload: { event: input.kind ?? "fill", execution_id: input.executionId },
  };
}

export function orderEvent(
  messageId: string,
  kind: Exclude<BrokerEvent["kind"], "fill" | "partial_fill">,
  clientOrderId: string | null,
  brokerOrderId: BrokerOrderId | null = null,
  account = ACCOUNT,
): BrokerEvent {
  return {
    brokerMessageId: asBrokerMessageId(messageId),
    account,
    kind,
    source: "stream",
    clientOrderId,
    brokerOrderId,
    fill: null,
    positionQtyShares: null,
    eventNs: null,
    payload: { event: kind },
  };
}

export async function positionOf(db: DeskDatabase["db"], account: string, ticker: Ticker = AAPL) {
  return db.selectFrom("positions").selectAll().where("account", "=", account).where("symbol", "=", ticker).executeTakeFirst();
}

export async function cashOf(db: DeskDatabase["db"], account: string): Promise<{ readonly rows: number; readonly sum: bigint }> {
  const rows = await db.selectFrom("cash_ledger").select("amount_micros").where("account", "=", account).execute();
  return { rows: rows.length, sum: rows.reduce((s, r) => s + r.amount_micros, 0n) };
}
