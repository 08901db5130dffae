/**
 * The Alpaca adapter's REST side against the real fake broker (@mqk/testkit):
 * every classification of the port produced by the fake's own faults, lookups,
 * cancel and replace, the order list's paging and `after` filter, and exact
 * snapshot numbers. No SDK or adapter code is mocked.
 */
import { afterEach, describe, expect, it } from "vitest";
import { asBrokerOrderId, asClientOrderId, FakeClock, toShares } from "@mqk/core";
import { ALPACA_ORDER_SUBMIT, type FakeAlpaca, type FakeAlpacaOptions } from "@mqk/testkit";
import type { BrokerAdapter, SendOutcome } from "../broker-port.js";
import { adapterFor, fakeWithAdapter, orderIdOf, orderRequest, utcStampNs } from "./alpaca.test-support.js";

let fake: FakeAlpaca | undefined;
let adapter: BrokerAdapter | undefined;

async function start(options: FakeAlpacaOptions = {}, over: Parameters<typeof adapterFor>[1] = {}): Promise<{ fake: FakeAlpaca; adapter: BrokerAdapter }> {
  const started = await fakeWithAdapter(options, over);
  ({ fake, adapter } = started);
  return started;
}

afterEach(async () => {
  await adapter?.close();
  await fake?.close();
  adapter = undefined;
  fake = undefined;
});

function expectKind<K extends SendOutcome["kind"]>(outcome: SendOutcome, kind: K): Extract<SendOutcome, { kind: K }> {
  expect(
    outcome.kind,
    JSON.stringify(outcome, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)),
  ).toBe(kind);
  return outcome as Extract<SendOutcome, { kind: K }>;
}

