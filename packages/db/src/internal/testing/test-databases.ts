import { randomBytes } from "node:crypto";
import { DeskError, errorMessage } from "@mqk/core";
import { databaseUrl, isSafeDatabaseName } from "../database-url.js";
import { migrate } from "../migrations/migrator.js";
import { redactText } from "../redact.js";
import { pg } from "../runtime-deps.js";
import { acquireTestServer, defaultTestClusterRoot, selectTestDatabase, type AcquireOptions } from "./test-server.js";
import { noDatabaseMessage } from "../instructions.js";

/**
 * What the global setup does, as functions (so G1 is testable without vitest):
 * pick a server, create a run-unique template database migrated with every
 * migration, and later drop every database of the run and stop the server.
 */
export interface PreparedTestDatabases {
  readonly adminUrl: string;
  readonly template: string;
  /** Every database of this run starts with it (template and per-file clones). */
  readonly prefix: string;
  readonly description: string;
  readonly setupMs: number;
  teardown(): Promise<void>;
}

export interface PrepareOptions extends AcquireOptions {
  readonly migrationsDir?: string;
}

/** Env var names through which the global setup hands the run's server to test files. */
export const TEST_DB_ENV = { adminUrl: "MQK_TEST_DB_ADMIN_URL", template: "MQK_TEST_DB_TEMPLATE" } as const;

export async function prepareTestDatabases(env: Readonly<Record<string, string | undefined>>, options: PrepareOptions = {}): Promise<PreparedTestDatabases> {
  const started = performance.now();
  const selection = selectTestDatabase(env);
  if (!selection.ok) throw new DeskError("DB_UNAVAILABLE", noDatabaseMessage("the test run", selection.error));
  const tempRoot = options.tempRoot ?? (await defaultTestClusterRoot(env));
  const server = await acquireTestServer(selection.value, { ...options, tempRoot });
  const prefix = `mqk_test_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const template = `${prefix}_tpl`;
  try {
    await createTemplate(server.adminUrl, template, options.migrationsDir);
  } catch (cause) {
    await dropRunDatabases(server.adminUrl, prefix).catch(() => undefined);
    await server.stop().catch(() => undefined);
    throw cause;
  }
  return {
    adminUrl: server.adminUrl,
    template,
    prefix,
    description: server.description,
    setupMs: Math.round(performance.now() - started),
    teardown: async () => {
      try {
        await dropRunDatabases(server.adminUrl, prefix);
      } finally {
        await server.stop();
      }
    },
  };
}

async function createTemplate(adminUrl: string, template: string, migrationsDir: string | undefined): Promise<void> {
  await withAdmin(adminUrl, async (admin) => {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(template)}`);
  });
  const pool = new pg.Pool({ connectionString: databaseUrl(adminUrl, template), max: 2 });
  pool.on("error", () => undefined);
  try {
    const result = await migrate(pool, migrationsDir === undefined ? {} : { dir: migrationsDir });
    if (!result.ok) {
      throw new DeskError("MIGRATION_FAILED", `the test template database could not be migrated (${result.kind}): ${result.message}`);
    }
  } finally {
    await pool.end();
  }
  await withAdmin(adminUrl, async (admin) => {
    await admin.query(`ALTER DATABASE ${admin.escapeIdentifier(template)} IS_TEMPLATE true`);
  });
}

/** Drops the template and every per-file database of this run (also those a crashed test file left). */
export async function dropRunDatabases(adminUrl: string, prefix: string): Promise<void> {
  if (!isSafeDatabaseName(prefix)) throw new DeskError("BAD_INPUT", `refusing to drop databases by the prefix ${JSON.stringify(prefix)}`);
  await withAdmin(adminUrl, async (admin) => {
    const found = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [prefix]);
    for (const { datname } of found.rows) {
      const name = admin.escapeIdentifier(datname);
      await admin.query(`ALTER DATABASE ${name} IS_TEMPLATE false`);
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  });
}

export async function withAdmin<T>(adminUrl: string, work: (client: InstanceType<typeof pg.Client>) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (cause) {
    throw new DeskError("DB_UNAVAILABLE", `could not connect to the test database server: ${redactText(errorMessage(cause))}`, { cause });
  }
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
