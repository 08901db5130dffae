import { describe, expect, it } from "vitest";
import { envNamesOf } from "@mqk/config";
import { DeskError, InvariantError } from "@mqk/core";
import { formatMissingSecrets, resolveSecrets, secretRequirements, type MissingSecretsError, type ResolvedSecrets } from "@mqk/secrets";
import { canaries, canaryMarker, configFromText, envWith, exampleConfig } from "./secrets-fixtures.js";

const liveNames = [
  "ALPACA_LIVE_KEY_ID",
  "ALPACA_LIVE_SECRET_KEY",
  "TWELVEDATA_API_KEY",
  "DISCORD_WEBHOOK_ALERTS",
  "DISCORD_WEBHOOK_C2",
  "DISCORD_WEBHOOK_HEARTBEAT",
  "DISCORD_WEBHOOK_LIVE",
  "MQK_DATABASE_URL",
];

function resolved(result: ReturnType<typeof resolveSecrets>): ResolvedSecrets {
  if (!result.ok) throw new Error(formatMissingSecrets(result.error));
  return result.value;
}

function refusal(result: ReturnType<typeof resolveSecrets>): MissingSecretsError {
  if (result.ok) throw new Error("expected a refusal");
  return result.error;
}

describe("S1.3: resolved once, from the NAMES the config mentions", () => {
  it("S1.3: resolveSecrets reads each NAME exactly once and never looks at any other variable", () => {
    const reads = new Map<string, number>();
    const backing: Record<string, string> = { ...envWith(liveNames), UNRELATED_SECRET: "CANARY-7f3a9e-UNRELATED" };
    const env = new Proxy(backing, {
      get(target, key) {
        if (typeof key === "string") reads.set(key, (reads.get(key) ?? 0) + 1);
        return typeof key === "string" ? target[key] : undefined;
      },
      ownKeys() {
        throw new Error("the environment must not be enumerated");
      },
      has() {
        throw new Error("the environment must not be probed with `in`");
      },
    });
    const secrets = resolved(resolveSecrets(exampleConfig("live"), env));
    expect([...reads.keys()].sort()).toEqual([...liveNames].sort());
    expect([...reads.values()].every((n) => n === 1)).toBe(true);
    // Later use reads nothing more.
    secrets.require("ALPACA_LIVE_KEY_ID");
    secrets.presence();
    expect([...reads.values()].every((n) => n === 1)).toBe(true);
  });

  it("S1.3: a NAME named at two paths is read once and resolves to one Secret", () => {
    const config = configFromText(
      "mode: PAPER\nmarketData: { provider: csv, csvDir: d, symbols: [AAPL], interval: 1day }\nalerts: { channels: { alerts: { webhookEnv: HOOK }, c2: { webhookEnv: HOOK } } }\nrisk: { maxOrderQty: 1, maxOrderNotional: 1, priceCollarBps: 1, maxPositionQty: 1, maxGrossExposure: 1, dailyLossLimit: 1, maxOrdersPerMinute: 1 }\n",
    );
    expect(secretRequirements(config)).toEqual([
      { name: "HOOK", paths: ["alerts.channels.alerts.webhookEnv", "alerts.channels.c2.webhookEnv"], roles: ["alert-webhook"], required: false },
    ]);
    let reads = 0;
    const backing: Record<string, string> = { HOOK: "x" };
    const env = new Proxy(backing, {
      get: (t, k) => {
        reads++;
        return typeof k === "string" ? t[k] : undefined;
      },
    });
    expect(resolved(resolveSecrets(config, env)).presence()).toEqual({ HOOK: "present" });
    expect(reads).toBe(1);
  });

  it("S1.3: changing the environment afterwards changes nothing (values are taken at start)", () => {
    const env: Record<string, string | undefined> = envWith(liveNames);
    const secrets = resolved(resolveSecrets(exampleConfig("live"), env));
    env["ALPACA_LIVE_KEY_ID"] = "changed";
    Reflect.deleteProperty(env, "TWELVEDATA_API_KEY");
    expect(secrets.require("ALPACA_LIVE_KEY_ID").reveal()).toBe(canaries["ALPACA_LIVE_KEY_ID"]);
    expect(secrets.require("TWELVEDATA_API_KEY").reveal()).toBe(canaries["TWELVEDATA_API_KEY"]);
  });

  it("S1.3: asking for a NAME the config does not mention is a wiring bug (InvariantError)", () => {
    const secrets = resolved(resolveSecrets(exampleConfig("live"), envWith(liveNames)));
    expect(() => secrets.get("ALPACA_PAPER_KEY_ID")).toThrow(InvariantError);
    expect(() => secrets.require("HOME")).toThrow(InvariantError);
  });

  it("S1.3: require() of an unset optional NAME throws SECRETS_MISSING naming only the NAME", () => {
    const secrets = resolved(resolveSecrets(exampleConfig("backtest"), {}));
    expect(secrets.get("DISCORD_WEBHOOK_BACKTEST")).toBeUndefined();
    let thrown: unknown;
    try {
      secrets.require("DISCORD_WEBHOOK_BACKTEST");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DeskError);
    expect(thrown).toMatchObject({ code: "SECRETS_MISSING", retryable: false });
    expect((thrown as Error).message).toContain("DISCORD_WEBHOOK_BACKTEST");
  });

  it("S1.3: presence() lists every NAME the config mentions as present or absent, sorted", () => {
    const secrets = resolved(
      resolveSecrets(
        exampleConfig("paper-alpaca"),
        envWith(["ALPACA_PAPER_KEY_ID", "ALPACA_PAPER_SECRET_KEY", "TWELVEDATA_API_KEY", "MQK_DATABASE_URL", "DISCORD_WEBHOOK_ALERTS"]),
      ),
    );
    expect(secrets.presence()).toEqual({
      ALPACA_PAPER_KEY_ID: "present",
      ALPACA_PAPER_SECRET_KEY: "present",
      DISCORD_WEBHOOK_ALERTS: "present",
      DISCORD_WEBHOOK_HEARTBEAT: "absent",
      DISCORD_WEBHOOK_PAPER: "absent",
      MQK_DATABASE_URL: "present",
      TWELVEDATA_API_KEY: "present",
    });
    expect(Object.keys(secrets.presence())).toEqual(Object.keys(secrets.presence()).sort());
  });
});

