/**
 * Migration 0006 rewrote the format CHECKs ('^[A][B]{0,n}$' → '^[A][B]*$' AND a length
 * bound) for speed, and 0008 moved the order path's into domains. Property: for each
 * column of 0001/0002, Postgres's own verdict on the live rule (a table CHECK or the
 * column's domain) equals the original pattern's, over strings built around the
 * edges — the bound ±1, a bad first character, characters outside the class, spaces,
 * non-ASCII, the empty string and NULL.
 */
import { createTestDatabase, type TestDatabase } from "@mqk/db";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { columnChecks } from "./support/column-checks.js";

/** The definitions 0001/0002 had, by their table CHECK's name then (column, original pattern). */
const ORIGINAL: Readonly<Record<string, readonly [string, string]>> = {
  audit_events_hash_check: ["hash", "^[0-9a-f]{64}$"],
  audit_events_prev_hash_check: ["prev_hash", "^[0-9a-f]{64}$"],
  cash_ledger_symbol_check: ["symbol", "^[A-Z][A-Z0-9.-]{0,11}$"],
  inbox_broker_order_id_check: ["broker_order_id", "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"],
  md_bars_provider_check: ["provider", "^[a-z][a-z0-9_-]{0,31}$"],
  md_bars_symbol_check: ["symbol", "^[A-Z][A-Z0-9.-]{0,11}$"],
  order_map_broker_order_id_check: ["broker_order_id", "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"],
  order_map_client_order_id_check: ["client_order_id", "^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$"],
  order_map_replaces_client_order_id_check: ["replaces_client_order_id", "^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$"],
  orders_broker_order_id_check: ["broker_order_id", "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"],
  orders_client_order_id_check: ["client_order_id", "^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$"],
  orders_symbol_check: ["symbol", "^[A-Z][A-Z0-9.-]{0,11}$"],
  outbox_client_order_id_check: ["client_order_id", "^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$"],
  outbox_intent_id_check: ["intent_id", "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"],
  outbox_strategy_id_check: ["strategy_id", "^[a-z][a-z0-9_-]{0,63}$"],
  outbox_symbol_check: ["symbol", "^[A-Z][A-Z0-9.-]{0,11}$"],
  outbox_target_client_order_id_check: ["target_client_order_id", "^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$"],
  positions_symbol_check: ["symbol", "^[A-Z][A-Z0-9.-]{0,11}$"],
  promotions_artifact_hash_check: ["artifact_hash", "^[0-9a-f]{64}$"],
  promotions_config_hash_check: ["config_hash", "^[0-9a-f]{64}$"],
  promotions_strategy_id_check: ["strategy_id", "^[a-z][a-z0-9_-]{0,63}$"],
  reconcile_runs_evidence_hash_check: ["evidence_hash", "^[0-9a-f]{64}$"],
  reconcile_runs_local_digest_check: ["local_digest", "^[0-9a-f]{64}$"],
  reconcile_runs_snapshot_digest_check: ["snapshot_digest", "^[0-9a-f]{64}$"],
  risk_approvals_intent_id_check: ["intent_id", "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"],
  risk_approvals_strategy_id_check: ["strategy_id", "^[a-z][a-z0-9_-]{0,63}$"],
  risk_approvals_symbol_check: ["symbol", "^[A-Z][A-Z0-9.-]{0,11}$"],
  runs_artifact_hash_check: ["artifact_hash", "^[0-9a-f]{64}$"],
  runs_broker_check: ["broker", "^[a-z][a-z0-9_-]{0,31}$"],
  runs_config_hash_check: ["config_hash", "^[0-9a-f]{64}$"],
  runs_id_check: ["id", "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"],
  runs_strategy_id_check: ["strategy_id", "^[a-z][a-z0-9_-]{0,63}$"],
};

let handle: TestDatabase;
/** The live rule of each listed column, by the original constraint's name. */
let definitions: Map<string, string>;