describe("submit", () => {
  it("A5: 200 → accepted, with the order normalised exactly (micros, shares, ns)", async () => {
    const { fake, adapter } = await start({ auto: { accept: false } });
    const outcome = expectKind(await adapter.submit(orderRequest("s-accepted", { qty: "2", limit: "150.12" })), "accepted");
    const wire = fake.order("s-accepted");
    expect(wire).toBeDefined();
    expect(outcome.order).toEqual({
      brokerOrderId: wire?.id,
      clientOrderId: "s-accepted",
      symbol: "AAPL",
      side: "buy",
      type: "limit",
      timeInForce: "day",
      status: "accepted",
      qtyShares: 2n,
      filledQtyShares: 0n,
      filledAvgPriceMicros: null,
      limitPriceMicros: 150_120_000n,
      stopPriceMicros: null,
      replacesBrokerOrderId: null,
      replacedByBrokerOrderId: null,
      updatedAtNs: utcStampNs(wire?.updated_at ?? ""),
    });
    const [sent] = fake.submissions();
    expect(sent?.body).toMatchObject({
      symbol: "AAPL",
      qty: "2",
      side: "buy",
      type: "limit",
      time_in_force: "day",
      limit_price: "150.12",
      client_order_id: "s-accepted",
    });
    expect(fake.submissions()).toHaveLength(1);
  });

  it("A3: 503 before the broker took the order → ambiguous, sent once, no order", async () => {
    const { fake, adapter } = await start();
    fake.faults.inject({ kind: "status", status: 503, phase: "before", match: ALPACA_ORDER_SUBMIT });
    const outcome = expectKind(await adapter.submit(orderRequest("s-503-before")), "ambiguous");
    expect(outcome.reason).toContain("HTTP 503");
    expect(fake.submissions()).toHaveLength(1);
    expect(fake.orders()).toHaveLength(0);
  });

  it("A3: 500 after the broker took the order → ambiguous, sent once, and the lookup finds it", async () => {
    const { fake, adapter } = await start();
    fake.faults.inject({ kind: "status", status: 500, phase: "after", match: ALPACA_ORDER_SUBMIT });
    expectKind(await adapter.submit(orderRequest("s-500-after")), "ambiguous");
    expect(fake.submissions()).toHaveLength(1);
    const lookup = await adapter.lookupByClientOrderId(asClientOrderId("s-500-after"));
    expect(lookup.kind === "found" && lookup.order.brokerOrderId).toBe(fake.order("s-500-after")?.id);
  });

  it("A3: a hung answer → ambiguous after sendTimeoutMs, and the order exists", async () => {
    const { fake, adapter } = await start({}, { sendTimeoutMs: 300 });
    fake.faults.inject({ kind: "hang", phase: "after", match: ALPACA_ORDER_SUBMIT });
    const outcome = expectKind(await adapter.submit(orderRequest("s-hang")), "ambiguous");
    expect(outcome.reason).toMatch(/time|abort/i);
    expect(fake.order("s-hang")).toBeDefined();
    expect(fake.submissions()).toHaveLength(1);
  });

  it("A3: a reset connection → ambiguous, sent once", async () => {
    const { fake, adapter } = await start();
    fake.faults.inject({ kind: "reset", phase: "after", match: ALPACA_ORDER_SUBMIT });
    expectKind(await adapter.submit(orderRequest("s-reset")), "ambiguous");
    expect(fake.submissions()).toHaveLength(1);
    expect(fake.order("s-reset")).toBeDefined();
  });

  it("A3: 429 → ambiguous, never retried by the SDK", async () => {
    const { fake, adapter } = await start();
    fake.faults.inject({ kind: "rate-limit", retryAfterSeconds: 1, match: ALPACA_ORDER_SUBMIT });
    const outcome = expectKind(await adapter.submit(orderRequest("s-429")), "ambiguous");
    expect(outcome.reason).toContain("HTTP 429");
    expect(fake.submissions()).toHaveLength(1);
    expect(fake.orders()).toHaveLength(0);
  });

  it("403 insufficient buying power → rejected with status, code and message", async () => {
    const { adapter } = await start();
    const outcome = expectKind(await adapter.submit(orderRequest("s-403", { type: "market", qty: "10000" })), "rejected");
    expect(outcome).toEqual({ kind: "rejected", status: 403, code: 40310000, message: "insufficient buying power" });
  });

  it("422 validation → rejected", async () => {
    const { adapter } = await start({ tradableSymbols: ["AAPL"] });
    const outcome = expectKind(await adapter.submit(orderRequest("s-422", { symbol: "MSFT" })), "rejected");
    expect(outcome).toMatchObject({ status: 422, code: 40010001, message: 'asset "MSFT" not found' });
  });

  it("A3: 422 client_order_id must be unique → duplicate (the first send arrived)", async () => {
    const { fake, adapter } = await start();
    expectKind(await adapter.submit(orderRequest("s-dup")), "accepted");
    const outcome = expectKind(await adapter.submit(orderRequest("s-dup")), "duplicate");
    expect(outcome.message).toMatch(/client_order_id/);
    expect(fake.orders()).toHaveLength(1);
  });

  it("A3: a 422 that names client_order_id but is no duplicate (too long) → rejected, not taken for proof of a first send", async () => {
    const { fake, adapter } = await start({ maxClientOrderIdLength: 4 });
    const outcome = expectKind(await adapter.submit(orderRequest("s-too-long")), "rejected");
    expect(outcome).toMatchObject({ status: 422, message: "client_order_id must be no more than 4 characters" });
    expect(fake.orders()).toHaveLength(0);
  });

  it("401 wrong keys → not_sent, and no key in the reason", async () => {
    const keys = { keyId: "PKCANARYKEYID000000001", secretKey: "canary-secret-value-0123456789" };
    const { fake, adapter } = await start({}, { keys });
    const outcome = expectKind(await adapter.submit(orderRequest("s-401")), "not_sent");
    expect(outcome.reason).toContain("HTTP 401");
    expect(outcome.reason).not.toContain(keys.keyId);
    expect(outcome.reason).not.toContain(keys.secretKey);
    expect(fake.orders()).toHaveLength(0);
  });

  it("403 with no code (credentials refused) → not_sent", async () => {
    const { adapter } = await start({ authFailureStatus: 403 }, { keys: { keyId: "PKWRONG00000000000001", secretKey: "wrong-secret-0000000000" } });
    expectKind(await adapter.submit(orderRequest("s-403-nocode")), "not_sent");
  });
});

