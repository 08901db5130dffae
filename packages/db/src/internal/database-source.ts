import { join, resolve } from "node:path";
import { redactUrl } from "./redact.js";

/**
 * Where the desk's database lives: `MQK_DATABASE_URL`, else an embedded
 * Postgres whose data stays under `<cwd>/.mqk/pg` (DESIGN.md, Database).
 */
export type DatabaseSource = { readonly kind: "url"; readonly url: string } | { readonly kind: "embedded"; readonly dataDir: string };

export interface ResolveDatabaseSourceOptions {
  /** Defaults to process.env (packages/db is one of the three readers of the environment). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Embedded data directory; default `<cwd>/.mqk/pg`. */
  readonly dataDir?: string;
}

export const DATABASE_URL_ENV = "MQK_DATABASE_URL";

export function defaultEmbeddedDataDir(cwd: string = process.cwd()): string {
  return join(cwd, ".mqk", "pg");
}

export function resolveDatabaseSource(options: ResolveDatabaseSourceOptions = {}): DatabaseSource {
  const env = options.env ?? process.env;
  const url = (env[DATABASE_URL_ENV] ?? "").trim();
  if (url !== "") return { kind: "url", url };
  return { kind: "embedded", dataDir: resolve(options.dataDir ?? defaultEmbeddedDataDir()) };
}

/** For messages and logs: never contains a password. */
export function describeDatabaseSource(source: DatabaseSource): string {
  switch (source.kind) {
    case "url":
      return `${DATABASE_URL_ENV} (${redactUrl(source.url)})`;
    case "embedded":
      return `embedded Postgres (data in ${source.dataDir})`;
  }
}
