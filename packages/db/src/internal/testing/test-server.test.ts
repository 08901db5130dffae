import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DeskError } from "@mqk/core";
import { GET_A_DATABASE } from "../instructions.js";
import { findFreePort } from "../free-port.js";
import { defaultTestClusterRoot, selectTestDatabase, sweepStaleTestClusters } from "./test-server.js";
import { prepareTestDatabases } from "./test-databases.js";

// G1 as functions: which database the test run picks, and how it fails when it
// cannot have one (the child-process proof is in test/g1-no-database.test.ts).

describe("G1: selecting the test database", () => {
  it.each([
    [{}, { kind: "embedded" }],
    [{ MQK_DATABASE_URL: "postgres://u:p@h/d" }, { kind: "url", url: "postgres://u:p@h/d" }],
    [{ MQK_TEST_DB: "embedded", MQK_DATABASE_URL: "postgres://u:p@h/d" }, { kind: "embedded" }],
    [{ MQK_TEST_DB: "testcontainers" }, { kind: "testcontainers" }],
    [{ MQK_TEST_DB: "testcontainers", MQK_DATABASE_URL: "postgres://u:p@h/d" }, { kind: "testcontainers" }],
    [
      { MQK_TEST_DB: "url", MQK_DATABASE_URL: "postgres://u:p@h/d" },
      { kind: "url", url: "postgres://u:p@h/d" },
    ],
  ] as const)("G1: env %j selects %j", (env, expected) => {
    expect(selectTestDatabase(env)).toEqual({ ok: true, value: expected });
  });

  it("G1: an unknown MQK_TEST_DB, or url without a URL, is an error naming the choices", () => {
    expect(selectTestDatabase({ MQK_TEST_DB: "docker" })).toEqual({
      ok: false,
      error: expect.stringMatching(/"docker".*embedded, testcontainers, url/) as unknown,
    });
    expect(selectTestDatabase({ MQK_TEST_DB: "url" })).toEqual({ ok: false, error: expect.stringMatching(/MQK_DATABASE_URL is not set/) as unknown });
  });

  it("G1: the cluster's parent dir is MQK_TEST_PG_DIR when set", async () => {
    expect(await defaultTestClusterRoot({ MQK_TEST_PG_DIR: "/somewhere" })).toBe("/somewhere");
    expect(typeof (await defaultTestClusterRoot({}))).toBe("string");
  });
});

describe("G1: the setup fails with instructions, never a skip", () => {
  it("G1: MQK_DATABASE_URL pointing at a closed port", async () => {
    const port = await findFreePort();
    const attempt = prepareTestDatabases({ MQK_DATABASE_URL: `postgres://desk:canary-url-pw@127.0.0.1:${String(port)}/mqk` });
    await expect(attempt).rejects.toThrow(DeskError);
    await expect(attempt).rejects.toThrow(GET_A_DATABASE);
    await expect(attempt).rejects.toThrow(`postgres://desk:***@127.0.0.1:${String(port)}/mqk`);
    await expect(attempt).rejects.not.toThrow(/canary-url-pw/);
  });

  it("G1: no URL and the embedded Postgres cannot get a data directory", async () => {
    const aFile = join(tmpdir(), `mqk-g1-file-${String(process.pid)}`);
    await writeFile(aFile, "not a directory\n");
    try {
      const attempt = prepareTestDatabases({}, { tempRoot: join(aFile, "sub") });
      await expect(attempt).rejects.toThrow(/No PostgreSQL database could be had for the test run: the embedded Postgres could not get a temp dir/);
      await expect(attempt).rejects.toThrow(GET_A_DATABASE);
    } finally {
      await rm(aFile, { force: true });
    }
  });

  it("G1: MQK_TEST_DB=testcontainers without a Docker engine", async () => {
    const attempt = prepareTestDatabases({ MQK_TEST_DB: "testcontainers" });
    await expect(attempt).rejects.toThrow(/testcontainers.*needs a running Docker.*unset MQK_TEST_DB.*MQK_DATABASE_URL=postgres:\/\//s);
  });

  it("G1: an unknown MQK_TEST_DB fails the setup too", async () => {
    await expect(prepareTestDatabases({ MQK_TEST_DB: "sqlite" })).rejects.toThrow(/No PostgreSQL database could be had.*MQK_TEST_DB="sqlite"/);
  });
});

describe("stale test clusters", () => {
  it("a killed run's cluster dir is swept after 15 minutes; a fresh one, a live one and foreign dirs are kept", async () => {
    const root = await mkdtemp(join(tmpdir(), "mqk-sweep-"));
    try {
      const old = new Date(Date.now() - 20 * 60_000);
      for (const name of ["mqk-test-pg-stale", "mqk-test-pg-live", "mqk-test-pg-fresh", "someone-else"])
        await mkdir(join(root, name, "cluster"), { recursive: true });
      // "live": its postmaster.pid names a running process (this one).
      await writeFile(join(root, "mqk-test-pg-live", "cluster", "postmaster.pid"), `${String(process.pid)}\n`);
      for (const name of ["mqk-test-pg-stale", "mqk-test-pg-live", "someone-else"]) await utimes(join(root, name), old, old);
      const removed = await sweepStaleTestClusters(root);
      expect(removed).toEqual([join(root, "mqk-test-pg-stale")]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
