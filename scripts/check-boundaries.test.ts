import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkWorkspace, layers } from "./check-boundaries.mjs";

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

type Deps = Record<string, string>;
function workspace(pkgs: Record<string, { deps?: Deps; devDeps?: Deps; exports?: unknown; source?: string }>): string {
  const root = mkdtempSync(path.join(tmpdir(), "mqk-boundaries-"));
  roots.push(root);
  for (const [name, spec] of Object.entries(pkgs)) {
    const dir = path.join(root, name === "cli" || name === "daemon" ? "apps" : "packages", name);
    mkdirSync(path.join(dir, "src"), { recursive: true });
    const json = {
      name: `@mqk/${name}`,
      exports: spec.exports ?? {
        ".": { "@mqk/source": "./src/index.ts", types: "./dist/index.d.ts", default: "./dist/index.js" },
        "./package.json": "./package.json",
      },
      dependencies: spec.deps ?? {},
      devDependencies: spec.devDeps ?? {},
    };
    writeFileSync(path.join(dir, "package.json"), JSON.stringify(json));
    writeFileSync(path.join(dir, "src", "index.ts"), spec.source ?? "export {};\n");
  }
  return root;
}

describe("workspace boundary check", () => {
  it("passes the real workspace", () => {
    expect(checkWorkspace(path.resolve(import.meta.dirname, ".."))).toEqual([]);
  });

  it("accepts downward edges and testkit as a dev dependency", () => {
    const root = workspace({
      core: {},
      db: { deps: { "@mqk/core": "workspace:*" }, devDeps: { "@mqk/testkit": "workspace:*" } },
      testkit: { deps: { "@mqk/core": "" } },
    });
    expect(checkWorkspace(root)).toEqual([]);
  });

  it("fails on an upward edge and names both layers", () => {
    const root = workspace({ core: {}, execution: { deps: { "@mqk/core": "" } }, risk: { deps: { "@mqk/execution": "" } } });
    const problems = checkWorkspace(root);
    expect(problems.join("\n")).toMatch(/@mqk\/risk \(layer L5\) may not depend on @mqk\/execution \(layer L6\)/);
  });

  it("fails on an edge within one layer", () => {
    const problems = checkWorkspace(workspace({ secrets: { deps: { "@mqk/db": "" } }, db: {} }));
    expect(problems.join("\n")).toMatch(/@mqk\/secrets \(layer L2\) may not depend on @mqk\/db \(layer L2\)/);
  });

  it("fails on a cycle", () => {
    const problems = checkWorkspace(workspace({ core: { devDeps: { "@mqk/testkit": "" } }, testkit: { deps: { "@mqk/core": "" } } }));
    expect(problems.join("\n")).toMatch(/dependency cycle: @mqk\/(core|testkit) -> .* -> @mqk\/(core|testkit)/);
  });

  it("fails on a wildcard or deep export and on testkit as a runtime dependency", () => {
    const problems = checkWorkspace(
      workspace({
        core: { exports: { ".": "./src/index.ts", "./internal/*": "./src/internal/*" } },
        md: { deps: { "@mqk/testkit": "" } },
        testkit: {},
      }),
    );
    expect(problems.join("\n")).toMatch(/exports must map only "\." and "\.\/package\.json"/);
    expect(problems.join("\n")).toMatch(/@mqk\/testkit is dev-only/);
  });

  it("fails when source imports an undeclared package or testkit", () => {
    const problems = checkWorkspace(
      workspace({
        core: {},
        md: { source: 'import { x } from "@mqk/core";\nimport { y } from "@mqk/testkit";\n', devDeps: { "@mqk/testkit": "" } },
        testkit: {},
      }),
    );
    expect(problems.join("\n")).toMatch(/imports @mqk\/core but packages\/md\/package.json does not declare it/);
    expect(problems.join("\n")).toMatch(/non-test source imports @mqk\/testkit/);
  });

  it("fails on a package missing from the layer table", () => {
    expect(checkWorkspace(workspace({ widgets: {} })).join("\n")).toMatch(/@mqk\/widgets is not in the layer table/);
    expect(Object.keys(layers)).toHaveLength(18);
  });
});
