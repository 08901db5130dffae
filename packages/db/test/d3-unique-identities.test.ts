import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "@mqk/db";
import { pgFailure, UNIQUE_VIOLATION } from "./support/pg-errors.js";
import { insertParents, insertWithPrerequisites, type Row } from "./support/schema-fixtures.js";

// D3: intent_id, client_order_id, broker_order_id and broker_message_id are unique
// wherever they identify a row: a retry can never create a second effective order.

const handle = await createTestDatabase();
afterAll(async () => {
  await handle.close();
});

const IDENTITIES = ["intent_id", "client_order_id", "broker_order_id", "broker_message_id"] as const;

/**
 * Columns named like an identity that deliberately are NOT unique, with the reason.
 * Anything else named so must be unique (checked against the catalog below).
 */
const REFERENCES_NOT_IDENTITIES: Readonly<Record<string, string>> = {
  "inbox.broker_order_id": "many events per order",
  "inbox.client_order_id": "many events per order",
};

interface Case {
  readonly table: string;
  readonly column: string;
  /** Extra columns both rows need (e.g. a fill shape for execution_id). */
  readonly shape?: (n: number) => Row;
}

const CASES: readonly Case[] = [
  { table: "outbox", column: "intent_id" },
  { table: "outbox", column: "client_order_id" },
  { table: "order_map", column: "intent_id" },
  { table: "order_map", column: "client_order_id" },
  { table: "order_map", column: "broker_order_id" },
  { table: "orders", column: "intent_id" },
  { table: "orders", column: "client_order_id" },
  { table: "orders", column: "broker_order_id" },
  { table: "inbox", column: "broker_message_id" },
  // D2's belt and braces: one execution is recorded once, whatever message carried it.
  { table: "inbox", column: "execution_id", shape: (n) => ({ kind: "fill", execution_id: `exec-${n}`, fill_qty_shares: 1n, fill_price_micros: 150_000_000n }) },
];

describe("D3: unique identities", () => {
  it("D3: every column named intent_id / client_order_id / broker_order_id / broker_message_id is unique (catalog)", async () => {
    const columns = await handle.pool.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = 'public' AND column_name = ANY($1) ORDER BY 1, 2`,
      [[...IDENTITIES]],
    );
    const unique = await handle.pool.query<{ table_name: string; column_name: string }>(`
      SELECT t.relname AS table_name, a.attname AS column_name
      FROM pg_index i
      JOIN pg_class t ON t.oid = i.indrelid
      JOIN pg_namespace ns ON ns.oid = t.relnamespace
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
      WHERE ns.nspname = 'public' AND i.indisunique AND i.indnkeyatts = 1 AND i.indpred IS NULL`);
    const uniqueSet = new Set(unique.rows.map((r) => `${r.table_name}.${r.column_name}`));
    const notUnique = columns.rows.map((c) => `${c.table_name}.${c.column_name}`).filter((c) => !uniqueSet.has(c) && !(c in REFERENCES_NOT_IDENTITIES));
    expect(notUnique).toEqual([]);
    // Not vacuous: the identities live where DESIGN.md puts them.
    for (const c of CASES.filter((k) => k.column !== "execution_id")) expect(uniqueSet).toContain(`${c.table}.${c.column}`);
  });

  it.each(CASES.map((c) => [`${c.table}.${c.column}`, c] as const))("D3: a second row with the same %s fails", async (_label, c) => {
    const client = await handle.pool.connect();
    try {
      await client.query("BEGIN");
      await insertParents(client);
      const shape = (n: number): Row => c.shape?.(n) ?? {};
      await insertWithPrerequisites(client, c.table, 1, shape(1));
      const copied = (await client.query<Record<string, unknown>>(`SELECT ${c.column} AS v FROM ${c.table} LIMIT 1`)).rows[0]?.["v"];
      expect(copied).toBeTypeOf("string");
      // Control: row 2 with its own identities is accepted.
      await client.query("SAVEPOINT control");
      expect(await pgFailure(() => insertWithPrerequisites(client, c.table, 2, shape(2)))).toBeUndefined();
      await client.query("ROLLBACK TO SAVEPOINT control");
      // Row 2 carrying row 1's identity is refused by a unique constraint on that column.
      const failure = await pgFailure(() => insertWithPrerequisites(client, c.table, 2, { ...shape(2), [c.column]: copied }));
      expect(failure?.code).toBe(UNIQUE_VIOLATION);
      expect(failure?.constraint ?? "").toMatch(
        c.column === "intent_id" && c.table === "order_map" ? /^order_map_pkey$/ : new RegExp(`^${c.table}_${c.column}_key$`),
      );
      expect(failure?.message).toContain("duplicate key");
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });

  it("D3: an unknown broker order id may wait (NULL) on many id-map rows, but never repeats once learned", async () => {
    const client = await handle.pool.connect();
    try {
      await client.query("BEGIN");
      await insertParents(client);
      await insertWithPrerequisites(client, "order_map", 1, { broker_order_id: null, broker_order_id_at: null });
      await insertWithPrerequisites(client, "order_map", 2, { broker_order_id: null, broker_order_id_at: null });
      await client.query("UPDATE order_map SET broker_order_id = 'bo-x', broker_order_id_at = now() WHERE intent_id = 'intent-1'");
      const failure = await pgFailure(() =>
        client.query("UPDATE order_map SET broker_order_id = 'bo-x', broker_order_id_at = now() WHERE intent_id = 'intent-2'"),
      );
      expect(failure?.code).toBe(UNIQUE_VIOLATION);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });
});
