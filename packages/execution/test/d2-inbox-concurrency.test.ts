/**
 * D2 under concurrency: two events of one order applied at the same time by two
 * transactions (a REST backfill and the stream, or two processes). The second
 * waits for the order's lock, and what it then reads must include everything the
 * first committed — a statement that waited for a row lock in READ COMMITTED still
 * reads the other tables as of its start, so the inbox reads only after the lock.
 *
 * The first transaction is held half-way (inside its write, with the order locked)
 * by a trigger that waits on an advisory lock this test holds.
 */
import { sql } from "@mqk/db";
import { applyBrokerEvent } from "@mqk/execution";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approveAndEnqueue, fillEvent, marketRequest, orderEvent, positionOf, reopen, useDesk, usd } from "./execution-harness.js";

const desk = useDesk();
const PAUSE_KEY = 4242;

beforeAll(async () => {
  const { db } = desk().handle;
  await sql`
    CREATE FUNCTION test_pause_inbox() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.broker_message_id LIKE 'pause-%' THEN PERFORM pg_advisory_xact_lock(${sql.lit(PAUSE_KEY)}); END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`CREATE TRIGGER test_pause_inbox BEFORE INSERT ON inbox FOR EACH ROW EXECUTE FUNCTION test_pause_inbox()`.execute(db);
});

afterAll(async () => {
  const { db } = desk().handle;
  await sql`DROP TRIGGER test_pause_inbox ON inbox`.execute(db);
  await sql`DROP FUNCTION test_pause_inbox()`.execute(db);
});

describe("inbox under concurrency", () => {
  it("D2: a fill that waited for the order's lock sees the fill committed meanwhile: order 10/10 filled, position 10", async () => {
    const account = "acct-concurrent";
    const { enqueued } = await approveAndEnqueue(desk(), marketRequest("buy", 10n), account);
    const coid = enqueued.clientOrderId;
    const { db } = desk().handle;
    expect(await applyBrokerEvent(db, orderEvent("new-1", "new", coid, null, account))).toMatchObject({ kind: "applied", orderState: "new" });

    const holder = await reopen(desk().handle);
    const other = await reopen(desk().handle);
    const gate = await holder.pool.connect();
    try {
      await gate.query("SELECT pg_advisory_lock($1)", [PAUSE_KEY]);
      // A: 4 shares (cumulative 4) — held inside its write, with the order's lock taken.
      const first = applyBrokerEvent(
        other.db,
        fillEvent({ messageId: "pause-a", executionId: "x-a", clientOrderId: coid, qty: 4n, priceUsd: "100", kind: "partial_fill", account }),
      );
      await waitFor(async () => (await advisoryWaiters(holder)) === 1);
      // B: the other 6 (cumulative 10) — waits for the order's lock.
      const second = applyBrokerEvent(db, { ...fillEvent({ messageId: "b", executionId: "x-b", clientOrderId: coid, qty: 6n, priceUsd: "110", account }) });
      await waitFor(async () => (await rowLockWaiters(holder)) === 1);
      await gate.query("SELECT pg_advisory_unlock($1)", [PAUSE_KEY]);
      expect(await first).toMatchObject({ kind: "applied", orderState: "partially_filled", fillApplied: true });
      expect(await second).toMatchObject({ kind: "applied", orderState: "filled", fillApplied: true });
    } finally {
      gate.release();
      await holder.close();
      await other.close();
    }
    const order = await db.selectFrom("orders").selectAll().where("client_order_id", "=", coid).executeTakeFirstOrThrow();
    // (4 × 100 + 6 × 110) / 10 = 106
    expect(order).toMatchObject({ state: "filled", filled_qty_shares: 10n, filled_avg_price_micros: usd("106") });
    expect(await positionOf(db, account)).toMatchObject({ qty_shares: 10n });
  });
});

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("the concurrent transaction never reached its wait");
}

async function advisoryWaiters(handle: { readonly pool: { query: (text: string) => Promise<{ rows: Array<{ n: string | bigint }> }> } }): Promise<number> {
  const rows = await handle.pool.query("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
  return Number(rows.rows[0]?.n ?? 0);
}

async function rowLockWaiters(handle: { readonly pool: { query: (text: string) => Promise<{ rows: Array<{ n: string | bigint }> }> } }): Promise<number> {
  // A row lock wait shows as a wait on the holder's transaction id (or on the tuple).
  const rows = await handle.pool.query("SELECT count(*) AS n FROM pg_locks WHERE locktype IN ('transactionid', 'tuple') AND NOT granted");
  return Number(rows.rows[0]?.n ?? 0);
}
