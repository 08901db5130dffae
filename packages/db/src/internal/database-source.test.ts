import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeDatabaseSource, resolveDatabaseSource } from "./database-source.js";

describe("resolveDatabaseSource", () => {
  it("MQK_DATABASE_URL wins", () => {
    const source = resolveDatabaseSource({ env: { MQK_DATABASE_URL: "postgres://desk:pw@db:5432/mqk" } });
    expect(source).toEqual({ kind: "url", url: "postgres://desk:pw@db:5432/mqk" });
    expect(describeDatabaseSource(source)).toBe("MQK_DATABASE_URL (postgres://desk:***@db:5432/mqk)");
  });

  it("otherwise the embedded Postgres under <cwd>/.mqk/pg, or the given data dir", () => {
    expect(resolveDatabaseSource({ env: {} })).toEqual({ kind: "embedded", dataDir: join(process.cwd(), ".mqk", "pg") });
    expect(resolveDatabaseSource({ env: { MQK_DATABASE_URL: "  " }, dataDir: "/var/lib/mqk" })).toEqual({ kind: "embedded", dataDir: "/var/lib/mqk" });
    expect(describeDatabaseSource({ kind: "embedded", dataDir: "/x" })).toBe("embedded Postgres (data in /x)");
  });
});
