/**
 * The Alpaca side of the dispatcher tests: a BrokerSession opened through the
 * public factory, from a real config text and real secret resolution, pointed at
 * the fake Alpaca server on 127.0.0.1.
 */
import type { Clock } from "@mqk/core";
import type { BrokerSession } from "@mqk/execution";
import type { FakeAlpaca } from "@mqk/testkit";
import { openSessionFromConfig, paperConfigText } from "./dispatch-harness.js";

export function alpacaConfigText(baseUrl: string): string {
  return paperConfigText(`  kind: alpaca
  alpaca:
    environment: paper
    keyIdEnv: ALPACA_PAPER_KEY_ID
    secretKeyEnv: ALPACA_PAPER_SECRET_KEY
    baseUrl: ${baseUrl}`);
}

export function openAlpaca(fake: FakeAlpaca, clock: Clock, account: string, sendTimeoutMs = 400): BrokerSession {
  const env = { ALPACA_PAPER_KEY_ID: fake.keys.keyId, ALPACA_PAPER_SECRET_KEY: fake.keys.secretKey };
  return openSessionFromConfig(alpacaConfigText(fake.baseUrl), env, { clock, account, sendTimeoutMs, reconnectDelayMs: 50 });
}
