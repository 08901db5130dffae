import { DeskError, errorMessage } from "@mqk/core";
import { redactText } from "../redact.js";
import type { PgPool, PgPoolClient } from "../runtime-deps.js";
import { defaultMigrationsDir, readMigrationFiles, type MigrationFile, type MigrationFilesProblem } from "./migration-files.js";
import { listMigrations, type MigrationListing } from "./migration-listing.js";

/**
 * D4: the migration runner. Files apply in version order, each in its own
 * transaction together with its ledger row; the whole run holds one advisory
 * lock, so concurrent runs serialise and apply each file once. Before applying
 * anything it compares the ledger with the files and REFUSES (applies nothing)
 * when an applied file changed or vanished, or when a new file sorts before an
 * applied one. Expected failures are returned as a result set (kysely's
 * migrator style); only an unreachable database throws (DeskError).
 */

export type MigrationRefusalKind = MigrationFilesProblem["kind"] | "changed" | "vanished" | "out-of-order" | "failed";

export interface MigrationSummary {
  readonly version: number;
  readonly name: string;
  readonly file: string;
  readonly sha256: string;
}

export interface AppliedMigration extends MigrationSummary {
  readonly appliedAt: Date;
}

export type MigrationResultSet =
  | {
      readonly ok: true;
      readonly kind: "applied" | "up-to-date";
      readonly message: string;
      /** Applied by this call, in order. */
      readonly applied: readonly MigrationSummary[];
      /** Count of migrations that were already in the ledger. */
      readonly alreadyApplied: number;
    }
  | {
      readonly ok: false;
      readonly kind: MigrationRefusalKind;
      /** Names the file, says what was expected and what to do. */
      readonly message: string;
      readonly file: string | undefined;
      /** Applied (and committed) by this call before the failure; empty for every refusal but "failed". */
      readonly applied: readonly MigrationSummary[];
      readonly alreadyApplied: number;
    };

export type MigrationStatus =
  | {
      readonly ok: true;
      readonly kind: "up-to-date" | "pending";
      readonly message: string;
      readonly applied: readonly AppliedMigration[];
      readonly pending: readonly MigrationSummary[];
      /** Every ledger row and file in version order, with its state. */
      readonly migrations: readonly MigrationListing[];
    }
  | {
      readonly ok: false;
      readonly kind: Exclude<MigrationRefusalKind, "failed">;
      readonly message: string;
      readonly file: string | undefined;
      readonly applied: readonly AppliedMigration[];
      readonly pending: readonly MigrationSummary[];
      /** As far as the files could be read: the changed or vanished one is marked. */
      readonly migrations: readonly MigrationListing[];
    };

export interface MigrateOptions {
  /** Directory of NNNN_name.sql files; default: the repository's `migrations/`. */
  readonly dir?: string;
}

/** "mqk_mig" as a number: the advisory lock every migration run takes. */
export const MIGRATION_LOCK_KEY = 0x6d716b5f6d6967n;

const LEDGER_DDL = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    integer     PRIMARY KEY CHECK (version > 0),
  name       text        NOT NULL,
  sha256     text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

type Refusal = { readonly kind: Exclude<MigrationRefusalKind, "failed">; readonly message: string; readonly file: string | undefined };
type Plan = { readonly ok: true; readonly pending: readonly MigrationFile[] } | { readonly ok: false; readonly refusal: Refusal };

