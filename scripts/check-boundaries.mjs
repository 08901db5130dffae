#!/usr/bin/env node
// Workspace boundary check: every package.json's @mqk/* dependencies must go
// strictly down the layer table (STYLE.md, encoded here), with no cycle; exports
// map only "." and "./package.json"; no tsconfig `paths`; only tests import testkit.
import { readFileSync, readdirSync, existsSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The layer table. A package imports only from strictly lower layers. */
export const layers = {
  core: 0,
  config: 1,
  secrets: 2,
  db: 2,
  md: 3,
  alerts: 3,
  portfolio: 4,
  risk: 5,
  integrity: 5,
  strategy: 5,
  execution: 6,
  reconcile: 7,
  backtest: 7,
  promotion: 8,
  runtime: 9,
  testkit: 9,
  cli: 10,
  daemon: 10,
};

/** Packages that only tests may import, through devDependencies. */
export const devOnly = new Set(["testkit"]);

function readJson(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}

function listPackages(root) {
  const out = [];
  for (const group of ["packages", "apps"]) {
    const dir = path.join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name, "package.json");
      if (existsSync(file)) out.push({ dir: path.join(dir, name), file, json: readJson(file) });
    }
  }
  return out;
}

function* walkTs(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    if (entry === "node_modules" || entry === "dist" || entry === "fixtures") continue;
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) yield* walkTs(full);
    else if (/\.[cm]?tsx?$/.test(entry)) yield full;
  }
}

const isTestFile = (file) => /\.(test|spec|test-support)\.[cm]?tsx?$/.test(file) || file.split(path.sep).includes("test");

/** Returns a list of problems (strings); empty means the workspace holds. */
export function checkWorkspace(root) {
  const problems = [];
  const pkgs = listPackages(root);
  const byName = new Map(pkgs.map((p) => [p.json.name, p]));
  const edges = new Map();

  for (const p of pkgs) {
    const name = p.json.name;
    const rel = path.relative(root, p.file);
    if (typeof name !== "string" || !name.startsWith("@mqk/")) {
      problems.push(`${rel}: expected a name "@mqk/<pkg>", found ${JSON.stringify(name)}`);
      continue;
    }
    const short = name.slice(5);
    if (!(short in layers)) {
      problems.push(`${rel}: ${name} is not in the layer table; add it to scripts/check-boundaries.mjs with its layer`);
      continue;
    }
    const exportsKeys = Object.keys(p.json.exports ?? {});
    const extra = exportsKeys.filter((k) => k !== "." && k !== "./package.json");
    if (!exportsKeys.includes(".") || extra.length > 0) {
      problems.push(`${rel}: exports must map only "." and "./package.json", found ${JSON.stringify(exportsKeys)}`);
    }
    const dot = p.json.exports?.["."];
    if (dot && typeof dot === "object") {
      const order = Object.keys(dot);
      if (order[0] !== "@mqk/source" || order.indexOf("types") > order.indexOf("default")) {
        problems.push(`${rel}: exports["."] conditions must be "@mqk/source", then "types", then "default"; found ${JSON.stringify(order)}`);
      }
    }
    const deps = [];
    for (const field of ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]) {
      for (const dep of Object.keys(p.json[field] ?? {})) {
        if (!dep.startsWith("@mqk/")) continue;
        const target = dep.slice(5);
        deps.push(target);
        if (!(target in layers)) {
          problems.push(`${rel}: ${field} names ${dep}, which is not in the layer table`);
          continue;
        }
        if (target === short) {
          problems.push(`${rel}: ${name} depends on itself`);
        } else if (devOnly.has(target)) {
          if (field !== "devDependencies") problems.push(`${rel}: ${dep} is dev-only (tests); declare it under devDependencies, not ${field}`);
        } else if (layers[target] >= layers[short]) {
          problems.push(
            `${rel}: ${name} (layer L${layers[short]}) may not depend on ${dep} (layer L${layers[target]}): edges go strictly downwards (STYLE.md layer table)`,
          );
        }
      }
    }
    edges.set(short, deps);

    const tsconfig = path.join(p.dir, "tsconfig.json");
    if (existsSync(tsconfig) && /"paths"\s*:/.test(readFileSync(tsconfig, "utf8"))) {
      problems.push(`${path.relative(root, tsconfig)}: tsconfig "paths" are forbidden; resolve through workspace links`);
    }
    for (const file of walkTs(path.join(p.dir, "src"))) {
      if (isTestFile(file)) continue;
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)["']@mqk\/([^"'/]+)[^"']*["']/g)) {
        const target = m[1];
        if (devOnly.has(target)) problems.push(`${path.relative(root, file)}: non-test source imports @mqk/${target}, which only tests may import`);
        else if (target !== short && !deps.includes(target))
          problems.push(`${path.relative(root, file)}: imports @mqk/${target} but ${rel} does not declare it`);
      }
    }
  }

  // Cycle check over every declared edge (dev included).
  const state = new Map();
  const stack = [];
  const visit = (n) => {
    state.set(n, "open");
    stack.push(n);
    for (const m of edges.get(n) ?? []) {
      if (!edges.has(m)) continue;
      if (state.get(m) === "open") problems.push(`dependency cycle: ${[...stack.slice(stack.indexOf(m)), m].map((x) => `@mqk/${x}`).join(" -> ")}`);
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, "done");
  };
  for (const n of edges.keys()) if (!state.has(n)) visit(n);
  if (byName.size === 0) problems.push(`${root}: no workspace packages found under packages/ or apps/`);
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), ".."));
  const problems = checkWorkspace(root);
  if (problems.length > 0) {
    for (const p of problems) console.error(`boundary: ${p}`);
    console.error(`boundary check failed: ${problems.length} problem(s)`);
    process.exit(1);
  }
  console.log(`boundary check passed: ${Object.keys(layers).length} layered packages, every @mqk edge goes downwards, no cycle`);
}
