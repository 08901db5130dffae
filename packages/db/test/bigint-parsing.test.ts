import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, sql, type TestDatabase } from "@mqk/db";

let handle: TestDatabase;
beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(async () => {
  await handle.close();
});

describe("type parsing", () => {
  it("BIGINT round-trips as bigint beyond 2^53 (and int8[] as bigint[])", async () => {
    const big = 9_007_199_254_740_993n; // 2^53 + 1: a number would round it
    const { rows } = await handle.pool.query<{ v: unknown; neg: unknown; arr: unknown }>(
      "SELECT $1::bigint AS v, (-$1::bigint) AS neg, ARRAY[$1::bigint, NULL, 0]::bigint[] AS arr",
      [big],
    );
    expect(rows[0]?.v).toBe(big);
    expect(rows[0]?.neg).toBe(-big);
    expect(rows[0]?.arr).toEqual([big, null, 0n]);
  });

  it("BIGINT money columns round-trip through Kysely as bigint", async () => {
    const max = 9_223_372_036_854_775_807n;
    await handle.db
      .insertInto("runs")
      .values({ id: "run-bigint", mode: "PAPER", config_hash: "a".repeat(64) })
      .execute();
    await handle.db.insertInto("cash_ledger").values({ account: "sim:bigint", amount_micros: max, reason: "INITIAL", source_ref: "seed" }).execute();
    const row = await handle.db.selectFrom("cash_ledger").select(["amount_micros", "id"]).where("account", "=", "sim:bigint").executeTakeFirstOrThrow();
    expect(row.amount_micros).toBe(max);
    expect(typeof row.id).toBe("bigint");
  });

  it("numeric stays a string, date a YYYY-MM-DD string, timestamptz a Date", async () => {
    const { rows } = await sql<{
      n: unknown;
      d: unknown;
      t: unknown;
    }>`SELECT 1.10::numeric AS n, DATE '2025-07-03' AS d, TIMESTAMPTZ '2025-07-03T14:00:00.123Z' AS t`.execute(handle.db);
    expect(rows[0]?.n).toBe("1.10");
    expect(rows[0]?.d).toBe("2025-07-03");
    expect(rows[0]?.t).toEqual(new Date("2025-07-03T14:00:00.123Z"));
  });

  it("another pool in the process is not affected (no global pg.types mutation)", async () => {
    const pgModule = await import("pg");
    const plain = new pgModule.default.Client({ connectionString: process.env["MQK_TEST_DB_ADMIN_URL"] });
    await plain.connect();
    try {
      const { rows } = await plain.query<{ v: unknown }>("SELECT 42::bigint AS v");
      expect(rows[0]?.v).toBe("42");
    } finally {
      await plain.end();
    }
  });
});
