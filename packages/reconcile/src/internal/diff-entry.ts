/**
 * The typed entries of a reconcile diff. Amounts and quantities are bigint here; in
 * the persisted JSON (reconcile_runs.diff) they are decimal strings (`diffJson`).
 */
import { canonicalJson } from "@mqk/core";
import type { JsonValue, OrderSide, OrderState, OutboxStatus } from "@mqk/db";
import type { LocalOrderSource } from "./local-state.js";

/** The broker and we hold a different quantity of one symbol (a missing side counts as 0). */
export interface PositionQtyMismatch {
  readonly kind: "position_qty_mismatch";
  readonly symbol: string;
  readonly localQtyShares: bigint;
  readonly brokerQtyShares: bigint;
  /** For the operator only (not compared): 0 when that side holds nothing. */
  readonly localAvgCostMicros: bigint;
  readonly brokerAvgEntryPriceMicros: bigint;
}

/** An open order at the broker that matches none of ours by client order id or broker order id. */
export interface BrokerOrderUnknown {
  readonly kind: "broker_order_unknown";
  readonly brokerOrderId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly status: OrderState;
  readonly qtyShares: bigint;
  readonly filledQtyShares: bigint;
}

/** An order open locally (or in flight from the outbox) that the broker does not hold open. */
export interface LocalOrderMissingAtBroker {
  readonly kind: "local_order_missing_at_broker";
  readonly source: LocalOrderSource;
  readonly intentId: string;
  readonly clientOrderId: string;
  readonly brokerOrderId: string | null;
  readonly symbol: string | null;
  /** null: in flight, no broker event applied yet. */
  readonly localStatus: OrderState | null;
  readonly outboxStatus: OutboxStatus | null;
}

/** Matched order, different status. */
export interface OrderStatusMismatch {
  readonly kind: "order_status_mismatch";
  readonly clientOrderId: string;
  readonly brokerOrderId: string;
  readonly localStatus: OrderState;
  readonly brokerStatus: OrderState;
}

export type OrderField =
  "clientOrderId" | "brokerOrderId" | "symbol" | "side" | "type" | "timeInForce" | "qtyShares" | "filledQtyShares" | "limitPriceMicros" | "stopPriceMicros";

/** Matched order, one field differs (values as text; null when unset). */
export interface OrderFieldMismatch {
  readonly kind: "order_field_mismatch";
  readonly clientOrderId: string;
  readonly brokerOrderId: string;
  readonly field: OrderField;
  readonly local: string | null;
  readonly broker: string | null;
}

/** The same position symbol or broker order id twice in one snapshot: the snapshot cannot be trusted. */
export interface SnapshotDuplicate {
  readonly kind: "snapshot_duplicate";
  readonly what: "position" | "order";
  readonly key: string;
}

/** |broker − local| cash beyond the configured tolerance. */
export interface CashMismatch {
  readonly kind: "cash_mismatch";
  readonly localCashMicros: bigint;
  readonly brokerCashMicros: bigint;
  /** broker − local. */
  readonly differenceMicros: bigint;
  readonly toleranceMicros: bigint;
}

export type DiffEntry =
  PositionQtyMismatch | BrokerOrderUnknown | LocalOrderMissingAtBroker | OrderStatusMismatch | OrderFieldMismatch | SnapshotDuplicate | CashMismatch;

export type DiffEntryKind = DiffEntry["kind"];

/** What a REJECTED record stores in place of a diff (B2): why the snapshot was refused. */
export interface WatermarkRejection {
  readonly kind: "watermark_not_newer";
  readonly reason: "broker_time_not_newer" | "inbox_seq_went_back";
  readonly message: string;
  readonly lastAcceptedId: bigint;
  readonly lastAcceptedBrokerNs: bigint;
  readonly lastAcceptedInboxSeq: bigint;
}

/** The persisted form: canonical JSON text with every bigint as a decimal string. */
export function diffJson(entries: readonly (DiffEntry | WatermarkRejection)[]): string {
  return canonicalJson(entries);
}

/** The same as a JSON value (for audit payloads and summaries). */
export function diffJsonValue(entries: readonly (DiffEntry | WatermarkRejection)[]): JsonValue {
  return JSON.parse(diffJson(entries)) as JsonValue;
}

/** One line for an operator. */
export function describeEntry(entry: DiffEntry): string {
  switch (entry.kind) {
    case "position_qty_mismatch":
      return `${entry.symbol}: local qty ${entry.localQtyShares.toString()} vs broker ${entry.brokerQtyShares.toString()}`;
    case "broker_order_unknown":
      return `broker order ${entry.brokerOrderId} (client ${entry.clientOrderId}, ${entry.side} ${entry.qtyShares.toString()} ${entry.symbol}, ${entry.status}) is unknown locally`;
    case "local_order_missing_at_broker":
      return `local order ${entry.clientOrderId} (${entry.source}, ${entry.localStatus ?? `in flight ${entry.outboxStatus ?? ""}`}) is not open at the broker`;
    case "order_status_mismatch":
      return `order ${entry.clientOrderId}: local status ${entry.localStatus} vs broker ${entry.brokerStatus}`;
    case "order_field_mismatch":
      return `order ${entry.clientOrderId}: ${entry.field} local ${entry.local ?? "null"} vs broker ${entry.broker ?? "null"}`;
    case "snapshot_duplicate":
      return `the snapshot lists ${entry.what} ${entry.key} twice`;
    case "cash_mismatch":
      return `cash: local ${entry.localCashMicros.toString()} vs broker ${entry.brokerCashMicros.toString()} micros (difference ${entry.differenceMicros.toString()}, tolerance ${entry.toleranceMicros.toString()})`;
  }
}