beforeAll(async () => {
  handle = await createTestDatabase();
  const checks = await columnChecks(handle.pool);
  definitions = new Map();
  for (const [name, [column]] of Object.entries(ORIGINAL)) {
    const table = name.slice(0, name.length - `_${column}_check`.length);
    const rules = checks.filter((c) => c.table === table && c.column === column);
    // Exactly one rule per column: the format (moving it to a domain must not have left a copy, or lost it).
    if (rules.length !== 1)
      throw new Error(`${table}.${column}: expected one CHECK, found ${String(rules.length)} (${rules.map((r) => r.constraint).join(", ")})`);
    const rule = rules[0];
    if (rule !== undefined) definitions.set(name, rule.predicate);
  }
});
afterAll(async () => {
  await handle.close();
});

/** Characters around every class the patterns use, plus a few that no class holds. */
const CHARS = [..."aAzZ09fgG._:-", " ", "\t", "é", "Ω", "/", "@", "'"];
const candidate = fc.oneof(
  fc.array(fc.constantFrom(...CHARS), { minLength: 0, maxLength: 140 }).map((cs) => cs.join("")),
  // at the bounds: valid-looking strings of every bound's length − 1, itself and + 1
  fc
    .tuple(
      fc.constantFrom("a", "A", "0", "f", "_", "-", "."),
      fc.constantFrom(0, 1, 11, 12, 13, 31, 32, 33, 47, 48, 49, 63, 64, 65, 127, 128, 129),
      fc.constantFrom("a", "0", "f", "Z", "-"),
    )
    .map(([first, length, fill]) => (length === 0 ? "" : first + fill.repeat(length - 1))),
);

/** Strings of the pattern's longest valid length, one less and one more, of a character both its classes hold. */
function edgeStrings(pattern: string): string[] {
  const bound = /\{(\d+)(?:,(\d+))?\}/.exec(pattern);
  const longest = bound === null ? 0 : pattern.startsWith("^[0-9a-f]{") ? Number(bound[1]) : Number(bound[2]) + 1;
  const char = pattern.startsWith("^[A-Z]") ? "A" : "a";
  return [longest - 1, longest, longest + 1].filter((n) => n >= 0).map((n) => char.repeat(n));
}

describe("0006: format CHECKs without bounded repetitions", () => {
  it("0006 rewrote every listed constraint (no bounded repetition is left in them)", () => {
    expect([...definitions.keys()].sort()).toEqual(Object.keys(ORIGINAL).sort());
    for (const def of definitions.values()) expect(def).not.toMatch(/\{[0-9]/);
  });

  it("D1: each rewritten CHECK accepts exactly the strings its original pattern accepted, NULL included (property)", async () => {
    for (const [name, [column, pattern]] of Object.entries(ORIGINAL)) {
      const definition = definitions.get(name) ?? "";
      const seen = { accepted: 0, refused: 0 };
      const edges = edgeStrings(pattern);
      await fc.assert(
        fc.asyncProperty(fc.array(candidate, { minLength: 1, maxLength: 40 }), async (values) => {
          const result = await handle.pool.query<{ v: string | null; original: boolean | null; now: boolean | null }>(
            `SELECT t."${column}" AS v, (t."${column}" ~ $2) AS original, (${definition}) AS now
               FROM (SELECT unnest($1::text[]) AS "${column}" UNION ALL SELECT NULL) AS t`,
            [[...values, ...edges], pattern],
          );
          for (const row of result.rows) {
            expect({ name, v: row.v, verdict: row.now }).toEqual({ name, v: row.v, verdict: row.original });
            if (row.original === true) seen.accepted += 1;
            if (row.original === false) seen.refused += 1;
          }
        }),
        { numRuns: 15 },
      );
      // Not vacuous: both verdicts occurred for every constraint.
      expect({ name, accepted: seen.accepted > 0, refused: seen.refused > 0 }).toEqual({ name, accepted: true, refused: true });
    }
  }, 60_000);
});
