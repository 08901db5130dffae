/**
 * A3 against the fake Alpaca server, through the public path only: risk approves,
 * the gateway enqueues, the dispatcher sends, the ingest applies the stream. For
 * each fault switch (each one proven to have fired) the broker ends with exactly
 * one order per intent, every order send reaches the broker while its outbox row
 * is CLAIMED by the sending dispatcher under a live lease (read from the database
 * at the moment the request arrives), and positions end equal to the broker's
 * (fills booked once).
 */
import { createDispatcher, startBrokerIngest, type BrokerIngest, type BrokerSession, type Dispatcher } from "@mqk/execution";
import {
  ALPACA_ORDER_SUBMIT,
  startFakeAlpaca,
  type AlpacaFaultPatch,
  type AlpacaObservedRequest,
  type AlpacaRestFault,
  type FakeAlpaca,
  type FakeAlpacaOptions,
} from "@mqk/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AAPL, approveAndEnqueue, marketRequest, useDesk } from "./execution-harness.js";
import { ShiftedClock, openGates, clearOrderTables } from "./dispatch-harness.js";
import { openAlpaca } from "./alpaca-harness.js";

const ACCOUNT = "alpaca-paper";
const desk = useDesk();
let clock: ShiftedClock;
let fake: FakeAlpaca;
let session: BrokerSession;
let dispatcher: Dispatcher;
let ingest: BrokerIngest;

/** The outbox row of each order send, as the database held it when the send reached the broker. */
interface RowAtSend {
  readonly clientOrderId: string;
  readonly status: string | null;
  readonly claimedBy: string | null;
  readonly leaseLive: boolean;
}
let rowsAtSend: RowAtSend[] = [];
const extraSessions: BrokerSession[] = [];

async function observeSend(request: AlpacaObservedRequest): Promise<void> {
  if (request.method !== "POST" || request.path !== "/v2/orders") return;
  const body = request.body as { readonly client_order_id?: unknown } | null;
  const clientOrderId = typeof body?.client_order_id === "string" ? body.client_order_id : "";
  const row = await desk()
    .handle.db.selectFrom("outbox")
    .select(["status", "claimed_by", "lease_expires_at"])
    .where("client_order_id", "=", clientOrderId)
    .executeTakeFirst();
  rowsAtSend.push({
    clientOrderId,
    status: row?.status ?? null,
    claimedBy: row?.claimed_by ?? null,
    leaseLive: row?.lease_expires_at !== null && row?.lease_expires_at !== undefined && row.lease_expires_at.getTime() > clock.nowMs(),
  });
}

function startFake(options: FakeAlpacaOptions): Promise<FakeAlpaca> {
  return startFakeAlpaca({ rateLimit: false, ...options, onRequest: observeSend });
}

beforeEach(async () => {
  const { db } = desk().handle;
  await clearOrderTables(db);
  rowsAtSend = [];
  clock = new ShiftedClock();
  fake = await startFake({ prices: { AAPL: "100" }, startingCash: "1000000" });
  session = openAlpaca(fake, clock, ACCOUNT);
  dispatcher = createDispatcher({ db, session, clock, reconcileFreshnessMs: 600_000, owner: "a3", backoffBaseMs: 1, backoffMaxMs: 50, leaseMs: 2_000 });
  ingest = await startBrokerIngest({ db, session, clock });
  await openGates(db, clock, ACCOUNT);
});

afterEach(async () => {
  await dispatcher.stop();
  await ingest.stop();
  await session.close();
  for (const extra of extraSessions.splice(0)) await extra.close();
  await fake.close();
});

const SETTLED = new Set(["SENT", "ACKED", "REJECTED", "CANCELLED"]);

/** Rounds (moving the clock past backoffs and leases) until every row is settled. */
async function settle(maxRounds = 60): Promise<void> {
  const { db } = desk().handle;
  for (let i = 0; i < maxRounds; i += 1) {
    await dispatcher.runOnce();
    const rows = await db.selectFrom("outbox").select("status").execute();
    if (rows.every((r) => SETTLED.has(r.status))) return;
    clock.advance(2_500);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`outbox did not settle: ${JSON.stringify(await db.selectFrom("outbox").select(["id", "status", "last_error"]).execute())}`);
}

