import { randomBytes } from "node:crypto";
import { DeskError, errorMessage } from "@mqk/core";
import { databaseUrl, isSafeDatabaseName } from "../database-url.js";
import { openUrl, type DeskDatabase, type OpenDatabaseOptions } from "../open-database.js";
import { redactText } from "../redact.js";
import { TEST_DB_ENV, withAdmin } from "./test-databases.js";

/**
 * For tests of every package: a fresh database cloned from the run's migrated
 * template (made by the vitest global setup). `close()` drops it. Each test file
 * calls it once (beforeAll) and never sees another file's rows.
 */
export type TestDatabase = DeskDatabase & {
  readonly name: string;
  /** The URL WITH its password (a throwaway test server's): for child processes of a test, e.g. MQK_DATABASE_URL. */
  readonly connectionString: string;
};

export interface CreateTestDatabaseOptions extends OpenDatabaseOptions {
  /** false: an EMPTY database (no tables, no ledger), e.g. to migrate from zero. Default true. */
  readonly migrated?: boolean;
}

const NOT_PROVIDED =
  "createTestDatabase() found no test database server: the vitest global setup " +
  "(packages/db/src/internal/testing/global-setup.ts) did not run. Run the tests through the root " +
  "config (`corepack pnpm exec vitest run` at the repository root, or `--project <name>`), which " +
  "starts one (embedded Postgres, or MQK_DATABASE_URL) and sets MQK_TEST_DB_ADMIN_URL and MQK_TEST_DB_TEMPLATE.";

export async function createTestDatabase(options: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const { migrated = true, ...openOptions } = options;
  const adminUrl = process.env[TEST_DB_ENV.adminUrl] ?? "";
  const template = process.env[TEST_DB_ENV.template] ?? "";
  if (adminUrl === "" || template === "") throw new DeskError("DB_UNAVAILABLE", NOT_PROVIDED);
  if (!isSafeDatabaseName(template))
    throw new DeskError("BAD_INPUT", `MQK_TEST_DB_TEMPLATE=${JSON.stringify(template.slice(0, 70))} is not a database name this setup makes`);
  // template is "<prefix>_tpl": clones share the prefix so teardown finds leftovers.
  const name = `${template.replace(/_tpl$/, "")}_${randomBytes(5).toString("hex")}`;
  await withAdmin(adminUrl, async (admin) => {
    try {
      const source = migrated ? template : "template0";
      await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)} TEMPLATE ${admin.escapeIdentifier(source)}`);
    } catch (cause) {
      throw new DeskError("DB_UNAVAILABLE", `could not clone the test template ${template}: ${redactText(errorMessage(cause))}`, { cause });
    }
  });
  const drop = async (): Promise<void> => {
    await withAdmin(adminUrl, async (admin) => {
      await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
    });
  };
  try {
    const connectionString = databaseUrl(adminUrl, name);
    const handle = await openUrl(connectionString, `test database ${name}`, { max: 5, ...openOptions }, drop);
    return { ...handle, name, connectionString };
  } catch (cause) {
    await drop().catch(() => undefined);
    throw cause;
  }
}
