/**
 * The official SDK, `@alpacahq/alpaca-trade-api` v4, talks to the fake
 * (API-BRIEF §1.12): REST through the facade with a `fetchApi` that rewrites
 * the origin, or through raw API classes with `basePath`; the stream through
 * `trading.stream({ url })`.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Alpaca, ApiError, AuthError, PermissionError, ValidationError, trading } from "@alpacahq/alpaca-trade-api";
import { ALPACA_ORDER_SUBMIT, startFakeAlpaca, type FakeAlpaca } from "@mqk/testkit";
import { eventually } from "./alpaca-client.js";

let fake: FakeAlpaca;

beforeEach(async () => {
  fake = await startFakeAlpaca({ prices: { AAPL: "187.25" } });
});
afterEach(async () => {
  await fake.close();
});

/** The facade has no base URL option: send every trading request to the fake instead. */
function sdk(
  options: { retry?: false | { maxRetries: number; retryDelayMs: number }; keys?: { keyId: string; secretKey: string }; timeoutMs?: number } = {},
): Alpaca {
  const keys = options.keys ?? fake.keys;
  const base = new URL(fake.baseUrl);
  return new Alpaca({
    keyId: keys.keyId,
    secret: keys.secretKey,
    paper: true,
    retry: options.retry ?? false,
    rateLimit: false,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    fetchApi: (input, init) => {
      const url = new URL(input);
      if (url.hostname !== "paper-api.alpaca.markets") throw new Error(`unexpected host ${url.hostname}`);
      url.protocol = base.protocol;
      url.host = base.host;
      return fetch(url, init);
    },
  });
}

describe("REST through the SDK facade", () => {
  it("reads account, clock, calendar and positions, and places, finds and cancels orders", async () => {
    const alpaca = sdk();
    const account = await alpaca.trading.account.getAccount();
    expect(account.cash).toBe("100000");
    const clock = await alpaca.trading.clock.legacyClock();
    expect(clock.nextOpen).toBeInstanceOf(Date);
    const days = await alpaca.trading.calendar.legacyCalendar({ start: new Date("2025-07-02T00:00:00Z"), end: new Date("2025-07-07T00:00:00Z") });
    expect(days.map((d) => [d.date.toISOString().slice(0, 10), d.close])).toEqual([
      ["2025-07-02", "16:00"],
      ["2025-07-03", "13:00"],
      ["2025-07-07", "16:00"],
    ]);

    const placed = await alpaca.trading.orders.market({ symbol: "AAPL", qty: 2, side: "buy", clientOrderId: "sdk-1" });
    expect(placed).toMatchObject({ clientOrderId: "sdk-1", status: "accepted", qty: "2" });
    expect(placed.createdAt).toBeInstanceOf(Date);
    const found = await alpaca.trading.orders.getOrderByClientOrderId({ clientOrderId: "sdk-1" });
    expect(found).toMatchObject({ id: placed.id, status: "filled", filledAvgPrice: "187.25" });
    const positions = await alpaca.trading.positions.getAllOpenPositions();
    expect(positions.map((p) => [p.symbol, p.qty])).toEqual([["AAPL", "2"]]);

    fake.setAuto({ fill: false });
    const resting = await alpaca.trading.orders.limit({ symbol: "AAPL", qty: 1, side: "buy", limitPrice: 180, clientOrderId: "sdk-2" });
    await alpaca.trading.orders.deleteOrderByOrderID({ orderId: String(resting.id) });
    expect(fake.order("sdk-2")?.status).toBe("canceled");
    const all = await alpaca.trading.orders.getAllOrders({ status: "all", direction: "asc" });
    expect(all.map((o) => o.clientOrderId)).toEqual(["sdk-1", "sdk-2"]);
  });

  it("maps the fake's refusals to the SDK's error classes, with Alpaca's codes", async () => {
    const alpaca = sdk();
    await alpaca.trading.orders.market({ symbol: "AAPL", qty: 1, side: "buy", clientOrderId: "sdk-dup" });
    const dup = await alpaca.trading.orders.market({ symbol: "AAPL", qty: 1, side: "buy", clientOrderId: "sdk-dup" }).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(ValidationError);
    expect(dup).toMatchObject({ status: 422, code: 40010001, message: expect.stringContaining("client_order_id must be unique") as unknown });
    const poor = await alpaca.trading.orders.market({ symbol: "AAPL", qty: 10_000, side: "buy" }).catch((e: unknown) => e);
    expect(poor).toBeInstanceOf(PermissionError);
    expect(poor).toMatchObject({ status: 403, code: 40310000 });
    const stranger = await sdk({ keys: { keyId: "PKWRONG", secretKey: "wrong" } })
      .trading.account.getAccount()
      .catch((e: unknown) => e);
    expect(stranger).toBeInstanceOf(AuthError);
  });

  it("sends POST /v2/orders once even with retries on; a 500 after accepting leaves one order", async () => {
    const alpaca = sdk({ retry: { maxRetries: 2, retryDelayMs: 1 } });
    fake.faults.inject({ kind: "status", status: 500, phase: "after", match: ALPACA_ORDER_SUBMIT });
    const failed = await alpaca.trading.orders.market({ symbol: "AAPL", qty: 1, side: "buy", clientOrderId: "sdk-amb" }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ApiError);
    expect(failed).toMatchObject({ status: 500 });
    expect(fake.submissions()).toHaveLength(1);
    expect(fake.orders().map((o) => o.client_order_id)).toEqual(["sdk-amb"]);
    expect((await alpaca.trading.orders.getOrderByClientOrderId({ clientOrderId: "sdk-amb" })).status).toBe("filled");

    fake.faults.inject({ kind: "status", status: 503, phase: "before", times: 2, match: { method: "GET", path: "/v2/account" } });
    expect((await alpaca.trading.account.getAccount()).currency).toBe("USD");
    expect(
      fake
        .requests()
        .filter((r) => r.path === "/v2/account")
        .map((r) => r.answer),
    ).toEqual([503, 503, 200]);
  });

  it("raw API classes take the fake as basePath", async () => {
    const config = new trading.Configuration({ basePath: fake.baseUrl, keyId: fake.keys.keyId, secret: fake.keys.secretKey });
    const account = await new trading.AccountsApi(config).getAccount();
    expect(account.buyingPower).toBe("100000");
  });
});

