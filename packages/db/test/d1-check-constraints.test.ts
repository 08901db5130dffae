import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "@mqk/db";
import { columnChecks } from "./support/column-checks.js";
import { CHECK_VIOLATION, pgFailure } from "./support/pg-errors.js";
import { insertParents, insertWithPrerequisites, validRow } from "./support/schema-fixtures.js";

// D1: every enum-like text column has a CHECK; a bad value fails in Postgres.
// The columns are discovered from the catalog of a freshly migrated database, so a
// status column added by any later migration is covered (or this test names it).
// A column's value list is a CHECK on its table (<table>_<column>_check) or on the
// domain it is typed with (<domain>_check: 0008 moved the order path's there).

const handle = await createTestDatabase();
afterAll(async () => {
  await handle.close();
});

interface ValueListCheck {
  readonly table: string;
  readonly column: string;
  readonly constraint: string;
  readonly domain: string | null;
  readonly predicate: string;
  readonly allowed: readonly string[];
}

const checks = await columnChecks(handle.pool);

// Postgres renders `col IN ('A', 'B')` as `(col = ANY (ARRAY['A'::text, 'B'::text]))`.
const valueLists: ValueListCheck[] = checks
  .filter((c) => /= ANY \(ARRAY\[/.test(c.predicate))
  .map((c) => ({ ...c, allowed: [...c.predicate.matchAll(/'([^']*)'::text/g)].map((m) => m[1] ?? "") }));

/** The name a value-list CHECK must have where it lives. */
const expectedName = (v: ValueListCheck): string => (v.domain === null ? `${v.table}_${v.column}_check` : `${v.domain}_check`);

const textColumns = await handle.pool.query<{ table_name: string; column_name: string }>(`
  SELECT table_name, column_name FROM information_schema.columns
  WHERE table_schema = 'public' AND data_type = 'text' ORDER BY 1, 2`);

/** Names that always mean "one of a fixed set": such a text column without a value-list CHECK is a D1 hole. */
const ENUM_LIKE =
  /^(status|state|kind|result|mode|decision|side|source|reason_kind|order_type|time_in_force|interval)$|_(status|state|kind|mode|decision|type)$/;

describe("D1: CHECK constraints on enum-like columns", () => {
  it("D1: every enum-like text column has a value-list CHECK named <table>_<column>_check, or its domain's named <domain>_check", () => {
    const enumLike = textColumns.rows.filter((c) => ENUM_LIKE.test(c.column_name));
    const missing = enumLike
      .filter((c) => !valueLists.some((v) => v.table === c.table_name && v.column === c.column_name && v.constraint === expectedName(v)))
      .map((c) => `${c.table_name}.${c.column_name}`);
    expect(missing).toEqual([]);
    // Not vacuous: the schema's state machines are all there.
    const names = enumLike.map((c) => `${c.table_name}.${c.column_name}`);
    for (const expected of ["outbox.status", "outbox.kind", "runs.status", "runs.mode", "arm_state.state", "deadman.state", "orders.state", "inbox.kind"]) {
      expect(names).toContain(expected);
    }
  });

  it("D1: the catalog yields the value-list CHECKs this test walks", () => {
    expect(valueLists.length).toBeGreaterThanOrEqual(25);
    const outboxStatus = valueLists.find((v) => v.table === "outbox" && v.column === "status");
    expect(outboxStatus?.allowed).toEqual(["PENDING", "CLAIMED", "AMBIGUOUS", "SENT", "ACKED", "REJECTED", "FAILED", "CANCELLED"]);
    const orderStates = valueLists.find((v) => v.table === "orders" && v.column === "state");
    expect(orderStates?.allowed).toHaveLength(17);
    // Both homes occur: the order path's lists on domains (0008), the others on their tables.
    expect(outboxStatus?.domain).toBe("mqk_outbox_status");
    expect(valueLists.find((v) => v.table === "runs" && v.column === "status")?.domain).toBeNull();
  });

  let n = 100;
  it.each(valueLists.map((v) => [`${v.table}.${v.column}`, v] as const))("D1: %s rejects a value outside its CHECK", async (_label, check) => {
    const first = check.allowed[0] ?? "";
    const flipped = first === first.toUpperCase() ? first.toLowerCase() : first.toUpperCase();
    const bad = [`NOT_A_${check.column.toUpperCase()}`, flipped, "", `${first} `].filter((v) => !check.allowed.includes(v));
    expect(bad.length).toBeGreaterThanOrEqual(3);

    // 1. Postgres itself evaluates the constraint's expression for each value (any table).
    const evaluate = async (value: string): Promise<unknown> =>
      (await handle.pool.query<{ ok: unknown }>(`SELECT ${check.predicate} AS ok FROM (SELECT $1::text AS "${check.column}") AS t`, [value])).rows[0]?.ok;
    for (const value of bad) expect({ value, ok: await evaluate(value) }).toEqual({ value, ok: false });
    for (const value of check.allowed) expect({ value, ok: await evaluate(value) }).toEqual({ value, ok: true });

    // 2. A real INSERT of a valid row with this one column broken fails with exactly this constraint.
    if (validRow[check.table] === undefined) {
      throw new Error(`no valid fixture row for table ${check.table}: add one to packages/db/test/support/schema-fixtures.ts`);
    }
    const client = await handle.pool.connect();
    try {
      await client.query("BEGIN");
      await insertParents(client);
      for (const value of bad) {
        await client.query("SAVEPOINT attempt");
        const failure = await pgFailure(() => insertWithPrerequisites(client, check.table, n++, { [check.column]: value }));
        await client.query("ROLLBACK TO SAVEPOINT attempt");
        expect({ value, code: failure?.code, constraint: failure?.constraint }).toEqual({ value, code: CHECK_VIOLATION, constraint: check.constraint });
      }
      // Control: the same row with its valid value is accepted, so the failures above are the CHECK's doing.
      const control = await pgFailure(() => insertWithPrerequisites(client, check.table, n++));
      expect(control).toBeUndefined();
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });

  it("D1: every table of the schema accepts its fixture row (each CHECK compiles and admits valid data)", async () => {
    const tables = await handle.pool.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
    const client = await handle.pool.connect();
    try {
      await client.query("BEGIN");
      await insertParents(client);
      const failures: string[] = [];
      for (const { tablename } of tables.rows) {
        await client.query("SAVEPOINT attempt");
        const failure = await pgFailure(() => insertWithPrerequisites(client, tablename, n++));
        await client.query(failure === undefined ? "RELEASE SAVEPOINT attempt" : "ROLLBACK TO SAVEPOINT attempt");
        if (failure !== undefined) failures.push(`${tablename}: ${failure.message}`);
      }
      expect(failures).toEqual([]);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });
});
