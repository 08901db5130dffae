import type { PgPool } from "@mqk/db";

/**
 * Every CHECK that binds one column, wherever it lives: a single-column CHECK on the
 * table (named <table>_<column>_check), or a CHECK of the domain the column is typed
 * with (named <domain>_check; 0008 moved the order path's rules there). The D1 and
 * format tests walk this list, so a rule is covered whichever home it has.
 */
export interface ColumnCheck {
  readonly table: string;
  readonly column: string;
  readonly constraint: string;
  /** null: a table CHECK; else the domain that holds it. */
  readonly domain: string | null;
  /** The predicate as Postgres prints it, over the column ("VALUE" of a domain replaced by the column's name). */
  readonly predicate: string;
}

export async function columnChecks(pool: PgPool): Promise<readonly ColumnCheck[]> {
  const rows = await pool.query<{ table_name: string; column_name: string; conname: string; def: string; domain: string | null }>(`
    SELECT rel.relname AS table_name, a.attname AS column_name, c.conname, pg_get_constraintdef(c.oid) AS def, NULL::text AS domain
      FROM pg_constraint c
      JOIN pg_class rel ON rel.oid = c.conrelid
      JOIN pg_namespace ns ON ns.oid = rel.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
     WHERE c.contype = 'c' AND ns.nspname = 'public' AND cardinality(c.conkey) = 1
    UNION ALL
    SELECT rel.relname, a.attname, c.conname, pg_get_constraintdef(c.oid), t.typname::text
      FROM pg_attribute a
      JOIN pg_class rel ON rel.oid = a.attrelid AND rel.relkind = 'r'
      JOIN pg_namespace ns ON ns.oid = rel.relnamespace
      JOIN pg_type t ON t.oid = a.atttypid AND t.typtype = 'd'
      JOIN pg_constraint c ON c.contypid = t.oid AND c.contype = 'c'
     WHERE ns.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY 1, 2, 3`);
  return rows.rows.map((r) => {
    const predicate = r.def.replace(/^CHECK /, "");
    if (r.domain !== null && /'[^']*\bVALUE\b[^']*'/.test(predicate)) {
      throw new Error(`domain ${r.domain}: a quoted string holds the word VALUE, so its predicate cannot be rewritten over a column: ${predicate}`);
    }
    return {
      table: r.table_name,
      column: r.column_name,
      constraint: r.conname,
      domain: r.domain,
      predicate: r.domain === null ? predicate : predicate.replace(/\bVALUE\b/g, `"${r.column_name}"`),
    };
  });
}
