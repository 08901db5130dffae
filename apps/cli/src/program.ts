import { Command, CommanderError } from "commander";
import { errorMessage } from "@mqk/core";
import { registerConfigCommands } from "./commands/config.js";
import { registerCalendarCommand } from "./commands/calendar.js";
import { registerDataCommands } from "./commands/data.js";
import { registerDbCommands } from "./commands/db.js";
import { CommandFailed, type CliIo } from "./io.js";

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

function buildProgram(io: CliIo): Command {
  const program = new Command("mqk")
    .description("MiniQuantDesk operator CLI — a trading desk that fails closed")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  registerConfigCommands(program, io);
  registerDbCommands(program, io);
  registerDataCommands(program, io);
  registerCalendarCommand(program, io);
  // Every command, nested or not, exits through main() instead of process.exit.
  const override = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.commands.forEach(override);
  };
  override(program);
  return program;
}

/** Runs the CLI and returns the exit code: 0 done, 1 refused or failed, 2 bad usage. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return EXIT_OK;
      // A command group run without a subcommand prints its help and is a usage error.
      return EXIT_USAGE;
    }
    if (e instanceof CommandFailed) {
      io.err(`mqk: ${e.message}`);
      return EXIT_FAILED;
    }
    io.err(`mqk: ${errorMessage(e)}`);
    return EXIT_FAILED;
  }
}
