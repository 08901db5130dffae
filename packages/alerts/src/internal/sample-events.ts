/**
 * One representative event of every kind, for table tests here and in the
 * contract tests (exported as `sampleAlertEvent`). A `Record` over every kind,
 * so a new kind must get a sample before the tests compile.
 */
import { toMicros, toShares } from "@mqk/core";
import type { ChannelName } from "./channels.js";
import type { AlertEvent, AlertEventOf, AlertKind } from "./events.js";

type Samples = { readonly [K in AlertKind]: (channel: ChannelName) => AlertEventOf<K> };

const samples: Samples = {
  run_started: () => ({ kind: "run_started", runId: "run-1", strategy: "sma-cross" }),
  run_finished: () => ({ kind: "run_finished", runId: "run-1", strategy: "sma-cross", outcome: "completed" }),
  armed: () => ({ kind: "armed", by: "operator" }),
  order_submitted: () => ({
    kind: "order_submitted",
    symbol: "AAPL",
    side: "buy",
    qtyShares: toShares(10),
    orderType: "limit",
    limitPriceMicros: toMicros("187.25"),
    clientOrderId: "coid-1",
  }),
  fill: () => ({
    kind: "fill",
    symbol: "AAPL",
    side: "buy",
    qtyShares: toShares(10),
    priceMicros: toMicros("187.20"),
    clientOrderId: "coid-1",
    partial: false,
  }),
  order_rejected: () => ({ kind: "order_rejected", symbol: "AAPL", side: "sell", clientOrderId: "coid-2", reason: "insufficient buying power" }),
  risk_halt: () => ({ kind: "risk_halt", reason: "daily loss limit reached" }),
  integrity_disarm: () => ({ kind: "integrity_disarm", reason: "bar gap detected" }),
  deadman_tripped: () => ({ kind: "deadman_tripped", silentForMs: 90_000 }),
  reconcile_dirty: () => ({ kind: "reconcile_dirty", mismatches: 2, detail: "AAPL qty 10 vs broker 0" }),
  reconcile_clean: () => ({ kind: "reconcile_clean", watermark: "2026-01-02T15:00:00Z" }),
  heartbeat: () => ({ kind: "heartbeat", uptimeMs: 60_000 }),
  operator_message: () => ({ kind: "operator_message", from: "ops", text: "going to lunch" }),
  c2_command: () => ({ kind: "c2_command", command: "disarm", by: "ops", outcome: "done" }),
  alert_channel_disabled: () => ({ kind: "alert_channel_disabled", channels: ["paper"], status: 404, discordCode: 10015 }),
  backtest_result: () => ({ kind: "backtest_result", runId: "bt-1", strategy: "sma-cross", metrics: { "total return": "4.21%" } }),
  channel_message: (channel) => ({ kind: "channel_message", channel, title: "Note", text: "hello", severity: "info" }),
};

export function sampleEvent(kind: AlertKind, options: { readonly channel?: ChannelName } = {}): AlertEvent {
  return samples[kind](options.channel ?? "alerts");
}
