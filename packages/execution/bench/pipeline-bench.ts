/**
 * Benchmark: the order pipeline on the embedded Postgres with the sim broker
 * (targets: sustained orders/s at least 0.6 of the database's commit floor per
 * order; p99 intent→broker call under 10 ms at 200 orders/s). Not a test:
 * nothing here asserts a time; it prints figures.
 *
 *   pnpm bench:pipeline [--quick] [--orders N] [--runs K] [--rate R] [--seconds S] [--dispatchers D]
 *                       [--batch B] [--interval MS] [--producers P] [--pool N] [--lanes L] [--trace-statements]
 *   (= node --conditions=@mqk/source --import tsx packages/execution/bench/pipeline-bench.ts …)
 *
 * The real path, end to end: risk's approve and the gateway's enqueue in one
 * transaction (the real risk engine, generous limits), then a wake for the
 * dispatchers, as the runtime does after its commit; dispatchers started with
 * `start()` (they claim with their gates read from the database: a genuine
 * reconcile record, armed, deadman beaten); the sim broker through the public
 * factory; startBrokerIngest applying the sim's `new` and `fill` events to the
 * inbox, one transaction each.
 *
 * intent→broker call: from the moment the enqueue transaction's COMMIT returned
 * to the moment the sim's submit() was entered (the bench wraps the session's
 * sim adapter, reached through this package's internal accessor — the bench
 * lives inside the package). The outbox's own stamps (sent_at − created_at, ms,
 * created_at being the enqueue transaction's START) are printed as a cross-check.
 *
 * The floor: single-row INSERT commits, one after another, on one connection of
 * the same pool (same server, same durable settings: fsync on). This disk's
 * fsync time wanders, so the floor is sampled before and after the sustained
 * runs and its median is used; the ratio is also given against the worst and
 * best sample.
 */
import { readdirSync, readFileSync, chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { asStrategyId, asTicker, systemClock, toMicros, type Shares } from "@mqk/core";
import { migrate, openDatabase, sql, type DeskDatabase } from "@mqk/db";
import { createDispatcher, enqueueApprovedOrder, setSimPrice, startBrokerIngest, type BrokerSession, type Dispatcher } from "@mqk/execution";
import { emptyPortfolio } from "@mqk/portfolio";
import { createRiskEngine, RiskStateStore, type OrderRequest, type RiskEngine, type RiskSnapshot } from "@mqk/risk";
import { adapterOf } from "../src/internal/broker-session.js";
import { openGates, openSim } from "../test/dispatch-harness.js";

// ---------------------------------------------------------------- options

function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

function numberOption(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`expected --${name} to be followed by a positive number, found ${String(process.argv[at + 1])}`);
  return value;
}

const quick = flag("quick");
const settings = {
  sustainedOrders: Math.round(numberOption("orders", quick ? 400 : 5_000)),
  runs: Math.round(numberOption("runs", quick ? 1 : 3)),
  pacedRate: numberOption("rate", 200),
  pacedSeconds: numberOption("seconds", quick ? 2 : 10),
  floorSeconds: quick ? 0.5 : 2,
  floorSamples: quick ? 1 : 3,
  dispatchers: Math.round(numberOption("dispatchers", 1)),
  batchSize: Math.round(numberOption("batch", 16)),
  intervalMs: Math.round(numberOption("interval", 50)),
  producers: Math.round(numberOption("producers", 3)),
  poolMax: Math.round(numberOption("pool", 10)),
  ingestLanes: Math.round(numberOption("lanes", 4)),
  traceStatements: flag("trace-statements"),
};

const ACCOUNT = "bench-sim";
/** Orders spread over a few symbols, as a desk trades them (each symbol's fills serialise on its position row). */
const SYMBOLS = ["AAPL", "MSFT", "AMZN", "NVDA", "GOOG", "META", "JPM", "XOM"].map((t) => asTicker(t));
const STRAT = asStrategyId("bench");
const PRICE = toMicros("100");

// ---------------------------------------------------------------- helpers

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

function summary(values: readonly number[]): { p50: number; p99: number; max: number; mean: number; n: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? Number.NaN, mean, n: sorted.length };
}

