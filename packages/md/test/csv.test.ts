import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { asTicker, FakeClock } from "@mqk/core";
import {
  createProviderRegistry,
  csvHeader,
  formatCsvLineError,
  formatCsvSummary,
  replayCsvFile,
  streamCsvBars,
  validateCsvFile,
  type Bar,
  type CsvLineError,
} from "@mqk/md";
import { ms, secretsOf, virtualTime } from "./support/harness.js";

const dir = mkdtempSync(path.join(tmpdir(), "mqk-csv-"));
let n = 0;

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(lines: readonly string[], name?: string): string {
  n += 1;
  const target = path.join(dir, name ?? `f${String(n)}.csv`);
  writeFileSync(target, lines.join("\n"));
  return target;
}

const good = [
  csvHeader,
  "AAPL,2024-01-02,187.15,188.44,183.89,185.64,82488700",
  "MSFT,2024-01-02,373.86,375.90,366.77,370.87,25258600",
  "AAPL,2024-01-03,184.22,185.88,183.43,184.25,58414500",
  "MSFT,2024-01-03,369.01,373.26,368.51,370.60,23083500",
];

async function firstError(lines: readonly string[]): Promise<CsvLineError> {
  const result = await validateCsvFile(file(lines));
  if (result.ok) throw new Error("expected the file to be refused");
  return result.error;
}

