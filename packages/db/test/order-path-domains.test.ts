/**
 * Migration 0008 moved the order path's single-column CHECKs into domains and the
 * outbox's shape CHECKs into a trigger, for speed. Neither may change what the
 * database accepts:
 *  - every column's rule after 0008 is the rule it had after 0007, word for word;
 *  - the rows a desk already holds are carried over (and checked again);
 *  - the shape trigger refuses exactly what the three CHECKs refused, with their
 *    names and SQLSTATE, on INSERT and on any UPDATE that sets a column they read.
 */
import { copyFile, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, defaultMigrationsDir, migrate, type PgPoolClient, type TestDatabase } from "@mqk/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { columnChecks, type ColumnCheck } from "./support/column-checks.js";
import { CHECK_VIOLATION, pgFailure } from "./support/pg-errors.js";
import { insertParents, insertWithPrerequisites } from "./support/schema-fixtures.js";

const ORDER_PATH_TABLES = ["outbox", "order_map", "inbox", "orders", "positions", "cash_ledger", "risk_approvals"];

let before: TestDatabase;
let after: TestDatabase;
let dir: string;
let dirWith0008: string;

beforeAll(async () => {
  // A database at 0007 (the migrations before this one, from a copy of the folder), and one
  // at exactly 0008 (later migrations may add tables and rules of their own).
  dir = await mkdtemp(join(tmpdir(), "mqk-0008-"));
  dirWith0008 = await mkdtemp(join(tmpdir(), "mqk-0008-after-"));
  const files = (await readdir(defaultMigrationsDir)).filter((f) => /^\d{4}_.*\.sql$/.test(f)).sort();
  const last = files.indexOf("0008_order_path_domains.sql");
  if (last < 0) throw new Error(`0008_order_path_domains.sql not found in ${defaultMigrationsDir}`);
  for (const f of files.slice(0, last)) await copyFile(join(defaultMigrationsDir, f), join(dir, f));
  for (const f of files.slice(0, last + 1)) await copyFile(join(defaultMigrationsDir, f), join(dirWith0008, f));
  before = await createTestDatabase({ migrated: false });
  const result = await migrate(before.pool, { dir });
  if (!result.ok) throw new Error(`migrating to 0007 failed: ${result.message}`);
  after = await createTestDatabase({ migrated: false });
  const result8 = await migrate(after.pool, { dir: dirWith0008 });
  if (!result8.ok) throw new Error(`migrating to 0008 failed: ${result8.message}`);
});
afterAll(async () => {
  await before.close();
  await after.close();
  await rm(dir, { recursive: true, force: true });
  await rm(dirWith0008, { recursive: true, force: true });
});

/** table.column → its single-column rules, printed over the bare column name. */
function rulesByColumn(checks: readonly ColumnCheck[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const c of checks) {
    const key = `${c.table}.${c.column}`;
    // columnChecks quotes the column where it replaced a domain's VALUE; pg_get_constraintdef prints plain names bare.
    const printed = c.predicate.replaceAll(`"${c.column}"`, c.column);
    map.set(key, [...(map.get(key) ?? []), printed].sort());
  }
  return map;
}

