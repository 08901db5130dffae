/**
 * The two digests a reconcile record carries: sha256 over a canonical JSON text of the
 * broker snapshot and of the local state.
 *
 * The text is a JSON array of TUPLES with a fixed field order (named below, versioned),
 * every bigint as a decimal string, lists sorted first (positions by symbol, orders by
 * broker / client order id) — so the same content in any order gives the same digest.
 * Tuples rather than objects: no key sorting, one native JSON.stringify, ~4× faster than
 * generic canonical JSON on 10,000 orders (the benchmark's case), and the field lists say
 * exactly what a digest covers. A new field is a new version.
 */
import { sha256Hex } from "@mqk/core";
import type { BrokerOrder, BrokerSnapshot } from "@mqk/execution";
import type { LocalOrder, LocalState } from "./local-state.js";

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const dec = (value: bigint | null): string | null => (value === null ? null : value.toString());

/** brokerOrderId, clientOrderId, symbol, side, type, timeInForce, status, qty, filled, filledAvg, limit, stop, replaces, replacedBy, updatedAtNs. */
function brokerOrderTuple(o: BrokerOrder): readonly (string | null)[] {
  return [
    o.brokerOrderId,
    o.clientOrderId,
    o.symbol,
    o.side,
    o.type,
    o.timeInForce,
    o.status,
    dec(o.qtyShares),
    dec(o.filledQtyShares),
    dec(o.filledAvgPriceMicros),
    dec(o.limitPriceMicros),
    dec(o.stopPriceMicros),
    o.replacesBrokerOrderId,
    o.replacedByBrokerOrderId,
    dec(o.updatedAtNs),
  ];
}

/** source, intentId, clientOrderId, brokerOrderId, symbol, side, type, timeInForce, status, outboxStatus, qty, filled, limit, stop. */
function localOrderTuple(o: LocalOrder): readonly (string | null)[] {
  return [
    o.source,
    o.intentId,
    o.clientOrderId,
    o.brokerOrderId,
    o.symbol,
    o.side,
    o.type,
    o.timeInForce,
    o.status,
    o.outboxStatus,
    dec(o.qtyShares),
    dec(o.filledQtyShares),
    dec(o.limitPriceMicros),
    dec(o.stopPriceMicros),
  ];
}

/** ["mqk-reconcile-snapshot", 1, broker, account, brokerTimeNs, cash, [[symbol, qty, avg]…], [order tuple…]]. */
export function snapshotDigest(snapshot: BrokerSnapshot): string {
  const positions = [...snapshot.positions].sort((a, b) => byText(a.symbol, b.symbol)).map((p) => [p.symbol, dec(p.qtyShares), dec(p.avgEntryPriceMicros)]);
  const orders = [...snapshot.openOrders]
    .sort((a, b) => byText(a.brokerOrderId, b.brokerOrderId) || byText(a.clientOrderId, b.clientOrderId))
    .map(brokerOrderTuple);
  return sha256Hex(
    JSON.stringify(["mqk-reconcile-snapshot", 1, snapshot.broker, snapshot.account, dec(snapshot.brokerTimeNs), dec(snapshot.cashMicros), positions, orders]),
  );
}

/** ["mqk-reconcile-local", 1, account, cash, inboxSeq, [[symbol, qty, avgCost]…], [order tuple…]]. */
export function localStateDigest(local: LocalState): string {
  const positions = [...local.positions].sort((a, b) => byText(a.symbol, b.symbol)).map((p) => [p.symbol, dec(p.qtyShares), dec(p.avgCostMicros)]);
  const orders = [...local.openOrders].sort((a, b) => byText(a.clientOrderId, b.clientOrderId) || byText(a.intentId, b.intentId)).map(localOrderTuple);
  return sha256Hex(JSON.stringify(["mqk-reconcile-local", 1, local.account, dec(local.cashMicros), dec(local.inboxSeq), positions, orders]));
}
