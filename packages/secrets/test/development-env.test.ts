import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { envNamesOf, loadConfigFile } from "@mqk/config";
import { loadDevelopmentEnv, resolveSecrets } from "@mqk/secrets";
import { canaryMarker, exampleConfig, repoRoot } from "./secrets-fixtures.js";

function dirWithEnvFile(content: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), "mqk-secrets-"));
  if (content !== undefined) writeFileSync(join(dir, ".env.local"), content);
  return dir;
}

const fileWithKeys =
  "ALPACA_PAPER_KEY_ID=CANARY-7f3a9e-PAPER-KEY\nALPACA_PAPER_SECRET_KEY=CANARY-7f3a9e-PAPER-SECRET\nTWELVEDATA_API_KEY=CANARY-7f3a9e-TD-KEY\nMQK_DATABASE_URL=postgres://u:CANARY-7f3a9e-DB@127.0.0.1/x\n";

describe("S1.1: .env.local in development only", () => {
  it("S1.1: .env.local is not read unless MQK_ENV=development is set", () => {
    const cwd = dirWithEnvFile(fileWithKeys);
    for (const env of [{}, { MQK_ENV: "production" }, { MQK_ENV: "dev" }] as Record<string, string | undefined>[]) {
      const before = { ...env };
      const result = loadDevelopmentEnv({ mode: "PAPER", cwd, env });
      expect(result).toMatchObject({ ok: true, value: { loaded: false, reason: "not_development" } });
      expect(env).toEqual(before);
    }
  });

  it("S1.1: with MQK_ENV=development the file fills the environment and reports NAMES only", () => {
    const cwd = dirWithEnvFile(fileWithKeys);
    const env: Record<string, string | undefined> = { MQK_ENV: "development" };
    const result = loadDevelopmentEnv({ mode: "PAPER", cwd, env });
    expect(result).toEqual({
      ok: true,
      value: {
        loaded: true,
        path: join(cwd, ".env.local"),
        applied: ["ALPACA_PAPER_KEY_ID", "ALPACA_PAPER_SECRET_KEY", "TWELVEDATA_API_KEY", "MQK_DATABASE_URL"],
        kept: [],
        empty: [],
      },
    });
    expect(env["ALPACA_PAPER_KEY_ID"]).toBe("CANARY-7f3a9e-PAPER-KEY");
    expect(JSON.stringify(result)).not.toContain(canaryMarker);
  });

  it("S1.1: a missing .env.local is never an error", () => {
    const cwd = dirWithEnvFile(undefined);
    const env: Record<string, string | undefined> = { MQK_ENV: "development" };
    expect(loadDevelopmentEnv({ mode: "PAPER", cwd, env })).toEqual({
      ok: true,
      value: { loaded: false, reason: "file_missing", path: join(cwd, ".env.local") },
    });
    expect(loadDevelopmentEnv({ mode: "BACKTEST", cwd, env }).ok).toBe(true);
  });

  it("S1.1: values already in the environment are never overridden", () => {
    const cwd = dirWithEnvFile(fileWithKeys);
    const env: Record<string, string | undefined> = { MQK_ENV: "development", TWELVEDATA_API_KEY: "from-the-shell" };
    const result = loadDevelopmentEnv({ mode: "PAPER", cwd, env });
    expect(result.ok && result.value.loaded && result.value.kept).toEqual(["TWELVEDATA_API_KEY"]);
    expect(env["TWELVEDATA_API_KEY"]).toBe("from-the-shell");
  });

  it("S1.1: empty values in the file are not applied (a copied example changes nothing)", () => {
    const cwd = dirWithEnvFile(readFileSync(join(repoRoot, ".env.local.example"), "utf8"));
    const env: Record<string, string | undefined> = { MQK_ENV: "development" };
    const result = loadDevelopmentEnv({ mode: "PAPER", cwd, env });
    expect(result.ok && result.value.loaded && result.value.applied).toEqual([]);
    expect(Object.keys(env)).toEqual(["MQK_ENV"]);
  });

  it("S1.1: MQK_ENV written inside .env.local does not switch development on", () => {
    const cwd = dirWithEnvFile(`MQK_ENV=development\n${fileWithKeys}`);
    const env: Record<string, string | undefined> = {};
    expect(loadDevelopmentEnv({ mode: "PAPER", cwd, env })).toMatchObject({ ok: true, value: { loaded: false, reason: "not_development" } });
    expect(env).toEqual({});
  });

  it("S1.1: LIVE refuses MQK_ENV=development outright and reads nothing", () => {
    const cwd = dirWithEnvFile(fileWithKeys);
    const env: Record<string, string | undefined> = { MQK_ENV: "development" };
    const result = loadDevelopmentEnv({ mode: "LIVE", cwd, env });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe("live_refuses_development");
    expect(result.error.message).toContain("LIVE never reads .env.local");
    expect(result.error.message).not.toContain(canaryMarker);
    expect(env).toEqual({ MQK_ENV: "development" });
  });

  it("S1.1: LIVE without MQK_ENV does not read .env.local even when it exists", () => {
    const cwd = dirWithEnvFile(fileWithKeys);
    const env: Record<string, string | undefined> = {};
    expect(loadDevelopmentEnv({ mode: "LIVE", cwd, env })).toMatchObject({ ok: true, value: { loaded: false } });
    expect(env).toEqual({});
  });

  it("S1.1: an .env.local that exists but cannot be read is an error, not silently skipped", () => {
    const cwd = dirWithEnvFile(undefined);
    mkdirSync(join(cwd, ".env.local"));
    const result = loadDevelopmentEnv({ mode: "PAPER", cwd, env: { MQK_ENV: "development" } });
    expect(!result.ok && result.error.kind).toBe("unreadable");
  });

  it("S1.1: development PAPER on Alpaca starts from .env.local; without MQK_ENV it refuses", () => {
    const config = exampleConfig("paper-alpaca");
    const cwd = dirWithEnvFile(fileWithKeys);
    const dev: Record<string, string | undefined> = { MQK_ENV: "development" };
    expect(loadDevelopmentEnv({ mode: config.mode, cwd, env: dev }).ok).toBe(true);
    expect(resolveSecrets(config, dev).ok).toBe(true);
    const notDev: Record<string, string | undefined> = {};
    expect(loadDevelopmentEnv({ mode: config.mode, cwd, env: notDev }).ok).toBe(true);
    expect(resolveSecrets(config, notDev).ok).toBe(false);
  });

  it("S1.1: .gitignore ignores .env.local", () => {
    const lines = readFileSync(join(repoRoot, ".gitignore"), "utf8")
      .split(/\r?\n/)
      .map((l) => l.trim());
    expect(lines.some((l) => l === ".env.local" || l === "/.env.local")).toBe(true);
  });

  it("S1.1: .env.local.example lists every NAME the example configs mention, plus MQK_DATABASE_URL and MQK_ENV, all empty", () => {
    const lines = readFileSync(join(repoRoot, ".env.local.example"), "utf8")
      .split(/\r?\n/)
      .filter((l) => l.trim() !== "" && !l.trim().startsWith("#"));
    for (const line of lines) expect(line).toMatch(/^[A-Z][A-Z0-9_]*=$/);
    const listed = new Set(lines.map((l) => l.slice(0, -1)));
    const mentioned = new Set(["MQK_DATABASE_URL", "MQK_ENV"]);
    const files = readdirSync(join(repoRoot, "configs")).filter((f) => f.endsWith(".yaml"));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      const loaded = loadConfigFile(join(repoRoot, "configs", file));
      if (!loaded.ok) throw new Error(`configs/${file} does not validate`);
      for (const ref of envNamesOf(loaded.value.config)) mentioned.add(ref.name);
    }
    expect([...mentioned].filter((n) => !listed.has(n))).toEqual([]);
    expect(lines.length).toBe(listed.size); // no NAME twice
  });
});
