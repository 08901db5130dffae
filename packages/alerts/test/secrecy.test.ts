import { inspect } from "node:util";
import { createServer } from "node:net";
import { createAlertRouter, sampleAlertEvent, alertKinds, type AlertRouter } from "@mqk/alerts";
import { startFakeDiscord, type FakeDiscord } from "@mqk/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { RecordingLogger, secretSource } from "./support.js";

const canary = "CANARY-S15-tok_9f8e7d6c5b4a3928";

let fake: FakeDiscord | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** A port on 127.0.0.1 with nothing listening. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("expected a TCP address");
  return address.port;
}

/** Captures everything written to stdout and stderr while `run` runs. */
async function capturingOutput<T>(run: () => Promise<T>): Promise<{ result: T; output: string }> {
  const chunks: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const errOut = process.stderr.write.bind(process.stderr);
  const capture = (chunk: unknown): boolean => {
    chunks.push(typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) ? chunk.toString("utf8") : String(chunk));
    return true;
  };
  process.stdout.write = capture;
  process.stderr.write = capture;
  try {
    return { result: await run(), output: chunks.join("") };
  } finally {
    process.stdout.write = out;
    process.stderr.write = errOut;
  }
}

function exposedBy(router: AlertRouter): string[] {
  return [JSON.stringify(router.stats()), inspect(router, { showHidden: true, depth: Infinity, getters: true }), JSON.stringify(router)];
}

describe("webhook URL secrecy", () => {
  it("S1.5: the canary webhook token never reaches the logger, receipts, stats, inspect output, close report or Discord payloads", async () => {
    fake = await startFakeDiscord();
    const port = await closedPort();
    // Every path a URL could leak through: delivered, 429, 5xx, 404-disable, 401-disable, unreachable, invalid URLs.
    const hooks = { paper: "3001", alerts: "3002", heartbeat: "3003", c2: "3004" };
    for (const id of Object.values(hooks)) fake.addWebhook({ id, token: canary });
    fake.injectFaults(hooks.paper, { kind: "rate_limit", retryAfterSeconds: 0.05 }, { kind: "server_error" });
    fake.injectFaults(hooks.c2, { kind: "invalid_token" });
    fake.deleteWebhook(hooks.heartbeat);
    const values: Record<string, string> = {
      PAPER: fake.webhookUrl(hooks.paper, canary),
      ALERTS: fake.webhookUrl(hooks.alerts, canary, { version: 10 }),
      HEARTBEAT: fake.webhookUrl(hooks.heartbeat, canary),
      C2: fake.webhookUrl(hooks.c2, canary),
      BACKTEST: `http://127.0.0.1:${String(port)}/api/webhooks/3005/${canary}`,
      LIVE: `https://evil.example/api/webhooks/3006/${canary}`,
      OPS: `not a url ${canary}`,
    };
    const logger = new RecordingLogger();
    const router = createAlertRouter({
      mode: "PAPER",
      settings: {
        channels: {
          paper: { webhookEnv: "PAPER" },
          alerts: { webhookEnv: "ALERTS" },
          heartbeat: { webhookEnv: "HEARTBEAT" },
          c2: { webhookEnv: "C2" },
          backtest: { webhookEnv: "BACKTEST" },
          live: { webhookEnv: "LIVE" },
          ops: { webhookEnv: "OPS" },
        },
      },
      secrets: secretSource(values),
      logger,
      retry: { baseBackoffMs: 5, maxAttempts: 2 },
    });
    const { result: seen } = await capturingOutput(async () => {
      const receipts = alertKinds.map((kind) => router.send(sampleAlertEvent(kind, { channel: kind === "channel_message" ? "ops" : "alerts" })));
      receipts.push(router.send({ kind: "channel_message", channel: "live", title: "x", text: "y", severity: "info" }));
      await router.idle();
      const exposed = exposedBy(router);
      const report = await router.close({ drainMs: 1000 });
      return { receipts, exposed, report };
    });

    // The scenario really went through every path.
    const codes = logger.codes();
    expect(codes).toEqual(expect.arrayContaining(["channel_invalid_url", "rate_limited", "webhook_disabled", "delivery_failed", "channel_unconfigured"]));
    expect(fake.requests.map((r) => r.outcome)).toEqual(
      expect.arrayContaining(["delivered", "fault_rate_limited", "server_error", "unknown_webhook", "invalid_token"]),
    );
    expect(fake.messages.length).toBeGreaterThan(0);

    const routerSide = [JSON.stringify(logger.entries), JSON.stringify(seen.receipts), ...seen.exposed, JSON.stringify(seen.report)].join("\n");
    expect(routerSide).not.toContain(canary);
    expect(routerSide).not.toContain("/webhooks/");
    expect(routerSide).not.toContain("127.0.0.1");
    const wireSide = [JSON.stringify(fake.requests), JSON.stringify(fake.messages)].join("\n");
    expect(wireSide).not.toContain(canary);
    // The logger receives channel names only.
    const names = new Set(["paper", "alerts", "heartbeat", "c2", "backtest", "live", "ops"]);
    for (const entry of logger.entries) for (const channel of entry.channels) expect(names.has(channel)).toBe(true);
  });

  it("S1.5: the default logger (stderr) prints notices without the canary, and nothing else leaks to stdout or stderr", async () => {
    fake = await startFakeDiscord();
    fake.addWebhook({ id: "4001", token: canary });
    fake.deleteWebhook("4001");
    const { output } = await capturingOutput(async () => {
      const router = createAlertRouter({
        mode: "LIVE",
        settings: { channels: { live: { webhookEnv: "LIVE" }, alerts: { webhookEnv: "ALERTS" } } },
        secrets: secretSource({ LIVE: fake?.webhookUrl("4001", canary) ?? "", ALERTS: `https://discord.com/api/channels/1/${canary}` }),
      });
      router.send(sampleAlertEvent("fill"));
      router.send(sampleAlertEvent("risk_halt"));
      await router.idle();
      await router.close();
    });
    expect(output).toContain("channel_invalid_url");
    expect(output).toContain("webhook_disabled");
    expect(output).not.toContain(canary);
  });
});
