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
import { paperConfigText } from "./dispatch-harness.js";

export function alpacaConfigText(baseUrl: string): string {
  return paperConfigText(`  kind: alpaca
  alpaca:
    environment: paper
    keyIdEnv: ALPACA_PAPER_KEY_ID
    secretKeyEnv: ALPACA_PAPER_SECRET_KEY
    baseUrl: ${baseUrl}`);
}

export function openAlpaca(fake: FakeAlpaca, clock: Clock, account: string, sendTimeoutMs = 400): BrokerSession {
  const config = parseConfigText(alpacaConfigText(fake.baseUrl), "alpaca.yaml");
  if (!config.ok) throw new Error(`test set-up: the alpaca config is invalid: ${JSON.stringify(config.error)}`);
  const secrets = resolveSecrets(config.value, { ALPACA_PAPER_KEY_ID: fake.keys.keyId, ALPACA_PAPER_SECRET_KEY: fake.keys.secretKey });
  if (!secrets.ok) throw new Error("test set-up: secrets did not resolve");
  return openBrokerSession(config.value.broker, secrets.value, { clock, account, sendTimeoutMs, reconnectDelayMs: 50 });
}
