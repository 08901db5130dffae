import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot, runMqk, spawnMqk } from "./run-mqk.js";

const work = mkdtempSync(path.join(tmpdir(), "mqk-cli-data-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("mqk data validate", () => {
  it("A5: accepts every bundled CSV with a one-line summary", () => {
    const dir = path.join(repoRoot, "data");
    const csvs = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".csv"));
    expect(csvs.length).toBeGreaterThan(0);
    const run = runMqk(["data", "validate", "--file", path.join(dir, csvs[0] ?? "")]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split("\n")).toHaveLength(1);
    expect(run.stdout).toMatch(/ok, \d+ bars/);
  });

  it("A5: names the first bad line, its field and why, with exit 1", () => {
    const file = path.join(work, "bad.csv");
    writeFileSync(
      file,
      "symbol,timestamp,open,high,low,close,volume\nAAPL,2024-01-02,100,101,99,100.5,1000\nAAPL,2024-01-03,100,99,98,100.5,1000\nAAPL,2024-01-04,NaN,101,99,100,1000\n",
    );
    const run = runMqk(["data", "validate", "--file", file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/bad\.csv: line 3, high: expected/);
  });
});

describe("mqk calendar", () => {
  it("E1: --json prints one object per trading day with UTC instants (Thanksgiving week 2024)", () => {
    const run = runMqk(["calendar", "--from", "2024-11-25", "--to", "2024-11-29", "--json"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([
      { date: "2024-11-25", open: "2024-11-25T14:30:00.000Z", close: "2024-11-25T21:00:00.000Z" },
      { date: "2024-11-26", open: "2024-11-26T14:30:00.000Z", close: "2024-11-26T21:00:00.000Z" },
      { date: "2024-11-27", open: "2024-11-27T14:30:00.000Z", close: "2024-11-27T21:00:00.000Z" },
      { date: "2024-11-29", open: "2024-11-29T14:30:00.000Z", close: "2024-11-29T18:00:00.000Z" },
    ]);
  });

  it("E1: the table form marks early closes; ranges across 2000–2040 work; bad dates exit 1", () => {
    const table = runMqk(["calendar", "--from", "2024-11-29", "--to", "2024-11-29"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/2024-11-29 .*early close/);
    const wide = runMqk(["calendar", "--from", "2000-01-01", "--to", "2040-12-31", "--json"]);
    expect(wide.code).toBe(0);
    const days = JSON.parse(wide.stdout) as { date: string }[];
    expect(days[0]?.date).toBe("2000-01-03");
    expect(days.some((d) => d.date === "2001-09-11")).toBe(false);
    expect(runMqk(["calendar", "--from", "1999-12-01", "--to", "2000-01-10"]).code).toBe(1);
    expect(runMqk(["calendar", "--from", "tomorrow", "--to", "2000-01-10"]).stderr).toMatch(/expected a date YYYY-MM-DD/);
    expect(runMqk(["calendar", "--from", "2024-01-01"]).code).toBe(2);
  });

  it("the table's columns line up with their header", () => {
    const [header = "", first = ""] = runMqk(["calendar", "--from", "2024-11-29", "--to", "2024-11-29"]).stdout.split("\n");
    expect(header.indexOf("open (UTC)")).toBe(first.indexOf("2024-11-29T14:30"));
    expect(header.indexOf("close (UTC)")).toBe(first.indexOf("2024-11-29T18:00"));
    expect(header.indexOf("note")).toBe(first.indexOf("early close"));
  });

  it("a reader that stops early (| head) ends the CLI quietly: exit 0, no stack trace", async () => {
    const child = spawnMqk(["calendar", "--from", "2000-01-01", "--to", "2040-12-31"]);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  });
});
