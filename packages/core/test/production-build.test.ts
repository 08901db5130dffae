// A5 "in every build": compile core exactly as it ships (tsc, no source maps of
// tests, NODE_ENV=production) and prove the compiled toMicros still refuses NaN.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const pkgDir = path.resolve(import.meta.dirname, "..");
const outDir = mkdtempSync(path.join(tmpdir(), "mqk-core-build-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("production build", () => {
  it("A5: the compiled package rejects NaN, ±Infinity and negatives with NODE_ENV=production", () => {
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    execFileSync(
      process.execPath,
      [tsc, "-p", path.join(pkgDir, "tsconfig.build.json"), "--outDir", outDir, "--sourceMap", "false", "--declaration", "false"],
      {
        stdio: "pipe",
      },
    );
    const script = `
      import(${JSON.stringify(path.join(outDir, "index.js"))}).then((core) => {
        const results = [NaN, Infinity, -Infinity, "NaN", -1].map((v) => {
          try { core.toMicros(v); return "accepted"; } catch (e) { return e.reason; }
        });
        process.stdout.write(JSON.stringify(results));
      });`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { env: { ...process.env, NODE_ENV: "production" }, encoding: "utf8" });
    expect(JSON.parse(out)).toEqual(["not_a_number", "not_finite", "not_finite", "not_a_number", "negative"]);
  });
});
