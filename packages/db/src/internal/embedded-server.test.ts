import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DeskError } from "@mqk/core";
import { migrate } from "./migrations/migrator.js";
import { openDatabase } from "./open-database.js";
import { startEmbeddedServer } from "./embedded-server.js";
import { isPortFree } from "./free-port.js";
import { defaultTestClusterRoot } from "./testing/test-server.js";

// The desk's own embedded Postgres (not the test run's): persistent data dir,
// started by openDatabase and stopped by close(); one process per data dir.

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(await defaultTestClusterRoot(), "mqk-embedded-"));
  await chmod(dir, 0o755); // mkdtemp makes 0700; the postgres user must be able to enter
  dirs.push(dir);
  return dir;
}

describe("embedded Postgres", () => {
  it("openDatabase(embedded) initialises on first use, keeps data across restarts on the same port, and close() stops it", async () => {
    const dataDir = join(await freshDir(), "pg");
    const first = await openDatabase({ kind: "embedded", dataDir });
    const port = Number(new URL(first.url.replace("***", "x")).port);
    expect(first.url).toMatch(/^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/mqk\?host=[^&]+$/);
    expect(new URL(first.url.replace("***", "x")).searchParams.get("host")).toBe(join(dataDir, "socket"));
    // The pool talks through the cluster's own Unix socket (no server inet address), not TCP.
    expect((await first.pool.query<{ addr: string | null }>("SELECT inet_server_addr()::text AS addr")).rows[0]?.addr).toBeNull();
    expect(await migrate(first.pool)).toMatchObject({ ok: true, kind: "applied" });
    await first.db
      .insertInto("runs")
      .values({ id: "run-persist", mode: "PAPER", config_hash: "b".repeat(64) })
      .execute();
    await first.close();
    expect(await isPortFree(port)).toBe(true);

    const second = await openDatabase({ kind: "embedded", dataDir });
    try {
      expect(second.url).toBe(first.url);
      const rows = await second.db.selectFrom("runs").select("id").execute();
      expect(rows).toEqual([{ id: "run-persist" }]);
      expect(await migrate(second.pool)).toMatchObject({ ok: true, kind: "up-to-date" });
    } finally {
      await second.close();
    }
  });

  it("a data dir too deep for a socket path (108 bytes) falls back to TCP on 127.0.0.1", async () => {
    const dataDir = join(await freshDir(), "d".repeat(60), "pg");
    const desk = await openDatabase({ kind: "embedded", dataDir });
    try {
      expect(desk.url).toMatch(/^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/mqk$/);
      expect((await desk.pool.query<{ addr: string | null }>("SELECT host(inet_server_addr()) AS addr")).rows[0]?.addr).toBe("127.0.0.1");
    } finally {
      await desk.close();
    }
  });

  it("a second opener of the same data dir gets a clear error naming the holder, not a second server", async () => {
    const dataDir = await freshDir();
    const holder = await startEmbeddedServer({ dataDir, durable: false });
    try {
      const attempt = startEmbeddedServer({ dataDir, durable: false });
      await expect(attempt).rejects.toThrow(DeskError);
      await expect(attempt).rejects.toThrow(/already in use by another process \(postmaster pid \d+\).*MQK_DATABASE_URL/);
    } finally {
      await holder.stop();
    }
  });

  it("G1: a cluster that cannot start fails with instructions and what Postgres said", async () => {
    const dataDir = await freshDir();
    await mkdir(join(dataDir, "cluster"));
    await writeFile(join(dataDir, "cluster", "PG_VERSION"), "7\n");
    await writeFile(join(dataDir, "embedded.json"), JSON.stringify({ port: 1, user: "postgres", password: "canary-embedded-pw" }));
    const attempt = startEmbeddedServer({ dataDir, durable: false, startTimeoutMs: 10_000 });
    await expect(attempt).rejects.toThrow(/No PostgreSQL database could be had.*the server did not start.*MQK_DATABASE_URL=postgres:\/\/.*Postgres said:/s);
    await expect(attempt).rejects.not.toThrow(/canary-embedded-pw/);
  });
});
