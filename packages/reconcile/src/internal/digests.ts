/**
 * The two digests a reconcile record carries: sha256 over the canonical JSON of the
 * broker snapshot and of the local state. Lists are put in a fixed order first
 * (positions by symbol, orders by broker / client order id), so the same content in
 * any order gives the same digest. Version-tagged: a change of form is a new version.
 */
import { canonicalJson, sha256Hex } from "@mqk/core";
import type { BrokerSnapshot } from "@mqk/execution";
import type { LocalState } from "./local-state.js";

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function snapshotDigest(snapshot: BrokerSnapshot): string {
  return sha256Hex(
    canonicalJson({
      v: 1,
      broker: snapshot.broker,
      account: snapshot.account,
      brokerTimeNs: snapshot.brokerTimeNs,
      cashMicros: snapshot.cashMicros,
      positions: [...snapshot.positions].sort((a, b) => byText(a.symbol, b.symbol)),
      openOrders: [...snapshot.openOrders].sort((a, b) => byText(a.brokerOrderId, b.brokerOrderId) || byText(a.clientOrderId, b.clientOrderId)),
    }),
  );
}

export function localStateDigest(local: LocalState): string {
  return sha256Hex(
    canonicalJson({
      v: 1,
      account: local.account,
      cashMicros: local.cashMicros,
      inboxSeq: local.inboxSeq,
      positions: [...local.positions].sort((a, b) => byText(a.symbol, b.symbol)),
      openOrders: [...local.openOrders].sort((a, b) => byText(a.clientOrderId, b.clientOrderId)),
    }),
  );
}
