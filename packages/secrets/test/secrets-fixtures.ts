/** Shared inputs for the secrets contract tests: example configs and canary values. */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { formatConfigError, loadConfigFile, parseConfigText, type DeskConfig } from "@mqk/config";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export function exampleConfig(name: "backtest" | "paper-sim" | "paper-alpaca" | "live"): DeskConfig {
  const result = loadConfigFile(join(repoRoot, "configs", `${name}.yaml`));
  if (!result.ok) throw new Error(formatConfigError(result.error));
  return result.value.config;
}

export function configFromText(text: string): DeskConfig {
  const result = parseConfigText(text, "test.yaml");
  if (!result.ok) throw new Error(formatConfigError(result.error));
  return result.value;
}

/** Every canary contains this marker, so one search finds any leak. */
export const canaryMarker = "CANARY-7f3a9e";

/** Canary values for every variable the example configs name. */
export const canaries: Readonly<Record<string, string>> = {
  ALPACA_LIVE_KEY_ID: "CANARY-7f3a9e-LIVE-KEY",
  ALPACA_LIVE_SECRET_KEY: "CANARY-7f3a9e-LIVE-SECRET",
  ALPACA_PAPER_KEY_ID: "CANARY-7f3a9e-PAPER-KEY",
  ALPACA_PAPER_SECRET_KEY: "CANARY-7f3a9e-PAPER-SECRET",
  TWELVEDATA_API_KEY: "CANARY-7f3a9e-TD-KEY",
  DISCORD_WEBHOOK_LIVE: "https://discord.com/api/webhooks/111111111111111111/CANARY-7f3a9e-HOOK-LIVE-token",
  DISCORD_WEBHOOK_ALERTS: "https://discord.com/api/webhooks/222222222222222222/CANARY-7f3a9e-HOOK-ALERTS-token",
  DISCORD_WEBHOOK_HEARTBEAT: "https://discord.com/api/webhooks/333333333333333333/CANARY-7f3a9e-HOOK-HEARTBEAT-token",
  DISCORD_WEBHOOK_C2: "https://discord.com/api/webhooks/444444444444444444/CANARY-7f3a9e-HOOK-C2-token",
  DISCORD_WEBHOOK_PAPER: "https://discord.com/api/webhooks/555555555555555555/CANARY-7f3a9e-HOOK-PAPER-token",
  DISCORD_WEBHOOK_BACKTEST: "https://discord.com/api/webhooks/666666666666666666/CANARY-7f3a9e-HOOK-BACKTEST-token",
  MQK_DATABASE_URL: "postgres://mqk:CANARY-7f3a9e-DB-PASS@127.0.0.1:5432/mqk",
};

export function envWith(names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = canaries[name];
    if (value === undefined) throw new Error(`no canary for ${name}`);
    out[name] = value;
  }
  return out;
}
