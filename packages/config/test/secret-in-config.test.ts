import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatConfigError, parseConfigText, type ConfigError } from "@mqk/config";
import { baseDoc, liveDoc, withValue, yamlOf, type Doc } from "./config-fixtures.js";

const webhook = "https://discord.com/api/webhooks/123456789012345678/CANARY-7f3a9e-WEBHOOK-abcdefghijklmnop";
const legacyWebhook = "https://discordapp.com/api/webhooks/123456789012345678/CANARY-7f3a9e-LEGACY";
const alpacaKeyId = "PKCANARY7F3A9E0000000001";
const alpacaSecret = "CanaryS3cretKey7f3a9eLiveAbCdEfGhIjKlMn0p";
const twelveDataKey = "7f3a9e0c4d5e6f708192a3b4c5d6e7f8";
const databaseUrl = "postgres://mqk:CANARY-7f3a9e-DB-PASS@db.example.com:5432/mqk";

function secretRefusal(doc: Doc): ConfigError {
  const result = parseConfigText(yamlOf(doc), "configs/x.yaml");
  if (result.ok) throw new Error("expected a refusal");
  return result.error;
}

function expectRefusedAt(doc: Doc, path: string, secret: string): void {
  const error = secretRefusal(doc);
  expect(error.kind).toBe("secret_in_config");
  expect(error.issues.map((i) => i.path)).toContain(path);
  const text = formatConfigError(error);
  expect(text).toContain(`configs/x.yaml: ${path}: expected `);
  expect(text).toContain("found a value that looks like a secret");
  expect(text).not.toContain(secret);
  expect(JSON.stringify(error)).not.toContain(secret);
}

