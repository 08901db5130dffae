import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "@mqk/db";
import { runMqk } from "./run-mqk.js";

type TestDb = Awaited<ReturnType<typeof createTestDatabase>>;
let empty: TestDb;
beforeAll(async () => {
  empty = await createTestDatabase({ migrated: false });
});
afterAll(async () => {
  await empty.close();
});

describe("mqk db", () => {
  it("D4: migrate creates the schema from zero on MQK_DATABASE_URL, then finds it up to date; status lists every file", async () => {
    const env = { MQK_DATABASE_URL: empty.connectionString };
    const first = runMqk(["db", "migrate"], { env });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/applied {2}0001_init/);
    expect(first.stdout).not.toContain(new URL(empty.connectionString).password || "no-password");
    const tables = await empty.pool.query<{ n: string }>("select count(*)::text as n from information_schema.tables where table_schema = 'public'");
    expect(Number(tables.rows[0]?.n)).toBeGreaterThan(10);

    const again = runMqk(["db", "migrate"], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).not.toMatch(/^applied/m);

    const status = runMqk(["db", "status"], { env });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^applied +0001_init/m);
  });

  it("D4: an applied migration whose file changed stops migrate with a clear error naming it, applying nothing", async () => {
    const env = { MQK_DATABASE_URL: empty.connectionString };
    expect(runMqk(["db", "migrate"], { env }).code).toBe(0);
    // The ledger is the record of what was applied; a different digest there is exactly what an edited file looks like.
    await empty.pool.query("update schema_migrations set sha256 = repeat('0', 64) where version = 1");
    const run = runMqk(["db", "migrate"], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/refused \(changed\).*0001_init/);
    const status = runMqk(["db", "status"], { env });
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/^changed +0001_init/m);
  });

  it("G1: an unreachable MQK_DATABASE_URL fails with exit 1 and no password in the message", () => {
    const run = runMqk(["db", "migrate"], { env: { MQK_DATABASE_URL: "postgres://mqk:CANARY-PW-123@127.0.0.1:1/mqk" } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^mqk: /);
    expect(run.stderr).not.toContain("CANARY-PW-123");
  });
});
