/**
 * The order path's statements are marked `prepared` (named prepared statements,
 * see @mqk/db): Postgres soon runs them on a GENERIC plan, which cannot see the
 * parameter values — a range compared with a parameter, or a partial index whose
 * predicate names a parameter, can turn into a sequential scan that only shows
 * once the tables are big. This test drives orders through the whole path (risk,
 * gateway, the dispatcher's pump, the sim broker, the ingest) to collect every
 * marked statement, fills the order tables with tens of thousands of rows, and asks
 * Postgres for each statement's generic plan: none may scan a big table row by row.
 */
import { toMicros } from "@mqk/core";
import { PREPARED_MARKER, sql } from "@mqk/db";
import { createDispatcher, setSimPrice, simSettled, startBrokerIngest } from "@mqk/execution";
import { describe, expect, it } from "vitest";
import { AAPL, ACCOUNT, approveAndEnqueue, marketRequest, useDesk } from "./execution-harness.js";
import { ShiftedClock, disarmDesk, openGates, openSim } from "./dispatch-harness.js";

const desk = useDesk();

const BIG_TABLES = ["outbox", "order_map", "orders", "inbox", "positions", "cash_ledger", "risk_approvals", "risk_rate_buckets"];

/** Bulk rows for another account: history a desk accumulates (every CHECK and foreign key satisfied). */
const POPULATE = [
  `INSERT INTO outbox (intent_id, client_order_id, kind, status, account, strategy_id, symbol, side, order_type, time_in_force, qty_shares, payload, sent_at)
   SELECT 'bulk-' || g, 'bulk-' || g, 'SUBMIT', 'ACKED', 'bulk', 'bulk', 'B' || (g % 2000), 'buy', 'market', 'day', 1, '{}', now()
     FROM generate_series(1, 40000) g`,
  `INSERT INTO order_map (intent_id, client_order_id, broker_order_id, broker_order_id_at)
   SELECT 'bulk-' || g, 'bulk-' || g, 'bulk-b' || g, now() FROM generate_series(1, 40000) g`,
  `INSERT INTO inbox (broker_message_id, account, kind, source, broker_order_id, client_order_id, execution_id, fill_qty_shares, fill_price_micros,
                      fill_cum_qty_shares, payload, applied_at, order_intent_id)
   SELECT 'bulk-m' || g, 'bulk', 'fill', 'sim', 'bulk-b' || g, 'bulk-' || g, 'bulk-e' || g, 1, 100000000, 1, '{}', now(), 'bulk-' || g
     FROM generate_series(1, 40000) g`,
  `INSERT INTO orders (intent_id, client_order_id, broker_order_id, account, symbol, side, order_type, time_in_force, state, qty_shares,
                       filled_qty_shares, filled_avg_price_micros)
   SELECT 'bulk-' || g, 'bulk-' || g, 'bulk-b' || g, 'bulk', 'B' || (g % 2000), 'buy', 'market', 'day', 'filled', 1, 1, 100000000
     FROM generate_series(1, 40000) g`,
  `INSERT INTO positions (account, symbol, qty_shares, avg_cost_micros) SELECT 'bulk', 'B' || g, 20, 100000000 FROM generate_series(0, 1999) g`,
  `INSERT INTO cash_ledger (account, amount_micros, reason, source_ref, symbol)
   SELECT 'bulk', -100000000, 'FILL', 'bulk-e' || g, 'B' || (g % 2000) FROM generate_series(1, 40000) g`,
  `INSERT INTO risk_approvals (intent_id, strategy_id, decision_key, symbol, side, order_type, qty_shares, reference_price_micros, approved_at_ms)
   SELECT 'bulk-' || g, 'bulk', 'bulk-' || g, 'B' || (g % 2000), 'buy', 'market', 1, 100000000, 1700000000000 + g * 500
     FROM generate_series(1, 40000) g`,
  `INSERT INTO risk_rate_buckets (second_ms, shard, approvals)
   SELECT 1700000000000 + g * 1000, g % 8, 2 FROM generate_series(1, 20000) g`,
];

