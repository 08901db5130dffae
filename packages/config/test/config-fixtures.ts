/** Shared inputs for the config contract tests: a valid base document and ways to vary it. */
import { readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const configsDir = join(repoRoot, "configs");
export const exampleConfigs = readdirSync(configsDir)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((f) => join(configsDir, f));

export type Doc = Record<string, unknown>;

/** A valid PAPER/sim config as plain data. */
export function baseDoc(): Doc {
  return {
    mode: "PAPER",
    broker: { kind: "sim" },
    marketData: { provider: "csv", csvDir: "data/daily", symbols: ["AAPL", "MSFT"], interval: "1day" },
    alerts: { channels: { alerts: { webhookEnv: "DISCORD_WEBHOOK_ALERTS" } }, heartbeatIntervalSeconds: 300 },
    risk: {
      maxOrderQty: 1000,
      maxOrderNotional: "50000",
      priceCollarBps: 500,
      maxPositionQty: 5000,
      maxGrossExposure: "250000",
      dailyLossLimit: "2000",
      maxOrdersPerMinute: 30,
    },
  };
}

/** A valid LIVE config as plain data. */
export function liveDoc(): Doc {
  return {
    ...baseDoc(),
    mode: "LIVE",
    broker: { kind: "alpaca", alpaca: { environment: "live", keyIdEnv: "ALPACA_LIVE_KEY_ID", secretKeyEnv: "ALPACA_LIVE_SECRET_KEY" } },
    marketData: { provider: "twelvedata", apiKeyEnv: "TWELVEDATA_API_KEY", symbols: ["AAPL"], interval: "1day" },
    alerts: { channels: { live: { webhookEnv: "DISCORD_WEBHOOK_LIVE" }, alerts: { webhookEnv: "DISCORD_WEBHOOK_ALERTS" } } },
    database: { source: "url", urlEnv: "MQK_DATABASE_URL" },
  };
}

/** Sets `value` at a dotted path (creating mappings on the way). */
export function withValue(doc: Doc, path: string, value: unknown): Doc {
  const copy = structuredClone(doc);
  const keys = path.split(".");
  let node: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== "object") node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  if (last === undefined) throw new Error("empty path");
  if (value === undefined) Reflect.deleteProperty(node, last);
  else node[last] = value;
  return copy;
}

export function yamlOf(doc: Doc): string {
  return stringify(doc);
}
