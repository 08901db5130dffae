/**
 * The diff engine: a pure function of (broker snapshot, local state, cash tolerance).
 * No I/O, no clock. The entries come out in a fixed order — positions by symbol,
 * then the broker's orders by broker order id (unknown ones and disagreements),
 * then local orders missing at the broker by client order id, then cash — so the
 * same inputs always give the same list.
 */
import { DeskError } from "@mqk/core";
import type { BrokerOrder, BrokerSnapshot } from "@mqk/execution";
import type { DiffEntry, OrderField } from "./diff-entry.js";
import type { LocalOrder, LocalState } from "./local-state.js";

export interface ReconcileDiff {
  readonly result: "CLEAN" | "DIRTY";
  readonly entries: readonly DiffEntry[];
}

export interface DiffOptions {
  /** Cash differences up to this many micros (inclusive) are not a mismatch. */
  readonly cashToleranceMicros: bigint;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const text = (value: string | bigint | null): string | null => (value === null ? null : value.toString());

export function diffReconcile(snapshot: BrokerSnapshot, local: LocalState, options: DiffOptions): ReconcileDiff {
  if (snapshot.account !== local.account)
    throw new DeskError(
      "BAD_INPUT",
      `diffReconcile: the snapshot is of account ${snapshot.account} but the local state of ${local.account}; reconcile one account with itself`,
    );
  if (options.cashToleranceMicros < 0n)
    throw new DeskError("BAD_INPUT", `diffReconcile: expected a cash tolerance >= 0 micros, found ${options.cashToleranceMicros.toString()}`);
  const entries: DiffEntry[] = [];
  diffPositions(snapshot, local, entries);
  diffOrders(snapshot, local, entries);
  const differenceMicros = snapshot.cashMicros - local.cashMicros;
  const magnitude = differenceMicros < 0n ? -differenceMicros : differenceMicros;
  if (magnitude > options.cashToleranceMicros) {
    entries.push({
      kind: "cash_mismatch",
      localCashMicros: local.cashMicros,
      brokerCashMicros: snapshot.cashMicros,
      differenceMicros,
      toleranceMicros: options.cashToleranceMicros,
    });
  }
  return { result: entries.length === 0 ? "CLEAN" : "DIRTY", entries };
}

function diffPositions(snapshot: BrokerSnapshot, local: LocalState, entries: DiffEntry[]): void {
  const broker = new Map<string, { qty: bigint; avg: bigint }>();
  for (const p of snapshot.positions) {
    if (broker.has(p.symbol)) {
      entries.push({ kind: "snapshot_duplicate", what: "position", key: p.symbol });
      continue;
    }
    broker.set(p.symbol, { qty: p.qtyShares, avg: p.avgEntryPriceMicros });
  }
  const mine = new Map<string, { qty: bigint; avg: bigint }>();
  for (const p of local.positions) if (p.qtyShares !== 0n) mine.set(p.symbol, { qty: p.qtyShares, avg: p.avgCostMicros });
  const symbols = [...new Set([...broker.keys(), ...mine.keys()])].sort(byText);
  for (const symbol of symbols) {
    const b = broker.get(symbol);
    const l = mine.get(symbol);
    const brokerQty = b?.qty ?? 0n;
    const localQty = l?.qty ?? 0n;
    if (brokerQty !== localQty) {
      entries.push({
        kind: "position_qty_mismatch",
        symbol,
        localQtyShares: localQty,
        brokerQtyShares: brokerQty,
        localAvgCostMicros: l?.avg ?? 0n,
        brokerAvgEntryPriceMicros: b?.avg ?? 0n,
      });
    }
  }
}

function diffOrders(snapshot: BrokerSnapshot, local: LocalState, entries: DiffEntry[]): void {
  const byClient = new Map<string, LocalOrder>();
  const byBroker = new Map<string, LocalOrder>();
  for (const o of local.openOrders) {
    byClient.set(o.clientOrderId, o);
    if (o.brokerOrderId !== null) byBroker.set(o.brokerOrderId, o);
  }
  const matched = new Set<LocalOrder>();
  const seen = new Set<string>();
  const brokerOrders = [...snapshot.openOrders].sort((a, b) => byText(a.brokerOrderId, b.brokerOrderId));
  for (const b of brokerOrders) {
    if (seen.has(b.brokerOrderId)) {
      entries.push({ kind: "snapshot_duplicate", what: "order", key: b.brokerOrderId });
      continue;
    }
    seen.add(b.brokerOrderId);
    const l = byClient.get(b.clientOrderId) ?? byBroker.get(b.brokerOrderId);
    if (l === undefined || matched.has(l)) {
      entries.push({
        kind: "broker_order_unknown",
        brokerOrderId: b.brokerOrderId,
        clientOrderId: b.clientOrderId,
        symbol: b.symbol,
        side: b.side,
        status: b.status,
        qtyShares: b.qtyShares,
        filledQtyShares: b.filledQtyShares,
      });
      continue;
    }
    matched.add(l);
    compareOrder(l, b, entries);
  }
  for (const l of local.openOrders) {
    if (matched.has(l)) continue;
    entries.push({
      kind: "local_order_missing_at_broker",
      source: l.source,
      intentId: l.intentId,
      clientOrderId: l.clientOrderId,
      brokerOrderId: l.brokerOrderId,
      symbol: l.symbol,
      localStatus: l.status,
      outboxStatus: l.outboxStatus,
    });
  }
}

/** Status, then every field the local side knows (an in-flight row may leave some unset). */
function compareOrder(l: LocalOrder, b: BrokerOrder, entries: DiffEntry[]): void {
  const ids = { clientOrderId: l.clientOrderId, brokerOrderId: b.brokerOrderId };
  if (l.status !== null && l.status !== b.status) {
    entries.push({ kind: "order_status_mismatch", ...ids, localStatus: l.status, brokerStatus: b.status });
  }
  const fields: readonly (readonly [OrderField, string | bigint | null, string | bigint | null])[] = [
    ["clientOrderId", l.clientOrderId, b.clientOrderId],
    ["brokerOrderId", l.brokerOrderId, b.brokerOrderId],
    ["symbol", l.symbol, b.symbol],
    ["side", l.side, b.side],
    ["type", l.type, b.type],
    ["timeInForce", l.timeInForce, b.timeInForce],
    ["qtyShares", l.qtyShares, b.qtyShares],
    ["filledQtyShares", l.filledQtyShares, b.filledQtyShares],
    ["limitPriceMicros", l.limitPriceMicros, b.limitPriceMicros],
    ["stopPriceMicros", l.stopPriceMicros, b.stopPriceMicros],
  ];
  for (const [field, mine, theirs] of fields) {
    // Unset locally: an in-flight row (REPLACE) that leaves the field to the broker; a
    // price both sides leave unset is equal. Every other difference is a mismatch.
    if (mine === null && field !== "limitPriceMicros" && field !== "stopPriceMicros") continue;
    if (mine !== theirs) entries.push({ kind: "order_field_mismatch", ...ids, field, local: text(mine), broker: text(theirs) });
  }
}