const median = (values: readonly number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
const progress = (what: string): void => void process.stderr.write(`  … ${what}\n`);
const ms = (v: number): string => `${v.toFixed(2)} ms`;
const rate = (v: number): string => `${v.toFixed(0)}/s`;

/**
 * CPU seconds (user + system) used so far by the embedded server's processes: the
 * postmaster named in the cluster's postmaster.pid and its children (Linux /proc).
 */
function postgresCpuSeconds(clusterDir: string): number | null {
  try {
    const postmaster = Number(readFileSync(path.join(clusterDir, "postmaster.pid"), "utf8").split("\n")[0]);
    const ticksPerSecond = 100; // USER_HZ on Linux
    let ticks = 0;
    for (const entry of readdirSync("/proc")) {
      if (!/^[0-9]+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      } catch {
        continue; // the process ended while we listed
      }
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const pid = Number(entry);
      const ppid = Number(fields[1]);
      if (pid === postmaster || ppid === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
    }
    return ticks / ticksPerSecond;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- the pipeline under measurement

interface Track {
  commitAt?: number;
  submitAt?: number;
  fillAt?: number;
}

interface Counters {
  claims: number;
  claimed: number;
  sent: number;
  otherResults: number;
  inboxEvents: number;
  inboxNotApplied: number;
  fills: number;
  firstEventAt: number;
  lastEventAt: number;
  problems: string[];
}

function freshCounters(): Counters {
  return { claims: 0, claimed: 0, sent: 0, otherResults: 0, inboxEvents: 0, inboxNotApplied: 0, fills: 0, firstEventAt: 0, lastEventAt: 0, problems: [] };
}

class Pipeline {
  readonly tracks = new Map<string, Track>();
  readonly counters: Counters = freshCounters();
  #fillWaiter: { target: number; resolve: () => void } | null = null;
  #seq = 0;

  readonly desk: DeskDatabase;
  readonly engine: RiskEngine;
  readonly dispatchers: readonly Dispatcher[];
  readonly account: string;

  constructor(desk: DeskDatabase, engine: RiskEngine, session: BrokerSession, account: string, owner: string) {
    this.account = account;
    this.desk = desk;
    this.engine = engine;
    this.dispatchers = Array.from({ length: settings.dispatchers }, (_v, i) =>
      createDispatcher({
        db: desk.db,
        session,
        clock: systemClock,
        reconcileFreshnessMs: 3_600_000,
        owner: `${owner}-${String(i)}`,
        batchSize: settings.batchSize,
        onClaim: (claimed, gatesOpen) => {
          this.counters.claims += 1;
          this.counters.claimed += claimed;
          if (gatesOpen === false) this.#problem("gates shut");
        },
        onResult: (result) => {
          if (result.kind === "sent") this.counters.sent += 1;
          else {
            this.counters.otherResults += 1;
            this.#problem(`${result.kind}: ${"reason" in result ? result.reason : ""}`);
          }
        },
        onProblem: (message) => this.#problem(`dispatcher: ${message}`),
      }),
    );
    // Instrument the broker call: the dispatcher calls the very adapter object the session hides.
    const adapter = adapterOf(session);
    const submit = adapter.submit.bind(adapter);
    adapter.submit = (request) => {
      this.#track(request.clientOrderId).submitAt = performance.now();
      return submit(request);
    };
  }

  #problem(message: string): void {
    if (this.counters.problems.length < 20) this.counters.problems.push(message);
  }

  #track(clientOrderId: string): Track {
    let track = this.tracks.get(clientOrderId);
    if (track === undefined) {
      track = {};
      this.tracks.set(clientOrderId, track);
    }
    return track;
  }

  onApplied(kind: string, clientOrderId: string | null, applied: boolean, fillApplied: boolean): void {
    this.counters.inboxEvents += 1;
    const now = performance.now();
    if (this.counters.firstEventAt === 0) this.counters.firstEventAt = now;
    this.counters.lastEventAt = now;
    if (!applied) this.counters.inboxNotApplied += 1;
    if ((kind === "fill" || kind === "partial_fill") && fillApplied && clientOrderId !== null) {
      this.#track(clientOrderId).fillAt = now;
      this.counters.fills += 1;
      const waiter = this.#fillWaiter;
      if (waiter !== null && this.counters.fills >= waiter.target) {
        this.#fillWaiter = null;
        waiter.resolve();
      }
    }
  }

  onIngestProblem(message: string): void {
    this.#problem(`ingest: ${message}`);
  }

  /** Resolves when the dispatchers have sent `target` rows (polled). */
  async sentReached(target: number, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.counters.sent + this.counters.otherResults < target) {
      if (performance.now() > deadline) throw new Error(`only ${String(this.counters.sent)} of ${String(target)} rows sent after ${String(timeoutMs)} ms`);
      await sleep(2);
    }
  }

  /** Resolves when `target` fills in all have been applied (or rejects after `timeoutMs`). */
  fillsReached(target: number, timeoutMs: number): Promise<void> {
    if (this.counters.fills >= target) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fillWaiter = null;
        reject(
          new Error(
            `only ${String(this.counters.fills)} of ${String(target)} fills applied after ${String(timeoutMs)} ms; problems: ${this.counters.problems.slice(0, 5).join(" | ")}`,
          ),
        );
      }, timeoutMs);
      this.#fillWaiter = {
        target,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
  }

  /** Risk approves one intent and the gateway enqueues it, in one transaction; then the dispatchers are woken. */
  async intent(phase: string): Promise<void> {
    this.#seq += 1;
    const n = this.#seq;
    const request: OrderRequest = {
      strategyId: STRAT,
      decisionKey: `${phase}-${String(n)}`,
      ticker: SYMBOLS[n % SYMBOLS.length] ?? SYMBOLS[0] ?? asTicker("AAPL"),
      side: Math.floor(n / SYMBOLS.length) % 2 === 0 ? "buy" : "sell",
      qtyShares: 1n as Shares,
      type: "market",
    };
    const enqueued = await this.desk.db.transaction().execute(async (tx) => {
      const verdict = await this.engine.approve(tx, request, riskSnapshot());
      if (!verdict.ok)
        throw new Error(`risk refused a bench order: ${JSON.stringify(verdict.error, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))}`);
      return enqueueApprovedOrder(tx, verdict.value, { account: this.account });
    });
    this.#track(enqueued.clientOrderId).commitAt = performance.now();
    for (const dispatcher of this.dispatchers) dispatcher.wake();
  }

  startDispatchers(): void {
    for (const dispatcher of this.dispatchers) dispatcher.start(settings.intervalMs);
  }

  async stopDispatchers(): Promise<void> {
    await Promise.all(this.dispatchers.map((d) => d.stop()));
  }

  resetCounters(): void {
    this.tracks.clear();
    Object.assign(this.counters, freshCounters());
  }
}

