/**
 * @mqk/cli — the `mqk` operator CLI (composition root).
 *
 * Entry point: `runCli(argv, io)` returns the exit code; `src/main.ts` is the
 * process entry. Invariants: 1. only main() decides exit codes (0 ok, 1 refused
 * or failed, 2 bad usage); 2. errors go to stderr and never contain a secret.
 */
export { runCli, EXIT_OK, EXIT_FAILED, EXIT_USAGE } from "./program.js";
export type { CliIo } from "./io.js";
