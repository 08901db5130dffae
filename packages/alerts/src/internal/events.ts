/**
 * The alert vocabulary: a discriminated union on `kind`. Every kind must be
 * routed (routing.ts), given a severity and rendered (render-event.ts) — the
 * handler maps are `Record<AlertKind, …>`, so a new kind does not compile until
 * all three know it.
 *
 * Events never carry a webhook URL, token or any other secret: they name
 * channels only.
 */
import type { Micros, Shares } from "@mqk/core";
import type { ChannelName } from "./channels.js";

export type Severity = "info" | "success" | "warning" | "error" | "critical";
export const severities: readonly Severity[] = ["info", "success", "warning", "error", "critical"];

export type OrderSide = "buy" | "sell";

export interface RunStarted {
  readonly kind: "run_started";
  readonly runId: string;
  readonly strategy: string;
  readonly detail?: string;
}

export interface RunFinished {
  readonly kind: "run_finished";
  readonly runId: string;
  readonly strategy: string;
  readonly outcome: "completed" | "stopped" | "failed";
  readonly detail?: string;
}

export interface Armed {
  readonly kind: "armed";
  /** Who or what armed the desk (operator name, "startup"). */
  readonly by: string;
  readonly detail?: string;
}

export interface OrderSubmitted {
  readonly kind: "order_submitted";
  readonly symbol: string;
  readonly side: OrderSide;
  readonly qtyShares: Shares;
  readonly orderType: string;
  readonly limitPriceMicros?: Micros;
  readonly clientOrderId: string;
}

export interface Fill {
  readonly kind: "fill";
  readonly symbol: string;
  readonly side: OrderSide;
  readonly qtyShares: Shares;
  readonly priceMicros: Micros;
  readonly clientOrderId: string;
  readonly partial: boolean;
}

export interface OrderRejected {
  readonly kind: "order_rejected";
  readonly symbol: string;
  readonly side: OrderSide;
  readonly clientOrderId: string;
  readonly reason: string;
}

export interface RiskHalt {
  readonly kind: "risk_halt";
  readonly reason: string;
}

export interface IntegrityDisarm {
  readonly kind: "integrity_disarm";
  readonly reason: string;
}

export interface DeadmanTripped {
  readonly kind: "deadman_tripped";
  readonly silentForMs: number;
  readonly detail?: string;
}

export interface ReconcileDirty {
  readonly kind: "reconcile_dirty";
  readonly mismatches: number;
  readonly detail: string;
}

export interface ReconcileClean {
  readonly kind: "reconcile_clean";
  readonly watermark: string;
}

export interface Heartbeat {
  readonly kind: "heartbeat";
  readonly uptimeMs: number;
  readonly details?: Readonly<Record<string, string>>;
}

/** A free-text message from or to the operator (command and control). */
export interface OperatorMessage {
  readonly kind: "operator_message";
  readonly from: string;
  readonly text: string;
}

/** An operator command and what became of it. */
export interface C2Command {
  readonly kind: "c2_command";
  readonly command: string;
  readonly by: string;
  readonly outcome: "accepted" | "refused" | "done";
  readonly detail?: string;
}

/** Emitted by the router itself when Discord says a webhook is gone (404) or its token is bad (401). */
export interface AlertChannelDisabled {
  readonly kind: "alert_channel_disabled";
  readonly channels: readonly ChannelName[];
  readonly status: number;
  readonly discordCode?: number;
}

export interface BacktestResult {
  readonly kind: "backtest_result";
  readonly runId: string;
  readonly strategy: string;
  /** Already-formatted figures (e.g. { "total return": "4.21%" }). */
  readonly metrics: Readonly<Record<string, string>>;
}

/** A message for one named channel, e.g. a custom channel declared in config. */
export interface ChannelMessage {
  readonly kind: "channel_message";
  readonly channel: ChannelName;
  readonly title: string;
  readonly text: string;
  readonly severity: Severity;
}

export type AlertEvent =
  | RunStarted
  | RunFinished
  | Armed
  | OrderSubmitted
  | Fill
  | OrderRejected
  | RiskHalt
  | IntegrityDisarm
  | DeadmanTripped
  | ReconcileDirty
  | ReconcileClean
  | Heartbeat
  | OperatorMessage
  | C2Command
  | AlertChannelDisabled
  | BacktestResult
  | ChannelMessage;

export type AlertKind = AlertEvent["kind"];

type EventMap = { [E in AlertEvent as E["kind"]]: E };
/** The event type of one kind. */
export type AlertEventOf<K extends AlertKind> = EventMap[K];

/** A handler map that must name every kind (kysely's pattern: a new kind fails to compile). */
export type AlertKindTable<R> = { readonly [K in AlertKind]: (event: AlertEventOf<K>) => R };

/** Calls the handler of an event's own kind, keeping the kind–event correlation typed. */
export function dispatchByKind<R>(table: AlertKindTable<R>, event: AlertEvent): R {
  return call(table, event.kind, event);
}

function call<K extends AlertKind, R>(table: AlertKindTable<R>, _kind: K, event: AlertEventOf<K>): R {
  const handler: (event: AlertEventOf<K>) => R = table[_kind];
  return handler(event);
}

/** Every kind, in one place, for table tests; `satisfies` keeps it complete. */
const kindSet = {
  run_started: true,
  run_finished: true,
  armed: true,
  order_submitted: true,
  fill: true,
  order_rejected: true,
  risk_halt: true,
  integrity_disarm: true,
  deadman_tripped: true,
  reconcile_dirty: true,
  reconcile_clean: true,
  heartbeat: true,
  operator_message: true,
  c2_command: true,
  alert_channel_disabled: true,
  backtest_result: true,
  channel_message: true,
} as const satisfies Record<AlertKind, true>;

export const alertKinds: readonly AlertKind[] = Object.keys(kindSet) as AlertKind[];