function riskSnapshot(): RiskSnapshot {
  return {
    portfolio: emptyPortfolio(toMicros("1000000000")),
    trustedPricesMicros: new Map(SYMBOLS.map((t) => [t, PRICE])),
    buyingPowerMicros: toMicros("1000000000"),
    openOrders: [],
  };
}

// ---------------------------------------------------------------- phases

/** Single-row INSERT commits, one after another, on `connections` connections of the pool. */
async function commitFloor(desk: DeskDatabase, seconds: number, connections: number): Promise<number> {
  await desk.pool.query(
    "CREATE TABLE IF NOT EXISTS bench_commit_floor (id bigserial PRIMARY KEY, payload text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())",
  );
  const clients = await Promise.all(Array.from({ length: connections }, () => desk.pool.connect()));
  try {
    const deadline = performance.now() + seconds * 1000;
    const counts = await Promise.all(
      clients.map(async (client, c) => {
        let n = 0;
        const start = performance.now();
        while (performance.now() < deadline) {
          await client.query("INSERT INTO bench_commit_floor (payload) VALUES ($1)", [`c${String(c)}-${String(n)}`]);
          n += 1;
        }
        return n / ((performance.now() - start) / 1000);
      }),
    );
    return counts.reduce((s, v) => s + v, 0);
  } finally {
    for (const client of clients) client.release();
  }
}

