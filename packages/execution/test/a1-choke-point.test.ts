/**
 * A1: the outbox is the one road to a broker. A consumer package
 * (test/fixtures/a1-consumer, not a workspace member) that deep-imports the
 * adapters, asks the public entry for them, or calls submit/cancel/replace on a
 * BrokerSession fails type-check — each attempt with its own diagnostic — and
 * plain Node refuses the deep paths with ERR_PACKAGE_PATH_NOT_EXPORTED.
 *
 * The fixture is copied into a temp dir whose node_modules/@mqk/execution is a
 * symlink to this package, so @mqk/execution resolves exactly as it would for
 * another package: through the real package.json `exports` (no tsconfig paths).
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import * as execution from "@mqk/execution";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ShiftedClock, openSim } from "./dispatch-harness.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const repoDir = path.resolve(packageDir, "../..");
const fixtureDir = fileURLToPath(new URL("./fixtures/a1-consumer", import.meta.url));

const SIM_PATH = "@mqk/execution/src/internal/broker/sim/sim-broker.js";
const ALPACA_PATH = "@mqk/execution/src/internal/broker/alpaca/alpaca-adapter.js";

let workDir = "";
let consumerDir = "";

/** The fixture as an installed consumer: copied out of the repo, @mqk/execution (and @types/node) linked in. */
function installConsumer(): void {
  workDir = mkdtempSync(path.join(tmpdir(), "mqk-a1-"));
  consumerDir = path.join(workDir, "a1-consumer");
  cpSync(fixtureDir, consumerDir, { recursive: true });
  mkdirSync(path.join(consumerDir, "node_modules", "@mqk"), { recursive: true });
  mkdirSync(path.join(consumerDir, "node_modules", "@types"), { recursive: true });
  symlinkSync(packageDir, path.join(consumerDir, "node_modules", "@mqk", "execution"), "dir");
  symlinkSync(path.join(repoDir, "node_modules", "@types", "node"), path.join(consumerDir, "node_modules", "@types", "node"), "dir");
  // The fixture's tsconfig extends the repo's base by a relative path; out of the repo it needs the absolute one.
  const config = JSON.parse(readFileSync(path.join(fixtureDir, "tsconfig.json"), "utf8")) as { extends: string };
  config.extends = path.resolve(fixtureDir, config.extends);
  writeFileSync(path.join(consumerDir, "tsconfig.json"), JSON.stringify(config, null, 2));
}

interface FoundDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly code: number;
  readonly text: string;
}

