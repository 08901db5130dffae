/**
 * Turns an event into one Discord embed: a title, a description, fields, a
 * colour by severity, the mode in the footer. Handler maps over every kind:
 * a new kind does not compile until it has a severity and a rendering.
 */
import { formatMicros } from "@mqk/core";
import type { DeskMode } from "./channels.js";
import type { DiscordEmbed, DiscordEmbedField } from "./discord-message.js";
import { dispatchByKind, type AlertEvent, type AlertKindTable, type Severity } from "./events.js";

export const severityColours: Readonly<Record<Severity, number>> = {
  info: 0x3498db,
  success: 0x2ecc71,
  warning: 0xf1c40f,
  error: 0xe67e22,
  critical: 0xe74c3c,
};

const fixed = (severity: Severity) => (): Severity => severity;

export const severityTable: AlertKindTable<Severity> = {
  run_started: fixed("info"),
  run_finished: (e) => (e.outcome === "failed" ? "error" : e.outcome === "stopped" ? "warning" : "success"),
  armed: fixed("warning"),
  order_submitted: fixed("info"),
  fill: fixed("success"),
  order_rejected: fixed("warning"),
  risk_halt: fixed("critical"),
  integrity_disarm: fixed("critical"),
  deadman_tripped: fixed("critical"),
  reconcile_dirty: fixed("critical"),
  reconcile_clean: fixed("success"),
  heartbeat: fixed("info"),
  operator_message: fixed("info"),
  c2_command: (e) => (e.outcome === "refused" ? "warning" : "info"),
  alert_channel_disabled: fixed("error"),
  backtest_result: fixed("info"),
  channel_message: (e) => e.severity,
};

export function severityOf(event: AlertEvent): Severity {
  return dispatchByKind(severityTable, event);
}

interface Body {
  readonly title: string;
  readonly description?: string;
  readonly fields?: readonly DiscordEmbedField[];
}

const field = (name: string, value: string, inline = true): DiscordEmbedField => ({ name, value, inline });
const upper = (side: string): string => side.toUpperCase();

function records(values: Readonly<Record<string, string>>): DiscordEmbedField[] {
  return Object.entries(values).map(([name, value]) => field(name, value));
}

export const renderTable: AlertKindTable<Body> = {
  run_started: (e) => ({ title: `Run started: ${e.strategy}`, fields: [field("run", e.runId)], ...opt(e.detail) }),
  run_finished: (e) => ({ title: `Run ${e.outcome}: ${e.strategy}`, fields: [field("run", e.runId)], ...opt(e.detail) }),
  armed: (e) => ({ title: "Desk armed", fields: [field("by", e.by)], ...opt(e.detail) }),
  order_submitted: (e) => ({
    title: `Order: ${upper(e.side)} ${e.qtyShares.toString()} ${e.symbol} ${e.orderType}${e.limitPriceMicros === undefined ? "" : ` @ ${formatMicros(e.limitPriceMicros)}`}`,
    fields: [field("client order id", e.clientOrderId, false)],
  }),
  fill: (e) => ({
    title: `${e.partial ? "Partial fill" : "Fill"}: ${upper(e.side)} ${e.qtyShares.toString()} ${e.symbol} @ ${formatMicros(e.priceMicros)}`,
    fields: [field("client order id", e.clientOrderId, false)],
  }),
  order_rejected: (e) => ({
    title: `Order rejected: ${upper(e.side)} ${e.symbol}`,
    description: e.reason,
    fields: [field("client order id", e.clientOrderId, false)],
  }),
  risk_halt: (e) => ({ title: "RISK HALT", description: e.reason }),
  integrity_disarm: (e) => ({ title: "DISARMED (integrity)", description: e.reason }),
  deadman_tripped: (e) => ({
    title: "Deadman tripped",
    description: `No sign of life for ${String(Math.round(e.silentForMs / 1000))} s.${e.detail === undefined ? "" : ` ${e.detail}`}`,
  }),
  reconcile_dirty: (e) => ({ title: `Reconcile DIRTY: ${String(e.mismatches)} mismatch(es)`, description: e.detail }),
  reconcile_clean: (e) => ({ title: "Reconcile clean", fields: [field("watermark", e.watermark)] }),
  heartbeat: (e) => ({ title: "Heartbeat", fields: [field("uptime", `${String(Math.floor(e.uptimeMs / 1000))} s`), ...records(e.details ?? {})] }),
  operator_message: (e) => ({ title: `Message from ${e.from}`, description: e.text }),
  c2_command: (e) => ({ title: `Command ${e.outcome}: ${e.command}`, fields: [field("by", e.by)], ...opt(e.detail) }),
  alert_channel_disabled: (e) => ({
    title: `Alert channel disabled: ${e.channels.join(", ")}`,
    description:
      `Discord answered ${String(e.status)}${e.discordCode === undefined ? "" : ` (code ${String(e.discordCode)})`}: the webhook is gone or its token is wrong. ` +
      "Messages for these channels are dropped until the webhook is replaced and the desk restarted.",
  }),
  backtest_result: (e) => ({ title: `Backtest result: ${e.strategy}`, fields: [field("run", e.runId), ...records(e.metrics)] }),
  channel_message: (e) => ({ title: e.title, description: e.text }),
};

function opt(detail: string | undefined): { description?: string } {
  return detail === undefined ? {} : { description: detail };
}

/** One embed for an event; the caller fits it to Discord's limits. */
export function renderEmbed(event: AlertEvent, mode: DeskMode, tsMs: number): DiscordEmbed {
  const body = dispatchByKind(renderTable, event);
  return {
    title: body.title,
    ...(body.description === undefined ? {} : { description: body.description }),
    ...(body.fields === undefined || body.fields.length === 0 ? {} : { fields: body.fields }),
    color: severityColours[severityOf(event)],
    timestamp: new Date(tsMs).toISOString(),
    footer: { text: `MiniQuantDesk · ${mode} · ${event.kind}` },
  };
}