describe("CSV files", () => {
  it("CSV good file: a one-line summary of bars, symbols and span", async () => {
    const result = await validateCsvFile(file([...good, ""]));
    expect(result.ok && result.value).toMatchObject({
      bars: 4,
      symbols: ["AAPL", "MSFT"],
      firstTsMs: ms("2024-01-02T00:00:00Z"),
      lastTsMs: ms("2024-01-03T00:00:00Z"),
      timestampKind: "date",
    });
    expect(result.ok && formatCsvSummary(result.value)).toBe("4 bars, 2 symbols (AAPL, MSFT), 2024-01-02 … 2024-01-03");
  });

  it("CSV good file: instants with offsets, CRLF line ends, a BOM and no final newline are read", async () => {
    const lines = [
      "\ufeff" + csvHeader,
      "SPY,2024-11-29T09:30:00-05:00,600.10,600.50,599.90,600.20,1000",
      "SPY,2024-11-29T14:31:00Z,600.20,600.30,600.00,600.05,900",
      "SPY,2024-11-29T14:32:00.000+00:00,600.05,600.05,599.95,600.00,0",
    ];
    const target = file([lines.join("\r\n")], "spy-1min.csv");
    const bars: Bar[] = [];
    const result = await streamCsvBars(target, { onBar: (bar) => void bars.push(bar) });
    expect(result.ok).toBe(true);
    expect(bars.map((b) => new Date(b.tsMs).toISOString())).toEqual(["2024-11-29T14:30:00.000Z", "2024-11-29T14:31:00.000Z", "2024-11-29T14:32:00.000Z"]);
    expect(bars[0]).toMatchObject({ symbol: "SPY", interval: "1min", open: 600_100_000n, volume: 1000n });
  });

  const bad: readonly { name: string; lines: readonly string[]; line: number; field: string; code: string }[] = [
    { name: "a wrong header", lines: ["symbol,date,open,high,low,close,volume", good[1] ?? ""], line: 1, field: "header", code: "bad_header" },
    { name: "an empty file", lines: [""], line: 1, field: "header", code: "bad_header" },
    { name: "a header and no bars", lines: [csvHeader, ""], line: 2, field: "row", code: "no_bars" },
    { name: "too few fields", lines: [...good, "AAPL,2024-01-04,184.22,185.88,183.43,184.25"], line: 6, field: "row", code: "field_count" },
    { name: "too many fields", lines: [...good, "AAPL,2024-01-04,1,1,1,1,1,1"], line: 6, field: "row", code: "field_count" },
    { name: "quoted fields", lines: [...good, '"AAPL",2024-01-04,1,1,1,1,1'], line: 6, field: "row", code: "quoted" },
    { name: "a blank line between bars", lines: [good[0] ?? "", good[1] ?? "", "", good[3] ?? ""], line: 3, field: "row", code: "blank_line" },
    { name: "a lower-case symbol", lines: [...good, "aapl,2024-01-04,1,1,1,1,1"], line: 6, field: "symbol", code: "bad_symbol" },
    { name: "an impossible date", lines: [...good, "AAPL,2024-02-30,1,1,1,1,1"], line: 6, field: "timestamp", code: "bad_timestamp" },
    { name: "an instant without an offset", lines: [csvHeader, "AAPL,2024-01-02T14:30:00,1,1,1,1,1"], line: 2, field: "timestamp", code: "bad_timestamp" },
    { name: "dates mixed with instants", lines: [...good, "AAPL,2024-01-04T14:30:00Z,1,1,1,1,1"], line: 6, field: "timestamp", code: "mixed_timestamps" },
    { name: "a NaN price", lines: [...good, "AAPL,2024-01-04,184.22,NaN,183.43,184.25,100"], line: 6, field: "high", code: "not_a_number" },
    { name: "an infinite price", lines: [...good, "AAPL,2024-01-04,184.22,185.88,183.43,Infinity,100"], line: 6, field: "close", code: "not_finite" },
    { name: "a negative price", lines: [...good, "AAPL,2024-01-04,184.22,185.88,-183.43,184.25,100"], line: 6, field: "low", code: "not_positive" },
    { name: "a zero price", lines: [...good, "AAPL,2024-01-04,0,185.88,0,184.25,100"], line: 6, field: "open", code: "not_positive" },
    { name: "an empty price", lines: [...good, "AAPL,2024-01-04,,185.88,183.43,184.25,100"], line: 6, field: "open", code: "missing" },
    { name: "a malformed price", lines: [...good, "AAPL,2024-01-04,184.22,18x.5,183.43,184.25,100"], line: 6, field: "high", code: "malformed" },
    { name: "high below close", lines: [...good, "AAPL,2024-01-04,184.22,184.00,183.43,184.25,100"], line: 6, field: "high", code: "high_below_open_or_close" },
    { name: "high below low", lines: [...good, "AAPL,2024-01-04,184.22,183.00,185.00,184.25,100"], line: 6, field: "high", code: "high_below_open_or_close" },
    { name: "low above open", lines: [...good, "AAPL,2024-01-04,184.22,185.88,184.23,184.25,100"], line: 6, field: "low", code: "low_above_open_or_close" },
    { name: "a negative volume", lines: [...good, "AAPL,2024-01-04,184.22,185.88,183.43,184.25,-1"], line: 6, field: "volume", code: "negative" },
    { name: "a fractional volume", lines: [...good, "AAPL,2024-01-04,184.22,185.88,183.43,184.25,10.5"], line: 6, field: "volume", code: "not_whole" },
    { name: "a duplicate bar", lines: [...good, "MSFT,2024-01-03,369.01,373.26,368.51,370.60,1"], line: 6, field: "timestamp", code: "duplicate_timestamp" },
    {
      name: "a bar out of order",
      lines: [...good, "AAPL,2024-01-01,184.22,185.88,183.43,184.25,1"],
      line: 6,
      field: "timestamp",
      code: "timestamp_not_increasing",
    },
  ];

  for (const testCase of bad) {
    it(`CSV bad line: ${testCase.name} is reported with line ${String(testCase.line)}, field ${testCase.field}`, async () => {
      const error = await firstError(testCase.lines);
      expect({ line: error.line, field: error.field, code: error.code }).toEqual({ line: testCase.line, field: testCase.field, code: testCase.code });
      expect(error.reason.length).toBeGreaterThan(5);
      expect(formatCsvLineError(error)).toMatch(new RegExp(`^line ${String(testCase.line)}, ${testCase.field}: expected .+, found .+$`));
    });
  }

  it("CSV bad line: the one-line message names line, field, what was expected and what was found", async () => {
    const error = await firstError([...good, "AAPL,2024-01-04,184.22,184.00,183.43,184.25,100"]);
    expect(formatCsvLineError(error, "bars.csv")).toBe('bars.csv: line 6, high: expected high ≥ max(open, close) = 184.25, found "184.00"');
  });

  it("CSV: a file that cannot be read is reported as such (line 0), not thrown", async () => {
    const result = await validateCsvFile(path.join(dir, "missing.csv"));
    expect(!result.ok && result.error).toMatchObject({ line: 0, field: "file", found: "ENOENT" });
    expect(!result.ok && formatCsvLineError(result.error)).toBe("file: expected a readable CSV file, found ENOENT");
  });

  it("CSV: streaming stops at the first bad line; no bar after it is emitted", async () => {
    const bars: Bar[] = [];
    const result = await streamCsvBars(file([...good, "AAPL,2024-01-04,1,0.5,1,1,1", "AAPL,2024-01-05,1,1,1,1,1"]), { onBar: (bar) => void bars.push(bar) });
    expect(!result.ok && result.error.line).toBe(6);
    expect(bars).toHaveLength(4);
  });

  it("CSV: a line past a 2 MiB chunk boundary is read whole", async () => {
    const lines = [csvHeader];
    for (let i = 0; i < 90_000; i += 1)
      lines.push(
        `SPY,${new Date(ms("2024-01-02T14:30:00Z") + i * 60_000).toISOString()},100.${String(i % 100).padStart(2, "0")},101.00,99.00,100.50,${String(i)}`,
      );
    const result = await validateCsvFile(file(lines, "long-1min.csv"));
    expect(result.ok && result.value.bars).toBe(90_000);
  });
});

