import { mkdtemp, readdir, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createPool, createTestDatabase, defaultMigrationsDir, migrate, migrationStatus, tableNames, type TestDatabase } from "@mqk/db";

// D4: plain SQL files applied in order, each in a transaction, with a checksum
// ledger; an applied migration whose file changed or vanished stops the run.

const opened: TestDatabase[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((h) => h.close()));
});
afterAll(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function emptyDatabase(): Promise<TestDatabase> {
  const h = await createTestDatabase({ migrated: false });
  opened.push(h);
  return h;
}

async function migrationsDir(files: Readonly<Record<string, string>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "mqk-d4-"));
  dirs.push(dir);
  for (const [name, sql] of Object.entries(files)) await writeFile(join(dir, name), sql);
  return dir;
}

async function tables(h: TestDatabase): Promise<string[]> {
  const { rows } = await h.pool.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
  return rows.map((r) => r.tablename);
}

async function ledger(h: TestDatabase): Promise<string[]> {
  const { rows } = await h.pool.query<{ version: number; name: string }>("SELECT version, name FROM schema_migrations ORDER BY version");
  return rows.map((r) => `${String(r.version)}:${r.name}`);
}

const A = "CREATE TABLE a (id bigint PRIMARY KEY);\n";
const B = "CREATE TABLE b (id bigint PRIMARY KEY);\nINSERT INTO b VALUES (1);\n";
const C = "CREATE TABLE c (id bigint PRIMARY KEY);\n";