/** Waits until the inbox has booked `shares` of AAPL (the stream is asynchronous). */
async function positionReaches(shares: bigint): Promise<bigint> {
  const { db } = desk().handle;
  let qty = 0n;
  for (let i = 0; i < 200; i += 1) {
    const pos = await db.selectFrom("positions").select("qty_shares").where("account", "=", ACCOUNT).where("symbol", "=", AAPL).executeTakeFirst();
    qty = pos?.qty_shares ?? 0n;
    if (qty >= shares) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // A little longer, so a double booking would have time to show.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const pos = await db.selectFrom("positions").select("qty_shares").where("account", "=", ACCOUNT).where("symbol", "=", AAPL).executeTakeFirst();
  return pos?.qty_shares ?? qty;
}

async function checkOneOrderPerIntent(intents: number): Promise<void> {
  const { db } = desk().handle;
  const rows = await db.selectFrom("outbox").select(["client_order_id", "status"]).execute();
  expect(rows).toHaveLength(intents);
  const ours = new Set(rows.map((r) => r.client_order_id));
  const orders = fake.orders();
  expect(orders.map((o) => o.client_order_id).sort()).toEqual([...ours].sort());
  // No broker call without a claimed row: at the moment each order send reached the broker,
  // its row was CLAIMED by a dispatcher whose lease had not run out.
  const sends = fake.submissions();
  expect(rowsAtSend).toHaveLength(sends.length);
  for (const seen of rowsAtSend) {
    expect(ours.has(seen.clientOrderId)).toBe(true);
    expect({ status: seen.status, leaseLive: seen.leaseLive }).toEqual({ status: "CLAIMED", leaseLive: true });
    expect(seen.claimedBy).toMatch(/^a3/);
  }
  expect(rows.every((r) => r.status === "SENT" || r.status === "ACKED")).toBe(true);
}

const restFaults: ReadonlyArray<readonly [string, AlpacaRestFault]> = [
  ["5xx before the order is taken", { kind: "status", status: 503, phase: "before", match: ALPACA_ORDER_SUBMIT }],
  ["5xx after the order is taken", { kind: "status", status: 500, phase: "after", match: ALPACA_ORDER_SUBMIT }],
  ["timeout (no answer) after the order is taken", { kind: "hang", phase: "after", match: ALPACA_ORDER_SUBMIT }],
  ["timeout before the order is taken", { kind: "hang", phase: "before", match: ALPACA_ORDER_SUBMIT }],
  ["connection reset after the order is taken", { kind: "reset", phase: "after", match: ALPACA_ORDER_SUBMIT }],
  ["connection reset before the order is taken", { kind: "reset", phase: "before", match: ALPACA_ORDER_SUBMIT }],
  ["429 rate limit", { kind: "rate-limit", retryAfterSeconds: 1, match: ALPACA_ORDER_SUBMIT }],
  ["the lookup itself fails once (503) after an ambiguous send", { kind: "status", status: 503, phase: "after", match: ALPACA_ORDER_SUBMIT, times: 1 }],
];

describe("A3: one broker order per intent, whatever the fault", () => {
  for (const [name, fault] of restFaults) {
    it(`A3: ${name}`, async () => {
      fake.faults.inject(fault, fault, fault);
      const lookupFails = name.startsWith("the lookup");
      if (lookupFails) {
        fake.faults.inject({ kind: "status", status: 503, phase: "before", match: { method: "GET", path: "/v2/orders:by_client_order_id" } });
        // Without the stream, the broker's own events cannot settle the rows first: the lookups must.
        await ingest.stop();
      }
      for (let i = 0; i < 3; i += 1) await approveAndEnqueue(desk(), marketRequest("buy", 2n), ACCOUNT);
      await settle();
      if (lookupFails) {
        expect(fake.requests().filter((r) => r.path === "/v2/orders:by_client_order_id").length).toBeGreaterThanOrEqual(4);
        // A session has one stream: the stream comes back on a second session (as after a restart).
        const later = openAlpaca(fake, clock, ACCOUNT);
        extraSessions.push(later);
        ingest = await startBrokerIngest({ db: desk().handle.db, session: later, clock });
      }
      await checkOneOrderPerIntent(3);
      expect(fake.submissions().length).toBeGreaterThanOrEqual(3);
      // The faults really fired: every rule was used up, each by a request it hit.
      expect(fake.faults.pending()).toEqual([]);
      expect(fake.requests().filter((r) => r.fault !== null).length).toBe(name.startsWith("the lookup") ? 4 : 3);
      expect(await positionReaches(6n)).toBe(6n);
    });
  }

  it("A3: latency on every answer (slower than nothing, faster than the send timeout)", async () => {
    fake.faults.set({ latencyMs: 150 });
    for (let i = 0; i < 3; i += 1) await approveAndEnqueue(desk(), marketRequest("buy", 1n), ACCOUNT);
    await settle();
    await checkOneOrderPerIntent(3);
    expect(fake.submissions()).toHaveLength(3);
    expect(await positionReaches(3n)).toBe(3n);
  });

  const streamFaults: ReadonlyArray<readonly [string, AlpacaFaultPatch]> = [
    ["every stream event delivered three times", { stream: { duplicate: 2 } }],
    ["stream events delayed", { stream: { delayMs: 30 } }],
    ["stream events reordered", { stream: { reorderWindow: 4, reorderSeed: 7 } }],
    ["the stream dropped mid-way (fills missed, then backfilled over REST)", { stream: { dropAfterFrames: 2 } }],
  ];
  for (const [name, patch] of streamFaults) {
    it(`A3/D2: ${name} — one order per intent, positions equal the broker's`, async () => {
      fake.setAuto({ partialFillChunks: 2 });
      fake.faults.set(patch);
      for (let i = 0; i < 4; i += 1) await approveAndEnqueue(desk(), marketRequest("buy", 4n), ACCOUNT);
      await settle();
      if (name.includes("reordered")) fake.flushStream();
      await checkOneOrderPerIntent(4);
      expect(fake.submissions()).toHaveLength(4);
      const broker = fake.positions().find((p) => p.symbol === "AAPL");
      expect(broker?.qty).toBe("16");
      expect(await positionReaches(16n)).toBe(16n);
      const cash = await desk()
        .handle.db.selectFrom("cash_ledger")
        .select((eb) => eb.fn.sum<string>("amount_micros").as("sum"))
        .where("account", "=", ACCOUNT)
        .executeTakeFirstOrThrow();
      expect(BigInt(cash.sum)).toBe(-1_600_000_000n);
    });
  }

  it("A3: a 403 (buying power) is a definite rejection: REJECTED with the broker's reason, never resent", async () => {
    await fake.close();
    fake = await startFake({ prices: { AAPL: "100" }, startingCash: "50" });
    await session.close();
    session = openAlpaca(fake, clock, ACCOUNT);
    const { db } = desk().handle;
    dispatcher = createDispatcher({ db, session, clock, reconcileFreshnessMs: 600_000, owner: "a3-403", backoffBaseMs: 1 });
    await approveAndEnqueue(desk(), marketRequest("buy", 2n), ACCOUNT);
    await settle();
    const row = await db.selectFrom("outbox").select(["status", "reject_reason"]).executeTakeFirstOrThrow();
    expect(row.status).toBe("REJECTED");
    expect(row.reject_reason).toMatch(/403 40310000\): insufficient buying power/);
    expect(fake.submissions()).toHaveLength(1);
    expect(fake.orders()).toHaveLength(0);
  });

  it("A3: an order found under our client_order_id with other terms is never adopted and nothing is sent over it", async () => {
    const { db } = desk().handle;
    const { enqueued } = await approveAndEnqueue(desk(), marketRequest("buy", 2n), ACCOUNT);
    // Someone placed an order under that client_order_id by hand (another symbol size): then our send's answer was lost.
    const placed = await fetch(`${fake.baseUrl}/v2/orders`, {
      method: "POST",
      headers: { "APCA-API-KEY-ID": fake.keys.keyId, "APCA-API-SECRET-KEY": fake.keys.secretKey, "content-type": "application/json" },
      body: JSON.stringify({
        symbol: "AAPL",
        qty: "7",
        side: "buy",
        type: "limit",
        limit_price: "1",
        time_in_force: "day",
        client_order_id: enqueued.clientOrderId,
      }),
    });
    expect(placed.status).toBe(200);
    await db.updateTable("outbox").set({ status: "AMBIGUOUS", attempts: 1 }).where("id", "=", enqueued.outboxId).execute();
    const round = await dispatcher.runOnce();
    expect(round.results).toEqual([expect.objectContaining({ kind: "rejected" })]);
    const row = await db.selectFrom("outbox").select(["status", "last_error"]).where("id", "=", enqueued.outboxId).executeTakeFirstOrThrow();
    expect(row.status).toBe("FAILED");
    expect(row.last_error).toMatch(/qty 7, expected 2\); not adopted/);
    expect(fake.submissions()).toHaveLength(1); // only the hand-placed one
    const map = await db.selectFrom("order_map").select("broker_order_id").where("intent_id", "=", enqueued.intentId).executeTakeFirstOrThrow();
    expect(map.broker_order_id).toBeNull();
    // Its stream events name our client_order_id too: the inbox keeps them, applies nothing.
    let kept: { apply_note: string | null; applied_at: Date | null } | undefined;
    for (let i = 0; i < 100 && kept === undefined; i += 1) {
      kept = await db.selectFrom("inbox").select(["apply_note", "applied_at"]).where("client_order_id", "=", enqueued.clientOrderId).executeTakeFirst();
      if (kept === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(kept?.applied_at).toBeNull();
    expect(kept?.apply_note).toMatch(/\(buy 7 AAPL\) is not the order we placed/);
    expect(await db.selectFrom("orders").select("id").execute()).toEqual([]);
  });
});
