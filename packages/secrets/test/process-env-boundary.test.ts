import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./secrets-fixtures.js";

/** STYLE.md: process.env is read only in packages/secrets, packages/config and packages/db. */
const allowed = new Set(["packages/secrets", "packages/config", "packages/db"]);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "dist" || entry.name === "test" || entry.name === "fixtures") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|cts|js|mjs)$/.test(entry.name) && !/\.test\.[mc]?[tj]s$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** Code with comments removed (block comments and whole-line // comments). */
function code(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .split("\n")
    .filter((line) => !line.trim().startsWith("//"))
    .join("\n");
}

const envAccess = /\bprocess\s*(?:\.\s*env\b|\[\s*["'`]env["'`]\s*\])|from\s+["'](?:node:)?process["']|require\(\s*["'](?:node:)?process["']\s*\)/;

describe("S1.3: nothing else reads the environment", () => {
  it("S1.3: no source file outside secrets, config and db touches process.env", () => {
    const offenders: string[] = [];
    for (const group of ["packages", "apps"]) {
      for (const pkg of readdirSync(join(repoRoot, group), { withFileTypes: true })) {
        if (!pkg.isDirectory() || allowed.has(`${group}/${pkg.name}`)) continue;
        for (const file of sourceFiles(join(repoRoot, group, pkg.name))) {
          if (envAccess.test(code(readFileSync(file, "utf8")))) offenders.push(relative(repoRoot, file));
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it("S1.3: the scan recognises the ways of reaching the environment", () => {
    for (const sample of ["const k = process.env.KEY;", 'process["env"]', "import { env } from 'node:process';", "const p = require('process')"]) {
      expect(envAccess.test(code(sample))).toBe(true);
    }
    expect(envAccess.test(code("// process.env in a comment\n/* process.env */ const x = 1;"))).toBe(false);
  });
});