/** Type-checks the consumer with the real compiler; returns the diagnostics located in the consumer's own files. */
function typeCheckConsumer(): readonly FoundDiagnostic[] {
  const configPath = path.join(consumerDir, "tsconfig.json");
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(`a1 fixture tsconfig: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
      },
    },
  );
  if (parsed === undefined) throw new Error("a1 fixture tsconfig did not parse");
  expect(parsed.errors).toEqual([]);
  expect(parsed.options.paths).toBeUndefined();
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const found: FoundDiagnostic[] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    if (d.file === undefined) {
      found.push({ file: "(global)", line: 0, code: d.code, text: ts.flattenDiagnosticMessageText(d.messageText, "\n") });
      continue;
    }
    const rel = path.relative(consumerDir, d.file.fileName);
    // The package's own sources are pulled in through the "@mqk/source" condition; they are checked by the repo's type-check.
    if (rel.startsWith("..") || path.isAbsolute(rel)) continue;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    found.push({ file: rel, line: line + 1, code: d.code, text: ts.flattenDiagnosticMessageText(d.messageText, "\n") });
  }
  return found;
}

let diagnostics: readonly FoundDiagnostic[] = [];

beforeAll(() => {
  installConsumer();
  diagnostics = typeCheckConsumer();
}, 60_000);

afterAll(() => {
  if (workDir !== "") rmSync(workDir, { recursive: true, force: true });
});

function matching(file: string, code: number, pattern: RegExp): readonly FoundDiagnostic[] {
  return diagnostics.filter((d) => d.file === path.join("src", file) && d.code === code && pattern.test(d.text));
}

function lineOf(file: string, needle: string): number {
  const lines = readFileSync(path.join(fixtureDir, "src", file), "utf8").split("\n");
  const index = lines.findIndex((l) => l.includes(needle));
  if (index < 0) throw new Error(`the fixture ${file} lost its line containing ${needle}`);
  return index + 1;
}

describe("A1: a consumer package cannot reach a broker adapter (type-check)", () => {
  it("A1: the control — @mqk/execution resolves through its exports and the public reads type-check", () => {
    expect(existsSync(path.join(consumerDir, "node_modules", "@mqk", "execution", "package.json"))).toBe(true);
    const control = diagnostics.filter(
      (d) => d.file === path.join("src", "session-send.ts") && d.line < lineOf("session-send.ts", "export async function attempt"),
    );
    expect(control).toEqual([]);
    expect(diagnostics.filter((d) => d.file === "(global)")).toEqual([]);
  });

  it("A1: a deep import of the sim broker is not found (exports map), though the file exists", () => {
    expect(existsSync(path.join(packageDir, "src/internal/broker/sim/sim-broker.ts"))).toBe(true);
    const hits = matching("deep-import.ts", 2307, new RegExp(`Cannot find module '${SIM_PATH.replaceAll("/", "\\/").replaceAll(".", "\\.")}'`));
    expect(hits.map((d) => d.line)).toEqual([lineOf("deep-import.ts", SIM_PATH)]);
  });

  it("A1: a deep import of the Alpaca adapter is not found (exports map), though the file exists", () => {
    expect(existsSync(path.join(packageDir, "src/internal/broker/alpaca/alpaca-adapter.ts"))).toBe(true);
    const hits = matching("deep-import.ts", 2307, new RegExp(`Cannot find module '${ALPACA_PATH.replaceAll("/", "\\/").replaceAll(".", "\\.")}'`));
    expect(hits.map((d) => d.line)).toEqual([lineOf("deep-import.ts", ALPACA_PATH)]);
  });

  for (const name of ["SimBroker", "createAlpacaAdapter", "adapterOf"]) {
    it(`A1: the public entry has no exported member ${name}`, () => {
      const hits = matching("named-import.ts", 2305, new RegExp(`has no exported member '${name}'`));
      expect(hits).toHaveLength(1);
      expect(hits[0]?.text).toMatch(/"@mqk\/execution"/);
    });
  }

  for (const verb of ["submit", "cancel", "replace"]) {
    it(`A1: a BrokerSession has no ${verb} — calling it does not type-check`, () => {
      const hits = matching("session-send.ts", 2339, new RegExp(`Property '${verb}' does not exist on type 'BrokerSession'`));
      expect(hits.map((d) => d.line)).toEqual([lineOf("session-send.ts", `session.${verb}(`)]);
    });
  }

  it("A1: the fixture produces exactly those diagnostics and no others", () => {
    const summary = diagnostics.map((d) => `${d.file}:${String(d.line)} TS${String(d.code)}`).sort();
    expect(summary).toEqual(
      [
        `src/deep-import.ts:${String(lineOf("deep-import.ts", SIM_PATH))} TS2307`,
        `src/deep-import.ts:${String(lineOf("deep-import.ts", ALPACA_PATH))} TS2307`,
        ...["SimBroker", "createAlpacaAdapter", "adapterOf"].map(() => `src/named-import.ts:${String(lineOf("named-import.ts", "import {"))} TS2305`),
        ...["submit", "cancel", "replace"].map((verb) => `src/session-send.ts:${String(lineOf("session-send.ts", `session.${verb}(`))} TS2339`),
      ].sort(),
    );
  });
});

/** Runs the fixture's deep-import.mjs under plain Node from the consumer; returns what each specifier ended in. */
function importAtRunTime(specifiers: readonly string[], nodeFlags: readonly string[] = []): Record<string, string> {
  const env = { ...process.env };
  delete env["NODE_OPTIONS"]; // no loader or condition inherited from the test runner
  const run = spawnSync(process.execPath, [...nodeFlags, path.join(consumerDir, "deep-import.mjs"), ...specifiers], {
    cwd: consumerDir,
    env,
    encoding: "utf8",
    timeout: 30_000,
  });
  if (run.status !== 0) throw new Error(`node exited ${String(run.status)}: ${run.stderr}`);
  return JSON.parse(run.stdout.trim()) as Record<string, string>;
}

describe("A1: the deep import fails at run time", () => {
  const deep = [SIM_PATH, ALPACA_PATH, "@mqk/execution/src/internal/broker-session.js", "@mqk/execution/src/index.ts", "@mqk/execution/dist/index.js"];

  it("A1: plain Node (default conditions) refuses every deep path with ERR_PACKAGE_PATH_NOT_EXPORTED; ./package.json (exported) loads", () => {
    const results = importAtRunTime([...deep, "@mqk/execution/package.json"]);
    for (const specifier of deep) expect({ specifier, code: results[specifier] }).toEqual({ specifier, code: "ERR_PACKAGE_PATH_NOT_EXPORTED" });
    expect(results["@mqk/execution/package.json"]).toBe("LOADED");
  });

  it("A1: the development condition (@mqk/source) opens no deep path either", () => {
    const results = importAtRunTime([SIM_PATH, ALPACA_PATH], ["--conditions=@mqk/source"]);
    expect(results).toEqual({ [SIM_PATH]: "ERR_PACKAGE_PATH_NOT_EXPORTED", [ALPACA_PATH]: "ERR_PACKAGE_PATH_NOT_EXPORTED" });
  });
});

describe("A1: the public surface has no send verb", () => {
  // "enqueueReplace"/"enqueueCancel" are outbox verbs (a row in the caller's transaction), not sends.
  const forbidden = [
    /submit/i,
    /^send/i,
    /sendorder/i,
    /^place/i,
    /placeorder/i,
    /cancelorder/i,
    /replaceorder/i,
    /^(cancel|replace)$/i,
    /adapter/i,
    /simbroker/i,
    /alpaca/i,
  ];

  it("A1: no export of @mqk/execution is named like a send verb or an adapter", () => {
    const names = Object.keys(execution);
    expect(names.length).toBeGreaterThan(10);
    const offenders = names.filter((name) => forbidden.some((re) => re.test(name)));
    expect(offenders).toEqual([]);
  });

  it("A1: no exported function carries a send verb on its prototype", () => {
    const offenders: string[] = [];
    for (const [name, value] of Object.entries(execution)) {
      if (typeof value !== "function" || typeof (value as { prototype?: unknown }).prototype !== "object") continue;
      const proto = (value as { prototype: object }).prototype;
      for (const key of Object.getOwnPropertyNames(proto)) if (/^(submit|cancel|replace|send)/i.test(key)) offenders.push(`${name}.prototype.${key}`);
    }
    expect(offenders).toEqual([]);
  });

  it("A1: a BrokerSession from openBrokerSession has only broker, account, snapshot, close — frozen, plain", async () => {
    const session = openSim(new ShiftedClock(), { account: "a1-surface" });
    try {
      expect(Reflect.ownKeys(session).map(String).sort()).toEqual(["account", "broker", "close", "snapshot"]);
      expect(Object.getPrototypeOf(session)).toBe(Object.prototype);
      expect(Object.isFrozen(session)).toBe(true);
      const inherited: string[] = [];
      for (const key in session) inherited.push(key);
      expect(inherited.sort()).toEqual(["account", "broker", "close", "snapshot"]);
      expect(Reflect.set(session, "submit", () => undefined)).toBe(false);
      expect("submit" in session).toBe(false);
    } finally {
      await session.close();
    }
  });
});
