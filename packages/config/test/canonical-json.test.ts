import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalConfigJson, configHash, formatConfigError, loadConfigFile, parseConfigText, type DeskConfig } from "@mqk/config";
import { parse, stringify } from "yaml";
import { readFileSync } from "node:fs";
import { exampleConfigs, liveDoc, withValue, yamlOf, type Doc } from "./config-fixtures.js";

function configOf(text: string): DeskConfig {
  const result = parseConfigText(text, "x.yaml");
  if (!result.ok) throw new Error(formatConfigError(result.error));
  return result.value;
}

/** Reorders the keys of every mapping by the given rank function. */
function permuteKeys(value: unknown, rank: (path: string, key: string) => number, path = ""): unknown {
  if (Array.isArray(value)) return value.map((item: unknown, i) => permuteKeys(item, rank, `${path}[${String(i)}]`));
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value).map(([k, v]) => [k, permuteKeys(v, rank, `${path}.${k}`)] as const);
  entries.sort(([a], [b]) => rank(path, a) - rank(path, b) || (a < b ? -1 : 1));
  return Object.fromEntries(entries);
}

const examples = exampleConfigs.map((file) => parse(readFileSync(file, "utf8")) as Doc);

describe("canonical JSON and config hash", () => {
  it("config: canonical JSON has sorted keys, no whitespace, and money as integer-micros strings", () => {
    const json = canonicalConfigJson(configOf(yamlOf(liveDoc())));
    expect(json).not.toMatch(/\s(?=(?:[^"]*"[^"]*")*[^"]*$)/); // no whitespace outside strings
    expect(json.startsWith('{"alerts":')).toBe(true);
    expect(json).toContain('"maxOrderNotional":"50000000000"');
    const keys = Object.keys(JSON.parse(json) as Record<string, unknown>);
    expect(keys).toEqual([...keys].sort());
  });

  it("config: the hash is the sha256 hex of the canonical JSON", async () => {
    const { createHash } = await import("node:crypto");
    const config = configOf(yamlOf(liveDoc()));
    expect(configHash(config)).toBe(createHash("sha256").update(canonicalConfigJson(config)).digest("hex"));
    expect(configHash(config)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("config: canonical JSON is invariant under key permutation at every level (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...examples), fc.func(fc.integer()), fc.boolean(), (doc, rank, flow) => {
        const original = configOf(stringify(doc));
        const permuted = permuteKeys(doc, (path, key) => rank(path, key));
        const text = stringify(permuted, { collectionStyle: flow ? "flow" : "block", indent: flow ? 2 : 4 });
        const reparsed = configOf(text);
        expect(canonicalConfigJson(reparsed)).toBe(canonicalConfigJson(original));
        expect(configHash(reparsed)).toBe(configHash(original));
      }),
      { numRuns: 150 },
    );
  });

  it("config: the hash is stable across layout, comments, quoting and money spelling", () => {
    const doc = liveDoc();
    const base = configHash(configOf(yamlOf(doc)));
    const respelled = withValue(withValue(withValue(doc, "risk.maxOrderNotional", 50000), "risk.dailyLossLimit", "2000.000"), "risk.maxOrderQty", "1000");
    expect(configHash(configOf(yamlOf(respelled)))).toBe(base);
    const commented = `# a comment\n${yamlOf(doc).replace(/\n/g, "   # trailing\n")}`;
    expect(configHash(configOf(commented))).toBe(base);
    expect(configHash(configOf(stringify(doc, { defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN" })))).toBe(base);
    expect(configHash(configOf(JSON.stringify(doc)))).toBe(base); // JSON is YAML too
  });

  it("config: writing a default out explicitly does not change the hash; changing any value does", () => {
    const doc = liveDoc();
    const base = configHash(configOf(yamlOf(doc)));
    expect(configHash(configOf(yamlOf(withValue(doc, "integrity", { gapDetection: true, staleFeedGraceSeconds: 120 }))))).toBe(base);
    for (const [path, value] of [
      ["risk.maxOrderNotional", "50000.01"],
      ["integrity.deadmanTimeoutSeconds", 61],
      ["marketData.symbols", ["MSFT", "AAPL"]],
      ["alerts.channels.c2", { webhookEnv: "DISCORD_WEBHOOK_C2" }],
    ] as const) {
      expect(configHash(configOf(yamlOf(withValue(doc, path, value))))).not.toBe(base);
    }
  });

  it("config: every example config hashes the same on every load", () => {
    for (const file of exampleConfigs) {
      const first = loadConfigFile(file);
      const second = loadConfigFile(file);
      expect(first.ok && second.ok && configHash(first.value.config) === configHash(second.value.config)).toBe(true);
    }
  });
});
