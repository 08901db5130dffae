/**
 * The Alpaca side of the dispatcher tests: a BrokerSession opened through the
 * public factory, from a real config text and real secret resolution, pointed at
 * the fake Alpaca server on 127.0.0.1.
 */
import type { Clock } from "@mqk/core";
import { parseConfigText } from "@mqk/config";
import { openBrokerSession, type BrokerSession } from "@mqk/execution";
import { resolveSecrets } from "@mqk/secrets";
import type { FakeAlpaca } from "@mqk/testkit";

export function alpacaConfigText(baseUrl: string): string {
  return `
mode: PAPER
broker:
  kind: alpaca
  alpaca:
    environment: paper
    keyIdEnv: ALPACA_PAPER_KEY_ID
    secretKeyEnv: ALPACA_PAPER_SECRET_KEY
    baseUrl: ${baseUrl}
marketData:
  provider: csv
  csvDir: data
  symbols: [AAPL]
  interval: 1day
risk:
  maxOrderQty: 1000
  maxOrderNotional: "50000"
  priceCollarBps: 500
  maxPositionQty: 5000
  maxGrossExposure: "250000"
  dailyLossLimit: "2000"
  maxOrdersPerMinute: 30
reconcile: { intervalSeconds: 30, freshnessSeconds: 120, cashTolerance: "1.00" }
integrity: { staleFeedGraceSeconds: 120, deadmanTimeoutSeconds: 60, gapDetection: true }
database:
  source: embedded
`;
}

export function openAlpaca(fake: FakeAlpaca, clock: Clock, account: string, sendTimeoutMs = 400): BrokerSession {
  const config = parseConfigText(alpacaConfigText(fake.baseUrl), "alpaca.yaml");
  if (!config.ok) throw new Error(`test set-up: the alpaca config is invalid: ${JSON.stringify(config.error)}`);
  const secrets = resolveSecrets(config.value, { ALPACA_PAPER_KEY_ID: fake.keys.keyId, ALPACA_PAPER_SECRET_KEY: fake.keys.secretKey });
  if (!secrets.ok) throw new Error("test set-up: secrets did not resolve");
  return openBrokerSession(config.value.broker, secrets.value, { clock, account, sendTimeoutMs, reconnectDelayMs: 50 });
}
