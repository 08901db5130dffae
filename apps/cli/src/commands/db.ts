import type { Command } from "commander";
import { describeDatabaseSource, migrate, migrationStatus, openDatabase, resolveDatabaseSource } from "@mqk/db";
import { CommandFailed, type CliIo } from "../io.js";

export function registerDbCommands(program: Command, io: CliIo): void {
  const db = program.command("db").description("the desk's Postgres: MQK_DATABASE_URL, else the embedded one under .mqk/pg");

  db.command("migrate")
    .description("apply pending migrations in order; refuse if an applied file changed or vanished")
    .action(async () => {
      const source = resolveDatabaseSource({});
      const handle = await openDatabase(source);
      try {
        const result = await migrate(handle.pool);
        for (const m of result.applied) io.out(`applied  ${m.file}`);
        if (!result.ok) throw new CommandFailed(`db migrate refused (${result.kind}) on ${describeDatabaseSource(source)}: ${result.message}`);
        io.out(`db migrate: ${result.message} (${describeDatabaseSource(source)})`);
      } finally {
        await handle.close();
      }
    });

  db.command("status")
    .description("list migrations: applied, pending, changed or missing")
    .action(async () => {
      const source = resolveDatabaseSource({});
      const handle = await openDatabase(source);
      try {
        const status = await migrationStatus(handle.pool);
        for (const m of status.migrations) io.out(`${m.state.padEnd(8)} ${m.file}`);
        if (!status.ok) throw new CommandFailed(`db status: ${status.message}`);
      } finally {
        await handle.close();
      }
    });
}
