import type { MigrationFile } from "./migration-files.js";

/**
 * One line per migration for `mqk db status`: every ledger row and every file,
 * in version order, each with its state.
 *   applied   in the ledger, file present and unchanged
 *   pending   a file not yet applied
 *   changed   in the ledger, but the file's sha256 differs (D4: refuse)
 *   vanished  in the ledger, but no file of that version and name (D4: refuse)
 */
export type MigrationState = "applied" | "pending" | "changed" | "vanished";

export interface MigrationListing {
  readonly version: number;
  readonly name: string;
  readonly file: string;
  readonly state: MigrationState;
  /** When it was applied (ledger rows only). */
  readonly appliedAt: Date | undefined;
}

export interface LedgerRow {
  readonly version: number;
  readonly name: string;
  readonly file: string;
  readonly sha256: string;
  readonly appliedAt: Date;
}

export function listMigrations(files: readonly MigrationFile[], ledger: readonly LedgerRow[]): MigrationListing[] {
  const byVersion = new Map(files.map((f) => [f.version, f]));
  const applied = new Set(ledger.map((r) => r.version));
  const rows: MigrationListing[] = ledger.map((row) => {
    const file = byVersion.get(row.version);
    const state: MigrationState = file === undefined || file.name !== row.name ? "vanished" : file.sha256 === row.sha256 ? "applied" : "changed";
    return { version: row.version, name: row.name, file: row.file, state, appliedAt: row.appliedAt };
  });
  for (const file of files) {
    if (!applied.has(file.version)) rows.push({ version: file.version, name: file.name, file: file.file, state: "pending", appliedAt: undefined });
  }
  return rows.sort((a, b) => a.version - b.version || (a.state === "pending" ? 1 : -1));
}
