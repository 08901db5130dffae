import type { Command } from "commander";
import { formatCsvLineError, formatCsvSummary, validateCsvFile } from "@mqk/md";
import { CommandFailed, type CliIo } from "../io.js";

export function registerDataCommands(program: Command, io: CliIo): void {
  const data = program.command("data").description("bar data files");

  data
    .command("validate")
    .description("check a bar CSV (symbol,timestamp,open,high,low,close,volume); exit 1 naming the first bad line, its field and why")
    .requiredOption("--file <file>", "path to the CSV file")
    .action(async (opts: { file: string }) => {
      const result = await validateCsvFile(opts.file);
      if (!result.ok) throw new CommandFailed(formatCsvLineError(result.error, opts.file));
      io.out(`${opts.file}: ok, ${formatCsvSummary(result.value)}`);
    });
}
