/**
 * @mqk/db — the desk's PostgreSQL: where it is, how to open it, its schema and migrations.
 *
 * Entry points: `resolveDatabaseSource` → `openDatabase` (pg pool + Kysely<Database>);
 * `migrate` / `migrationStatus` (the D4 runner over `migrations/NNNN_name.sql`);
 * `createTestDatabase` for tests (a fresh clone of the run's migrated template).
 *
 * Invariants:
 *  1. MQK_DATABASE_URL wins; otherwise an embedded Postgres with data under `.mqk/pg`,
 *     started by the code that opens it and stopped by its `close()`; one process per data dir.
 *  2. No password ever appears in a message, a log line or a handle's `url` (redacted).
 *  3. int8 reads as bigint, date as "YYYY-MM-DD", per pool — never by mutating pg's globals.
 *  4. Migrations apply in order, each in its own transaction, under one advisory lock;
 *     an applied file that changed or vanished, or a new file that sorts before an
 *     applied one, makes the runner refuse and apply nothing (D4).
 *  5. Tests never skip for want of a database: they get one or fail with instructions (G1).
 *  6. Only statements marked `prepared` become named prepared statements, at most
 *     PREPARED_PER_CONNECTION texts per connection; everything else is sent unnamed.
 *
 * Must never: read the environment outside this package's source resolution and test
 * helpers; store money in anything but BIGINT micros; edit an applied migration.
 */
export {
  resolveDatabaseSource,
  describeDatabaseSource,
  defaultEmbeddedDataDir,
  DATABASE_URL_ENV,
  type DatabaseSource,
  type ResolveDatabaseSourceOptions,
} from "./internal/database-source.js";
export { openDatabase, createPool, EMBEDDED_DATABASE_NAME, type DeskDatabase, type OpenDatabaseOptions } from "./internal/open-database.js";
export { redactUrl, redactText } from "./internal/redact.js";
export { prepared, PREPARED_MARKER, PREPARED_PER_CONNECTION } from "./internal/prepared-statements.js";
export type { PgPool, PgPoolClient } from "./internal/runtime-deps.js";
export { GET_A_DATABASE } from "./internal/instructions.js";
export {
  migrate,
  migrationStatus,
  planMigrations,
  MIGRATION_LOCK_KEY,
  type MigrateOptions,
  type MigrationResultSet,
  type MigrationStatus,
  type MigrationRefusalKind,
  type MigrationSummary,
  type AppliedMigration,
} from "./internal/migrations/migrator.js";
export { defaultMigrationsDir, readMigrationFiles, type MigrationFile } from "./internal/migrations/migration-files.js";
export type { MigrationListing, MigrationState } from "./internal/migrations/migration-listing.js";
export { createTestDatabase, type TestDatabase, type CreateTestDatabaseOptions } from "./internal/testing/create-test-database.js";
export { tableNames, inboxKinds } from "./internal/schema.js";
export type {
  Database,
  JsonValue,
  SchemaMigrationsTable,
  RunsTable,
  ReconcileRunsTable,
  ArmStateTable,
  DeadmanTable,
  RiskStateTable,
  OutboxTable,
  OrderMapTable,
  InboxTable,
  OrdersTable,
  PositionsTable,
  CashLedgerTable,
  AuditEventsTable,
  MdBarsTable,
  PromotionsTable,
  RiskApprovalsTable,
  RiskEventsTable,
  RiskRateBucketsTable,
  RiskCause,
  RiskEventKind,
  RunMode,
  RunStatus,
  ReconcileResult,
  ArmState,
  ArmReasonKind,
  DeadmanState,
  RiskTradingState,
  OutboxKind,
  OutboxStatus,
  OrderSide,
  OrderType,
  TimeInForce,
  InboxKind,
  InboxSource,
  OrderState,
  CashReason,
  AuditKind,
  BarInterval,
  PromotionTargetMode,
  PromotionDecision,
} from "./internal/schema.js";
// Kysely's query vocabulary, so packages that only query through @mqk/db need no kysely dependency.
export { sql, type Kysely, type RawBuilder, type Transaction, type Selectable, type Insertable, type Updateable } from "kysely";
