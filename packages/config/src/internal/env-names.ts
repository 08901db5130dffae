/**
 * Every environment variable NAME a config mentions, with its YAML path and
 * role: the list @mqk/secrets resolves at start and the proof bundle reports.
 */
import type { DeskConfig } from "./desk-config.js";

export type EnvNameRole = "broker-key-id" | "broker-secret-key" | "market-data-api-key" | "alert-webhook" | "database-url";

export interface EnvNameRef {
  readonly name: string;
  /** YAML path of the field that names it, e.g. `broker.alpaca.keyIdEnv`. */
  readonly path: string;
  readonly role: EnvNameRole;
  /** For alert webhooks: the channel. */
  readonly channel?: string;
}

/** In a fixed order: broker, market data, alert channels (sorted), database. */
export function envNamesOf(config: DeskConfig): readonly EnvNameRef[] {
  const out: EnvNameRef[] = [];
  if (config.broker.kind === "alpaca") {
    out.push({ name: config.broker.alpaca.keyIdEnv, path: "broker.alpaca.keyIdEnv", role: "broker-key-id" });
    out.push({ name: config.broker.alpaca.secretKeyEnv, path: "broker.alpaca.secretKeyEnv", role: "broker-secret-key" });
  }
  if (config.marketData.apiKeyEnv !== undefined) {
    out.push({ name: config.marketData.apiKeyEnv, path: "marketData.apiKeyEnv", role: "market-data-api-key" });
  }
  for (const channel of Object.keys(config.alerts.channels).sort()) {
    const declared = config.alerts.channels[channel];
    if (declared !== undefined) out.push({ name: declared.webhookEnv, path: `alerts.channels.${channel}.webhookEnv`, role: "alert-webhook", channel });
  }
  if (config.database.source === "url") out.push({ name: config.database.urlEnv, path: "database.urlEnv", role: "database-url" });
  return out;
}