describe("lookup, cancel, replace", () => {
  it("lookupByClientOrderId: found, not_found (404), unavailable (503)", async () => {
    const { fake, adapter } = await start();
    await adapter.submit(orderRequest("l-1"));
    const found = await adapter.lookupByClientOrderId(asClientOrderId("l-1"));
    expect(found.kind === "found" && found.order.clientOrderId).toBe("l-1");
    expect(await adapter.lookupByClientOrderId(asClientOrderId("l-missing"))).toEqual({ kind: "not_found" });
    fake.faults.inject({ kind: "status", status: 503, phase: "before", match: { method: "GET", path: "/v2/orders:by_client_order_id" } });
    expect((await adapter.lookupByClientOrderId(asClientOrderId("l-1"))).kind).toBe("unavailable");
  });

  it("cancel: 204 → requested, 422 → not_cancelable, 404 → not_found, 5xx → ambiguous, 401 → not_sent", async () => {
    const { fake, adapter } = await start();
    await adapter.submit(orderRequest("c-1"));
    const id = orderIdOf(fake, "c-1");
    fake.faults.inject({ kind: "status", status: 502, phase: "before", match: { method: "DELETE" } });
    expect((await adapter.cancel(id)).kind).toBe("ambiguous");
    expect(await adapter.cancel(id)).toEqual({ kind: "requested" });
    expect(fake.order("c-1")?.status).toBe("canceled");
    const again = await adapter.cancel(id);
    expect(again.kind === "not_cancelable" && again.message).toContain("canceled");
    expect(await adapter.cancel(asBrokerOrderId("00000000-0000-4000-8000-000000000000"))).toEqual({ kind: "not_found" });
    const stranger = adapterFor(fake, { keys: { keyId: "PKWRONG00000000000001", secretKey: "wrong-secret-0000000000" } });
    expect((await stranger.cancel(id)).kind).toBe("not_sent");
  });

  it("replace: 200 → accepted new order that replaces the old; unknown id → rejected 404; duplicate id → duplicate", async () => {
    const { fake, adapter } = await start();
    await adapter.submit(orderRequest("r-1", { qty: "2", limit: "150" }));
    const old = orderIdOf(fake, "r-1");
    const replaced = expectKind(
      await adapter.replace({
        brokerOrderId: old,
        newClientOrderId: asClientOrderId("r-1-b"),
        qtyShares: toShares("3"),
        limitPriceMicros: 151_500_000n as never,
        stopPriceMicros: null,
        timeInForce: null,
      }),
      "accepted",
    );
    expect(replaced.order).toMatchObject({
      clientOrderId: "r-1-b",
      qtyShares: 3n,
      limitPriceMicros: 151_500_000n,
      replacesBrokerOrderId: old,
      timeInForce: "day",
    });
    expect(fake.order("r-1")).toMatchObject({ status: "replaced", replaced_by: replaced.order.brokerOrderId });
    expect(fake.requests().find((r) => r.method === "PATCH")?.body).toEqual({ client_order_id: "r-1-b", qty: "3", limit_price: "151.5" });

    const missing = await adapter.replace({
      brokerOrderId: asBrokerOrderId("00000000-0000-4000-8000-000000000000"),
      newClientOrderId: asClientOrderId("r-2"),
      qtyShares: null,
      limitPriceMicros: null,
      stopPriceMicros: null,
      timeInForce: null,
    });
    expect(missing).toEqual({ kind: "rejected", status: 404, code: 40410000, message: "order not found" });

    const dup = await adapter.replace({
      brokerOrderId: replaced.order.brokerOrderId,
      newClientOrderId: asClientOrderId("r-1"),
      qtyShares: toShares("4"),
      limitPriceMicros: null,
      stopPriceMicros: null,
      timeInForce: null,
    });
    expect(dup, JSON.stringify(dup)).toMatchObject({ kind: "duplicate" });
  });
});

