import { errorMessage } from "@mqk/core";
import { prepareTestDatabases, TEST_DB_ENV, type PreparedTestDatabases } from "./test-databases.js";

/**
 * The vitest global setup named by the root vitest.config.ts (G1): one
 * PostgreSQL server for the whole run and one template database migrated with
 * every migration; each test file clones its own database from it with
 * `createTestDatabase()` from @mqk/db. When no database can be had, the run
 * fails with instructions — it never skips.
 *
 * The server reaches test files twice: vitest's `provide("mqkTestDb")` (for
 * `inject`) and the env vars MQK_TEST_DB_ADMIN_URL / MQK_TEST_DB_TEMPLATE, which
 * fork and thread workers inherit — @mqk/db reads those, so it never imports vitest.
 */
export interface MqkTestDbContext {
  readonly adminUrl: string;
  readonly template: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    mqkTestDb: MqkTestDbContext;
  }
}

interface ProvidingProject {
  provide(key: "mqkTestDb", value: MqkTestDbContext): void;
}

let prepared: PreparedTestDatabases | undefined;

export async function setup(project: ProvidingProject): Promise<void> {
  try {
    prepared = await prepareTestDatabases(process.env);
  } catch (cause) {
    // Loud, whole, on stderr: vitest's own rendering of a setup error can be long.
    process.stderr.write(`\n[mqk test db] ${errorMessage(cause)}\n\n`);
    throw cause;
  }
  process.env[TEST_DB_ENV.adminUrl] = prepared.adminUrl;
  process.env[TEST_DB_ENV.template] = prepared.template;
  project.provide("mqkTestDb", { adminUrl: prepared.adminUrl, template: prepared.template });
}

export async function teardown(): Promise<void> {
  const current = prepared;
  prepared = undefined;
  await current?.teardown();
}