interface SustainedResult {
  readonly orders: number;
  readonly seconds: number;
  readonly ordersPerSecond: number;
  readonly enqueueDoneSeconds: number;
  readonly commitsPerOrder: number;
  readonly derivation: string;
  readonly commitToFill: ReturnType<typeof summary>;
  readonly statementsPerOrder: number;
  /** Broker events applied per second, first to last: the ingest's rate (it is busy to the end). */
  readonly ingestEventsPerSecond: number;
  /** CPU per order, ms: this process (producers, dispatcher, sim, ingest) and the Postgres server. */
  readonly nodeCpuMsPerOrder: number;
  readonly postgresCpuMsPerOrder: number | null;
}

let statements: { count: number; shapes: Map<string, number> } = { count: 0, shapes: new Map() };

async function sustained(pipeline: Pipeline, orders: number, clusterDir: string): Promise<SustainedResult> {
  pipeline.resetCounters();
  const statementsBefore = statements.count;
  const cpuBefore = process.cpuUsage();
  const pgBefore = postgresCpuSeconds(clusterDir);
  const start = performance.now();
  pipeline.startDispatchers();
  let issued = 0;
  const producers = Array.from({ length: settings.producers }, async () => {
    while (issued < orders) {
      issued += 1;
      await pipeline.intent("sustained");
    }
  });
  await Promise.all(producers);
  const enqueueDone = performance.now();
  await pipeline.fillsReached(orders, 300_000);
  const end = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  const pgAfter = postgresCpuSeconds(clusterDir);
  const statementsPerOrder = (statements.count - statementsBefore) / orders;
  await pipeline.stopDispatchers();
  const c = pipeline.counters;
  const commitToFill = summary(
    [...pipeline.tracks.values()].flatMap((t) => (t.commitAt !== undefined && t.fillAt !== undefined ? [t.fillAt - t.commitAt] : [])),
  );
  // Write transactions per order: enqueue (risk's approval + outbox row) 1; the claim transactions,
  // shared by their batch; the result statement (id map + SENT) per row sent; one inbox
  // transaction per broker event applied (the sim sends `new` and `fill`).
  const claimPer = c.claims / orders;
  const resultPer = (c.sent + c.otherResults) / orders;
  const inboxPer = c.inboxEvents / orders;
  const commitsPerOrder = 1 + claimPer + resultPer + inboxPer;
  const derivation =
    `enqueue 1 + claim ${String(c.claims)}/${String(orders)} = ${claimPer.toFixed(3)} (avg batch ${(c.claimed / Math.max(1, c.claims)).toFixed(1)})` +
    ` + result ${String(c.sent + c.otherResults)}/${String(orders)} = ${resultPer.toFixed(3)} + inbox ${String(c.inboxEvents)}/${String(orders)} = ${inboxPer.toFixed(3)}`;
  const seconds = (end - start) / 1000;
  return {
    orders,
    seconds,
    ordersPerSecond: orders / seconds,
    enqueueDoneSeconds: (enqueueDone - start) / 1000,
    commitsPerOrder,
    derivation,
    commitToFill,
    statementsPerOrder,
    ingestEventsPerSecond: c.inboxEvents / Math.max(1e-9, (c.lastEventAt - c.firstEventAt) / 1000),
    nodeCpuMsPerOrder: (cpu.user + cpu.system) / 1000 / orders,
    postgresCpuMsPerOrder: pgBefore === null || pgAfter === null ? null : ((pgAfter - pgBefore) * 1000) / orders,
  };
}

interface PacedResult {
  readonly orders: number;
  readonly achievedRate: number;
  readonly commitToSubmit: ReturnType<typeof summary>;
  readonly commitToFill: ReturnType<typeof summary>;
  readonly outboxStamps: ReturnType<typeof summary>;
  readonly avgBatch: number;
}

