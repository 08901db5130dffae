/**
 * The fake Alpaca's REST endpoints answer with the shapes of API-BRIEF §1.3–§1.9:
 * numbers as strings, nanosecond RFC 3339 timestamps, UUID ids, literal-colon path.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeClock } from "@mqk/core";
import { startFakeAlpaca, type FakeAlpaca } from "@mqk/testkit";
import { DECIMAL, NANO_UTC, UUID, field, list, order, rest } from "./alpaca-client.js";

let fake: FakeAlpaca;

beforeEach(async () => {
  fake = await startFakeAlpaca({ prices: { AAPL: "150", MSFT: "400.5" } });
});
afterEach(async () => {
  await fake.close();
});

const ORDER_KEYS = [
  "id",
  "client_order_id",
  "created_at",
  "updated_at",
  "submitted_at",
  "filled_at",
  "expired_at",
  "expires_at",
  "canceled_at",
  "failed_at",
  "replaced_at",
  "replaced_by",
  "replaces",
  "asset_id",
  "symbol",
  "asset_class",
  "notional",
  "qty",
  "filled_qty",
  "filled_avg_price",
  "order_class",
  "order_type",
  "type",
  "side",
  "position_intent",
  "time_in_force",
  "limit_price",
  "stop_price",
  "status",
  "extended_hours",
  "legs",
  "trail_percent",
  "trail_price",
  "hwm",
  "source",
  "subtag",
];

describe("POST /v2/orders and the Order object", () => {
  it("answers 200 with every Order key, string numbers, nanosecond timestamps and UUID ids", async () => {
    fake.setAuto({ fill: false });
    const res = await rest(fake, "POST", "/v2/orders", order("AAPL", "2", "buy", { type: "limit", limit_price: "149.5", client_order_id: "c-1" }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f]{32}$/);
    const o = res.body as Record<string, unknown>;
    expect(Object.keys(o).sort()).toEqual([...ORDER_KEYS].sort());
    expect(o["id"]).toMatch(UUID);
    expect(o["asset_id"]).toMatch(UUID);
    for (const k of ["created_at", "updated_at", "submitted_at"]) expect(o[k]).toMatch(NANO_UTC);
    expect(o).toMatchObject({
      client_order_id: "c-1",
      status: "accepted",
      qty: "2",
      filled_qty: "0",
      filled_avg_price: null,
      notional: null,
      limit_price: "149.5",
      stop_price: null,
      type: "limit",
      order_type: "limit",
      side: "buy",
      time_in_force: "day",
      asset_class: "us_equity",
      order_class: "",
      position_intent: "buy_to_open",
      legs: null,
      extended_hours: false,
    });
    expect(fake.order("c-1")?.status).toBe("new");
  });

  it("takes JSON numbers as well as strings, and generates a client_order_id when none is sent", async () => {
    const res = await rest(fake, "POST", "/v2/orders", { symbol: "AAPL", qty: 3, side: "buy", type: "limit", limit_price: 151, time_in_force: "gtc" });
    expect(res.status).toBe(200);
    expect(field(res.body, "qty")).toBe("3");
    expect(field(res.body, "limit_price")).toBe("151");
    expect(field(res.body, "client_order_id")).toMatch(UUID);
  });

  it("fills a market order at the configured price and moves cash and the position", async () => {
    const res = await rest(fake, "POST", "/v2/orders", order("AAPL", "10", "buy", { client_order_id: "m-1" }));
    expect(res.status).toBe(200);
    const filled = await rest(fake, "GET", `/v2/orders/${String(field(res.body, "id"))}`);
    expect(filled.body).toMatchObject({ status: "filled", filled_qty: "10", filled_avg_price: "150" });
    expect(field(filled.body, "filled_at")).toMatch(NANO_UTC);
    const account = await rest(fake, "GET", "/v2/account");
    expect(account.body).toMatchObject({ cash: "98500", equity: "100000", long_market_value: "1500", buying_power: "98500" });
  });
});

describe("reading orders", () => {
  it("GET /v2/orders/{id} and /v2/orders:by_client_order_id (literal colon) find the order; unknown ids are 404", async () => {
    const created = await rest(fake, "POST", "/v2/orders", order("AAPL", "1", "buy", { client_order_id: "find-me" }));
    const id = String(field(created.body, "id"));
    expect(field((await rest(fake, "GET", `/v2/orders/${id}`)).body, "client_order_id")).toBe("find-me");
    const byCoid = await rest(fake, "GET", "/v2/orders:by_client_order_id?client_order_id=find-me");
    expect(byCoid.status).toBe(200);
    expect(field(byCoid.body, "id")).toBe(id);
    const missing = await rest(fake, "GET", "/v2/orders:by_client_order_id?client_order_id=nobody");
    expect(missing).toMatchObject({ status: 404, body: { code: 40410000, message: "order not found" } });
    expect((await rest(fake, "GET", "/v2/orders/0f3c9b7e-1d2a-4c4e-9a51-3b8f2f1d7c10")).status).toBe(404);
  });

  it("GET /v2/orders filters by status, side, symbols, after/until, direction and limit", async () => {
    fake.setAuto({ fill: false });
    for (const [i, sym] of ["AAPL", "MSFT", "AAPL"].entries())
      await rest(fake, "POST", "/v2/orders", order(sym, "1", "buy", { client_order_id: `l-${String(i)}` }));
    fake.fillOrder("l-0");
    const ids = (q: string) => rest(fake, "GET", `/v2/orders${q}`).then((r) => list(r.body).map((o) => o["client_order_id"]));
    expect(await ids("")).toEqual(["l-2", "l-1"]);
    expect(await ids("?status=closed")).toEqual(["l-0"]);
    expect(await ids("?status=all&direction=asc")).toEqual(["l-0", "l-1", "l-2"]);
    expect(await ids("?status=all&symbols=AAPL")).toEqual(["l-2", "l-0"]);
    expect(await ids("?status=all&side=sell")).toEqual([]);
    expect(await ids("?status=all&limit=1")).toEqual(["l-2"]);
    const first = fake.order("l-0");
    expect(await ids(`?status=all&direction=asc&after=${encodeURIComponent(first?.created_at ?? "")}`)).toEqual(["l-1", "l-2"]);
    expect(await ids(`?status=all&until=${encodeURIComponent(fake.order("l-1")?.created_at ?? "")}`)).toEqual(["l-0"]);
    expect((await rest(fake, "GET", "/v2/orders?limit=501")).status).toBe(422);
    expect((await rest(fake, "GET", "/v2/orders?status=bogus")).status).toBe(422);
  });
});

describe("replace and cancel", () => {
  it("PATCH creates a new order that replaces the old; the old goes to replaced with replaced_by", async () => {
    fake.setAuto({ fill: false });
    const created = await rest(fake, "POST", "/v2/orders", order("AAPL", "5", "buy", { type: "limit", limit_price: "140", client_order_id: "r-old" }));
    const oldId = String(field(created.body, "id"));
    const patched = await rest(fake, "PATCH", `/v2/orders/${oldId}`, { limit_price: "141.25", client_order_id: "r-new" });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ replaces: oldId, limit_price: "141.25", client_order_id: "r-new", qty: "5" });
    expect(field(patched.body, "id")).not.toBe(oldId);
    expect(fake.order(oldId)).toMatchObject({ status: "replaced", replaced_by: field(patched.body, "id") });
    expect(fake.order(oldId)?.replaced_at).toMatch(NANO_UTC);
    const again = await rest(fake, "PATCH", `/v2/orders/${oldId}`, { limit_price: "142" });
    expect(again.status).toBe(422);
  });

  it("PATCH is refused while the order is still accepted", async () => {
    fake.setAuto({ accept: false });
    const created = await rest(fake, "POST", "/v2/orders", order("AAPL", "1", "buy", { type: "limit", limit_price: "140" }));
    const res = await rest(fake, "PATCH", `/v2/orders/${String(field(created.body, "id"))}`, { limit_price: "141" });
    expect(res).toMatchObject({ status: 422, body: { code: 42210000 } });
  });

  it("DELETE answers 204 with an empty body, then 422 once the order can no longer be canceled", async () => {
    fake.setAuto({ fill: false });
    const created = await rest(fake, "POST", "/v2/orders", order("AAPL", "1", "buy", { client_order_id: "d-1" }));
    const id = String(field(created.body, "id"));
    const del = await rest(fake, "DELETE", `/v2/orders/${id}`);
    expect(del).toMatchObject({ status: 204, body: null });
    expect(del.headers.get("content-type")).toBeNull();
    expect(fake.order(id)?.status).toBe("canceled");
    expect(fake.order(id)?.canceled_at).toMatch(NANO_UTC);
    expect((await rest(fake, "DELETE", `/v2/orders/${id}`)).status).toBe(422);
    expect((await rest(fake, "DELETE", "/v2/orders/0f3c9b7e-1d2a-4c4e-9a51-3b8f2f1d7c10")).status).toBe(404);
  });

  it("DELETE leaves the order pending_cancel when automatic cancel is off", async () => {
    fake.setAuto({ fill: false, cancel: false });
    const created = await rest(fake, "POST", "/v2/orders", order("AAPL", "1", "buy"));
    const id = String(field(created.body, "id"));
    expect((await rest(fake, "DELETE", `/v2/orders/${id}`)).status).toBe(204);
    expect(fake.order(id)?.status).toBe("pending_cancel");
    expect((await rest(fake, "DELETE", `/v2/orders/${id}`)).status).toBe(204);
    fake.cancelFromBroker(id);
    expect(fake.order(id)?.status).toBe("canceled");
  });

  it("DELETE /v2/orders answers 207 with one entry per open order", async () => {
    fake.setAuto({ fill: false });
    await rest(fake, "POST", "/v2/orders", order("AAPL", "1", "buy"));
    await rest(fake, "POST", "/v2/orders", order("MSFT", "1", "buy"));
    const res = await rest(fake, "DELETE", "/v2/orders");
    expect(res.status).toBe(207);
    expect(list(res.body).map((e) => e["status"])).toEqual([200, 200]);
    expect(fake.orders().every((o) => o.status === "canceled")).toBe(true);
  });
});

describe("positions, account, clock, calendar", () => {
  it("GET /v2/positions lists positions with string numbers; /{symbol} 404s when flat", async () => {
    expect((await rest(fake, "GET", "/v2/positions")).body).toEqual([]);
    expect(await rest(fake, "GET", "/v2/positions/AAPL")).toMatchObject({ status: 404, body: { code: 40410000, message: "position does not exist" } });
    await rest(fake, "POST", "/v2/orders", order("AAPL", "4", "buy"));
    fake.setPrice("AAPL", "155");
    const pos = await rest(fake, "GET", "/v2/positions/AAPL");
    expect(pos.body).toMatchObject({
      symbol: "AAPL",
      qty: "4",
      qty_available: "4",
      side: "long",
      avg_entry_price: "150",
      market_value: "620",
      cost_basis: "600",
      unrealized_pl: "20",
      current_price: "155",
      asset_class: "us_equity",
    });
    expect(field(pos.body, "unrealized_plpc")).toBe("0.033333");
    expect(field(pos.body, "asset_id")).toMatch(UUID);
    const all = list((await rest(fake, "GET", "/v2/positions")).body);
    expect(all).toHaveLength(1);
    for (const k of ["avg_entry_price", "qty", "market_value", "cost_basis", "unrealized_pl", "current_price"]) expect(all[0]?.[k]).toMatch(DECIMAL);
  });

  it("GET /v2/account has every money field as a decimal string", async () => {
    const res = await rest(fake, "GET", "/v2/account");
    const money = [
      "cash",
      "equity",
      "last_equity",
      "buying_power",
      "regt_buying_power",
      "non_marginable_buying_power",
      "portfolio_value",
      "long_market_value",
      "short_market_value",
      "initial_margin",
      "maintenance_margin",
      "sma",
      "multiplier",
    ];
    for (const k of money) expect(field(res.body, k)).toMatch(DECIMAL);
    expect(res.body).toMatchObject({ status: "ACTIVE", currency: "USD", cash: "100000", shorting_enabled: false, trading_blocked: false });
    expect(field(res.body, "id")).toMatch(UUID);
  });

  it("GET /v2/clock answers in the Eastern offset with nanoseconds, open only in the regular session", async () => {
    const clock = new FakeClock(Date.parse("2025-07-03T14:00:00.123Z")); // 10:00 ET on an early-close day
    const timed = await startFakeAlpaca({ clock });
    try {
      const open = await rest(timed, "GET", "/v2/clock");
      expect(open.body).toEqual({
        timestamp: "2025-07-03T10:00:00.123000000-04:00",
        is_open: true,
        next_open: "2025-07-07T09:30:00.000000000-04:00",
        next_close: "2025-07-03T13:00:00.000000000-04:00",
      });
      clock.set(Date.parse("2025-12-31T22:00:00Z")); // 17:00 ET, winter
      expect((await rest(timed, "GET", "/v2/clock")).body).toMatchObject({
        is_open: false,
        next_open: "2026-01-02T09:30:00.000000000-05:00",
        next_close: "2026-01-02T16:00:00.000000000-05:00",
      });
    } finally {
      await timed.close();
    }
  });

  it("GET /v2/calendar lists trading days only, 13:00 on early closes, and takes dates or RFC 3339 bounds", async () => {
    const res = await rest(fake, "GET", "/v2/calendar?start=2025-07-02&end=2025-07-08");
    expect(res.body).toEqual([
      { date: "2025-07-02", open: "09:30", close: "16:00", session_open: "0400", session_close: "2000", settlement_date: "2025-07-03" },
      { date: "2025-07-03", open: "09:30", close: "13:00", session_open: "0400", session_close: "2000", settlement_date: "2025-07-07" },
      { date: "2025-07-07", open: "09:30", close: "16:00", session_open: "0400", session_close: "2000", settlement_date: "2025-07-08" },
      { date: "2025-07-08", open: "09:30", close: "16:00", session_open: "0400", session_close: "2000", settlement_date: "2025-07-09" },
    ]);
    const sdkStyle = await rest(
      fake,
      "GET",
      `/v2/calendar?start=${encodeURIComponent("2025-07-02T00:00:00.000Z")}&end=${encodeURIComponent("2025-07-08T00:00:00.000Z")}`,
    );
    expect(sdkStyle.body).toEqual(res.body);
    expect((await rest(fake, "GET", "/v2/calendar?start=yesterday")).status).toBe(422);
  });

  it("unknown paths are 404 and wrong methods 405, in the error envelope", async () => {
    expect(await rest(fake, "GET", "/v2/nothing")).toMatchObject({ status: 404, body: { code: 40410000 } });
    expect((await rest(fake, "POST", "/v2/account", {})).status).toBe(405);
  });
});
