import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatConfigError, loadConfigFile, parseConfigText, type ConfigError, type DeskConfig } from "@mqk/config";
import { baseDoc, exampleConfigs, liveDoc, withValue, yamlOf, type Doc } from "./config-fixtures.js";

function parsed(doc: Doc | string): DeskConfig {
  const result = parseConfigText(typeof doc === "string" ? doc : yamlOf(doc), "test.yaml");
  if (!result.ok) throw new Error(`expected a valid config, got:\n${formatConfigError(result.error)}`);
  return result.value;
}

function refused(doc: Doc | string): ConfigError {
  const result = parseConfigText(typeof doc === "string" ? doc : yamlOf(doc), "test.yaml");
  if (result.ok) throw new Error("expected the config to be refused");
  return result.error;
}

function issueAt(error: ConfigError, path: string): { expected: string; found: string } {
  const issue = error.issues.find((i) => i.path === path);
  if (issue === undefined) throw new Error(`no issue at ${path}; issues:\n${formatConfigError(error)}`);
  return issue;
}

describe("example configs", () => {
  it("config: the four example configs exist and all validate", () => {
    expect(exampleConfigs.map((f) => f.split("/").pop())).toEqual(["backtest.yaml", "live.yaml", "paper-alpaca.yaml", "paper-sim.yaml"]);
    for (const file of exampleConfigs) {
      const result = loadConfigFile(file);
      expect(result.ok ? "valid" : formatConfigError(result.error)).toBe("valid");
    }
  });

  it("config: paper-sim is PAPER on the sim broker over csv bars and names no variable at all", () => {
    const result = loadConfigFile(exampleConfigs.find((f) => f.endsWith("paper-sim.yaml")) ?? "");
    if (!result.ok) throw new Error(formatConfigError(result.error));
    const { config } = result.value;
    expect(config.mode).toBe("PAPER");
    expect(config.broker).toEqual({ kind: "sim" });
    expect(config.marketData.provider).toBe("csv");
    expect(config.marketData.csvDir).toBe("data/daily");
    expect(Object.keys(config.alerts.channels)).toEqual([]);
    expect(config.database).toEqual({ source: "embedded", allowEmbeddedInLive: false });
  });
});