describe("CSV provider and replay", () => {
  function csvDir(): string {
    const target = mkdtempSync(path.join(dir, "provider-"));
    writeFileSync(path.join(target, "daily.csv"), `${good.join("\n")}\n`);
    writeFileSync(
      path.join(target, "minutes-1min.csv"),
      `${[csvHeader, "AAPL,2024-01-02T14:30:00Z,187.15,187.20,187.10,187.18,100", "AAPL,2024-01-02T14:31:00Z,187.18,187.30,187.10,187.25,200"].join("\n")}\n`,
    );
    return target;
  }

  it("CSV provider: serves each series from the files in csvDir, filtered by range, oldest first", async () => {
    const { clock } = virtualTime(ms("2024-01-05T00:00:00Z"));
    const provider = createProviderRegistry().create({ provider: "csv", csvDir: csvDir() }, secretsOf({}), { clock });
    const daily = await provider.historicalBars({
      symbol: asTicker("AAPL"),
      interval: "1day",
      startMs: ms("2024-01-01T00:00:00Z"),
      endMs: ms("2024-01-03T00:00:00Z"),
    });
    expect(daily.ok && daily.value.map((b) => b.close)).toEqual([185_640_000n]);
    const minutes = await provider.historicalBars({ symbol: asTicker("AAPL"), interval: "1min", startMs: 0, endMs: ms("2030-01-01T00:00:00Z") });
    expect(minutes.ok && minutes.value).toHaveLength(2);
    const latest = await provider.latestClosedBar(asTicker("MSFT"), "1day");
    expect(latest.ok && latest.value.close).toBe(370_600_000n);
    const unknown = await provider.latestClosedBar(asTicker("TSLA"), "1day");
    expect(!unknown.ok && unknown.error.kind).toBe("unknown_symbol");
  });

  it("CSV provider: a bad line in a file fails the request, naming file, line and field", async () => {
    const target = csvDir();
    writeFileSync(path.join(target, "daily.csv"), `${[...good, "AAPL,2024-01-04,1,0.5,1,1,1"].join("\n")}\n`);
    const { clock } = virtualTime(ms("2024-01-05T00:00:00Z"));
    const provider = createProviderRegistry().create({ provider: "csv", csvDir: target }, secretsOf({}), { clock });
    const result = await provider.historicalBars({ symbol: asTicker("MSFT"), interval: "1day", startMs: 0, endMs: ms("2030-01-01T00:00:00Z") });
    expect(!result.ok && result.error.kind).toBe("bad_file");
    expect(!result.ok && result.error.message).toMatch(/daily\.csv: line 6, high: expected/);
  });

  it("replay: bars are emitted at the chosen speed on an injected clock, or at once with 'max'", async () => {
    const target = file(
      [
        csvHeader,
        "SPY,2024-11-29T14:30:00Z,1,1,1,1,1",
        "QQQ,2024-11-29T14:30:00Z,1,1,1,1,1",
        "SPY,2024-11-29T14:31:00Z,1,1,1,1,1",
        "SPY,2024-11-29T14:35:00Z,1,1,1,1,1",
      ],
      "replay-1min.csv",
    );
    const { clock, sleep, slept } = virtualTime(ms("2030-01-01T00:00:00Z"));
    const seen: string[] = [];
    const result = await replayCsvFile(target, {
      speed: 60,
      clock,
      sleep,
      onBar: (bar) => void seen.push(`${bar.symbol}@${String(clock.nowMs() - ms("2030-01-01T00:00:00Z"))}`),
    });
    expect(result.ok).toBe(true);
    // One bar-minute per wall-second at speed 60; the two 14:30 bars come together.
    expect(seen).toEqual(["SPY@0", "QQQ@0", "SPY@1000", "SPY@5000"]);
    expect(slept).toEqual([1000, 4000]);
    const fast = virtualTime(0);
    const all: string[] = [];
    await replayCsvFile(target, { speed: "max", clock: fast.clock, sleep: fast.sleep, onBar: (bar) => void all.push(bar.symbol) });
    expect(all).toHaveLength(4);
    expect(fast.slept).toEqual([]);
  });

  it("replay: a file that is bad anywhere is refused before the first bar is emitted", async () => {
    const target = file([csvHeader, "SPY,2024-11-29T14:30:00Z,1,1,1,1,1", "SPY,2024-11-29T14:31:00Z,1,1,1,1,-1"], "bad-1min.csv");
    const seen: Bar[] = [];
    const result = await replayCsvFile(target, { speed: "max", clock: new FakeClock(0), onBar: (bar) => void seen.push(bar) });
    expect(!result.ok && result.error).toMatchObject({ line: 3, field: "volume" });
    expect(seen).toEqual([]);
  });

  it("replay: bars out of time order across symbols stop the replay; speed must be positive", async () => {
    const target = file([csvHeader, "SPY,2024-11-29T14:31:00Z,1,1,1,1,1", "QQQ,2024-11-29T14:30:00Z,1,1,1,1,1"], "unsorted-1min.csv");
    await expect(replayCsvFile(target, { speed: "max", clock: new FakeClock(0), onBar: () => undefined })).rejects.toThrow(/expected bars in time order/);
    await expect(replayCsvFile(target, { speed: 0, clock: new FakeClock(0), onBar: () => undefined })).rejects.toThrow(/speed > 0/);
  });
});
