#!/usr/bin/env node
// Generates the bundled SYNTHETIC bar sets in data/ (see data/README.md).
//
//   node scripts/generate-data.mjs [--out DIR]      (default DIR: the repo's data/)
//
// Deterministic: a fixed seed, our own PRNG (sfc32 seeded by splitmix32) and
// only IEEE-exact arithmetic (+ − × ÷, Math.round, Math.sqrt — no log, exp or
// trig, whose last bits may differ between engines), so every run on every
// machine writes byte-identical files. A test in packages/md regenerates into
// a temp dir and compares bytes.
//
// Calendar: NYSE sessions 2024-01-02 … 2025-12-31. Full closures and 13:00 ET
// early closes are hard-coded from the API brief §5.4 (this script must not
// depend on the desk's calendar module; the md tests cross-check the two).
import { mkdirSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";

const SEED = 20240102;

export const closedDates = new Set([
  // 2024
  "2024-01-01",
  "2024-01-15",
  "2024-02-19",
  "2024-03-29",
  "2024-05-27",
  "2024-06-19",
  "2024-07-04",
  "2024-09-02",
  "2024-11-28",
  "2024-12-25",
  // 2025 (01-09: special closure, National Day of Mourning for President Carter)
  "2025-01-01",
  "2025-01-09",
  "2025-01-20",
  "2025-02-17",
  "2025-04-18",
  "2025-05-26",
  "2025-06-19",
  "2025-07-04",
  "2025-09-01",
  "2025-11-27",
  "2025-12-25",
]);

/** Sessions that close at 13:00 ET. */
export const earlyCloses = new Set(["2024-07-03", "2024-11-29", "2024-12-24", "2025-07-03", "2025-11-28", "2025-12-24"]);

/** Sessions also written as 1-minute bars: both sides of the March DST change, an early close and a normal day. */
export const intradayDates = ["2024-03-08", "2024-03-11", "2024-11-29", "2024-12-02"];

/** Synthetic stand-ins: real tickers so configs read naturally, made-up prices. */
const symbols = [
  { symbol: "AAPL", startCents: 18_500, dailyVol: 0.016, drift: 0.0004, volume: 55_000_000 },
  { symbol: "MSFT", startCents: 37_000, dailyVol: 0.014, drift: 0.0004, volume: 22_000_000 },
  { symbol: "NVDA", startCents: 4_800, dailyVol: 0.03, drift: 0.0012, volume: 350_000_000 },
  { symbol: "QQQ", startCents: 40_000, dailyVol: 0.012, drift: 0.0005, volume: 40_000_000 },
  { symbol: "SPY", startCents: 47_000, dailyVol: 0.009, drift: 0.0004, volume: 70_000_000 },
];

const FIRST_DATE = "2024-01-02";
const LAST_DATE = "2025-12-31";

// ---- PRNG ----------------------------------------------------------------------------------

function splitmix32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function sfc32(seed) {
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const next = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i += 1) next();
  return {
    /** Uniform in [0, 1). */
    uniform: () => next() / 4294967296,
    /** Approximately standard normal (Irwin–Hall, 12 uniforms): exact arithmetic only. */
    normal() {
      let sum = 0;
      for (let i = 0; i < 12; i += 1) sum += next() / 4294967296;
      return sum - 6;
    },
  };
}

function hashSeed(text) {
  let h = SEED >>> 0;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

// ---- calendar ------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
const pad = (n, w = 2) => String(n).padStart(w, "0");
const dateOf = (ms) => new Date(ms).toISOString().slice(0, 10);
const msOf = (date) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));

export function tradingDates() {
  const out = [];
  for (let t = msOf(FIRST_DATE); t <= msOf(LAST_DATE); t += DAY_MS) {
    const weekday = new Date(t).getUTCDay();
    const date = dateOf(t);
    if (weekday !== 0 && weekday !== 6 && !closedDates.has(date)) out.push(date);
  }
  return out;
}

/** The n-th (1-based) Sunday of a month, as a UTC-midnight ms. */
function nthSunday(year, monthIndex, n) {
  const first = Date.UTC(year, monthIndex, 1);
  const offset = (7 - new Date(first).getUTCDay()) % 7;
  return first + (offset + 7 * (n - 1)) * DAY_MS;
}

/** New York's UTC offset in hours on a date (US rule since 2007; sessions never touch 02:00). */
function newYorkOffsetHours(date) {
  const year = Number(date.slice(0, 4));
  const t = msOf(date);
  const dst = t >= nthSunday(year, 2, 2) && t < nthSunday(year, 10, 1);
  return dst ? -4 : -5;
}

// ---- bars ----------------------------------------------------------------------------------

const money = (cents) => `${Math.floor(cents / 100)}.${pad(cents % 100)}`;
const roundCents = (x) => Math.max(1, Math.round(x));

