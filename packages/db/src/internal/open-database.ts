import { DeskError, errorMessage } from "@mqk/core";
import { Kysely, PostgresDialect } from "kysely";
import { databaseUrl } from "./database-url.js";
import { describeDatabaseSource, type DatabaseSource } from "./database-source.js";
import { startEmbeddedServer, type EmbeddedServer } from "./embedded-server.js";
import { noDatabaseMessage } from "./instructions.js";
import { deskTypes } from "./pg-types.js";
import { usePreparedStatements } from "./prepared-statements.js";
import { redactText, redactUrl } from "./redact.js";
import { pg, type PgPool } from "./runtime-deps.js";
import type { Database } from "./schema.js";

/**
 * A connection to the desk's database: a pg pool with desk type parsing
 * (int8 → bigint, date → string), a Kysely over it, and `close()` that ends the
 * pool and stops an embedded server this handle started.
 */
export interface DeskDatabase {
  readonly pool: PgPool;
  readonly db: Kysely<Database>;
  /** Redacted (no password): for display only. */
  readonly url: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Pool size; default 10. */
  readonly max?: number;
  readonly applicationName?: string;
}

/** The database an embedded cluster keeps the desk's data in (never the `postgres` maintenance db). */
export const EMBEDDED_DATABASE_NAME = "mqk";

export async function openDatabase(source: DatabaseSource, options: OpenDatabaseOptions = {}): Promise<DeskDatabase> {
  switch (source.kind) {
    case "url":
      return openUrl(source.url, describeDatabaseSource(source), options, () => Promise.resolve());
    case "embedded": {
      const server = await startEmbeddedServer({ dataDir: source.dataDir, durable: true });
      try {
        await ensureDatabase(server, EMBEDDED_DATABASE_NAME);
        return await openUrl(databaseUrl(server.adminUrl, EMBEDDED_DATABASE_NAME), describeDatabaseSource(source), options, () => server.stop());
      } catch (cause) {
        await server.stop().catch(() => undefined);
        throw cause;
      }
    }
  }
}

/** Opens a pool on a URL and proves it answers; `onClose` runs after the pool ends. */
export async function openUrl(url: string, description: string, options: OpenDatabaseOptions, onClose: () => Promise<void>): Promise<DeskDatabase> {
  const pool = createPool(url, options);
  try {
    await pool.query("SELECT 1");
  } catch (cause) {
    await pool.end().catch(() => undefined);
    await onClose().catch(() => undefined);
    throw new DeskError("DB_UNAVAILABLE", noDatabaseMessage("the desk", `${description} is not reachable (${redactText(errorMessage(cause))})`), {
      cause,
      retryable: true,
    });
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    pool,
    db,
    url: redactUrl(url),
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await db.destroy();
        // Kysely ends the pool only if it ever opened a connection through it;
        // a pool used directly (pool.query, migrations) would linger for its idle timeout.
        if (!pool.ended) await pool.end();
      } finally {
        await onClose();
      }
    },
  };
}

/**
 * A pg pool with the desk's type parsers and its prepared-statement marker;
 * idle-client errors are swallowed here, not crash the process.
 */
export function createPool(url: string, options: OpenDatabaseOptions = {}): PgPool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? "mqk",
    connectionTimeoutMillis: 10_000,
    types: deskTypes,
  });
  // An idle client losing its server emits 'error' on the pool; without a listener
  // Node would crash. The next query on the pool surfaces the fault instead.
  pool.on("error", () => undefined);
  // Statements marked `prepared` are sent as named prepared statements (prepared-statements.ts).
  pool.on("connect", (client) => usePreparedStatements(client));
  return pool;
}

async function ensureDatabase(server: EmbeddedServer, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: server.adminUrl });
  client.on("error", () => undefined);
  try {
    await client.connect();
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } catch (cause) {
    throw new DeskError("DB_UNAVAILABLE", `the embedded Postgres started but database ${name} could not be prepared: ${redactText(errorMessage(cause))}`, {
      cause,
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}
