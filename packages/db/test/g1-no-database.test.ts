import { spawn } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { GET_A_DATABASE } from "@mqk/db";

// G1: database tests never skip silently. A whole vitest run (a real child process
// using the real global setup) with no database to be had exits non-zero with the
// instructions, and its one test never runs.

const CANARY = "canary-pw-7f3a91";
const fixtureConfig = fileURLToPath(new URL("./fixtures/g1/vitest.config.ts", import.meta.url));
const vitestCli = join(dirname(createRequire(import.meta.url).resolve("vitest/package.json")), "vitest.mjs");

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function runVitest(extraEnv: Readonly<Record<string, string>>): Promise<{ code: number | null; output: string }> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("VITEST") && !k.startsWith("MQK_")) env[k] = v;
  }
  const child = spawn(process.execPath, [vitestCli, "run", "--config", fixtureConfig], { env: { ...env, ...extraEnv, NO_COLOR: "1" }, stdio: "pipe" });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, output };
}

function expectLoudFailure(run: { code: number | null; output: string }): void {
  expect(run.code, run.output).not.toBe(0);
  expect(run.output).toContain("No PostgreSQL database could be had for the test run");
  expect(run.output).toContain(GET_A_DATABASE);
  expect(run.output).not.toMatch(/\b1 passed\b/);
  expect(run.output).not.toMatch(/skipped/i);
  expect(run.output).not.toContain(CANARY);
}

describe("G1: no database → the run fails loudly", () => {
  it("G1 (control): the same child run passes its one test when a database is reachable", async () => {
    const adminUrl = process.env["MQK_TEST_DB_ADMIN_URL"] ?? "";
    expect(adminUrl).not.toBe("");
    const run = await runVitest({ MQK_DATABASE_URL: adminUrl });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/\b1 passed\b/);
  });

  it("G1: MQK_DATABASE_URL at a closed port → the vitest run exits non-zero with instructions (password redacted)", async () => {
    const port = await closedPort();
    const run = await runVitest({ MQK_DATABASE_URL: `postgres://desk:${CANARY}@127.0.0.1:${String(port)}/mqk` });
    expectLoudFailure(run);
    expect(run.output).toContain(`postgres://desk:***@127.0.0.1:${String(port)}/mqk`);
    expect(run.output).toMatch(/ECONNREFUSED/);
  });

  it("G1: no URL and the embedded Postgres cannot start → the vitest run exits non-zero with instructions", async () => {
    const aFile = join(tmpdir(), `mqk-g1-not-a-dir-${String(process.pid)}`);
    await writeFile(aFile, "a regular file where a directory is needed\n");
    try {
      const run = await runVitest({ MQK_TEST_PG_DIR: join(aFile, "sub") });
      expectLoudFailure(run);
      expect(run.output).toContain("embedded Postgres");
    } finally {
      await rm(aFile, { force: true });
    }
  });
});