describe("S1.2: the config holds variable NAMES, never values", () => {
  const placements: readonly (readonly [string, Doc, string, string])[] = [
    ["a webhook URL in webhookEnv", withValue(baseDoc(), "alerts.channels.alerts.webhookEnv", webhook), "alerts.channels.alerts.webhookEnv", webhook],
    [
      "a legacy discordapp.com webhook",
      withValue(baseDoc(), "alerts.channels.alerts.webhookEnv", legacyWebhook),
      "alerts.channels.alerts.webhookEnv",
      legacyWebhook,
    ],
    ["a webhook URL as a market-data baseUrl", withValue(baseDoc(), "marketData.baseUrl", webhook), "marketData.baseUrl", webhook],
    ["a webhook URL under an unknown key", withValue(baseDoc(), "alerts.webhook", webhook), "alerts.webhook", webhook],
    ["a webhook URL as a list item", withValue(baseDoc(), "marketData.symbols", ["AAPL", webhook]), "marketData.symbols[1]", webhook],
    ["an Alpaca key id in keyIdEnv", withValue(liveDoc(), "broker.alpaca.keyIdEnv", alpacaKeyId), "broker.alpaca.keyIdEnv", alpacaKeyId],
    ["an Alpaca secret in secretKeyEnv", withValue(liveDoc(), "broker.alpaca.secretKeyEnv", alpacaSecret), "broker.alpaca.secretKeyEnv", alpacaSecret],
    ["a TwelveData key in apiKeyEnv", withValue(liveDoc(), "marketData.apiKeyEnv", twelveDataKey), "marketData.apiKeyEnv", twelveDataKey],
    ["a database URL with a password in urlEnv", withValue(liveDoc(), "database.urlEnv", databaseUrl), "database.urlEnv", databaseUrl],
    ["a key in the csvDir", withValue(baseDoc(), "marketData.csvDir", twelveDataKey), "marketData.csvDir", twelveDataKey],
    [
      "credentials in the Alpaca baseUrl",
      withValue(liveDoc(), "broker.alpaca.baseUrl", "https://PKCANARY7F3A9E0000000001:pw@api.alpaca.markets"),
      "broker.alpaca.baseUrl",
      "PKCANARY7F3A9E0000000001",
    ],
    [
      "an apikey in the market-data baseUrl query",
      withValue(liveDoc(), "marketData.baseUrl", `https://api.twelvedata.com?apikey=${twelveDataKey}`),
      "marketData.baseUrl",
      twelveDataKey,
    ],
    ["a bearer token in a free-text field", withValue(baseDoc(), "risk.note", "Authorization: Bearer CANARYtoken7f3a9e"), "risk.note", "CANARYtoken7f3a9e"],
  ];

  for (const [what, doc, path, secret] of placements) {
    it(`S1.2: ${what} is rejected with the path ${path}`, () => expectRefusedAt(doc, path, secret));
  }

  it("S1.2: several pasted secrets are all reported, each by its own path, in file order", () => {
    const doc = withValue(withValue(liveDoc(), "broker.alpaca.keyIdEnv", alpacaKeyId), "alerts.channels.live.webhookEnv", webhook);
    const error = secretRefusal(doc);
    expect(error.issues.map((i) => i.path)).toEqual(["broker.alpaca.keyIdEnv", "alerts.channels.live.webhookEnv"]);
    expect(error.issues.every((i) => i.line !== undefined)).toBe(true);
  });

  it("S1.2: a secret in a YAML comment is refused too, by line, without printing it", () => {
    const result = parseConfigText(`${yamlOf(baseDoc())}# old hook: ${webhook}\n`, "configs/x.yaml");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe("secret_in_config");
    expect(result.error.issues).toHaveLength(1);
    expect(result.error.issues[0]?.line).toBe(yamlOf(baseDoc()).split("\n").length);
    expect(formatConfigError(result.error)).not.toContain("CANARY");
  });

  it("S1.2: a secret used as a mapping key is rejected without printing the key", () => {
    const doc = withValue(baseDoc(), "alerts.channels", { [twelveDataKey]: { webhookEnv: "X" } });
    const error = secretRefusal(doc);
    expect(error.kind).toBe("secret_in_config");
    expect(error.issues[0]?.path).toBe("alerts.channels");
    expect(formatConfigError(error)).not.toContain(twelveDataKey);
  });

  it("S1.2: every *Env field must be ^[A-Z][A-Z0-9_]*$, and a non-NAME is never echoed", () => {
    for (const [path, value] of [
      ["alerts.channels.alerts.webhookEnv", "discord_webhook"],
      ["broker.alpaca.keyIdEnv", "CANARY-7f3a9e-LIVE-KEY"],
      ["marketData.apiKeyEnv", "1TWELVE"],
      ["database.urlEnv", "MQK DATABASE URL"],
    ] as const) {
      const result = parseConfigText(yamlOf(withValue(liveDoc(), path, value)), "configs/x.yaml");
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      const issue = result.error.issues.find((i) => i.path === path);
      expect(issue?.expected).toContain("environment variable NAME");
      expect(issue?.found).toContain("not shown");
      expect(formatConfigError(result.error)).not.toContain(value);
    }
  });

  it("S1.2: a baseUrl with a query, a fragment or plain http to a remote host is refused", () => {
    for (const url of ["https://api.twelvedata.com/?format=json", "https://api.twelvedata.com/#x", "http://api.twelvedata.com", "ftp://example.com"]) {
      const result = parseConfigText(yamlOf(withValue(liveDoc(), "marketData.baseUrl", url)), "x.yaml");
      expect(!result.ok && result.error.issues[0]?.path).toBe("marketData.baseUrl");
    }
  });

  it("S1.5: a generated secret pasted at any string field is refused and never printed (property)", () => {
    const paths = ["alerts.channels.alerts.webhookEnv", "marketData.csvDir", "marketData.provider", "risk.maxOrderNotional", "broker.kind", "extra.note"];
    const hex = fc.stringMatching(/^[0-9a-f]{32,64}$/).filter((s) => /\d/.test(s) && /[a-f]/.test(s));
    const base62 = fc.stringMatching(/^[A-Za-z0-9]{40}$/).filter((s) => /\d/.test(s) && /[a-z]/.test(s) && /[A-Z]/.test(s));
    const hook = fc
      .tuple(fc.bigInt({ min: 10n ** 16n, max: 10n ** 19n }), fc.stringMatching(/^[A-Za-z0-9_-]{20,68}$/))
      .map(([id, token]) => `https://discord.com/api/webhooks/${id.toString()}/${token}`);
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.oneof(hex, base62, hook), (path, secret) => {
        const result = parseConfigText(yamlOf(withValue(baseDoc(), path, secret)), "x.yaml");
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.error.kind).toBe("secret_in_config");
        expect(result.error.issues.map((i) => i.path)).toEqual([path]);
        expect(JSON.stringify(result.error)).not.toContain(secret);
        expect(formatConfigError(result.error)).not.toContain(secret);
      }),
      { numRuns: 200 },
    );
  });
});