describe("the trade_updates stream through the SDK", () => {
  it("authenticates, subscribes and receives new and fill with the order mapped", async () => {
    const alpaca = sdk();
    const stream = alpaca.trading.stream({ url: fake.streamUrl, reconnect: false, pingIntervalMs: 0 });
    const updates: { event: string; executionId: string | undefined; status: unknown; positionQty: string | undefined }[] = [];
    stream.onTradeUpdate((u) => updates.push({ event: u.event, executionId: u.executionId, status: u.order.status, positionQty: u.positionQty }));
    stream.subscribeTradeUpdates();
    stream.connect();
    try {
      expect(await stream.waitForAuthentication(2000)).toBe(true);
      await eventually(() => fake.streamConnections().some((c) => c.listening), "the SDK's listen");
      await alpaca.trading.orders.market({ symbol: "AAPL", qty: 3, side: "buy", clientOrderId: "sdk-s1" });
      await eventually(() => updates.length === 2, "new and fill through the SDK");
      expect(updates.map((u) => [u.event, u.status, u.positionQty])).toEqual([
        ["new", "new", undefined],
        ["fill", "filled", "3"],
      ]);
      expect(updates[1]?.executionId).toBe(fake.events()[1]?.executionId);
    } finally {
      stream.disconnect();
    }
  });

  it("a second SDK stream with the same keys is refused and does not reconnect", async () => {
    const alpaca = sdk();
    const first = alpaca.trading.stream({ url: fake.streamUrl, reconnect: false, pingIntervalMs: 0 });
    const second = alpaca.trading.stream({ url: fake.streamUrl, pingIntervalMs: 0 });
    first.connect();
    try {
      expect(await first.waitForAuthentication(2000)).toBe(true);
      second.connect();
      expect(await second.whenAuthenticated()).toMatchObject({ authenticated: false, status: "server_rejected" });
    } finally {
      first.disconnect();
      second.disconnect();
    }
  });
});
