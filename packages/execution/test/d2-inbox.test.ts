/** D2/D3: a broker event is inserted and applied once, in one transaction; duplicates apply nothing, across restarts. */
import { asBrokerOrderId, asTicker } from "@mqk/core";
import type { DeskDatabase } from "@mqk/db";
import { applyBrokerEvent, orderIdsByClientOrderId, type ApplyOutcome, type BrokerEvent } from "@mqk/execution";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { approveAndEnqueue, cashOf, fillEvent, type FillEventInput, marketRequest, orderEvent, positionOf, reopen, useDesk, usd } from "./execution-harness.js";

const desk = useDesk();

async function orderRow(db: DeskDatabase["db"], clientOrderId: string) {
  return db.selectFrom("orders").selectAll().where("client_order_id", "=", clientOrderId).executeTakeFirst();
}

let accountSeq = 0;
const freshAccount = (): string => `acct-${String(++accountSeq)}`;

describe("inbox", () => {
  it("D2: the same fill delivered 1–5 times, in any order, across a restart, changes positions exactly once (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        // each delivery: which message id carries the execution (0 = the stream's, 1.. = backfills'), and which process
        fc.array(fc.record({ message: fc.integer({ min: 0, max: 2 }), afterRestart: fc.boolean() }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 500 }),
        fc.boolean(),
        async (deliveries, qty, withNewFirst) => {
          const account = freshAccount();
          const { enqueued } = await approveAndEnqueue(desk(), marketRequest("buy", BigInt(qty)), account);
          const coid = enqueued.clientOrderId;
          const event = (message: number): BrokerEvent =>
            fillEvent({
              messageId: `${account}-m${String(message)}`,
              executionId: `${account}-x1`,
              clientOrderId: coid,
              qty: BigInt(qty),
              priceUsd: "101.25",
              account,
            });
          // the order of arrival is the array's; the restart splits it in two processes
          const before = deliveries.filter((d) => !d.afterRestart);
          const after = deliveries.filter((d) => d.afterRestart);
          const outcomes: ApplyOutcome[] = [];
          const first = await reopen(desk().handle);
          try {
            if (withNewFirst) await applyBrokerEvent(first.db, orderEvent(`${account}-new`, "new", coid, null, account));
            for (const d of before) outcomes.push(await applyBrokerEvent(first.db, event(d.message)));
          } finally {
            await first.close();
          }
          const second = await reopen(desk().handle);
          try {
            for (const d of after) outcomes.push(await applyBrokerEvent(second.db, event(d.message)));
          } finally {
            await second.close();
          }
          expect(outcomes.filter((o) => o.kind === "applied")).toHaveLength(1);
          expect(outcomes.filter((o) => o.kind === "duplicate")).toHaveLength(deliveries.length - 1);
          const db = desk().handle.db;
          expect(await positionOf(db, account)).toMatchObject({ qty_shares: BigInt(qty), avg_cost_micros: usd("101.25"), realized_pnl_micros: 0n });
          expect(await cashOf(db, account)).toEqual({ rows: 1, sum: -BigInt(qty) * usd("101.25") });
          expect(await orderRow(db, coid)).toMatchObject({ state: "filled", filled_qty_shares: BigInt(qty), filled_avg_price_micros: usd("101.25") });
          const inbox = await db.selectFrom("inbox").select("seq").where("execution_id", "=", `${account}-x1`).execute();
          expect(inbox).toHaveLength(1);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("D2: a fill seen again under another message id but the same execution id applies nothing", async () => {
    const account = freshAccount();
    const { enqueued } = await approveAndEnqueue(desk(), marketRequest("buy", 10n), account);
    const db = desk().handle.db;
    const base = { executionId: "exec-same", clientOrderId: enqueued.clientOrderId, qty: 4n, priceUsd: "100", account, kind: "partial_fill" as const };
    expect((await applyBrokerEvent(db, fillEvent({ ...base, messageId: "stream-1" }))).kind).toBe("applied");
    expect(await applyBrokerEvent(db, fillEvent({ ...base, messageId: "rest-backfill-1" }))).toEqual({ kind: "duplicate" });
    expect(await positionOf(db, account)).toMatchObject({ qty_shares: 4n });
    expect(await orderRow(db, enqueued.clientOrderId)).toMatchObject({ state: "partially_filled", filled_qty_shares: 4n });
  });

  it("D2: partial fills book position, cash, fees and realised PnL with average-cost math", async () => {
    const account = freshAccount();
    const db = desk().handle.db;
    // the n-th execution of this account: message id and execution id follow n
    const nth = (n: number, clientOrderId: string, qty: bigint, priceUsd: string, extra: Partial<FillEventInput> = {}): Promise<ApplyOutcome> =>
      applyBrokerEvent(
        db,
        fillEvent({ messageId: `${account}-${String(n)}`, executionId: `${account}-e${String(n)}`, clientOrderId, qty, priceUsd, account, ...extra }),
      );
    const buy = await approveAndEnqueue(desk(), marketRequest("buy", 10n), account);
    await nth(1, buy.enqueued.clientOrderId, 6n, "100", { kind: "partial_fill" });
    await nth(2, buy.enqueued.clientOrderId, 4n, "105");
    expect(await orderRow(db, buy.enqueued.clientOrderId)).toMatchObject({ state: "filled", filled_qty_shares: 10n, filled_avg_price_micros: usd("102") });
    expect(await positionOf(db, account)).toMatchObject({ qty_shares: 10n, avg_cost_micros: usd("102") });

    const sell = await approveAndEnqueue(desk(), marketRequest("sell", 4n), account);
    await nth(3, sell.enqueued.clientOrderId, 4n, "110", { feeUsd: "1.5" });
    // realised: 4 × (110 − 102) − 1.5 fee = 30.5
    expect(await positionOf(db, account)).toMatchObject({ qty_shares: 6n, avg_cost_micros: usd("102"), realized_pnl_micros: usd("30.5") });
    // cash: −600 − 420 + 440 − 1.5, in four entries (three fills and a fee)
    expect(await cashOf(db, account)).toEqual({ rows: 4, sum: 0n - usd("581.5") });
  });

  it("A4: the broker order id carried by the first event is recorded in the id map", async () => {
    const account = freshAccount();
    const db = desk().handle.db;
    const { enqueued } = await approveAndEnqueue(desk(), marketRequest("buy", 1n), account);
    const brokerId = asBrokerOrderId(`b-${account}`);
    expect(await applyBrokerEvent(db, orderEvent(`${account}-new`, "new", enqueued.clientOrderId, brokerId, account))).toMatchObject({
      kind: "applied",
      orderState: "new",
    });
    expect((await orderIdsByClientOrderId(db, enqueued.clientOrderId))?.brokerOrderId).toBe(brokerId);
    // a later event that names only the broker id finds the order through the map
    expect(await applyBrokerEvent(db, orderEvent(`${account}-cx`, "canceled", null, brokerId, account))).toMatchObject({
      kind: "applied",
      orderState: "canceled",
    });
  });

  it("D2: out of order — a late 'new' after a fill keeps 'filled'; a partial fill after 'canceled' is booked and the order stays canceled", async () => {
    const account = freshAccount();
    const db = desk().handle.db;
    const a = await approveAndEnqueue(desk(), marketRequest("buy", 5n), account);
    await applyBrokerEvent(
      db,
      fillEvent({ messageId: `${account}-f`, executionId: `${account}-fa`, clientOrderId: a.enqueued.clientOrderId, qty: 5n, priceUsd: "100", account }),
    );
    expect(await applyBrokerEvent(db, orderEvent(`${account}-n`, "new", a.enqueued.clientOrderId, null, account))).toMatchObject({
      kind: "applied",
      orderState: "filled",
    });

    const b = await approveAndEnqueue(desk(), marketRequest("buy", 5n), account);
    await applyBrokerEvent(db, orderEvent(`${account}-c`, "canceled", b.enqueued.clientOrderId, null, account));
    expect(
      await applyBrokerEvent(
        db,
        fillEvent({
          messageId: `${account}-pf`,
          executionId: `${account}-fb`,
          clientOrderId: b.enqueued.clientOrderId,
          qty: 2n,
          priceUsd: "100",
          kind: "partial_fill",
          account,
        }),
      ),
    ).toMatchObject({ kind: "applied", orderState: "canceled", fillApplied: true });
    expect(await positionOf(db, account)).toMatchObject({ qty_shares: 7n });
  });

  it("D2: an event the table does not list (canceled after filled) or an overfill is kept unapplied and changes nothing", async () => {
    const account = freshAccount();
    const db = desk().handle.db;
    const { enqueued } = await approveAndEnqueue(desk(), marketRequest("buy", 3n), account);
    await applyBrokerEvent(
      db,
      fillEvent({ messageId: `${account}-f`, executionId: `${account}-e1`, clientOrderId: enqueued.clientOrderId, qty: 3n, priceUsd: "100", account }),
    );
    const illegal = await applyBrokerEvent(db, orderEvent(`${account}-c`, "canceled", enqueued.clientOrderId, null, account));
    expect(illegal).toMatchObject({ kind: "illegal_transition", from: "filled", event: "canceled" });
    const overfill = await applyBrokerEvent(
      db,
      fillEvent({ messageId: `${account}-f2`, executionId: `${account}-e2`, clientOrderId: enqueued.clientOrderId, qty: 1n, priceUsd: "100", account }),
    );
    expect(overfill).toMatchObject({ kind: "illegal_transition", from: "filled" });
    expect(await orderRow(db, enqueued.clientOrderId)).toMatchObject({ state: "filled", filled_qty_shares: 3n });
    expect(await positionOf(db, account)).toMatchObject({ qty_shares: 3n });
    const unapplied = await db
      .selectFrom("inbox")
      .select("broker_message_id")
      .where("account", "=", account)
      .where("applied_at", "is", null)
      .orderBy("seq")
      .execute();
    expect(unapplied.map((r) => r.broker_message_id)).toEqual([`${account}-c`, `${account}-f2`]);
  });

  it("D2: an event for an order we never placed is kept unapplied and books nothing", async () => {
    const account = freshAccount();
    const db = desk().handle.db;
    const outcome = await applyBrokerEvent(
      db,
      fillEvent({ messageId: `${account}-x`, executionId: `${account}-ex`, clientOrderId: "someone-else", qty: 1n, priceUsd: "50", account }),
    );
    expect(outcome.kind).toBe("unmatched");
    expect(await positionOf(db, account, asTicker("AAPL"))).toBeUndefined();
    expect(await cashOf(db, account)).toEqual({ rows: 0, sum: 0n });
  });
});

describe("inbox atomicity", () => {
  it("D2: when applying fails part-way, the inbox row rolls back with it — nothing is half-applied, and no duplicate is remembered", async () => {
    const account = freshAccount();
    const db = desk().handle.db;
    const { enqueued } = await approveAndEnqueue(desk(), marketRequest("buy", 5n), account);
    // a ledger entry already booked under this execution id makes the fill's cash insert fail (unique key)
    await db
      .insertInto("cash_ledger")
      .values({ account, amount_micros: 1n, reason: "FILL", source_ref: `${account}-ex`, note: "planted by the test" })
      .execute();
    const event = fillEvent({
      messageId: `${account}-m`,
      executionId: `${account}-ex`,
      clientOrderId: enqueued.clientOrderId,
      qty: 5n,
      priceUsd: "100",
      account,
    });
    await expect(applyBrokerEvent(db, event)).rejects.toThrow();
    expect(await db.selectFrom("inbox").select("seq").where("broker_message_id", "=", `${account}-m`).execute()).toEqual([]);
    expect(await orderRow(db, enqueued.clientOrderId)).toBeUndefined();
    const position = await positionOf(db, account);
    expect(position === undefined || position.qty_shares === 0n).toBe(true);
    // once the cause is gone, the redelivery applies (it was not recorded as seen)
    await db.deleteFrom("cash_ledger").where("account", "=", account).execute();
    expect(await applyBrokerEvent(db, event)).toMatchObject({ kind: "applied", orderState: "filled" });
    expect(await positionOf(db, account)).toMatchObject({ qty_shares: 5n });
  });
});

describe("inbox under concurrency", () => {
  it("D2: fills of several orders on one symbol applied concurrently (and each twice) add up exactly", async () => {
    const account = freshAccount();
    const db = desk().handle.db;
    // approvals one by one: risk reads its state on its own connection while the caller's transaction holds one
    const orders: Awaited<ReturnType<typeof approveAndEnqueue>>[] = [];
    for (let i = 0; i < 6; i += 1) orders.push(await approveAndEnqueue(desk(), marketRequest("buy", 10n), account));
    const events = orders.flatMap(({ enqueued }, i) =>
      [0, 1].map((copy) =>
        fillEvent({
          messageId: `${account}-o${String(i)}-c${String(copy)}`,
          executionId: `${account}-o${String(i)}`,
          clientOrderId: enqueued.clientOrderId,
          qty: 10n,
          priceUsd: "100",
          account,
        }),
      ),
    );
    const outcomes = await Promise.all(events.map((e) => applyBrokerEvent(db, e)));
    expect(outcomes.filter((o) => o.kind === "applied")).toHaveLength(6);
    expect(outcomes.filter((o) => o.kind === "duplicate")).toHaveLength(6);
    expect(await positionOf(db, account)).toMatchObject({ qty_shares: 60n, avg_cost_micros: usd("100") });
    expect(await cashOf(db, account)).toEqual({ rows: 6, sum: 0n - usd("6000") });
  });
});
