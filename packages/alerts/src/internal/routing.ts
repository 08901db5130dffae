/**
 * Where each kind of event goes, per mode. A table typed over every kind: a new
 * kind does not compile until it is routed here.
 *
 * Surprising edges, on purpose:
 *  - safety events (risk halt, integrity disarm, deadman, dirty reconcile) go to
 *    `alerts` AND to the mode's channel, so the operator watching either sees them;
 *  - `armed` in LIVE also goes to `alerts`: arming real money is an alert-worthy act;
 *  - `alert_channel_disabled` prefers `alerts`; the router falls back to another
 *    configured channel when `alerts` itself is the one that died.
 */
import { modeChannel, type ChannelName, type DeskMode } from "./channels.js";
import type { AlertEvent, AlertEventOf, AlertKind } from "./events.js";

/** `Record<Kind, (mode, event) => channels>`: the event is there for kinds that name their channel. */
export type RoutingTable = { readonly [K in AlertKind]: (mode: DeskMode, event: AlertEventOf<K>) => readonly ChannelName[] };

const toMode = (mode: DeskMode): readonly ChannelName[] => [modeChannel(mode)];
const toAlertsAndMode = (mode: DeskMode): readonly ChannelName[] => ["alerts", modeChannel(mode)];

export const routingTable: RoutingTable = {
  run_started: toMode,
  run_finished: toMode,
  armed: (mode) => (mode === "LIVE" ? ["alerts", "live"] : [modeChannel(mode)]),
  order_submitted: toMode,
  fill: toMode,
  order_rejected: toMode,
  risk_halt: toAlertsAndMode,
  integrity_disarm: toAlertsAndMode,
  deadman_tripped: toAlertsAndMode,
  reconcile_dirty: toAlertsAndMode,
  reconcile_clean: toMode,
  heartbeat: () => ["heartbeat"],
  operator_message: () => ["c2"],
  c2_command: () => ["c2"],
  alert_channel_disabled: () => ["alerts"],
  backtest_result: () => ["backtest"],
  channel_message: (_mode, event) => [event.channel],
};

/** The channels an event goes to in a mode, without duplicates, in table order. */
export function routeEvent(event: AlertEvent, mode: DeskMode): readonly ChannelName[] {
  return [...new Set(routeOfKind(event.kind, event, mode))];
}

function routeOfKind<K extends AlertKind>(kind: K, event: AlertEventOf<K>, mode: DeskMode): readonly ChannelName[] {
  const route: (mode: DeskMode, event: AlertEventOf<K>) => readonly ChannelName[] = routingTable[kind];
  return route(mode, event);
}