async function paced(pipeline: Pipeline, perSecond: number, seconds: number): Promise<PacedResult> {
  pipeline.resetCounters();
  pipeline.startDispatchers();
  const wallStart = Date.now();
  const total = Math.round(perSecond * seconds);
  const periodMs = 1000 / perSecond;
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i += 1) {
    const due = start + i * periodMs;
    const wait = due - performance.now();
    if (wait > 1) await sleep(Math.floor(wait));
    while (performance.now() < due) await nextTick();
    inFlight.push(pipeline.intent("paced"));
  }
  await Promise.all(inFlight);
  const issuedFor = (performance.now() - start) / 1000;
  await pipeline.fillsReached(total, 120_000);
  await pipeline.stopDispatchers();
  const tracks = [...pipeline.tracks.values()];
  const commitToSubmit = summary(tracks.flatMap((t) => (t.commitAt !== undefined && t.submitAt !== undefined ? [t.submitAt - t.commitAt] : [])));
  const commitToFill = summary(tracks.flatMap((t) => (t.commitAt !== undefined && t.fillAt !== undefined ? [t.fillAt - t.commitAt] : [])));
  const stamps = await pipeline.desk.db
    .selectFrom("outbox")
    .select(sql<number>`extract(epoch from (sent_at - created_at)) * 1000`.as("ms"))
    .where("sent_at", "is not", null)
    .where("created_at", ">=", new Date(wallStart - 5))
    .execute();
  return {
    orders: total,
    achievedRate: total / issuedFor,
    commitToSubmit,
    commitToFill,
    outboxStamps: summary(stamps.map((r) => Number(r.ms))),
    avgBatch: pipeline.counters.claimed / Math.max(1, pipeline.counters.claims),
  };
}

/**
 * The dispatch stage alone, on a second sim account: M intents enqueued with no
 * dispatcher running; then the dispatchers send them all while nobody listens to
 * the sim (its events wait in its queue). (The ingest cannot be isolated the same
 * way: on subscribe it first backfills over REST, which books those orders by
 * another road; its rate is read from the sustained run instead, where it is the
 * stage that stays busy to the end.)
 */
async function dispatchStage(desk: DeskDatabase, engine: RiskEngine, orders: number): Promise<number> {
  const account = `${ACCOUNT}-stages`;
  // The phase starts from empty order tables, so its figures are its own.
  for (const table of ["orders", "positions", "cash_ledger", "inbox", "order_map", "outbox"] as const) await desk.db.deleteFrom(table).execute();
  const session = openSim(systemClock, { account, sim: { startingCashMicros: toMicros("100000000000") } });
  try {
    for (const t of SYMBOLS) setSimPrice(session, t, PRICE);
    await openGates(desk.db, systemClock, account);
    const pipeline = new Pipeline(desk, engine, session, account, "stages");
    let issued = 0;
    await Promise.all(
      Array.from({ length: settings.producers }, async () => {
        while (issued < orders) {
          issued += 1;
          await pipeline.intent("stages");
        }
      }),
    );
    const dispatchStart = performance.now();
    pipeline.startDispatchers();
    await pipeline.sentReached(orders, 300_000);
    const dispatchSeconds = (performance.now() - dispatchStart) / 1000;
    await pipeline.stopDispatchers();
    return orders / dispatchSeconds;
  } finally {
    await session.close();
  }
}

