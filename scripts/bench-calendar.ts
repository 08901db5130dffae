/**
 * Benchmark: 1,000,000 NYSE `isOpen` queries at random instants 2000–2040 (target: under 1 s).
 *
 *   pnpm bench:calendar
 *   (= node --conditions=@mqk/source --import tsx scripts/bench-calendar.ts [queries] [seed])
 *
 * Instants are drawn up front from a seeded PRNG so the timing covers only the queries.
 * The root has no workspace link to @mqk/md, so the package's public entry is imported by path.
 */
import { performance } from "node:perf_hooks";
import { NyseCalendar, type SessionKind } from "../packages/md/src/index.js";

const queries = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 20240101);
if (!Number.isSafeInteger(queries) || queries <= 0) throw new Error(`expected a positive integer query count, found ${String(process.argv[2])}`);

/** mulberry32: a small seeded PRNG, so runs are comparable. */
function prng(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const buildStart = performance.now();
const calendar = new NyseCalendar();
const buildMs = performance.now() - buildStart;

// The supported instants: New York midnight 2000-01-01 to New York midnight 2041-01-01.
const lo = Date.parse("2000-01-01T05:00:00Z");
const hi = Date.parse("2041-01-01T05:00:00Z");
const random = prng(seed);
const instants = new Float64Array(queries);
for (let i = 0; i < queries; i += 1) instants[i] = Math.floor(lo + random() * (hi - lo));

function run(session: SessionKind): { ms: number; open: number } {
  const options = { session };
  let open = 0;
  const start = performance.now();
  for (let i = 0; i < queries; i += 1) if (calendar.isOpen(instants[i] ?? lo, options)) open += 1;
  return { ms: performance.now() - start, open };
}

run("regular"); // warm-up: let the JIT settle before measuring
const results = (["regular", "extended"] as const).map((session) => ({ session, ...run(session) }));

console.log(`calendar bench: NYSE isOpen, ${queries.toLocaleString("en-US")} random instants 2000–2040 (seed ${String(seed)})`);
console.log(`  session table build: ${buildMs.toFixed(1)} ms (once per process)`);
for (const { session, ms, open } of results) {
  const perSecond = Math.round((queries / ms) * 1000);
  console.log(
    `  ${session.padEnd(8)}: ${ms.toFixed(1)} ms total, ${perSecond.toLocaleString("en-US")} queries/s, ${((open / queries) * 100).toFixed(2)}% open — ${ms < 1000 ? "under" : "OVER"} the 1 s target`,
  );
}
