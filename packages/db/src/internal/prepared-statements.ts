/**
 * Named prepared statements for the desk's hot statements — opt-in, by a marker.
 *
 * Every order crosses a dozen statements; parsing and planning each anew cost as
 * much server time as running them. A statement whose text carries `prepared`
 * (kysely: `sql`${prepared} SELECT …``, or `.modifyEnd(prepared)` on a builder) is
 * sent as a named prepared statement instead: parsed once per connection, and
 * planned once Postgres settles on a generic plan. Opt-in because a generic plan
 * cannot see parameter values: a statement is marked only after its generic plan
 * was checked (see the db tests' generic-plan check and each caller's comment);
 * a statement that compares a column with a parameter to pick a partial index must
 * spell the index's values as literals.
 *
 * Bounds: the name is a digest of the text, so equal texts share one statement;
 * a connection prepares at most PREPARED_PER_CONNECTION distinct texts and sends
 * the rest unnamed, so a marked statement of unbounded shapes (an IN list) cannot
 * grow a connection without limit. Not for poolers in transaction mode that do not
 * keep prepared statements (pgbouncer before 1.21).
 */
import { createHash } from "node:crypto";
import { sql, type RawBuilder } from "kysely";
import type { PgPoolClient } from "./runtime-deps.js";

export const PREPARED_MARKER = "/* mqk:prepared */";

/** Marks a statement for preparation: `sql`${prepared} …`` or `.modifyEnd(prepared)`. */
export const prepared: RawBuilder<unknown> = sql.raw(PREPARED_MARKER);

export const PREPARED_PER_CONNECTION = 256;

const nameCache = new Map<string, string>();

function statementName(text: string): string {
  let name = nameCache.get(text);
  if (name === undefined) {
    name = `mqk_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`;
    // Texts are few (the marked statements' shapes); the bound only guards against a misuse.
    if (nameCache.size < 4 * PREPARED_PER_CONNECTION) nameCache.set(text, name);
  }
  return name;
}

type QueryFunction = (...args: unknown[]) => unknown;

/** Installs the marker's meaning on one pool client (call it on the pool's "connect"). */
export function usePreparedStatements(client: PgPoolClient): void {
  const target = client as unknown as { query: QueryFunction };
  const query: QueryFunction = target.query.bind(client);
  const named = new Set<string>();
  target.query = (...args: unknown[]) => {
    const [text, values, ...rest] = args;
    if (typeof text === "string" && Array.isArray(values) && text.includes(PREPARED_MARKER)) {
      const name = statementName(text);
      if (named.has(name) || named.size < PREPARED_PER_CONNECTION) {
        named.add(name);
        return query({ name, text, values }, ...rest);
      }
    }
    return query(...args);
  };
}