/** Counts every statement sent on the pool's connections (BEGIN and COMMIT included), by shape when asked. */
function countStatements(desk: DeskDatabase): { count: number; shapes: Map<string, number> } {
  const counter = { count: 0, shapes: new Map<string, number>() };
  const wrapped = new WeakSet<object>();
  desk.pool.on("acquire", (client) => {
    if (wrapped.has(client)) return;
    wrapped.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      counter.count += 1;
      if (settings.traceStatements) {
        const first = args[0];
        const text = typeof first === "string" ? first : typeof first === "object" && first !== null && "text" in first ? String(first.text) : "?";
        const shape = text.replace(/\s+/g, " ").slice(0, 110);
        counter.shapes.set(shape, (counter.shapes.get(shape) ?? 0) + 1);
      }
      return query(...args);
    };
  });
  return counter;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  // On the same disk as the desk's own .mqk/pg; readable by the `postgres` user the server drops to when we run as root.
  const dataDir = mkdtempSync(path.join(tmpdir(), "mqk-bench-pipeline-"));
  chmodSync(dataDir, 0o755);
  const clusterDir = path.join(dataDir, "pg", "cluster");
  const bootStart = performance.now();
  const desk = await openDatabase({ kind: "embedded", dataDir: path.join(dataDir, "pg") }, { max: settings.poolMax, applicationName: "mqk-bench-pipeline" });
  let session: BrokerSession | null = null;
  try {
    const migrated = await migrate(desk.pool);
    if (!migrated.ok) throw new Error(`migrations refused: ${migrated.message}`);
    const bootMs = performance.now() - bootStart;
    statements = countStatements(desk);

    const floors: number[] = [];
    const sampleFloor = async (when: string): Promise<void> => {
      progress(`the commit floor (${when})`);
      for (let i = 0; i < settings.floorSamples; i += 1) floors.push(await commitFloor(desk, settings.floorSeconds, 1));
    };
    await sampleFloor("before");
    const floorMany = await commitFloor(desk, settings.floorSeconds, Math.min(8, settings.poolMax));

    const engine = createRiskEngine({
      limits: {
        maxOrderQty: 1_000_000,
        maxOrderNotional: toMicros("1000000000"),
        priceCollarBps: 500,
        maxPositionQty: 100_000_000,
        maxGrossExposure: toMicros("100000000000"),
        dailyLossLimit: toMicros("100000000"),
        maxOrdersPerMinute: 10_000_000,
      },
      store: new RiskStateStore(desk.db),
      clock: systemClock,
    });
    session = openSim(systemClock, { account: ACCOUNT, sim: { startingCashMicros: toMicros("100000000000") } });
    for (const t of SYMBOLS) setSimPrice(session, t, PRICE);
    await openGates(desk.db, systemClock, ACCOUNT);
    const pipeline = new Pipeline(desk, engine, session, ACCOUNT, "bench");
    const ingest = await startBrokerIngest({
      db: desk.db,
      session,
      clock: systemClock,
      concurrency: settings.ingestLanes,
      onApplied: (event, outcome) =>
        pipeline.onApplied(event.kind, event.clientOrderId, outcome.kind === "applied", outcome.kind === "applied" && outcome.fillApplied),
      onProblem: (message) => pipeline.onIngestProblem(message),
    });

    // Warm-up: JIT, pool connections, prepared statements, the day's first risk baseline.
    progress("warm-up");
    await sustained(pipeline, quick ? 50 : 300, clusterDir);
    const loads: SustainedResult[] = [];
    for (let run = 1; run <= settings.runs; run += 1) {
      progress(`sustained ${String(run)}/${String(settings.runs)}: ${String(settings.sustainedOrders)} intents`);
      statements.shapes.clear();
      loads.push(await sustained(pipeline, settings.sustainedOrders, clusterDir));
    }
    if (settings.traceStatements) {
      const top = [...statements.shapes.entries()].sort((a, b) => b[1] - a[1]);
      process.stderr.write(`  statements per order in the last sustained run, by shape:\n`);
      for (const [shape, n] of top) process.stderr.write(`    ${(n / settings.sustainedOrders).toFixed(3).padStart(7)}  ${shape}\n`);
    }
    await sampleFloor("after");
    progress(`paced: ${String(settings.pacedRate)}/s for ${String(settings.pacedSeconds)} s`);
    const pace = await paced(pipeline, settings.pacedRate, settings.pacedSeconds);
    await ingest.stop();
    progress("the dispatch stage alone");
    const dispatchRate = await dispatchStage(desk, engine, quick ? 300 : 2_000);

    const floorOne = median(floors);
    const floorLow = Math.min(...floors);
    const floorHigh = Math.max(...floors);
    const rates = loads.map((l) => l.ordersPerSecond);
    const load = [...loads].sort((a, b) => a.ordersPerSecond - b.ordersPerSecond)[Math.floor((loads.length - 1) / 2)] ?? loads[0];
    if (load === undefined) throw new Error("no sustained run");
    const pipelineRate = median(rates);
    const floorPerOrder = floorOne / load.commitsPerOrder;
    const ratio = pipelineRate / floorPerOrder;
    const ratioAt = (floor: number): number => pipelineRate / (floor / load.commitsPerOrder);
    const p99Ok = pace.commitToSubmit.p99 < 10;
    const problems = pipeline.counters.problems;

    const rows: Array<[string, string, string]> = [
      ["embedded Postgres (durable: fsync on), pool", `max ${String(settings.poolMax)}`, `boot + migrate ${ms(bootMs)}`],
      [
        "DB floor: single-row INSERT commits, 1 connection",
        rate(floorOne),
        `median of ${String(floors.length)} samples of ${String(settings.floorSeconds)} s before and after (${rate(floorLow)} … ${rate(floorHigh)})`,
      ],
      [`  (reference: ${String(Math.min(8, settings.poolMax))} connections in parallel)`, rate(floorMany), "group commit"],
      ["commits per order (write transactions)", load.commitsPerOrder.toFixed(3), load.derivation],
      ["  statements per order (all, BEGIN/COMMIT included)", load.statementsPerOrder.toFixed(1), "idle claim probes included"],
      ["floor in orders/s = commits/s ÷ commits per order", rate(floorPerOrder), ""],
      [
        `sustained: ${String(load.orders)} intents → fills applied`,
        rate(pipelineRate),
        `median of ${String(rates.length)} runs (${rates.map((r) => r.toFixed(0)).join(", ")}); median run ${load.seconds.toFixed(2)} s, all enqueued after ${load.enqueueDoneSeconds.toFixed(2)} s`,
      ],
      [
        "  commit → fill applied under load (p50 / p99)",
        `${ms(load.commitToFill.p50)} / ${ms(load.commitToFill.p99)}`,
        "a backlog: producers outrun the ingest",
      ],
      [
        "  CPU per order: this process / Postgres",
        `${load.nodeCpuMsPerOrder.toFixed(2)} / ${load.postgresCpuMsPerOrder === null ? "n/a" : load.postgresCpuMsPerOrder.toFixed(2)} ms`,
        "producers, dispatcher, sim and ingest share this process",
      ],
      [
        "pipeline ÷ floor (target ≥ 0.60)",
        ratio.toFixed(2),
        `${ratio >= 0.6 ? "MEETS" : "MISSES"} the target; against the slowest / fastest floor sample ${ratioAt(floorLow).toFixed(2)} / ${ratioAt(floorHigh).toFixed(2)}`,
      ],
      [`stage alone: dispatch ${String(quick ? 300 : 2_000)} queued rows (no ingest)`, rate(dispatchRate), "claim → sim submit → id map + SENT"],
      [
        `  ingest during the sustained run (${String(settings.ingestLanes)} order lanes)`,
        rate(load.ingestEventsPerSecond / 2),
        `orders/s (= ${rate(load.ingestEventsPerSecond)} events, new + fill; ${ms(1000 / load.ingestEventsPerSecond)} per event)`,
      ],
      [`paced: ${String(pace.orders)} intents at ${String(settings.pacedRate)}/s`, rate(pace.achievedRate), `avg claim batch ${pace.avgBatch.toFixed(2)}`],
      ["  intent commit → sim submit() p50", ms(pace.commitToSubmit.p50), `mean ${ms(pace.commitToSubmit.mean)}`],
      [
        "  intent commit → sim submit() p99 (target < 10 ms)",
        ms(pace.commitToSubmit.p99),
        `${p99Ok ? "MEETS" : "MISSES"} the target; max ${ms(pace.commitToSubmit.max)}`,
      ],
      ["  intent commit → fill applied p50 / p99", `${ms(pace.commitToFill.p50)} / ${ms(pace.commitToFill.p99)}`, ""],
      [
        "  cross-check: outbox sent_at − created_at p50 / p99",
        `${ms(pace.outboxStamps.p50)} / ${ms(pace.outboxStamps.p99)}`,
        "ms stamps; created_at = enqueue tx start",
      ],
    ];
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.max(...rows.map((r) => r[1].length));
    console.log(
      `pipeline bench${quick ? " (--quick)" : ""}: dispatchers ${String(settings.dispatchers)}, batch ${String(settings.batchSize)}, ` +
        `idle interval ${String(settings.intervalMs)} ms (woken after each enqueue), producers ${String(settings.producers)}, ingest lanes ${String(settings.ingestLanes)}`,
    );
    for (const [a, b, c] of rows) console.log(`  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
    if (problems.length > 0) console.log(`  problems seen (${String(problems.length)}, first 5):\n    ${problems.slice(0, 5).join("\n    ")}`);
    if (pipeline.counters.inboxNotApplied > 0) console.log(`  inbox events kept unapplied: ${String(pipeline.counters.inboxNotApplied)}`);
  } finally {
    await session?.close();
    await desk.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
