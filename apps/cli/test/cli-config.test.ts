import { mkdtempSync, readdirSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot, runMqk } from "./run-mqk.js";

const work = mkdtempSync(path.join(tmpdir(), "mqk-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(work, name);
  writeFileSync(p, text);
  return p;
}

const examples = ["backtest", "paper-sim", "paper-alpaca", "live"].map((n) => path.join(repoRoot, "configs", `${n}.yaml`));

describe("mqk config", () => {
  it("validates every example config with exit 0", () => {
    for (const config of examples) {
      const run = runMqk(["config", "validate", "--config", config]);
      expect(run.stderr, config).toBe("");
      expect(run.code, config).toBe(0);
      expect(run.stdout).toMatch(/^config ok: .* hash [0-9a-f]{64}\n$/);
    }
  });

  it("hash is the sha256 printed by validate, and show prints canonical JSON", () => {
    const config = examples[1] ?? "";
    const hash = runMqk(["config", "hash", "--config", config]);
    expect(hash.code).toBe(0);
    expect(hash.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect(runMqk(["config", "validate", "--config", config]).stdout).toContain(hash.stdout.trim());
    const show = runMqk(["config", "show", "--config", config]);
    expect(show.code).toBe(0);
    const json = show.stdout.trim();
    expect(json).not.toMatch(/\s/);
    expect(JSON.stringify(JSON.parse(json))).toBe(json);
  });

  it("bad input: malformed YAML, wrong type, unknown key, unreadable file → exit 1, the path named, nothing written", () => {
    const cases: [string, RegExp][] = [
      [file("malformed.yaml", "mode: PAPER\nbroker: [unclosed\n"), /malformed\.yaml.*line \d+/i],
      [file("wrong-type.yaml", "mode: 42\n"), /wrong-type\.yaml: mode: expected .*found/],
      [file("unknown-key.yaml", "mode: BACKTEST\nsurprise: true\n"), /unknown-key\.yaml: .*surprise/],
      [path.join(work, "does-not-exist.yaml"), /does-not-exist\.yaml/],
    ];
    const locked = file("locked.yaml", "mode: BACKTEST\n");
    chmodSync(locked, 0o000);
    const before = readdirSync(work).sort();
    for (const [config, message] of cases) {
      const run = runMqk(["config", "validate", "--config", config], { cwd: work });
      expect(run.code, config).toBe(1);
      expect(run.stdout, config).toBe("");
      expect(run.stderr, config).toMatch(message);
    }
    expect(readdirSync(work).sort()).toEqual(before);
  });

  it("S1.2: a webhook URL pasted into a config is refused with its path", () => {
    const config = file(
      "pasted.yaml",
      "mode: BACKTEST\nalerts:\n  channels:\n    alerts:\n      webhookEnv: https://discord.com/api/webhooks/123456789012345678/CANARY-TOKEN-abcdefghijklmnopqrstuvwxyz\n",
    );
    const run = runMqk(["config", "validate", "--config", config]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/alerts\.channels\.alerts\.webhookEnv/);
    expect(run.stderr).not.toContain("CANARY-TOKEN");
  });

  it("S1.5: secret values in the environment never reach CLI output", () => {
    const canary = "CANARY-S15-9f8e7d6c5b4a";
    const env = {
      ALPACA_LIVE_KEY_ID: canary,
      ALPACA_LIVE_SECRET_KEY: canary,
      TWELVEDATA_API_KEY: canary,
      DISCORD_WEBHOOK_LIVE: canary,
      DISCORD_WEBHOOK_ALERTS: canary,
    };
    for (const args of [["validate"], ["show"], ["hash"]]) {
      const run = runMqk(["config", ...args, "--config", examples[3] ?? ""], { env });
      expect(run.code).toBe(0);
      expect(run.stdout + run.stderr).not.toContain(canary);
    }
  });

  it("usage errors exit 2; --help on every command exits 0", () => {
    expect(runMqk(["config", "validate"]).code).toBe(2);
    expect(runMqk(["no-such-command"]).code).toBe(2);
    expect(runMqk(["config", "validate", "--config", "x", "--bogus"]).code).toBe(2);
    for (const args of [[], ["config"], ["config", "validate"], ["config", "show"], ["config", "hash"], ["db"], ["db", "migrate"], ["db", "status"]]) {
      const run = runMqk([...args, "--help"]);
      expect(run.code, args.join(" ")).toBe(0);
      expect(run.stdout, args.join(" ")).toMatch(/Usage: mqk/);
    }
  });
});
