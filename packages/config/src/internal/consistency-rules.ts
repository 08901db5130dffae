/**
 * Rules that span fields or sections, run on a config that passed the schema.
 * Fail closed: where mode, broker, data and database disagree, refuse.
 */
import type { DeskConfig } from "./desk-config.js";
import { describeFound, type PathSegment } from "./describe-found.js";
import { knownProviderNeeds, replayProviders } from "./market-data-providers.js";

export interface RuleViolation {
  readonly path: readonly PathSegment[];
  readonly expected: string;
  readonly found: string;
}

const paperHost = "paper-api.alpaca.markets";
const liveHost = "api.alpaca.markets";

export function consistencyViolations(config: DeskConfig): readonly RuleViolation[] {
  const out: RuleViolation[] = [];
  const add = (path: readonly PathSegment[], expected: string, found: unknown): void => {
    if (!out.some((v) => v.path.join(".") === path.join("."))) out.push({ path, expected, found: describeFound(found) });
  };
  checkBroker(config, add);
  checkMarketData(config, add);
  checkLiveSafety(config, add);
  const { intervalSeconds, freshnessSeconds } = config.reconcile;
  if (freshnessSeconds < intervalSeconds) {
    add(
      ["reconcile", "freshnessSeconds"],
      `at least reconcile.intervalSeconds (${String(intervalSeconds)}): a shorter bound would mark every reconcile stale`,
      freshnessSeconds,
    );
  }
  return out;
}

type Add = (path: readonly PathSegment[], expected: string, found: unknown) => void;

function checkBroker(config: DeskConfig, add: Add): void {
  const { mode, broker } = config;
  if (broker.kind === "sim") {
    if (mode === "LIVE") add(["broker", "kind"], "alpaca (with environment: live) in LIVE mode: the sim broker moves no real money", "sim");
    return;
  }
  const { environment, keyIdEnv, secretKeyEnv, baseUrl } = broker.alpaca;
  if (mode === "BACKTEST") add(["broker", "kind"], "sim (or no broker section) in BACKTEST mode: the backtest engine fills orders itself", "alpaca");
  if (mode === "PAPER" && environment === "live") add(["broker", "alpaca", "environment"], "paper in PAPER mode: live keys never trade in PAPER", "live");
  if (mode === "LIVE" && environment === "paper") add(["broker", "alpaca", "environment"], "live in LIVE mode", "paper");
  // A name that says the other environment is a paper/live mix-up waiting to happen.
  const wrongWord = environment === "live" ? "PAPER" : "LIVE";
  for (const [field, name] of [
    ["keyIdEnv", keyIdEnv],
    ["secretKeyEnv", secretKeyEnv],
  ] as const) {
    if (name.split("_").includes(wrongWord)) {
      add(["broker", "alpaca", field], `a variable NAME for ${environment} keys (this one says ${wrongWord})`, name);
    }
  }
  if (baseUrl !== undefined) {
    const host = new URL(baseUrl).hostname;
    const wantHost = environment === "live" ? liveHost : paperHost;
    if (host.endsWith("alpaca.markets") && host !== wantHost) {
      add(["broker", "alpaca", "baseUrl"], `the ${environment} trading host https://${wantHost} when environment is ${environment}`, baseUrl);
    }
  }
}

function checkMarketData(config: DeskConfig, add: Add): void {
  const md = config.marketData;
  const needs = knownProviderNeeds[md.provider];
  if (needs?.apiKey === true && md.apiKeyEnv === undefined) {
    add(["marketData", "apiKeyEnv"], `the NAME of the variable holding the ${md.provider} API key, e.g. ${needs.exampleEnv ?? "PROVIDER_API_KEY"}`, undefined);
  }
  if (needs?.apiKey === false && md.apiKeyEnv !== undefined) {
    add(["marketData", "apiKeyEnv"], `no apiKeyEnv for ${md.provider}: it needs no key`, md.apiKeyEnv);
  }
  if (needs?.csvDir === true && md.csvDir === undefined) {
    add(["marketData", "csvDir"], `the directory of the ${md.provider} bar files, e.g. data/daily`, undefined);
  }
}

function checkLiveSafety(config: DeskConfig, add: Add): void {
  if (config.mode !== "LIVE") return;
  const { marketData, alerts, database, integrity } = config;
  if (replayProviders.has(marketData.provider)) {
    add(["marketData", "provider"], "a live market-data provider in LIVE mode: recorded bars can never drive real orders", marketData.provider);
  }
  if (marketData.apiKeyEnv === undefined) {
    add(["marketData", "apiKeyEnv"], "the NAME of the market-data API key variable: LIVE needs an authenticated feed", undefined);
  }
  for (const channel of ["live", "alerts"] as const) {
    if (alerts.channels[channel] === undefined) {
      add(["alerts", "channels", channel], `the ${channel} channel ({ webhookEnv: NAME }) declared in LIVE mode`, undefined);
    }
  }
  if (database.source === "embedded" && !database.allowEmbeddedInLive) {
    add(["database", "source"], "url in LIVE mode (or write allowEmbeddedInLive: true to choose the embedded database on purpose)", "embedded");
  }
  if (!integrity.gapDetection) {
    add(["integrity", "gapDetection"], "true in LIVE mode: integrity checks stay on with real money", false);
  }
}