describe("D4: the migration runner", () => {
  it("D4: a fresh database migrates from zero with the repository's migrations; every table of the schema exists", async () => {
    const h = await emptyDatabase();
    expect(await tables(h)).toEqual([]);
    const files = (await readdir(defaultMigrationsDir)).filter((f) => f.endsWith(".sql")).sort();
    const result = await migrate(h.pool);
    expect(result).toMatchObject({ ok: true, kind: "applied", alreadyApplied: 0 });
    expect(result.applied.map((m) => m.file)).toEqual(files);
    // The Kysely Database interface (tableNames) names exactly the tables the migrations make.
    expect(await tables(h)).toEqual([...tableNames].sort());
    expect(await migrationStatus(h.pool)).toMatchObject({ ok: true, kind: "up-to-date", pending: [] });
  });

  it("D4: re-running applies nothing", async () => {
    const h = await emptyDatabase();
    const dir = await migrationsDir({ "0001_a.sql": A, "0002_b.sql": B });
    expect((await migrate(h.pool, { dir })).applied).toHaveLength(2);
    const again = await migrate(h.pool, { dir });
    expect(again).toMatchObject({ ok: true, kind: "up-to-date", applied: [], alreadyApplied: 2 });
    expect((await h.pool.query("SELECT count(*)::int AS n FROM b")).rows[0]).toEqual({ n: 1 });
  });

  it("D4: files apply in version order and status lists what is pending", async () => {
    const h = await emptyDatabase();
    // 0002 needs 0001's table: applying out of order would fail.
    const dir = await migrationsDir({
      "0002_fk.sql": "CREATE TABLE child (a_id bigint REFERENCES a (id));\n",
      "0001_a.sql": A,
      "README.md": "not a migration",
    });
    const before = await migrationStatus(h.pool, { dir });
    expect(before).toMatchObject({ ok: true, kind: "pending", applied: [] });
    expect(before.pending.map((p) => p.file)).toEqual(["0001_a.sql", "0002_fk.sql"]);
    expect(await tables(h)).toEqual([]); // status never writes (no ledger either)
    const result = await migrate(h.pool, { dir });
    expect(result.applied.map((m) => m.file)).toEqual(["0001_a.sql", "0002_fk.sql"]);
    expect(await ledger(h)).toEqual(["1:a", "2:fk"]);
  });

  it("D4: an edited applied migration → refusal naming the file; nothing is applied", async () => {
    const h = await emptyDatabase();
    const dir = await migrationsDir({ "0001_a.sql": A, "0002_b.sql": B });
    await migrate(h.pool, { dir });
    await writeFile(join(dir, "0002_b.sql"), `${B}-- a harmless-looking edit\n`);
    await writeFile(join(dir, "0003_c.sql"), C);
    const result = await migrate(h.pool, { dir });
    expect(result).toMatchObject({ ok: false, kind: "changed", file: "0002_b.sql", applied: [] });
    expect(result.message).toContain("0002_b.sql");
    expect(result.message).toMatch(/changed since it was applied/);
    expect(result.message).toMatch(/new migration/); // what to do
    expect(await tables(h)).not.toContain("c");
    expect(await ledger(h)).toEqual(["1:a", "2:b"]);
    const status = await migrationStatus(h.pool, { dir });
    expect(status).toMatchObject({ ok: false, kind: "changed", file: "0002_b.sql" });
    expect(status.migrations.map((m) => `${m.file} ${m.state}`)).toEqual(["0001_a.sql applied", "0002_b.sql changed", "0003_c.sql pending"]);
  });

  it("D4: a vanished applied migration → refusal naming the file; a renamed one too", async () => {
    const h = await emptyDatabase();
    const dir = await migrationsDir({ "0001_a.sql": A, "0002_b.sql": B });
    await migrate(h.pool, { dir });
    await unlink(join(dir, "0002_b.sql"));
    await writeFile(join(dir, "0003_c.sql"), C);
    const vanished = await migrate(h.pool, { dir });
    expect(vanished).toMatchObject({ ok: false, kind: "vanished", file: "0002_b.sql", applied: [] });
    expect(vanished.message).toContain("0002_b.sql");
    expect((await migrationStatus(h.pool, { dir })).migrations.map((m) => `${m.file} ${m.state}`)).toEqual([
      "0001_a.sql applied",
      "0002_b.sql vanished",
      "0003_c.sql pending",
    ]);
    await writeFile(join(dir, "0002_bee.sql"), B);
    const renamed = await migrate(h.pool, { dir });
    expect(renamed).toMatchObject({ ok: false, kind: "vanished", file: "0002_b.sql" });
    expect(renamed.message).toContain("0002_bee.sql");
    expect(await tables(h)).not.toContain("c");
  });

  it("D4: a new file that sorts before an applied one, a duplicate version, a bad name → refusal, nothing applied", async () => {
    const h = await emptyDatabase();
    const dir = await migrationsDir({ "0001_a.sql": A, "0003_c.sql": C });
    await migrate(h.pool, { dir });
    await writeFile(join(dir, "0002_b.sql"), B);
    expect(await migrate(h.pool, { dir })).toMatchObject({ ok: false, kind: "out-of-order", file: "0002_b.sql", applied: [] });
    await unlink(join(dir, "0002_b.sql"));

    await writeFile(join(dir, "0004_d.sql"), "CREATE TABLE d (id int);");
    await writeFile(join(dir, "0004_e.sql"), "CREATE TABLE e (id int);");
    const duplicate = await migrate(h.pool, { dir });
    expect(duplicate).toMatchObject({ ok: false, kind: "duplicate-version", file: "0004_e.sql" });
    expect(duplicate.message).toContain("0004_d.sql");
    await unlink(join(dir, "0004_e.sql"));

    await writeFile(join(dir, "5_f.sql"), "CREATE TABLE f (id int);");
    expect(await migrate(h.pool, { dir })).toMatchObject({ ok: false, kind: "bad-file-name", file: "5_f.sql" });
    expect(await tables(h)).toEqual(["a", "c", "schema_migrations"]);
  });

  it("D4: a failing migration rolls back completely and is reported; earlier files of the run stay applied", async () => {
    const h = await emptyDatabase();
    const broken = "CREATE TABLE b (id bigint PRIMARY KEY);\nINSERT INTO b VALUES (1);\nINSERT INTO b VALUES (1 / 0);\n";
    const dir = await migrationsDir({ "0001_a.sql": A, "0002_b.sql": broken, "0003_c.sql": C });
    const result = await migrate(h.pool, { dir });
    expect(result).toMatchObject({ ok: false, kind: "failed", file: "0002_b.sql" });
    expect(result.applied.map((m) => m.file)).toEqual(["0001_a.sql"]);
    expect(result.message).toContain("0002_b.sql");
    expect(result.message).toContain("division by zero");
    expect(result.message).toContain("rolled back");
    expect(await tables(h)).toEqual(["a", "schema_migrations"]); // no b, no c
    expect(await ledger(h)).toEqual(["1:a"]);
    // Fixed, it applies on the next run.
    await writeFile(join(dir, "0002_b.sql"), B);
    expect((await migrate(h.pool, { dir })).applied.map((m) => m.file)).toEqual(["0002_b.sql", "0003_c.sql"]);
  });

  it("D4: a syntax error is reported with its line, and nothing of the file is applied", async () => {
    const h = await emptyDatabase();
    const dir = await migrationsDir({ "0001_a.sql": `${A}CREATE TABLE half (id int);\nCREATE TABLE oops (id int,);\n` });
    const result = await migrate(h.pool, { dir });
    expect(result).toMatchObject({ ok: false, kind: "failed", file: "0001_a.sql", applied: [] });
    expect(result.message).toMatch(/syntax error.*\(line 3\)/);
    expect(await tables(h)).toEqual(["schema_migrations"]);
  });

  it("D4: two concurrent migrate calls serialise on the advisory lock and apply each file once", async () => {
    const h = await emptyDatabase();
    // The sleep holds the lock long enough for the second caller to arrive and wait.
    const dir = await migrationsDir({ "0001_a.sql": `SELECT pg_sleep(0.3);\n${A}`, "0002_b.sql": B });
    const other = createPool(h.connectionString, { max: 2 });
    try {
      const [first, second] = await Promise.all([migrate(h.pool, { dir }), migrate(other, { dir })]);
      const kinds = [first.kind, second.kind].sort();
      expect(kinds).toEqual(["applied", "up-to-date"]);
      expect([...first.applied, ...second.applied].map((m) => m.file)).toEqual(["0001_a.sql", "0002_b.sql"]);
      expect(await ledger(h)).toEqual(["1:a", "2:b"]);
      expect((await h.pool.query("SELECT count(*)::int AS n FROM b")).rows[0]).toEqual({ n: 1 });
    } finally {
      await other.end();
    }
  });

  it("D4: an unreadable migrations directory is a refusal, not a crash", async () => {
    const h = await emptyDatabase();
    const result = await migrate(h.pool, { dir: join(tmpdir(), "mqk-d4-does-not-exist") });
    expect(result).toMatchObject({ ok: false, kind: "unreadable-dir", applied: [] });
    expect(result.message).toMatch(/NNNN_name\.sql/);
  });
});