describe("S1.4: fail closed by mode", () => {
  it("S1.4: LIVE with nothing set refuses, listing every missing NAME and no value", () => {
    const env = envWith(["ALPACA_LIVE_KEY_ID"]);
    const error = refusal(resolveSecrets(exampleConfig("live"), env));
    expect(error.mode).toBe("LIVE");
    expect(error.missing.map((m) => m.name).sort()).toEqual(liveNames.filter((n) => n !== "ALPACA_LIVE_KEY_ID").sort());
    const text = formatMissingSecrets(error);
    expect(text.split("\n")[0]).toBe(
      "LIVE refuses to start: 7 required environment variables are not set. Set them in the environment (.env.local is never read in LIVE):",
    );
    expect(text).toContain("  ALPACA_LIVE_SECRET_KEY (named by broker.alpaca.secretKeyEnv)");
    expect(text).not.toContain(canaryMarker);
    expect(JSON.stringify(error)).not.toContain(canaryMarker);
  });

  it("S1.4: LIVE refuses when any single one of its variables is missing (broker keys, provider key, live and alerts webhooks, database)", () => {
    for (const missing of liveNames) {
      const error = refusal(resolveSecrets(exampleConfig("live"), envWith(liveNames.filter((n) => n !== missing))));
      expect(error.missing).toEqual([
        {
          name: missing,
          paths: envNamesOf(exampleConfig("live"))
            .filter((r) => r.name === missing)
            .map((r) => r.path),
        },
      ]);
    }
  });

  it("S1.4: LIVE with every variable set is accepted", () => {
    expect(resolved(resolveSecrets(exampleConfig("live"), envWith(liveNames))).presence()).toEqual(
      Object.fromEntries([...liveNames].sort().map((n) => [n, "present"])),
    );
  });

  it("S1.4: PAPER on Alpaca without the paper keys refuses, naming them", () => {
    const error = refusal(resolveSecrets(exampleConfig("paper-alpaca"), envWith(["TWELVEDATA_API_KEY", "MQK_DATABASE_URL"])));
    expect(error.missing.map((m) => m.name)).toEqual(["ALPACA_PAPER_KEY_ID", "ALPACA_PAPER_SECRET_KEY"]);
    expect(formatMissingSecrets(error)).toContain("PAPER refuses to start: 2 required environment variables are not set");
  });

  it("S1.4: PAPER refuses without the provider key when the provider needs one", () => {
    const error = refusal(resolveSecrets(exampleConfig("paper-alpaca"), envWith(["ALPACA_PAPER_KEY_ID", "ALPACA_PAPER_SECRET_KEY", "MQK_DATABASE_URL"])));
    expect(error.missing.map((m) => m.name)).toEqual(["TWELVEDATA_API_KEY"]);
  });

  it("S1.4: live keys in the environment never satisfy a PAPER config", () => {
    const error = refusal(
      resolveSecrets(exampleConfig("paper-alpaca"), envWith(["ALPACA_LIVE_KEY_ID", "ALPACA_LIVE_SECRET_KEY", "TWELVEDATA_API_KEY", "MQK_DATABASE_URL"])),
    );
    expect(error.missing.map((m) => m.name)).toEqual(["ALPACA_PAPER_KEY_ID", "ALPACA_PAPER_SECRET_KEY"]);
  });

  it("S1.4: PAPER treats webhooks as optional", () => {
    const secrets = resolved(
      resolveSecrets(exampleConfig("paper-alpaca"), envWith(["ALPACA_PAPER_KEY_ID", "ALPACA_PAPER_SECRET_KEY", "TWELVEDATA_API_KEY", "MQK_DATABASE_URL"])),
    );
    expect(secrets.presence()["DISCORD_WEBHOOK_PAPER"]).toBe("absent");
  });

  it("S1.4: PAPER on the sim broker over csv bars needs nothing at all", () => {
    expect(resolved(resolveSecrets(exampleConfig("paper-sim"), {})).presence()).toEqual({});
  });

  it("S1.4: BACKTEST with nothing set is accepted", () => {
    expect(resolved(resolveSecrets(exampleConfig("backtest"), {})).presence()).toEqual({ DISCORD_WEBHOOK_BACKTEST: "absent" });
  });

  it("S1.4: empty and blank values count as missing", () => {
    const env = { ...envWith(liveNames), ALPACA_LIVE_SECRET_KEY: "", TWELVEDATA_API_KEY: "   " };
    expect(refusal(resolveSecrets(exampleConfig("live"), env)).missing.map((m) => m.name)).toEqual(["ALPACA_LIVE_SECRET_KEY", "TWELVEDATA_API_KEY"]);
  });

  it("S1.4: the requirements by mode are as documented", () => {
    const required = (name: "backtest" | "paper-sim" | "paper-alpaca" | "live"): string[] =>
      secretRequirements(exampleConfig(name))
        .filter((r) => r.required)
        .map((r) => r.name);
    expect(required("backtest")).toEqual([]);
    expect(required("paper-sim")).toEqual([]);
    expect(required("paper-alpaca")).toEqual(["ALPACA_PAPER_KEY_ID", "ALPACA_PAPER_SECRET_KEY", "TWELVEDATA_API_KEY", "MQK_DATABASE_URL"]);
    expect(required("live").sort()).toEqual([...liveNames].sort());
  });
});
