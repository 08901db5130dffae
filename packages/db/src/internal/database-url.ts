/** The same server, another database: replaces the path of a postgres:// URL. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** Database names we generate: lower-case letters, digits and underscores, within Postgres's 63 bytes. */
export function isSafeDatabaseName(name: string): boolean {
  return /^[a-z_][a-z0-9_]{0,62}$/.test(name);
}