export async function migrate(pool: PgPool, options: MigrateOptions = {}): Promise<MigrationResultSet> {
  const dir = options.dir ?? defaultMigrationsDir;
  const client = await connect(pool);
  let broken: Error | undefined;
  try {
    await query(client, "SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY.toString()]);
    try {
      await query(client, LEDGER_DDL);
      const ledger = await readLedger(client);
      const files = await readMigrationFiles(dir);
      if (!files.ok) return { ...files.problem, ok: false, applied: [], alreadyApplied: ledger.length };
      const plan = planMigrations(files.files, ledger);
      if (!plan.ok) return { ...plan.refusal, ok: false, applied: [], alreadyApplied: ledger.length };
      const applied: MigrationSummary[] = [];
      for (const file of plan.pending) {
        const failure = await applyOne(client, file);
        if (failure !== undefined) {
          return { ok: false, kind: "failed", message: failure, file: file.file, applied, alreadyApplied: ledger.length };
        }
        applied.push(summary(file));
      }
      if (applied.length === 0) {
        return {
          ok: true,
          kind: "up-to-date",
          message: `up to date: ${String(ledger.length)} migration(s) applied, none pending`,
          applied,
          alreadyApplied: ledger.length,
        };
      }
      const names = applied.map((m) => m.file).join(", ");
      return { ok: true, kind: "applied", message: `applied ${String(applied.length)} migration(s): ${names}`, applied, alreadyApplied: ledger.length };
    } finally {
      await query(client, "SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY.toString()]);
    }
  } catch (cause) {
    broken = cause instanceof Error ? cause : new Error(errorMessage(cause));
    throw cause;
  } finally {
    client.release(broken);
  }
}

export async function migrationStatus(pool: PgPool, options: MigrateOptions = {}): Promise<MigrationStatus> {
  const dir = options.dir ?? defaultMigrationsDir;
  const client = await connect(pool);
  try {
    const exists = await query(client, "SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
    const ledger = exists.rows[0]?.["present"] === true ? await readLedger(client) : [];
    const files = await readMigrationFiles(dir);
    if (!files.ok) return { ...files.problem, ok: false, applied: ledger, pending: [], migrations: listMigrations([], ledger) };
    const migrations = listMigrations(files.files, ledger);
    const plan = planMigrations(files.files, ledger);
    if (!plan.ok) return { ...plan.refusal, ok: false, applied: ledger, pending: [], migrations };
    const pending = plan.pending.map(summary);
    return pending.length === 0
      ? {
          ok: true,
          kind: "up-to-date",
          message: `up to date: ${String(ledger.length)} migration(s) applied, none pending`,
          applied: ledger,
          pending,
          migrations,
        }
      : {
          ok: true,
          kind: "pending",
          message: `${String(pending.length)} migration(s) pending: ${pending.map((p) => p.file).join(", ")}`,
          applied: ledger,
          pending,
          migrations,
        };
  } finally {
    client.release();
  }
}

/** Compares the ledger with the files; pure, so every refusal rule is testable on its own. */
export function planMigrations(files: readonly MigrationFile[], ledger: readonly AppliedMigration[]): Plan {
  const byVersion = new Map(files.map((f) => [f.version, f]));
  for (const row of ledger) {
    const file = byVersion.get(row.version);
    if (file === undefined || file.name !== row.name) {
      const found = file === undefined ? "no file with that version" : `${file.file} instead`;
      return {
        ok: false,
        refusal: {
          kind: "vanished",
          file: row.file,
          message: `applied migration ${row.file} has vanished from the migrations directory (found ${found}); applied migrations must never be removed or renamed — restore it`,
        },
      };
    }
    if (file.sha256 !== row.sha256) {
      return {
        ok: false,
        refusal: {
          kind: "changed",
          file: row.file,
          message:
            `applied migration ${row.file} has changed since it was applied (sha256 ${row.sha256.slice(0, 12)}… in the ledger, ${file.sha256.slice(0, 12)}… on disk); ` +
            "applied migrations must never be edited — restore the file and put the change in a new migration",
        },
      };
    }
  }
  const applied = new Set(ledger.map((r) => r.version));
  const highest = ledger.reduce((max, r) => Math.max(max, r.version), 0);
  const pending = files.filter((f) => !applied.has(f.version));
  const early = pending.find((f) => f.version < highest);
  if (early !== undefined) {
    const last = ledger.find((r) => r.version === highest);
    return {
      ok: false,
      refusal: {
        kind: "out-of-order",
        file: early.file,
        message: `migration ${early.file} is new but sorts before the applied ${last?.file ?? String(highest)}; give it a version above ${String(highest).padStart(4, "0")}`,
      },
    };
  }
  return { ok: true, pending };
}

async function applyOne(client: PgPoolClient, file: MigrationFile): Promise<string | undefined> {
  await query(client, "BEGIN");
  try {
    await client.query(file.sql);
    await client.query("INSERT INTO schema_migrations (version, name, sha256) VALUES ($1, $2, $3)", [file.version, file.name, file.sha256]);
    await client.query("COMMIT");
    return undefined;
  } catch (cause) {
    await query(client, "ROLLBACK");
    return `migration ${file.file} failed and was rolled back (nothing of it is applied): ${describeSqlError(cause, file.sql)}; fix the file and run again`;
  }
}

function describeSqlError(cause: unknown, sql: string): string {
  const message = redactText(errorMessage(cause));
  const position = cause instanceof Error && "position" in cause ? Number(cause.position) : Number.NaN;
  if (!Number.isSafeInteger(position) || position <= 0) return message;
  const line = sql.slice(0, position - 1).split("\n").length;
  return `${message} (line ${String(line)})`;
}

async function readLedger(client: PgPoolClient): Promise<AppliedMigration[]> {
  const result = await query(client, "SELECT version, name, sha256, applied_at FROM schema_migrations ORDER BY version");
  return result.rows.map((row) => {
    const version = Number(row["version"]);
    const name = String(row["name"]);
    const appliedAt = row["applied_at"];
    return {
      version,
      name,
      file: fileName(version, name),
      sha256: String(row["sha256"]),
      appliedAt: appliedAt instanceof Date ? appliedAt : new Date(String(appliedAt)),
    };
  });
}

function fileName(version: number, name: string): string {
  return `${String(version).padStart(4, "0")}_${name}.sql`;
}

function summary(file: MigrationFile): MigrationSummary {
  return { version: file.version, name: file.name, file: file.file, sha256: file.sha256 };
}

async function connect(pool: PgPool): Promise<PgPoolClient> {
  try {
    return await pool.connect();
  } catch (cause) {
    throw new DeskError("DB_UNAVAILABLE", `could not connect to run migrations: ${redactText(errorMessage(cause))}`, { cause, retryable: true });
  }
}

async function query(client: PgPoolClient, sql: string, params: readonly unknown[] = []): Promise<{ rows: Record<string, unknown>[] }> {
  try {
    return await client.query<Record<string, unknown>>(sql, [...params]);
  } catch (cause) {
    throw new DeskError("DB_UNAVAILABLE", `migration bookkeeping query failed (${sql.trim().split("\n")[0] ?? ""}): ${redactText(errorMessage(cause))}`, {
      cause,
    });
  }
}
