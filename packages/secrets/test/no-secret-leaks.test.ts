import { format, inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalConfigJson, configHash, formatConfigError, parseConfigText } from "@mqk/config";
import { formatMissingSecrets, redactLogLine, resolveSecrets, Secret, type ResolvedSecrets } from "@mqk/secrets";
import { canaries, canaryMarker, configFromText, envWith, exampleConfig } from "./secrets-fixtures.js";

const liveNames = Object.keys(canaries).filter((n) => !/PAPER|BACKTEST/.test(n));

function liveSecrets(): ResolvedSecrets {
  const result = resolveSecrets(exampleConfig("live"), envWith(liveNames));
  if (!result.ok) throw new Error(formatMissingSecrets(result.error));
  return result.value;
}

/** Every way a value commonly ends up in text. */
function renderings(value: unknown): string[] {
  return [
    String(value),
    `${String(value)}`,
    JSON.stringify(value),
    JSON.stringify({ nested: { value } }),
    inspect(value),
    inspect({ nested: [value] }, { depth: 10, showHidden: true }),
    format("%s %o %O %j", value, value, value, value),
    format(value),
  ];
}

describe("S1.5: no secret value reaches text", () => {
  it("S1.5: a Secret prints [redacted] through String, templates, JSON, util.inspect and util.format", () => {
    const secret = new Secret("ALPACA_LIVE_SECRET_KEY", "CANARY-7f3a9e-LIVE-SECRET");
    for (const text of renderings(secret)) expect(text).not.toContain(canaryMarker);
    expect(`${secret}`).toBe("[redacted]"); // eslint-disable-line @typescript-eslint/restrict-template-expressions -- the point of the test
    expect(JSON.stringify(secret)).toBe('"[redacted]"');
    expect(inspect(secret)).toBe("[redacted]");
    expect(JSON.stringify({ ...secret })).not.toContain(canaryMarker);
    expect(Object.isFrozen(secret)).toBe(true);
    expect(secret.reveal()).toBe("CANARY-7f3a9e-LIVE-SECRET");
  });

  it("S1.5: ResolvedSecrets prints NAMES and presence only, through every rendering", () => {
    const secrets = liveSecrets();
    for (const text of renderings(secrets)) {
      expect(text).not.toContain(canaryMarker);
      expect(text).not.toContain("111111111111111111");
    }
    expect(String(secrets)).toContain("ALPACA_LIVE_KEY_ID: present");
    expect(JSON.parse(JSON.stringify(secrets))).toEqual({ presence: secrets.presence() });
  });

  it("S1.5: canaries never appear in the refusal, the require() error, config errors, the canonical JSON or the hash", () => {
    const config = exampleConfig("live");
    const env = envWith(liveNames.filter((n) => n !== "TWELVEDATA_API_KEY"));
    const refusal = resolveSecrets(config, env);
    expect(refusal.ok).toBe(false);
    if (!refusal.ok) expect(formatMissingSecrets(refusal.error) + JSON.stringify(refusal.error)).not.toContain(canaryMarker);
    const backtest = resolveSecrets(exampleConfig("backtest"), {});
    if (backtest.ok) expect(() => backtest.value.require("DISCORD_WEBHOOK_BACKTEST")).toThrow(/^(?!.*CANARY)/);
    expect(canonicalConfigJson(config)).not.toContain(canaryMarker);
    for (const value of Object.values(canaries)) expect(configHash(config)).not.toContain(value);
    // The same canaries pasted into the config are refused without being echoed.
    const pasted = parseConfigText(
      `mode: LIVE\nbroker: { kind: alpaca, alpaca: { environment: live, keyIdEnv: "${canaries["ALPACA_LIVE_KEY_ID"] ?? ""}", secretKeyEnv: X } }\nalerts: { channels: { live: { webhookEnv: "${canaries["DISCORD_WEBHOOK_LIVE"] ?? ""}" } } }\n`,
      "configs/live.yaml",
    );
    expect(!pasted.ok && formatConfigError(pasted.error)).not.toContain(canaryMarker);
  });

  it("S1.5: redact() removes a value in every spelling: raw, URL-encoded (both hex cases), form-encoded, JSON-escaped", () => {
    const value = 'CANARY 7f3a9e/p+w=d&x?y#z"q';
    const config = configFromText(
      "mode: BACKTEST\nmarketData: { provider: csv, csvDir: d, symbols: [AAPL], interval: 1day }\nalerts: { channels: { alerts: { webhookEnv: HOOK } } }\nrisk: { maxOrderQty: 1, maxOrderNotional: 1, priceCollarBps: 1, maxPositionQty: 1, maxGrossExposure: 1, dailyLossLimit: 1, maxOrdersPerMinute: 1 }\n",
    );
    const result = resolveSecrets(config, { HOOK: value });
    if (!result.ok) throw new Error("unexpected refusal");
    const component = encodeURIComponent(value);
    const lines = [
      value,
      component,
      component.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
      component.replace(/%20/g, "+"),
      encodeURI(value),
      JSON.stringify(value).slice(1, -1),
    ];
    for (const line of lines) {
      const out = result.value.redact(`before ${line} after`);
      expect(out).toBe("before [redacted] after");
    }
  });

  it("S1.5: a webhook token is redacted even after the URL is rewritten to /api/v10/, and a database password on its own", () => {
    const secrets = liveSecrets();
    const token = "CANARY-7f3a9e-HOOK-LIVE-token";
    expect(secrets.redact(`POST https://discord.com/api/v10/webhooks/111111111111111111/${token}?wait=true`)).not.toContain(token);
    expect(secrets.redact("auth failed for password CANARY-7f3a9e-DB-PASS")).toBe("auth failed for password [redacted]");
    expect(secrets.redact(`url=${canaries["MQK_DATABASE_URL"] ?? ""}`)).toBe("url=[redacted]");
  });

  it("S1.5: a URL-like value with a malformed %-escape resolves and redacts without throwing", () => {
    const config = configFromText(
      "mode: BACKTEST\nmarketData: { provider: csv, csvDir: d, symbols: [AAPL], interval: 1day }\nalerts: { channels: { alerts: { webhookEnv: HOOK } } }\nrisk: { maxOrderQty: 1, maxOrderNotional: 1, priceCollarBps: 1, maxPositionQty: 1, maxGrossExposure: 1, dailyLossLimit: 1, maxOrdersPerMinute: 1 }\n",
    );
    const value = "https://u:p%zz@127.0.0.1/api/webhooks/1/CANARY-7f3a9e-%E0%A4%A";
    const result = resolveSecrets(config, { HOOK: value });
    expect(result.ok && result.value.redact(`x ${value} y`)).toBe("x [redacted] y");
  });

  it("S1.5: redactLogLine removes resolved values and credential patterns the desk never resolved", () => {
    const secrets = liveSecrets();
    const line = `submit order mqk-abc123 key=${canaries["ALPACA_LIVE_KEY_ID"] ?? ""} other hook https://discord.com/api/webhooks/999/FOREIGN-token and https://api.twelvedata.com/time_series?symbol=AAPL&apikey=FOREIGNKEY`;
    const out = redactLogLine(line, secrets);
    expect(out).not.toContain(canaryMarker);
    expect(out).not.toContain("FOREIGN");
    expect(out).toContain("mqk-abc123");
    expect(out).toContain("symbol=AAPL");
    expect(redactLogLine("plain line with APCA-API-SECRET-KEY: abcdef")).toBe("plain line with APCA-API-SECRET-KEY: [redacted]");
  });

  it("S1.5: any secret value embedded in any log line is redacted, encoded or not (property)", () => {
    const config = configFromText(
      "mode: BACKTEST\nmarketData: { provider: csv, csvDir: d, symbols: [AAPL], interval: 1day }\nalerts: { channels: { alerts: { webhookEnv: HOOK_A }, c2: { webhookEnv: HOOK_B } } }\nrisk: { maxOrderQty: 1, maxOrderNotional: 1, priceCollarBps: 1, maxPositionQty: 1, maxGrossExposure: 1, dailyLossLimit: 1, maxOrdersPerMinute: 1 }\n",
    );
    const secretValue = fc.stringMatching(/^[A-Za-z0-9+/=_\-.:@?&#% ]{8,40}$/).filter((v) => v.trim() !== "" && !"[redacted]".includes(v));
    fc.assert(
      fc.property(secretValue, secretValue, fc.string(), fc.string(), fc.boolean(), (a, b, prefix, suffix, encode) => {
        const result = resolveSecrets(config, { HOOK_A: a, HOOK_B: b });
        if (!result.ok) throw new Error("unexpected refusal");
        const shown = encode ? encodeURIComponent(a) : a;
        const out = redactLogLine(`${prefix}${shown} and ${b}${suffix}`, result.value);
        expect(out).not.toContain(a);
        expect(out).not.toContain(b);
        expect(out).not.toContain(encodeURIComponent(a));
      }),
      { numRuns: 300 },
    );
  });
});
