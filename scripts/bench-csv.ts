/**
 * Benchmark: CSV bars → validated bars (targets: > 1,000,000 bars/s; memory flat
 * while streaming 10,000,000 bars).
 *
 *   pnpm bench:csv
 *   (= node --conditions=@mqk/source --import tsx scripts/bench-csv.ts [bars] [streamBars])
 *
 * Writes synthetic minute bars (20 symbols, a seeded random walk in cents, rows
 * sorted by time then symbol — the bundled data's layout) into a temp dir,
 * deletes them afterwards, and prints figures. Each phase runs in its own child
 * process so its peak RSS is its own. Not a test: nothing here asserts a time.
 *
 * Phases: (1) 1M bars validated (values only, as `mqk data validate`) and
 * streamed as Bar objects; (2) the same with a never-seen volume on every bar,
 * the worst case for the CSV reader's decimal cache (every volume goes through
 * core's toShares); (3) 10M bars streamed with RSS sampled every 1M.
 * The root has no workspace link to @mqk/*, so the public entries are imported by path.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { once } from "node:events";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { toMicros } from "../packages/core/src/index.js";
import { streamCsvBars, validateCsvFile } from "../packages/md/src/index.js";

const symbols = [
  "AAPL",
  "AMD",
  "AMZN",
  "AVGO",
  "BAC",
  "COST",
  "CRM",
  "DIS",
  "GOOG",
  "INTC",
  "JPM",
  "KO",
  "META",
  "MSFT",
  "NFLX",
  "NVDA",
  "PEP",
  "QQQ",
  "SPY",
  "TSLA",
];

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const money = (cents: number): string => `${String(Math.floor(cents / 100))}.${String(cents % 100).padStart(2, "0")}`;

/** `distinctVolumes`: every bar gets a volume never seen before (the decimal cache cannot help). */
async function writeBars(file: string, count: number, distinctVolumes = false): Promise<void> {
  const out = createWriteStream(file);
  const random = prng(42);
  const prices = symbols.map((_, i) => 5_000 + i * 1_700);
  let ts = Date.UTC(2020, 0, 2, 14, 30);
  let chunk = "symbol,timestamp,open,high,low,close,volume\n";
  for (let n = 0; n < count; n += 1) {
    const s = n % symbols.length;
    if (s === 0 && n > 0) ts += 60_000;
    const open = prices[s] ?? 10_000;
    const close = Math.max(100, open + Math.round((random() - 0.5) * 40));
    const high = Math.max(open, close) + Math.floor(random() * 15);
    const low = Math.max(1, Math.min(open, close) - Math.floor(random() * 15));
    prices[s] = close;
    chunk += `${symbols[s] ?? "SPY"},${new Date(ts).toISOString().replace(".000Z", "Z")},${money(open)},${money(high)},${money(low)},${money(close)},${String(distinctVolumes ? 1_000_000 + n : 100 + Math.floor(random() * 50_000))}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.end(chunk);
  await once(out, "finish");
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const peakRss = (): number => process.resourceUsage().maxRSS * 1024;
const rate = (bars: number, ms: number): string => `${Math.round(bars / (ms / 1000)).toLocaleString("en-US")} bars/s`;

/** Child: parse + validate a file, values only (what `mqk data validate` does), then as Bar objects. */
async function throughputPhase(file: string, bars: number): Promise<void> {
  // Warm-up pass on the same file (JIT), then the measured passes.
  await validateCsvFile(file);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const checked = await validateCsvFile(file);
  const t1 = performance.now();
  const cpu1 = process.cpuUsage(cpu0);
  if (!checked.ok || checked.value.bars !== bars) throw new Error(`bench: validation failed: ${JSON.stringify(checked)}`);
  let seen = 0;
  const cpu2 = process.cpuUsage();
  const t2 = performance.now();
  const streamed = await streamCsvBars(file, { interval: "1min", onBar: () => void (seen += 1) });
  const t3 = performance.now();
  const cpu3 = process.cpuUsage(cpu2);
  if (!streamed.ok || seen !== bars) throw new Error("bench: streaming failed");
  const cpuMs = (usage: NodeJS.CpuUsage): number => (usage.user + usage.system) / 1000;
  console.log(
    `validate (parse + validate, values only): ${bars.toLocaleString("en-US")} bars in ${(t1 - t0).toFixed(0)} ms wall = ${rate(bars, t1 - t0)}; CPU ${cpuMs(cpu1).toFixed(0)} ms = ${rate(bars, cpuMs(cpu1))} per CPU-second`,
  );
  console.log(
    `stream   (parse + validate + Bar objects): ${bars.toLocaleString("en-US")} bars in ${(t3 - t2).toFixed(0)} ms wall = ${rate(bars, t3 - t2)}; CPU ${cpuMs(cpu3).toFixed(0)} ms = ${rate(bars, cpuMs(cpu3))} per CPU-second`,
  );
  // For scale: core's toMicros on fresh strings (the cache only ever returns what toMicros gave).
  const inputs = Array.from({ length: 100_000 }, (_, i) => money(10_000 + i));
  const t4 = performance.now();
  for (let r = 0; r < 10; r += 1) for (const text of inputs) toMicros(text, { sign: "positive" });
  const t5 = performance.now();
  console.log(`core toMicros, uncached distinct prices: ${Math.round(1_000_000 / ((t5 - t4) / 1000)).toLocaleString("en-US")} calls/s (4 per bar)`);
  console.log(`peak RSS (throughput phase): ${mib(peakRss())}`);
}

/** Child: the worst case for the decimal cache — a volume never seen before on every bar. */
async function distinctPhase(file: string, bars: number): Promise<void> {
  await validateCsvFile(file);
  const t0 = performance.now();
  const checked = await validateCsvFile(file);
  const t1 = performance.now();
  if (!checked.ok || checked.value.bars !== bars) throw new Error("bench: validation failed");
  console.log(
    `validate, every volume distinct (toShares on every bar): ${bars.toLocaleString("en-US")} bars in ${(t1 - t0).toFixed(0)} ms wall = ${rate(bars, t1 - t0)}`,
  );
}

/** Child: stream a large file, sampling RSS as it goes. */
async function streamPhase(file: string, bars: number): Promise<void> {
  const samples: string[] = [];
  const every = Math.max(1, Math.floor(bars / 10));
  let seen = 0;
  const t0 = performance.now();
  const result = await streamCsvBars(file, {
    interval: "1min",
    onBar: () => {
      seen += 1;
      if (seen % every === 0) samples.push(`${(seen / 1_000_000).toFixed(0)}M: ${mib(process.memoryUsage().rss)}`);
    },
  });
  const t1 = performance.now();
  if (!result.ok || seen !== bars) throw new Error(`bench: streaming failed: ${JSON.stringify(result.ok ? seen : result.error)}`);
  console.log(`stream ${bars.toLocaleString("en-US")} bars (${mib(statSync(file).size)} file) in ${((t1 - t0) / 1000).toFixed(1)} s = ${rate(bars, t1 - t0)}`);
  console.log(`RSS while streaming: ${samples.join(", ")}`);
  console.log(`peak RSS (stream phase): ${mib(peakRss())}`);
}

async function main(): Promise<void> {
  const [phase, file, countText] = process.argv.slice(2);
  if (phase === "--throughput" && file !== undefined) return throughputPhase(file, Number(countText));
  if (phase === "--stream" && file !== undefined) return streamPhase(file, Number(countText));
  if (phase === "--distinct" && file !== undefined) return distinctPhase(file, Number(countText));

  const bars = Number(process.argv[2] ?? 1_000_000);
  const streamBars = Number(process.argv[3] ?? 10_000_000);
  const dir = mkdtempSync(path.join(tmpdir(), "mqk-bench-csv-"));
  const self = fileURLToPath(import.meta.url);
  const child = (args: string[]): void => {
    const run = spawnSync(process.execPath, [...process.execArgv, self, ...args], { stdio: "inherit" });
    if (run.status !== 0) throw new Error(`bench phase ${args[0] ?? ""} failed with status ${String(run.status)}`);
  };
  try {
    console.log(
      `node ${process.version}, ${String(bars)} bars for throughput, ${String(streamBars)} bars streamed; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")} on ${String(cpus().length)} CPUs`,
    );
    const small = path.join(dir, "bench-1min.csv");
    await writeBars(small, bars);
    console.log(`wrote ${mib(statSync(small).size)} for the throughput phase`);
    child(["--throughput", small, String(bars)]);
    rmSync(small);
    const distinct = path.join(dir, "bench-distinct-1min.csv");
    await writeBars(distinct, bars, true);
    child(["--distinct", distinct, String(bars)]);
    rmSync(distinct);
    const large = path.join(dir, "bench-large-1min.csv");
    await writeBars(large, streamBars);
    console.log(`wrote ${mib(statSync(large).size)} for the stream phase`);
    child(["--stream", large, String(streamBars)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
