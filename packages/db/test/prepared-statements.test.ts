/**
 * The `prepared` marker: a marked statement runs as a named prepared statement
 * (parsed once per connection), an unmarked one stays unnamed, and a connection
 * prepares at most PREPARED_PER_CONNECTION texts.
 */
import { createTestDatabase, prepared, PREPARED_PER_CONNECTION, sql, type TestDatabase } from "@mqk/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let handle: TestDatabase;
beforeAll(async () => {
  handle = await createTestDatabase({ max: 1 });
});
afterAll(async () => {
  await handle.close();
});

/** The prepared statements of the pool's one connection (max: 1), as Postgres lists them. */
async function preparedNames(): Promise<string[]> {
  const rows = await sql<{ name: string }>`SELECT name FROM pg_prepared_statements ORDER BY prepare_time`.execute(handle.db);
  return rows.rows.map((r) => r.name);
}

describe("prepared statements", () => {
  it("a marked statement is prepared once per connection and reused; an unmarked one is not prepared", async () => {
    const before = await preparedNames();
    expect(before).toEqual([]);
    for (let i = 0; i < 3; i += 1) {
      const row = await sql<{ n: number }>`${prepared} SELECT ${i}::int + 1 AS n`.execute(handle.db);
      expect(row.rows[0]?.n).toBe(i + 1);
    }
    await sql<{ n: number }>`SELECT ${7}::int AS n`.execute(handle.db);
    const names = await preparedNames();
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^mqk_[0-9a-f]{24}$/);
    // A builder marked with modifyEnd is prepared too, under its own name.
    await handle.db.selectFrom("runs").select("id").where("id", "=", "nope").modifyEnd(prepared).execute();
    expect(await preparedNames()).toHaveLength(2);
  });

  it("a connection prepares at most PREPARED_PER_CONNECTION texts; the rest run unnamed and still answer", async () => {
    const start = (await preparedNames()).length;
    const extra = 5;
    for (let i = 0; i < PREPARED_PER_CONNECTION - start + extra; i += 1) {
      // distinct texts (the literal differs), one parameter each
      const row = await sql<{ n: number }>`${prepared} SELECT ${i}::int + ${sql.lit(i)} AS n`.execute(handle.db);
      expect(row.rows[0]?.n).toBe(2 * i);
    }
    expect(await preparedNames()).toHaveLength(PREPARED_PER_CONNECTION);
  });

  it("a failing marked statement reports the database's error and leaves the connection usable", async () => {
    await expect(sql`${prepared} SELECT 1 / ${0}::int`.execute(handle.db)).rejects.toThrow(/division by zero/);
    expect((await sql<{ n: number }>`SELECT ${2}::int AS n`.execute(handle.db)).rows[0]?.n).toBe(2);
  });
});