function dailyBar(rng, spec, prevClose, date) {
  const open = roundCents(prevClose * (1 + 0.004 * rng.normal()));
  const close = roundCents(open * (1 + spec.drift + spec.dailyVol * rng.normal()));
  const high = roundCents(Math.max(open, close) * (1 + Math.abs(0.5 * spec.dailyVol * rng.normal())));
  const low = roundCents(Math.min(open, close) * (1 - Math.abs(0.5 * spec.dailyVol * rng.normal())));
  const share = earlyCloses.has(date) ? 0.55 : 1;
  const volume = Math.round((spec.volume * share * (0.6 + 0.8 * rng.uniform())) / 100) * 100;
  return { open, high: Math.max(high, open, close), low: Math.min(low, open, close), close, volume };
}

/** One session of 1-minute bars from the open price; also returns its daily aggregate. */
function minuteSession(rng, spec, prevClose, date) {
  const minutes = earlyCloses.has(date) ? 210 : 390;
  const minuteVol = spec.dailyVol / Math.sqrt(390);
  const openUtcHour = 9 - newYorkOffsetHours(date); // 09:30 ET in UTC
  const startMs = msOf(date) + (openUtcHour * 60 + 30) * 60_000;
  const bars = [];
  let last = roundCents(prevClose * (1 + 0.004 * rng.normal()));
  for (let i = 0; i < minutes; i += 1) {
    const open = last;
    const close = roundCents(open * (1 + minuteVol * rng.normal()));
    const high = Math.max(open, close, roundCents(Math.max(open, close) * (1 + Math.abs(0.4 * minuteVol * rng.normal()))));
    const low = Math.min(open, close, roundCents(Math.min(open, close) * (1 - Math.abs(0.4 * minuteVol * rng.normal()))));
    // U-shaped intraday volume: heavier at the open and the close.
    const edge = Math.min(i, minutes - 1 - i);
    const weight = edge < 30 ? 2.2 - edge / 30 : 1;
    const volume = Math.round(((spec.volume / 390) * weight * (0.5 + rng.uniform())) / 10) * 10;
    const ts = new Date(startMs + i * 60_000).toISOString().replace(".000Z", "Z");
    bars.push({ ts, open, high, low, close, volume });
    last = close;
  }
  const first = bars[0];
  const daily = {
    open: first.open,
    high: Math.max(...bars.map((b) => b.high)),
    low: Math.min(...bars.map((b) => b.low)),
    close: last,
    volume: bars.reduce((sum, b) => sum + b.volume, 0),
  };
  return { bars, daily };
}

export function generate() {
  const dates = tradingDates();
  const daily = new Map(); // date → rows (symbol order)
  const minute = new Map(); // ts → rows (symbol order)
  for (const spec of symbols) {
    const rng = sfc32(hashSeed(spec.symbol));
    let prevClose = spec.startCents;
    for (const date of dates) {
      let bar;
      if (intradayDates.includes(date)) {
        const session = minuteSession(rng, spec, prevClose, date);
        for (const b of session.bars) {
          if (!minute.has(b.ts)) minute.set(b.ts, []);
          minute.get(b.ts).push(`${spec.symbol},${b.ts},${money(b.open)},${money(b.high)},${money(b.low)},${money(b.close)},${b.volume}`);
        }
        bar = session.daily;
      } else {
        bar = dailyBar(rng, spec, prevClose, date);
      }
      if (!daily.has(date)) daily.set(date, []);
      daily.get(date).push(`${spec.symbol},${date},${money(bar.open)},${money(bar.high)},${money(bar.low)},${money(bar.close)},${bar.volume}`);
      prevClose = bar.close;
    }
  }
  const header = "symbol,timestamp,open,high,low,close,volume";
  const body = (map) => [...map.keys()].sort().flatMap((key) => map.get(key));
  return {
    "daily/us-equities-1day.csv": `${[header, ...body(daily)].join("\n")}\n`,
    "intraday/us-equities-1min.csv": `${[header, ...body(minute)].join("\n")}\n`,
  };
}

function main() {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf("--out");
  const here = path.dirname(fileURLToPath(import.meta.url));
  const outDir = outIndex === -1 ? path.join(here, "..", "data") : path.resolve(args[outIndex + 1] ?? "");
  if (outIndex !== -1 && args[outIndex + 1] === undefined) {
    console.error("generate-data: expected a directory after --out");
    process.exit(2);
  }
  for (const [name, text] of Object.entries(generate())) {
    const file = path.join(outDir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    const sha = createHash("sha256").update(text).digest("hex");
    console.log(`${path.relative(process.cwd(), file)}  ${text.split("\n").length - 2} bars  ${Buffer.byteLength(text)} bytes  sha256 ${sha}`);
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
