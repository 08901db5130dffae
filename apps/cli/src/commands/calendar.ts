import type { Command } from "commander";
import { calendarDaysJson, nyseCalendar } from "@mqk/md";
import { CommandFailed, type CliIo } from "../io.js";

const datePattern = /^\d{4}-\d{2}-\d{2}$/;

export function registerCalendarCommand(program: Command, io: CliIo): void {
  program
    .command("calendar")
    .description("NYSE trading days between two dates (inclusive) with the regular open and close")
    .requiredOption("--from <date>", "first date, YYYY-MM-DD (2000-01-01 or later)")
    .requiredOption("--to <date>", "last date, YYYY-MM-DD (2040-12-31 or earlier)")
    .option("--json", "print a JSON array of {date, open, close} with UTC ISO instants")
    .action((opts: { from: string; to: string; json?: boolean }) => {
      for (const [flag, value] of [
        ["--from", opts.from],
        ["--to", opts.to],
      ] as const) {
        if (!datePattern.test(value)) throw new CommandFailed(`calendar ${flag}: expected a date YYYY-MM-DD, found ${JSON.stringify(value)}`);
      }
      const calendar = nyseCalendar();
      const days = calendarDaysJson(calendar, opts.from, opts.to);
      if (!days.ok) throw new CommandFailed(`calendar: ${days.error.message}`);
      if (opts.json === true) {
        io.out(JSON.stringify(days.value));
        return;
      }
      // Columns as wide as their values: a date is 10 characters, an ISO instant 24.
      io.out(`${"date".padEnd(10)}  ${"open (UTC)".padEnd(24)}  ${"close (UTC)".padEnd(24)}  note`);
      for (const day of days.value) {
        const session = calendar.sessionFor(day.date);
        io.out(`${day.date}  ${day.open}  ${day.close}  ${session?.earlyClose === true ? "early close" : ""}`.trimEnd());
      }
      io.out(`${String(days.value.length)} trading day(s) from ${opts.from} to ${opts.to}`);
    });
}