describe("0008: the order path's rules on domains", () => {
  it("D1: every column keeps exactly the rule it had after 0007; the order path's now live on domains", async () => {
    const was = rulesByColumn(await columnChecks(before.pool));
    const checksNow = await columnChecks(after.pool);
    const now = rulesByColumn(checksNow);
    expect(Object.fromEntries(now)).toEqual(Object.fromEntries(was));
    // Not vacuous: the order path's tables hold no single-column table CHECK any more, but for
    // risk_approvals.order_type (a narrower list than the broker's), and their rules are on domains.
    const leftOnTables = checksNow.filter((c) => ORDER_PATH_TABLES.includes(c.table) && c.domain === null).map((c) => c.constraint);
    expect(leftOnTables).toEqual(["risk_approvals_order_type_check"]);
    const onDomains = checksNow.filter((c) => ORDER_PATH_TABLES.includes(c.table) && c.domain !== null);
    // 15 outbox + 3 order_map + 11 inbox + 12 orders + 3 positions + 4 cash_ledger + 9 risk_approvals columns
    expect(onDomains.length).toBeGreaterThanOrEqual(57);
    expect(new Set(onDomains.map((c) => c.table))).toEqual(new Set(ORDER_PATH_TABLES));
  });

  it("D1: rows written before 0008 are kept and checked again; a row that breaks a rule stops the migration", async () => {
    const seeded = await createTestDatabase({ migrated: false });
    try {
      expect((await migrate(seeded.pool, { dir })).ok).toBe(true);
      const client = await seeded.pool.connect();
      try {
        await insertParents(client);
        for (const [i, table] of ORDER_PATH_TABLES.entries()) await insertWithPrerequisites(client, table, i + 1);
      } finally {
        client.release();
      }
      const count = async (): Promise<Record<string, number>> => {
        const out: Record<string, number> = {};
        for (const t of ORDER_PATH_TABLES) out[t] = Number((await seeded.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`)).rows[0]?.n);
        return out;
      };
      const held = await count();
      const result = await migrate(seeded.pool);
      expect(result.ok).toBe(true);
      expect(await count()).toEqual(held);
      expect((await seeded.pool.query<{ t: string }>("SELECT pg_typeof(status)::text AS t FROM outbox LIMIT 1")).rows[0]?.t).toBe("mqk_outbox_status");
    } finally {
      await seeded.close();
    }

    // A row that breaks a rule cannot exist under 0007's CHECKs; so make one on purpose (the
    // rule swapped by hand for one that admits anything): 0008 checks it again, refuses, and
    // leaves the database at 0007.
    const broken = await createTestDatabase({ migrated: false });
    try {
      expect((await migrate(broken.pool, { dir })).ok).toBe(true);
      const client = await broken.pool.connect();
      try {
        await insertParents(client);
        await client.query("ALTER TABLE positions DROP CONSTRAINT positions_symbol_check, ADD CONSTRAINT positions_symbol_check CHECK (true)");
        await insertWithPrerequisites(client, "positions", 1, { symbol: "lower" });
      } finally {
        client.release();
      }
      const result = await migrate(broken.pool);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.kind).toBe("failed");
        expect(result.message).toMatch(/0008_order_path_domains[\s\S]*mqk_ticker/);
      }
      const version = await broken.pool.query<{ v: number }>("SELECT max(version) AS v FROM schema_migrations");
      expect(version.rows[0]?.v).toBe(7);
      expect((await broken.pool.query<{ t: string }>("SELECT pg_typeof(symbol)::text AS t FROM positions")).rows[0]?.t).toBe("text");
    } finally {
      await broken.close();
    }
  });
});

describe("0008: the outbox's shape, checked by a trigger", () => {
  const SUBMIT = {
    intent_id: "intent-s",
    client_order_id: "coid-s",
    kind: "SUBMIT",
    account: "sim:shape",
    symbol: "AAPL",
    side: "buy",
    order_type: "limit",
    time_in_force: "day",
    qty_shares: 10n,
    limit_price_micros: 150_000_000n,
  };

  async function insertOutbox(client: PgPoolClient, row: Readonly<Record<string, unknown>>): Promise<void> {
    const columns = Object.keys(row);
    await client.query(`INSERT INTO outbox (${columns.join(", ")}) VALUES (${columns.map((_, i) => `$${String(i + 1)}`).join(", ")})`, Object.values(row));
  }

  /** Runs `work` in a savepoint of `client`'s transaction and reports how it failed (undefined: it did not). */
  async function attempt(
    client: PgPoolClient,
    work: () => Promise<unknown>,
  ): Promise<{ code: string | undefined; constraint: string | undefined } | undefined> {
    await client.query("SAVEPOINT attempt");
    const failure = await pgFailure(work);
    await client.query(failure === undefined ? "RELEASE SAVEPOINT attempt" : "ROLLBACK TO SAVEPOINT attempt");
    return failure === undefined ? undefined : { code: failure.code, constraint: failure.constraint };
  }

  const refused = (constraint: string): { code: string; constraint: string } => ({ code: CHECK_VIOLATION, constraint });

  it("D1: an INSERT breaking a shape rule is refused under the old CHECK's name; NULL passes as it did", async () => {
    const client = await after.pool.connect();
    try {
      await client.query("BEGIN");
      const cases: [string, Readonly<Record<string, unknown>>, string | undefined][] = [
        ["a valid SUBMIT", SUBMIT, undefined],
        ["SUBMIT without a symbol", { ...SUBMIT, symbol: null }, "outbox_kind_shape_check"],
        ["SUBMIT without a client_order_id", { ...SUBMIT, client_order_id: null }, "outbox_kind_shape_check"],
        ["SUBMIT naming a target", { ...SUBMIT, target_client_order_id: "coid-t" }, "outbox_kind_shape_check"],
        [
          "CANCEL with a client_order_id",
          { intent_id: "c1", kind: "CANCEL", account: "a", client_order_id: "coid-c", target_client_order_id: "coid-t" },
          "outbox_kind_shape_check",
        ],
        ["CANCEL without a target", { intent_id: "c2", kind: "CANCEL", account: "a" }, "outbox_kind_shape_check"],
        ["a valid CANCEL", { intent_id: "c3", kind: "CANCEL", account: "a", target_client_order_id: "coid-t" }, undefined],
        ["REPLACE without a target", { intent_id: "r1", kind: "REPLACE", account: "a", client_order_id: "coid-r1" }, "outbox_kind_shape_check"],
        ["a valid REPLACE", { intent_id: "r2", kind: "REPLACE", account: "a", client_order_id: "coid-r2", target_client_order_id: "coid-t" }, undefined],
        ["a limit order without a limit price", { ...SUBMIT, limit_price_micros: null }, "outbox_order_type_limit_price_check"],
        ["a market order with a limit price", { ...SUBMIT, order_type: "market" }, "outbox_order_type_limit_price_check"],
        ["a stop order without a stop price", { ...SUBMIT, order_type: "stop", limit_price_micros: null }, "outbox_order_type_stop_price_check"],
        ["a stop_limit order with both prices", { ...SUBMIT, order_type: "stop_limit", stop_price_micros: 149_000_000n }, undefined],
        [
          "a REPLACE with no order type (NULL passes the price rules)",
          { intent_id: "r3", kind: "REPLACE", account: "a", client_order_id: "coid-r3", target_client_order_id: "coid-t", limit_price_micros: 1n },
          undefined,
        ],
      ];
      let n = 0;
      for (const [label, row, expected] of cases) {
        n += 1;
        // Each case under identities of its own (intent_id and client_order_id are unique).
        const coid = row["client_order_id"];
        const unique = { ...row, intent_id: `intent-${String(n)}`, ...(typeof coid === "string" ? { client_order_id: `${coid}-${String(n)}` } : {}) };
        expect({ label, failure: await attempt(client, () => insertOutbox(client, unique)) }).toEqual({
          label,
          failure: expected === undefined ? undefined : refused(expected),
        });
      }
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });

  it("D1: an UPDATE that sets a column a shape rule reads is checked; a status change is not held up", async () => {
    const client = await after.pool.connect();
    try {
      await client.query("BEGIN");
      await insertOutbox(client, SUBMIT);
      const update = (set: string): Promise<unknown> => client.query(`UPDATE outbox SET ${set} WHERE intent_id = 'intent-s'`);
      expect(await attempt(client, () => update("symbol = NULL"))).toEqual(refused("outbox_kind_shape_check"));
      expect(await attempt(client, () => update("kind = 'CANCEL'"))).toEqual(refused("outbox_kind_shape_check"));
      expect(await attempt(client, () => update("order_type = 'market'"))).toEqual(refused("outbox_order_type_limit_price_check"));
      expect(await attempt(client, () => update("stop_price_micros = 5"))).toEqual(refused("outbox_order_type_stop_price_check"));
      // Setting a shape column to a value that keeps the shape passes; so do the dispatcher's updates.
      expect(await attempt(client, () => update("limit_price_micros = 151000000"))).toBeUndefined();
      expect(await attempt(client, () => update("status = 'CLAIMED', claimed_by = 'd1', claimed_at = now(), lease_expires_at = now()"))).toBeUndefined();
      expect(await attempt(client, () => update("status = 'SENT', sent_at = now(), claimed_by = NULL, lease_expires_at = NULL"))).toBeUndefined();
      // The status still has its own rules: a domain, and outbox_claim_check (a CHECK still).
      expect(await attempt(client, () => update("status = 'LOST'"))).toEqual(refused("mqk_outbox_status_check"));
      expect(await attempt(client, () => update("status = 'CLAIMED', claimed_by = NULL"))).toEqual(refused("outbox_claim_check"));
      const row = await client.query<{ status: string; limit_price_micros: string }>(
        "SELECT status, limit_price_micros::text FROM outbox WHERE intent_id = 'intent-s'",
      );
      expect(row.rows[0]).toEqual({ status: "SENT", limit_price_micros: "151000000" });
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });
});