describe("listOrders and snapshot", () => {
  it("listOrders: oldest first, `after` keeps only later orders, all statuses", async () => {
    const { fake, adapter } = await start();
    await adapter.submit(orderRequest("o-1"));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const cut = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await adapter.submit(orderRequest("o-2", { type: "market" }));
    await adapter.submit(orderRequest("o-3"));
    await adapter.cancel(orderIdOf(fake, "o-3"));
    expect((await adapter.listOrders(null)).map((o) => [o.clientOrderId, o.status])).toEqual([
      ["o-1", "new"],
      ["o-2", "filled"],
      ["o-3", "canceled"],
    ]);
    expect((await adapter.listOrders(cut)).map((o) => o.clientOrderId)).toEqual(["o-2", "o-3"]);
    const lists = fake.requests().filter((r) => r.method === "GET" && r.path === "/v2/orders");
    expect(new URLSearchParams(lists.at(-1)?.query).get("after")).toBe(new Date(cut - 1).toISOString().replace("Z", "000000Z"));
  });

  it("listOrders: pages of 500 until a short page, nothing lost or repeated", async () => {
    const { fake, adapter } = await start({ rateLimit: false, auto: { accept: false } });
    const n = 520;
    for (let i = 0; i < n; i += 40) {
      await Promise.all(
        Array.from({ length: Math.min(40, n - i) }, (_, k) => adapter.submit(orderRequest(`p-${String(i + k).padStart(4, "0")}`, { qty: "1", limit: "100" }))),
      );
    }
    expect(fake.orders()).toHaveLength(n);
    const listed = await adapter.listOrders(null);
    expect(listed.map((o) => o.brokerOrderId)).toEqual(fake.orders().map((o) => o.id));
    expect(new Set(listed.map((o) => o.brokerOrderId)).size).toBe(n);
    expect(fake.requests().filter((r) => r.method === "GET" && r.path === "/v2/orders")).toHaveLength(2);
  });

  it("A5: snapshot — broker clock in exact ns (ET offset), cash, signed positions and open orders, all exact", async () => {
    const clock = new FakeClock(Date.parse("2025-07-03T14:15:00.250Z"));
    const { adapter } = await start({ clock, startingCash: "100000.10" });
    await adapter.submit(orderRequest("n-1", { type: "market", qty: "3" }));
    await adapter.submit(orderRequest("n-2", { qty: "1", limit: "150.01" }));
    const snap = await adapter.snapshot();
    expect(snap.brokerTimeNs).toBe(BigInt(clock.nowMs()) * 1_000_000n);
    expect(snap.cashMicros).toBe(100_000_100_000n - 3n * 187_250_000n);
    expect(snap.positions).toEqual([{ symbol: "AAPL", qtyShares: 3n, avgEntryPriceMicros: 187_250_000n }]);
    expect(snap.openOrders.map((o) => [o.clientOrderId, o.limitPriceMicros])).toEqual([["n-2", 150_010_000n]]);
  });

  it("snapshot: a short position is negative", async () => {
    const { adapter } = await start({ shortingEnabled: true, buyingPowerMultiplier: 2 });
    await adapter.submit(orderRequest("sh-1", { type: "market", side: "sell", qty: "4" }));
    const snap = await adapter.snapshot();
    expect(snap.positions).toEqual([{ symbol: "AAPL", qtyShares: -4n, avgEntryPriceMicros: 187_250_000n }]);
  });

  it("snapshot and listOrders throw DeskError BROKER on failure, with no key in the message", async () => {
    const keys = { keyId: "PKCANARYKEYID000000002", secretKey: "canary-secret-value-9876543210" };
    const { adapter } = await start({}, { keys });
    for (const call of [() => adapter.snapshot(), () => adapter.listOrders(null)]) {
      const error: unknown = await call().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ name: "DeskError", code: "BROKER", retryable: false });
      const text = String((error as Error).message);
      expect(text).toContain("HTTP 401");
      expect(text).not.toContain(keys.keyId);
      expect(text).not.toContain(keys.secretKey);
    }
  });
});