describe("prepared statements on generic plans", () => {
  it("every marked statement of the order path keeps to indexes on big tables under its generic plan", async () => {
    const { db, pool } = desk().handle;
    // Collect the texts of marked statements as they are sent.
    const marked = new Set<string>();
    const texts = (): string[] => [...marked];
    const wrapped = new WeakSet<object>();
    pool.on("acquire", (client) => {
      if (wrapped.has(client)) return;
      wrapped.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        if (typeof args[0] === "string" && args[0].includes(PREPARED_MARKER)) marked.add(args[0]);
        return query(...args);
      };
    });

    const clock = new ShiftedClock();
    const session = openSim(clock, { account: ACCOUNT, sim: { startingCashMicros: toMicros("10000000") } });
    const ingest = await startBrokerIngest({ db, session, clock });
    const dispatcher = createDispatcher({ db, session, clock, reconcileFreshnessMs: 120_000, batchSize: 4 });
    try {
      setSimPrice(session, AAPL, toMicros("100"));
      await openGates(db, clock, ACCOUNT);
      dispatcher.start(20);
      for (let i = 0; i < 12; i += 1) {
        await approveAndEnqueue(desk(), marketRequest(i % 2 === 0 ? "buy" : "sell", 1n));
        dispatcher.wake();
      }
      for (let tries = 0; tries < 200; tries += 1) {
        const filled = await db.selectFrom("orders").select("id").where("state", "=", "filled").execute();
        if (filled.length === 12) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await simSettled(session);
      await dispatcher.stop();
      // The idle probe, and the claim with the gates shut (cancels only): one more order while disarmed.
      expect((await dispatcher.runOnce()).claimed).toBe(0);
      await disarmDesk(db, clock);
      await approveAndEnqueue(desk(), marketRequest("buy", 1n));
      expect(await dispatcher.runOnce()).toMatchObject({ claimed: 0, gatesOpen: false });
    } finally {
      await dispatcher.stop();
      await ingest.stop();
      await session.close();
    }
    expect(await db.selectFrom("orders").select("id").where("state", "=", "filled").execute()).toHaveLength(12);
    expect(texts().filter((t) => t.includes("WITH picked AS"))).toHaveLength(2); // the full claim: gates open, gates shut

    // Not vacuous: the hot path's statements were all seen.
    const seen = texts();
    const parts = [
      "risk_rate_buckets",
      "INSERT INTO risk_approvals",
      "INSERT INTO outbox (intent_id", // the gateway's enqueue
      "SELECT id FROM outbox",
      "FROM arm_state",
      "WITH mapped AS",
      "INSERT INTO inbox",
      "FOR UPDATE",
      "AS gate_pin", // the pinned claim
      "AS map_version", // the inbox's read
      "WITH lm AS", // the inbox's guarded write
    ];
    for (const part of parts) {
      expect({ part, seen: seen.some((t) => t.includes(part)) }).toEqual({ part, seen: true });
    }

    const client = await pool.connect();
    try {
      for (const statement of POPULATE) await client.query(statement);
      await client.query("ANALYZE");
      await client.query("SET plan_cache_mode = force_generic_plan");
      const seqScans: string[] = [];
      for (const [i, text] of seen.entries()) {
        const params = Math.max(0, ...[...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
        await client.query(`PREPARE plan_check_${String(i)} AS ${text}`);
        const args = params === 0 ? "" : `(${Array.from({ length: params }, () => "NULL").join(", ")})`;
        const plan = (await client.query<{ "QUERY PLAN": string }>(`EXPLAIN EXECUTE plan_check_${String(i)}${args}`)).rows.map((r) => r["QUERY PLAN"]);
        await client.query(`DEALLOCATE plan_check_${String(i)}`);
        const scans = plan.filter((line) => BIG_TABLES.some((table) => new RegExp(`Seq Scan on ${table}\\b`).test(line)));
        if (scans.length > 0) seqScans.push(`${text.replace(/\s+/g, " ").slice(0, 140)} → ${scans.map((s) => s.trim()).join("; ")}`);
      }
      expect(seqScans).toEqual([]);
    } finally {
      await client.query("RESET plan_cache_mode").catch(() => undefined);
      client.release();
    }
    await sql`SELECT 1`.execute(db);
  }, 60_000);
});
