import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { sha256Hex } from "@mqk/core";
import { formatCsvSummary, nyseCalendar, streamCsvBars, validateCsvFile, type Bar } from "@mqk/md";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const files = ["daily/us-equities-1day.csv", "intraday/us-equities-1min.csv"] as const;
const temp = mkdtempSync(path.join(tmpdir(), "mqk-data-"));

afterAll(() => {
  rmSync(temp, { recursive: true, force: true });
});

async function barsOf(file: string): Promise<Bar[]> {
  const bars: Bar[] = [];
  const result = await streamCsvBars(path.join(root, "data", file), { onBar: (bar) => void bars.push(bar) });
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return bars;
}

describe("bundled synthetic data", () => {
  it("data: re-running the generator reproduces the committed files byte for byte", () => {
    execFileSync(process.execPath, [path.join(root, "scripts/generate-data.mjs"), "--out", temp], { stdio: "pipe" });
    for (const file of files) {
      const committed = readFileSync(path.join(root, "data", file), "utf8");
      const regenerated = readFileSync(path.join(temp, file), "utf8");
      expect(sha256Hex(regenerated)).toBe(sha256Hex(committed));
    }
  });

  it("data: both files pass the same validation as `mqk data validate`", async () => {
    const daily = await validateCsvFile(path.join(root, "data", files[0]));
    expect(daily.ok && formatCsvSummary(daily.value)).toBe("2510 bars, 5 symbols (AAPL, MSFT, NVDA, QQQ, SPY), 2024-01-02 … 2025-12-31");
    const minute = await validateCsvFile(path.join(root, "data", files[1]));
    expect(minute.ok && minute.value).toMatchObject({ bars: 6900, timestampKind: "instant" });
  });

  it("data: daily bars fall exactly on NYSE sessions (holidays and the 2025-01-09 closure skipped)", async () => {
    const calendar = nyseCalendar();
    const expected = calendar.expectedBarTimestamps({ interval: "1day", fromMs: Date.UTC(2024, 0, 1), toMs: Date.UTC(2025, 11, 31) });
    const bars = await barsOf(files[0]);
    for (const symbol of ["AAPL", "MSFT", "NVDA", "QQQ", "SPY"]) {
      expect(bars.filter((b) => b.symbol === symbol).map((b) => b.tsMs)).toEqual(expected);
    }
    const dates = new Set(bars.map((b) => new Date(b.tsMs).toISOString().slice(0, 10)));
    for (const closed of ["2024-03-29", "2024-11-28", "2025-01-09", "2025-04-18", "2025-12-25"]) expect(dates.has(closed)).toBe(false);
  });

  it("data: 1-minute sessions match the calendar, including the 13:00 ET early close and both sides of DST", async () => {
    const calendar = nyseCalendar();
    const bars = await barsOf(files[1]);
    for (const date of ["2024-03-08", "2024-03-11", "2024-11-29", "2024-12-02"]) {
      const session = calendar.sessionFor(date);
      if (session === undefined) throw new Error(`no session on ${date}`);
      const expected = calendar.expectedBarTimestamps({ interval: "1min", fromMs: session.openMs, toMs: session.closeMs - 1 });
      const got = bars.filter((b) => b.symbol === "SPY" && b.tsMs >= session.openMs && b.tsMs < session.closeMs).map((b) => b.tsMs);
      expect(got).toEqual(expected);
    }
    const early = bars.filter((b) => b.symbol === "AAPL" && new Date(b.tsMs).toISOString().startsWith("2024-11-29"));
    expect(early).toHaveLength(210);
    expect(new Date(early[early.length - 1]?.tsMs ?? 0).toISOString()).toBe("2024-11-29T17:59:00.000Z");
    expect(bars.every((b) => b.interval === "1min")).toBe(true);
  });

  it("data: on intraday dates the daily bar aggregates the minute bars", async () => {
    const daily = await barsOf(files[0]);
    const minute = await barsOf(files[1]);
    const day = daily.find((b) => b.symbol === "MSFT" && b.tsMs === Date.UTC(2024, 10, 29));
    const minutes = minute.filter((b) => b.symbol === "MSFT" && new Date(b.tsMs).toISOString().startsWith("2024-11-29"));
    expect(day).toBeDefined();
    expect(day?.open).toBe(minutes[0]?.open);
    expect(day?.close).toBe(minutes[minutes.length - 1]?.close);
    expect(day?.high).toBe(minutes.reduce((m, b) => (b.high > m ? b.high : m), 0n));
    expect(day?.low).toBe(minutes.reduce((m, b) => (b.low < m ? b.low : m), minutes[0]?.low ?? 0n));
    expect(day?.volume).toBe(minutes.reduce((s, b) => s + b.volume, 0n));
  });

  it("data: the bundled set stays small (< 3 MB)", () => {
    const size = files.reduce((sum, file) => sum + readFileSync(path.join(root, "data", file)).length, 0);
    expect(size).toBeLessThan(3_000_000);
  });
});
