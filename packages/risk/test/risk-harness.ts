/**
 * Shared set-up for the risk contract tests: a real Postgres (createTestDatabase),
 * a fake clock, limits with round numbers, and builders for snapshots and orders.
 * Imports only public entries.
 */
import { asStrategyId, asTicker, FakeClock, toMicros, type Micros, type Shares, type Ticker } from "@mqk/core";
import { createTestDatabase, openDatabase, type DeskDatabase, type TestDatabase } from "@mqk/db";
import { applyFills, emptyPortfolio, type Fill, type Portfolio } from "@mqk/portfolio";
import { afterAll, afterEach, beforeAll } from "vitest";
import {
  createRiskEngine,
  RiskStateStore,
  type OpenOrderExposure,
  type OrderRequest,
  type RiskEngine,
  type RiskHaltEvent,
  type RiskLimits,
  type RiskSnapshot,
} from "@mqk/risk";

export const usd = (v: string): Micros => toMicros(v);
export const AAPL = asTicker("AAPL");
export const MSFT = asTicker("MSFT");
export const STRAT = asStrategyId("momo");

/** 2026-11-25T14:30:00Z — inside a UTC day, far from its edges. */
export const T0 = Date.UTC(2026, 10, 25, 14, 30, 0);

export const LIMITS: RiskLimits = {
  maxOrderQty: 1_000,
  maxOrderNotional: usd("50000"),
  priceCollarBps: 500,
  maxPositionQty: 2_000,
  maxGrossExposure: usd("200000"),
  dailyLossLimit: usd("1000"),
  maxOrdersPerMinute: 5,
};

export interface Desk {
  readonly handle: DeskDatabase;
  readonly store: RiskStateStore;
  readonly engine: RiskEngine;
  readonly clock: FakeClock;
  readonly halts: RiskHaltEvent[];
}

export function deskOn(handle: DeskDatabase, clock: FakeClock, limits: RiskLimits = LIMITS): Desk {
  const store = new RiskStateStore(handle.db);
  const halts: RiskHaltEvent[] = [];
  const engine = createRiskEngine({ limits, store, clock, onHalt: (e) => halts.push(e) });
  return { handle, store, engine, clock, halts };
}

export async function freshDesk(limits: RiskLimits = LIMITS): Promise<Desk & { readonly handle: TestDatabase }> {
  const handle = await createTestDatabase();
  const desk = deskOn(handle, new FakeClock(T0), limits);
  return { ...desk, handle };
}

/** One desk (one database) for every test of the file; the getter is valid inside tests. */
export function useSharedDesk(limits: RiskLimits = LIMITS): () => Desk {
  let desk: Desk | undefined;
  beforeAll(async () => {
    desk = await freshDesk(limits);
  });
  afterAll(async () => {
    await desk?.handle.close();
  });
  return () => {
    if (desk === undefined) throw new Error("useSharedDesk: the desk exists only inside tests");
    return desk;
  };
}

/** A fresh desk (its own database) per call, closed after each test: for tests that halt. */
export function useDeskPerTest(): (limits?: RiskLimits) => Promise<Desk> {
  const open: Desk[] = [];
  afterEach(async () => {
    for (const d of open.splice(0)) await d.handle.close();
  });
  return async (limits = LIMITS) => {
    const d = await freshDesk(limits);
    open.push(d);
    return d;
  };
}

/** A second pool on the same database: what a restarted process would open. */
export async function reopen(handle: DeskDatabase): Promise<DeskDatabase> {
  const url = handle.pool.options.connectionString;
  if (url === undefined) throw new Error("test database handle has no connection string");
  return openDatabase({ kind: "url", url });
}

let fillSeq = 0;
export function fill(ticker: Ticker, side: "buy" | "sell", qty: bigint, priceUsd: string): Fill {
  return { fillId: `h-${String(++fillSeq)}`, ticker, side, qtyShares: qty as Shares, priceMicros: usd(priceUsd), feeMicros: 0n as Micros };
}

export function portfolio(fills: readonly Fill[] = [], cashUsd = "100000"): Portfolio {
  return applyFills(emptyPortfolio(usd(cashUsd)), fills);
}

export interface SnapshotInput {
  readonly fills?: readonly Fill[];
  readonly prices?: Readonly<Record<string, string>>;
  readonly buyingPowerUsd?: string;
  readonly openOrders?: readonly OpenOrderExposure[];
  readonly portfolio?: Portfolio;
}

export function snapshot(input: SnapshotInput = {}): RiskSnapshot {
  const prices = input.prices ?? { AAPL: "100", MSFT: "200" };
  return {
    portfolio: input.portfolio ?? portfolio(input.fills ?? []),
    trustedPricesMicros: new Map(Object.entries(prices).map(([t, p]) => [asTicker(t), usd(p)])),
    buyingPowerMicros: usd(input.buyingPowerUsd ?? "100000"),
    openOrders: input.openOrders ?? [],
  };
}

let decisionSeq = 0;
export function market(side: "buy" | "sell", qty: bigint, extra: Partial<Pick<OrderRequest, "ticker" | "decisionKey" | "strategyId">> = {}): OrderRequest {
  return { strategyId: STRAT, decisionKey: `d-${String(++decisionSeq)}`, ticker: AAPL, side, qtyShares: qty as Shares, type: "market", ...extra };
}

export function limit(
  side: "buy" | "sell",
  qty: bigint,
  priceUsd: string,
  extra: Partial<Pick<OrderRequest, "ticker" | "decisionKey" | "strategyId">> = {},
): OrderRequest {
  return {
    strategyId: STRAT,
    decisionKey: `d-${String(++decisionSeq)}`,
    ticker: AAPL,
    side,
    qtyShares: qty as Shares,
    type: "limit",
    limitPriceMicros: usd(priceUsd),
    ...extra,
  };
}
