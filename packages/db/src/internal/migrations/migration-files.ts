import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256Hex } from "@mqk/core";

/**
 * The migration files on disk: `NNNN_name.sql` at the repository root's
 * `migrations/`, ordered by version. Any other `.sql` name, a duplicate version
 * or an unreadable directory is reported, never skipped.
 */
export interface MigrationFile {
  readonly version: number;
  readonly name: string;
  /** The file name, e.g. `0001_init.sql`. */
  readonly file: string;
  readonly sha256: string;
  readonly sql: string;
}

/** Repository-root `migrations/`, found from this file (src/internal/migrations or dist/internal/migrations). */
export const defaultMigrationsDir: string = fileURLToPath(new URL("../../../../../migrations/", import.meta.url));

export const MIGRATION_FILE_PATTERN = /^(\d{4})_([a-z0-9][a-z0-9_]*)\.sql$/;

export type MigrationFilesProblem =
  | { readonly kind: "unreadable-dir"; readonly message: string; readonly file: undefined }
  | { readonly kind: "bad-file-name"; readonly message: string; readonly file: string }
  | { readonly kind: "duplicate-version"; readonly message: string; readonly file: string };

export async function readMigrationFiles(
  dir: string,
): Promise<{ readonly ok: true; readonly files: readonly MigrationFile[] } | { readonly ok: false; readonly problem: MigrationFilesProblem }> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch (cause) {
    const message = `the migrations directory ${dir} could not be read (${cause instanceof Error ? cause.message : String(cause)}); expected a directory of NNNN_name.sql files`;
    return { ok: false, problem: { kind: "unreadable-dir", message, file: undefined } };
  }
  names.sort();
  const files: MigrationFile[] = [];
  const byVersion = new Map<number, string>();
  for (const file of names) {
    if (!file.endsWith(".sql")) continue; // README.md and friends are not migrations
    const match = MIGRATION_FILE_PATTERN.exec(file);
    if (match === null) {
      const message = `migration file ${file} in ${dir} has a bad name: expected NNNN_name.sql (four digits, underscore, lower-case name); rename it`;
      return { ok: false, problem: { kind: "bad-file-name", message, file } };
    }
    const version = Number(match[1]);
    const name = match[2] ?? "";
    const other = byVersion.get(version);
    if (other !== undefined) {
      const message = `migration files ${other} and ${file} share version ${String(version).padStart(4, "0")}: each version must be used once; renumber the newer file`;
      return { ok: false, problem: { kind: "duplicate-version", message, file } };
    }
    byVersion.set(version, file);
    const bytes = await readFile(join(dir, file));
    files.push({ version, name, file, sha256: sha256Hex(bytes), sql: bytes.toString("utf8") });
  }
  return { ok: true, files };
}
