// Benchmark (prints figures; not a test): the embedded Postgres as `mqk db migrate`
// meets it — a fresh durable data dir on the ordinary disk, then a second run.
//   node --conditions=@mqk/source --import tsx packages/db/test/bench/migrate-bench.ts [parent-dir]
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate, openDatabase } from "@mqk/db";

const parent = process.argv[2] ?? tmpdir();
const root = await mkdtemp(join(parent, "mqk-bench-"));
await chmod(root, 0o755);
const dataDir = join(root, "pg");
const ms = (t0: number): string => `${(performance.now() - t0).toFixed(0)} ms`;

try {
  for (const round of ["fresh", "second"] as const) {
    const t0 = performance.now();
    const handle = await openDatabase({ kind: "embedded", dataDir });
    const opened = ms(t0);
    const t1 = performance.now();
    const result = await migrate(handle.pool);
    const migrated = ms(t1);
    const t2 = performance.now();
    await handle.close();
    const closed = ms(t2);
    console.log(
      `${round.padEnd(6)} open ${opened.padStart(7)} (${round === "fresh" ? "initdb+start+create db" : "start"}) · migrate ${migrated.padStart(6)} (${result.kind}, ${String(result.applied.length)} applied) · close ${closed.padStart(6)} · total ${ms(t0)}`,
    );
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