describe("bad input gives one clear line per issue, with the path", () => {
  it("config: malformed YAML is a yaml_syntax error with line and column", () => {
    const error = refused("mode: PAPER\nrisk:\n  maxOrderQty: 1\n   priceCollarBps: 2\n");
    expect(error.kind).toBe("yaml_syntax");
    expect(error.issues[0]?.line).toBe(3);
    expect(formatConfigError(error)).toMatch(/^test\.yaml: expected valid YAML, found ".+" \(line 3, column \d+\)/);
  });

  it("config: an unclosed flow sequence is a yaml_syntax error", () => {
    expect(refused("mode: PAPER\nmarketData: { symbols: [AAPL, MSFT }\n").kind).toBe("yaml_syntax");
  });

  it("config: a duplicate key is refused, not last-one-wins", () => {
    const error = refused("mode: PAPER\nmode: LIVE\n");
    expect(error.kind).toBe("yaml_syntax");
    expect(formatConfigError(error)).toBe('test.yaml: expected valid YAML, found "Map keys must be unique" (line 2, column 1)');
  });

  it("config: several YAML documents in one file are refused", () => {
    expect(refused(`${yamlOf(baseDoc())}---\nmode: LIVE\n`).kind).toBe("yaml_syntax");
  });

  it("config: explicit YAML tags other than !!str are refused", () => {
    const error = refused(yamlOf(baseDoc()).replace("maxOrderQty: 1000", "maxOrderQty: !!float 1000"));
    expect(error.kind).toBe("yaml_syntax");
    expect(formatConfigError(error)).toContain("plain YAML without tags");
  });

  it("config: an unresolved alias is a yaml_syntax error, not a crash", () => {
    expect(refused("mode: *nowhere\n").kind).toBe("yaml_syntax");
  });

  it("config: a number with more digits than a double holds is refused (write money as a quoted string)", () => {
    const error = refused(yamlOf(baseDoc()).replace('maxOrderNotional: "50000"', "maxOrderNotional: 50000.0000000000000001"));
    expect(error.kind).toBe("yaml_syntax");
    expect(formatConfigError(error)).toContain("quoted decimal string");
  });

  it("config: wrong types name the path, what was expected and what was found", () => {
    const error = refused(withValue(withValue(baseDoc(), "risk.maxOrderNotional", "abc"), "risk.priceCollarBps", "wide"));
    expect(error.kind).toBe("schema");
    const lines = formatConfigError(error).split("\n");
    expect(lines[0]).toMatch(/^test\.yaml: risk\.maxOrderNotional: expected a decimal amount ≥ 0, found "abc" \(line \d+, column \d+\)$/);
    expect(lines[1]).toMatch(/^test\.yaml: risk\.priceCollarBps: expected an integer from 1 to 10000 basis points, found "wide"/);
  });

  it("config: each wrong type in every section is reported with its own path", () => {
    const doc = [
      ["mode", "live"],
      ["broker.kind", "ib"],
      ["marketData.symbols", "AAPL"],
      ["marketData.interval", "2day"],
      ["alerts.heartbeatIntervalSeconds", "often"],
      ["risk.maxOrderQty", 10.5],
      ["reconcile.intervalSeconds", -5],
      ["integrity.gapDetection", "yes"],
      ["backtest.fillModel", "optimistic"],
      ["database.source", "cloud"],
    ].reduce<Doc>((d, [path, value]) => withValue(d, String(path), value), baseDoc());
    const error = refused(doc);
    expect(error.issues.map((i) => i.path).sort()).toEqual(
      [
        "mode",
        "broker.kind",
        "marketData.symbols",
        "marketData.interval",
        "alerts.heartbeatIntervalSeconds",
        "risk.maxOrderQty",
        "reconcile.intervalSeconds",
        "integrity.gapDetection",
        "backtest.fillModel",
        "database.source",
      ].sort(),
    );
    expect(issueAt(error, "mode")).toMatchObject({ expected: "one of BACKTEST, PAPER, LIVE", found: '"live"' });
    expect(issueAt(error, "integrity.gapDetection")).toMatchObject({ expected: "true or false", found: '"yes"' });
    expect(issueAt(error, "risk.maxOrderQty")).toMatchObject({ expected: "a whole number of shares > 0", found: "10.5" });
    expect(formatConfigError(error).split("\n")).toHaveLength(10);
  });

  it("config: a missing required key is named, with 'found nothing'", () => {
    const error = refused(withValue(baseDoc(), "risk.dailyLossLimit", undefined));
    expect(issueAt(error, "risk.dailyLossLimit")).toMatchObject({ expected: "a decimal amount ≥ 0", found: "nothing (the key is missing)" });
    expect(issueAt(refused(withValue(baseDoc(), "mode", undefined)), "mode").found).toBe("nothing (the key is missing)");
  });

  it("config: unknown keys are errors at the top level and at every depth, naming the key", () => {
    const doc = withValue(withValue(withValue(baseDoc(), "strategy", "sma"), "risk.maxOrderNotionl", "1"), "alerts.channels.alerts.colour", "red");
    const error = refused(doc);
    expect(error.kind).toBe("schema");
    expect(issueAt(error, "strategy").found).toBe('the unknown key "strategy"');
    expect(issueAt(error, "risk.maxOrderNotionl").found).toBe('the unknown key "maxOrderNotionl" (did you mean maxOrderNotional?)');
    expect(issueAt(error, "risk.maxOrderNotionl").expected).toContain("maxOrderNotional");
    expect(issueAt(error, "alerts.channels.alerts.colour").expected).toBe("one of the known keys here: webhookEnv");
  });

  it("config: an alpaca section under the sim broker is refused, and alpaca without its section too", () => {
    expect(
      issueAt(refused(withValue(baseDoc(), "broker.alpaca", { environment: "paper", keyIdEnv: "A", secretKeyEnv: "B" })), "broker.alpaca").expected,
    ).toContain("no alpaca section");
    expect(issueAt(refused(withValue(baseDoc(), "broker", { kind: "alpaca" })), "broker.alpaca").found).toBe("nothing (the key is missing)");
  });

  it("config: repeated tickers, bad channel names and a csv provider without csvDir are refused", () => {
    expect(issueAt(refused(withValue(baseDoc(), "marketData.symbols", ["AAPL", "AAPL"])), "marketData.symbols[1]").expected).toContain("each ticker once");
    expect(issueAt(refused(withValue(baseDoc(), "alerts.channels.Bad_Name", { webhookEnv: "X" })), "alerts.channels.Bad_Name").found).toBe(
      'the key "Bad_Name"',
    );
    expect(issueAt(refused(withValue(baseDoc(), "marketData.csvDir", undefined)), "marketData.csvDir").expected).toContain("directory");
    expect(issueAt(refused(withValue(baseDoc(), "marketData.provider", "twelvedata")), "marketData.apiKeyEnv").expected).toContain("TWELVEDATA_API_KEY");
  });

  it("config: an empty file and a top-level list are schema errors", () => {
    expect(formatConfigError(refused(""))).toBe("test.yaml: expected a mapping of settings (mode, broker, marketData, risk, …), found an empty document");
    expect(formatConfigError(refused("- a\n- b\n"))).toMatch(/^test\.yaml: expected a mapping of settings \(keys: mode, .*\), found a list of 2 items/);
  });

  it("config: an unreadable file (missing, a directory) is an 'unreadable' error naming the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "mqk-config-"));
    const missing = loadConfigFile(join(dir, "nope.yaml"));
    expect(missing.ok).toBe(false);
    if (missing.ok) return;
    expect(missing.error.kind).toBe("unreadable");
    expect(formatConfigError(missing.error)).toBe(`${join(dir, "nope.yaml")}: expected a readable config file, found no such file (ENOENT)`);
    const directory = loadConfigFile(dir);
    expect(!directory.ok && directory.error.kind).toBe("unreadable");
    expect(!directory.ok && formatConfigError(directory.error)).toContain("a directory (EISDIR)");
  });

  it("config: a file that is not UTF-8 is refused as unreadable", () => {
    const file = join(mkdtempSync(join(tmpdir(), "mqk-config-")), "latin1.yaml");
    writeFileSync(file, Buffer.from([0x6d, 0x6f, 0x64, 0x65, 0x3a, 0x20, 0xff, 0xfe, 0x0a]));
    const result = loadConfigFile(file);
    expect(!result.ok && result.error.kind).toBe("unreadable");
  });

  it("config: a file read from disk reports its own path in every line", () => {
    const file = join(mkdtempSync(join(tmpdir(), "mqk-config-")), "bad.yaml");
    writeFileSync(file, yamlOf(withValue(baseDoc(), "risk.maxOrderNotional", "abc")));
    const result = loadConfigFile(file);
    expect(!result.ok && formatConfigError(result.error)).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: risk\\.maxOrderNotional: expected`),
    );
  });
});

describe("values and defaults", () => {
  it("A5: money enters as exact Micros and quantities as Shares, from strings or numbers alike", () => {
    const config = parsed(withValue(withValue(baseDoc(), "risk.maxOrderNotional", 50000.25), "risk.dailyLossLimit", "2000.000001"));
    expect(config.risk.maxOrderNotional).toBe(50_000_250_000n);
    expect(config.risk.dailyLossLimit).toBe(2_000_000_001n);
    expect(config.risk.maxOrderQty).toBe(1000n);
  });

  it("A5: money finer than a micro is refused rather than rounded", () => {
    expect(issueAt(refused(withValue(baseDoc(), "risk.maxOrderNotional", "1.0000001")), "risk.maxOrderNotional").expected).toContain(
      "at most 6 decimal places",
    );
  });

  it("F1: negative slippage is rejected at validation", () => {
    const error = refused(withValue(baseDoc(), "backtest", { slippageBps: -1 }));
    expect(issueAt(error, "backtest.slippageBps")).toMatchObject({ found: "-1" });
    expect(issueAt(error, "backtest.slippageBps").expected).toContain("F1");
  });

  it("F1: negative fees are rejected at validation, as strings and as numbers", () => {
    expect(issueAt(refused(withValue(baseDoc(), "backtest", { feePerShare: "-0.001" })), "backtest.feePerShare").found).toBe('"-0.001"');
    expect(issueAt(refused(withValue(baseDoc(), "backtest", { feePerShare: -0.001 })), "backtest.feePerShare").expected).toContain("F1");
  });

  it("F1: zero slippage and zero fees are allowed (they are not better than reality)", () => {
    const config = parsed(withValue(baseDoc(), "backtest", { slippageBps: 0, feePerShare: "0" }));
    expect(config.backtest.slippageBps).toBe(0);
    expect(config.backtest.feePerShare).toBe(0n);
  });

  it("F2: defaults are conservative: integrity on, anomalies stop the run, non-zero costs, embedded db not allowed in LIVE", () => {
    const config = parsed(baseDoc());
    expect(config.integrity).toEqual({ staleFeedGraceSeconds: 120, deadmanTimeoutSeconds: 60, gapDetection: true });
    expect(config.backtest).toEqual({
      initialCash: 100_000_000_000n,
      slippageBps: 5,
      feePerShare: 5_000n,
      fillModel: "conservative",
      stopOnCorporateActionAnomaly: true,
    });
    expect(config.reconcile).toEqual({ intervalSeconds: 30, freshnessSeconds: 120, cashTolerance: 1_000_000n });
    expect(config.database).toEqual({ source: "embedded", allowEmbeddedInLive: false });
    expect(config.broker).toEqual({ kind: "sim" });
  });

  it("F2: risk limits have no defaults: a config without them is refused", () => {
    const error = refused(withValue(baseDoc(), "risk", undefined));
    expect(issueAt(error, "risk").found).toBe("nothing (the key is missing)");
  });

  it("config: optional keys that are not written are absent, never present as undefined", () => {
    const config = parsed(baseDoc());
    expect(Object.keys(config.marketData).sort()).toEqual(["csvDir", "interval", "provider", "symbols"]);
    expect(JSON.stringify(config.broker)).toBe('{"kind":"sim"}');
  });

  it("config: a returned config is deeply frozen", () => {
    const config = parsed(baseDoc());
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.risk)).toBe(true);
    expect(Object.isFrozen(config.marketData.symbols)).toBe(true);
    expect(Object.isFrozen(config.alerts.channels)).toBe(true);
  });

  it("config: a reconcile freshness bound shorter than the interval is refused", () => {
    expect(issueAt(refused(withValue(baseDoc(), "reconcile", { intervalSeconds: 60, freshnessSeconds: 30 })), "reconcile.freshnessSeconds").found).toBe("30");
  });
});

describe("mode, broker, data and database agree", () => {
  it("S1.4: LIVE with the sim broker is refused", () => {
    expect(issueAt(refused(withValue(liveDoc(), "broker", { kind: "sim" })), "broker.kind")).toMatchObject({ found: '"sim"' });
  });

  it("S1.4: LIVE with Alpaca paper is refused", () => {
    expect(issueAt(refused(withValue(liveDoc(), "broker.alpaca.environment", "paper")), "broker.alpaca.environment").found).toBe('"paper"');
  });

  it("S1.4: PAPER with Alpaca live is refused", () => {
    const doc = withValue(baseDoc(), "broker", {
      kind: "alpaca",
      alpaca: { environment: "live", keyIdEnv: "ALPACA_LIVE_KEY_ID", secretKeyEnv: "ALPACA_LIVE_SECRET_KEY" },
    });
    expect(issueAt(refused(doc), "broker.alpaca.environment").expected).toContain("live keys never trade in PAPER");
  });

  it("S1.4: BACKTEST with an Alpaca broker is refused", () => {
    const doc = withValue(withValue(baseDoc(), "mode", "BACKTEST"), "broker", {
      kind: "alpaca",
      alpaca: { environment: "paper", keyIdEnv: "ALPACA_PAPER_KEY_ID", secretKeyEnv: "ALPACA_PAPER_SECRET_KEY" },
    });
    expect(issueAt(refused(doc), "broker.kind").found).toBe('"alpaca"');
  });

  it("S1.4: variable names that say the other environment are refused (paper/live mix-up)", () => {
    expect(issueAt(refused(withValue(liveDoc(), "broker.alpaca.keyIdEnv", "ALPACA_PAPER_KEY_ID")), "broker.alpaca.keyIdEnv").expected).toContain("says PAPER");
  });

  it("S1.4: an Alpaca host of the other environment is refused", () => {
    expect(issueAt(refused(withValue(liveDoc(), "broker.alpaca.baseUrl", "https://paper-api.alpaca.markets")), "broker.alpaca.baseUrl").expected).toContain(
      "https://api.alpaca.markets",
    );
    expect(parsed(withValue(liveDoc(), "broker.alpaca.baseUrl", "http://127.0.0.1:4010")).broker).toMatchObject({
      alpaca: { baseUrl: "http://127.0.0.1:4010" },
    });
  });

  it("S1.4: LIVE refuses replayed csv bars and a feed without an API key", () => {
    const error = refused(withValue(liveDoc(), "marketData", { provider: "csv", csvDir: "data/daily", symbols: ["AAPL"], interval: "1day" }));
    expect(issueAt(error, "marketData.provider").found).toBe('"csv"');
    expect(issueAt(error, "marketData.apiKeyEnv").found).toBe("nothing (the key is missing)");
  });

  it("S1.4: LIVE must declare the live and alerts channels", () => {
    const error = refused(withValue(liveDoc(), "alerts.channels", { heartbeat: { webhookEnv: "DISCORD_WEBHOOK_HEARTBEAT" } }));
    expect(issueAt(error, "alerts.channels.live").found).toBe("nothing (the key is missing)");
    expect(issueAt(error, "alerts.channels.alerts").found).toBe("nothing (the key is missing)");
  });

  it("S1.4: LIVE refuses the embedded database unless allowEmbeddedInLive: true is written", () => {
    expect(issueAt(refused(withValue(liveDoc(), "database", undefined)), "database.source").found).toBe('"embedded" (the default)');
    expect(issueAt(refused(withValue(liveDoc(), "database", { source: "embedded" })), "database.source").found).toBe('"embedded"');
    expect(issueAt(refused(withValue(liveDoc(), "database", { source: "embedded", allowEmbeddedInLive: false })), "database.source").found).toBe('"embedded"');
    expect(parsed(withValue(liveDoc(), "database", { source: "embedded", allowEmbeddedInLive: true })).database).toEqual({
      source: "embedded",
      allowEmbeddedInLive: true,
    });
  });

  it("S1.4: a url database needs urlEnv, and urlEnv/allowEmbeddedInLive belong to one source each", () => {
    expect(issueAt(refused(withValue(baseDoc(), "database", { source: "url" })), "database.urlEnv").found).toBe("nothing (the key is missing)");
    expect(issueAt(refused(withValue(baseDoc(), "database", { source: "embedded", urlEnv: "MQK_DATABASE_URL" })), "database.urlEnv").expected).toContain(
      "no urlEnv",
    );
    expect(
      issueAt(
        refused(withValue(baseDoc(), "database", { source: "url", urlEnv: "MQK_DATABASE_URL", allowEmbeddedInLive: true })),
        "database.allowEmbeddedInLive",
      ).expected,
    ).toContain("embedded database only");
  });

  it("F2: LIVE refuses turning gap detection off", () => {
    expect(issueAt(refused(withValue(liveDoc(), "integrity", { gapDetection: false })), "integrity.gapDetection").found).toBe("false");
    expect(parsed(withValue(baseDoc(), "integrity", { gapDetection: false })).integrity.gapDetection).toBe(false);
  });

  it("S1.7: a provider name the config does not know is accepted (the md registry decides)", () => {
    const config = parsed(withValue(baseDoc(), "marketData", { provider: "polygon", apiKeyEnv: "POLYGON_API_KEY", symbols: ["AAPL"], interval: "5min" }));
    expect(config.marketData.provider).toBe("polygon");
  });
});
