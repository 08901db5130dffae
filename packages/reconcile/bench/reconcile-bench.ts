/**
 * Benchmark: reconcile of 10,000 positions and 10,000 open orders against a broker
 * snapshot of the same size (targets: the diff under 100 ms; the whole reconcile,
 * local read + digests + diff + persistence + audit, under 500 ms on the embedded Postgres).
 *
 *   pnpm bench:reconcile
 *   (= node --conditions=@mqk/source --import tsx packages/reconcile/bench/reconcile-bench.ts [positions] [orders] [rounds])
 *
 * Starts an embedded Postgres (durable, fsync on: as the desk runs it) in a temp dir,
 * migrates it, writes the local rows (positions, outbox + order_map + orders), and
 * reconciles a snapshot VALUE against them (reconcileSnapshot: the broker read is not
 * what is measured). Deletes the temp dir afterwards. Not a test: nothing asserts a time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { asBrokerOrderId, asTicker, FakeClock, type Micros, type Shares } from "@mqk/core";
import { migrate, openDatabase, type Database, type Kysely } from "@mqk/db";
import type { BrokerOrder, BrokerSnapshot } from "@mqk/execution";
import { diffReconcile, localStateDigest, readLocalState, reconcileSnapshot, snapshotDigest } from "@mqk/reconcile";

const positionsN = Number(process.argv[2] ?? 10_000);
const ordersN = Number(process.argv[3] ?? 10_000);
const rounds = Number(process.argv[4] ?? 10);
const ACCOUNT = "bench";
const T0 = Date.UTC(2026, 10, 25, 15, 0, 0);
const CASH = 10_000_000_000_000n;
const PRICE = 123_450_000n;

const symbolOf = (i: number): string => `S${i.toString(36).toUpperCase().padStart(4, "0")}`;
const clientIdOf = (i: number): string => `bench-c-${String(i).padStart(6, "0")}`;
const brokerIdOf = (i: number): string => `bench-b-${String(i).padStart(6, "0")}`;

async function insertChunked<T>(rows: readonly T[], size: number, write: (chunk: readonly T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await write(rows.slice(i, i + size));
}

async function seed(db: Kysely<Database>): Promise<void> {
  await db.insertInto("cash_ledger").values({ account: ACCOUNT, amount_micros: CASH, reason: "INITIAL", source_ref: "bench" }).execute();
  const positions = Array.from({ length: positionsN }, (_, i) => ({
    account: ACCOUNT,
    symbol: symbolOf(i),
    qty_shares: BigInt(1 + (i % 500)),
    avg_cost_micros: PRICE,
  }));
  await insertChunked(positions, 2_000, (chunk) =>
    db
      .insertInto("positions")
      .values([...chunk])
      .execute(),
  );
  const ids = Array.from({ length: ordersN }, (_, i) => i);
  await insertChunked(ids, 1_000, async (chunk) => {
    await db
      .insertInto("outbox")
      .values(
        chunk.map((i) => ({
          intent_id: `bench-i-${String(i)}`,
          client_order_id: clientIdOf(i),
          kind: "SUBMIT" as const,
          status: "ACKED" as const,
          account: ACCOUNT,
          symbol: symbolOf(i % Math.max(1, positionsN)),
          side: i % 2 === 0 ? ("buy" as const) : ("sell" as const),
          order_type: "limit" as const,
          time_in_force: "day" as const,
          qty_shares: 100n,
          limit_price_micros: PRICE,
        })),
      )
      .execute();
    await db
      .insertInto("order_map")
      .values(
        chunk.map((i) => ({
          intent_id: `bench-i-${String(i)}`,
          client_order_id: clientIdOf(i),
          broker_order_id: brokerIdOf(i),
          broker_order_id_at: new Date(T0),
        })),
      )
      .execute();
    await db
      .insertInto("orders")
      .values(
        chunk.map((i) => ({
          intent_id: `bench-i-${String(i)}`,
          client_order_id: clientIdOf(i),
          broker_order_id: brokerIdOf(i),
          account: ACCOUNT,
          symbol: symbolOf(i % Math.max(1, positionsN)),
          side: i % 2 === 0 ? ("buy" as const) : ("sell" as const),
          order_type: "limit" as const,
          time_in_force: "day" as const,
          state: "new" as const,
          qty_shares: 100n,
          limit_price_micros: PRICE,
        })),
      )
      .execute();
  });
}

function snapshotAt(brokerTimeNs: bigint, dirtyEvery = 0): BrokerSnapshot {
  const openOrders: BrokerOrder[] = Array.from({ length: ordersN }, (_, i) => ({
    brokerOrderId: asBrokerOrderId(brokerIdOf(i)),
    clientOrderId: clientIdOf(i),
    symbol: asTicker(symbolOf(i % Math.max(1, positionsN))),
    side: i % 2 === 0 ? "buy" : "sell",
    type: "limit",
    timeInForce: "day",
    status: dirtyEvery > 0 && i % dirtyEvery === 0 ? "partially_filled" : "new",
    qtyShares: 100n as Shares,
    filledQtyShares: 0n as Shares,
    filledAvgPriceMicros: null,
    limitPriceMicros: PRICE as Micros,
    stopPriceMicros: null,
    replacesBrokerOrderId: null,
    replacedByBrokerOrderId: null,
    updatedAtNs: BigInt(T0) * 1_000_000n,
  }));
  return {
    broker: "sim",
    account: ACCOUNT,
    brokerTimeNs,
    cashMicros: CASH as Micros,
    positions: Array.from({ length: positionsN }, (_, i) => ({
      symbol: asTicker(symbolOf(i)),
      qtyShares: BigInt(1 + (i % 500)) + (dirtyEvery > 0 && i % dirtyEvery === 0 ? 1n : 0n),
      avgEntryPriceMicros: PRICE as Micros,
    })),
    openOrders,
  };
}

function stats(samples: readonly number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return `median ${at(0.5).toFixed(1)} ms, min ${(sorted[0] ?? Number.NaN).toFixed(1)} ms, max ${(sorted.at(-1) ?? Number.NaN).toFixed(1)} ms (n=${String(sorted.length)})`;
}

async function timed<T>(work: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

async function main(): Promise<void> {
  console.log(`reconcile bench: ${String(positionsN)} positions, ${String(ordersN)} open orders, ${String(rounds)} rounds`);
  console.log(
    `machine: ${String(cpus().length)} cpu(s) ${cpus()[0]?.model ?? "?"}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}, node ${process.version}`,
  );
  const dataDir = mkdtempSync(path.join(tmpdir(), "mqk-reconcile-bench-"));
  const started = await timed(() => openDatabase({ kind: "embedded", dataDir }, { max: 4 }));
  const handle = started.value;
  try {
    const migrated = await timed(() => migrate(handle.pool));
    if (!migrated.value.ok) throw new Error(`migration refused: ${migrated.value.kind}: ${migrated.value.message}`);
    console.log(`embedded Postgres (durable, fsync on) started in ${started.ms.toFixed(0)} ms, migrated in ${migrated.ms.toFixed(0)} ms`);
    const seeded = await timed(() => seed(handle.db));
    console.log(`seeded ${String(positionsN)} positions and ${String(ordersN)} orders in ${seeded.ms.toFixed(0)} ms`);

    const clock = new FakeClock(T0);
    const local = await readLocalState(handle.db, ACCOUNT);
    const clean = snapshotAt(BigInt(T0) * 1_000_000n);
    const dirty = snapshotAt(BigInt(T0) * 1_000_000n, 10);
    const cashToleranceMicros = 1_000_000n;

    const readMs: number[] = [];
    const digestMs: number[] = [];
    const diffCleanMs: number[] = [];
    const diffDirtyMs: number[] = [];
    for (let r = 0; r < rounds + 2; r++) {
      const read = await timed(() => readLocalState(handle.db, ACCOUNT));
      const digests = await timed(() => [snapshotDigest(clean), localStateDigest(read.value)]);
      const a = await timed(() => diffReconcile(clean, local, { cashToleranceMicros }));
      const b = await timed(() => diffReconcile(dirty, local, { cashToleranceMicros }));
      if (a.value.result !== "CLEAN") throw new Error(`expected CLEAN, found ${String(a.value.entries.length)} entries`);
      if (r < 2) continue; // warm-up
      readMs.push(read.ms);
      digestMs.push(digests.ms);
      diffCleanMs.push(a.ms);
      diffDirtyMs.push(b.ms);
    }
    const dirtyEntries = diffReconcile(dirty, local, { cashToleranceMicros }).entries.length;
    console.log(`diff (pure, CLEAN):              ${stats(diffCleanMs)}   target < 100 ms`);
    console.log(`diff (pure, DIRTY, ${String(dirtyEntries)} entries): ${stats(diffDirtyMs)}`);
    console.log(`  local state read (REPEATABLE READ): ${stats(readMs)}`);
    console.log(`  both digests (sha256 of canonical tuple JSON): ${stats(digestMs)}`);

    const wholeMs: number[] = [];
    for (let r = 0; r < rounds + 2; r++) {
      clock.advance(1_000);
      const snapshot = { ...clean, brokerTimeNs: BigInt(clock.nowMs()) * 1_000_000n };
      const run = await timed(() => reconcileSnapshot({ db: handle.db, snapshot, clock, mode: "PAPER", cashTolerance: cashToleranceMicros as Micros }));
      if (run.value.result !== "CLEAN") throw new Error(`expected a CLEAN record, found ${run.value.result}`);
      if (r >= 2) wholeMs.push(run.ms);
    }
    console.log(`whole reconcile (read + digests + diff + record + audit, CLEAN): ${stats(wholeMs)}   target < 500 ms`);
    clock.advance(1_000);
    const dirtyRun = await timed(() =>
      reconcileSnapshot({
        db: handle.db,
        snapshot: { ...dirty, brokerTimeNs: BigInt(clock.nowMs()) * 1_000_000n },
        clock,
        mode: "PAPER",
        cashTolerance: cashToleranceMicros as Micros,
      }),
    );
    console.log(`whole reconcile, DIRTY with ${String(dirtyRun.value.entries.length)} entries (+ disarm): ${dirtyRun.ms.toFixed(1)} ms (one run)`);
  } finally {
    await handle.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
