/**
 * The fake Alpaca refuses what the real one refuses (API-BRIEF §1.2, §1.4, §1.7,
 * §1.8, §1.11): reused client_order_id, buying power, held quantity, validation,
 * credentials, and the per-key rate limit.
 */
import { afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "@mqk/core";
import { DUPLICATE_CLIENT_ORDER_ID_MESSAGE, startFakeAlpaca, type FakeAlpaca, type FakeAlpacaOptions } from "@mqk/testkit";
import { field, order, rest } from "./alpaca-client.js";

const open: FakeAlpaca[] = [];
async function start(options: FakeAlpacaOptions = {}): Promise<FakeAlpaca> {
  const fake = await startFakeAlpaca({ prices: { AAPL: "100" }, ...options });
  open.push(fake);
  return fake;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

describe("client_order_id uniqueness", () => {
  it("a reused client_order_id gets 422 {code 40010001, message 'client_order_id must be unique'} and creates nothing", async () => {
    const fake = await start();
    expect(DUPLICATE_CLIENT_ORDER_ID_MESSAGE).toBe("client_order_id must be unique");
    expect((await rest(fake, "POST", "/v2/orders", order("AAPL", "1", "buy", { client_order_id: "dup-1" }))).status).toBe(200);
    const again = await rest(fake, "POST", "/v2/orders", order("AAPL", "1", "buy", { client_order_id: "dup-1" }));
    expect(again).toMatchObject({ status: 422, body: { code: 40010001, message: "client_order_id must be unique" } });
    expect(fake.orders()).toHaveLength(1);
    expect(fake.submissions().map((s) => [s.clientOrderId, s.outcome, s.answer])).toEqual([
      ["dup-1", "accepted", 200],
      ["dup-1", "duplicate", 422],
    ]);
  });

  it("stays unique after the first order is canceled, and after a refused order never created one", async () => {
    const fake = await start();
    fake.setAuto({ fill: false });
    const first = await rest(fake, "POST", "/v2/orders", order("AAPL", "1", "buy", { client_order_id: "once" }));
    await rest(fake, "DELETE", `/v2/orders/${String(field(first.body, "id"))}`);
    expect((await rest(fake, "POST", "/v2/orders", order("AAPL", "1", "buy", { client_order_id: "once" }))).status).toBe(422);
    // A refused order (buying power) used no id: the same id may be sent again with a smaller qty.
    expect((await rest(fake, "POST", "/v2/orders", order("AAPL", "5000", "buy", { client_order_id: "retry-small" }))).status).toBe(403);
    expect((await rest(fake, "POST", "/v2/orders", order("AAPL", "1", "buy", { client_order_id: "retry-small" }))).status).toBe(200);
  });

  it("a replace that reuses a client_order_id is refused the same way", async () => {
    const fake = await start();
    fake.setAuto({ fill: false });
    await rest(fake, "POST", "/v2/orders", order("AAPL", "1", "buy", { client_order_id: "taken" }));
    const other = await rest(fake, "POST", "/v2/orders", order("AAPL", "1", "buy", { type: "limit", limit_price: "90" }));
    const res = await rest(fake, "PATCH", `/v2/orders/${String(field(other.body, "id"))}`, { limit_price: "91", client_order_id: "taken" });
    expect(res).toMatchObject({ status: 422, body: { message: "client_order_id must be unique" } });
  });

  it("the length limit is a constant of the fake (default 128, settable to 48)", async () => {
    const fake = await start({ maxClientOrderIdLength: 48 });
    expect((await rest(fake, "POST", "/v2/orders", order("AAPL", "1", "buy", { client_order_id: "x".repeat(48) }))).status).toBe(200);
    expect(await rest(fake, "POST", "/v2/orders", order("AAPL", "1", "buy", { client_order_id: "y".repeat(49) }))).toMatchObject({
      status: 422,
      body: { code: 40010001 },
    });
  });
});

describe("pre-trade refusals (403)", () => {
  it("a buy beyond buying power gets 403 {code 40310000, 'insufficient buying power'} and creates nothing", async () => {
    const fake = await start({ startingCash: "1000" });
    const res = await rest(fake, "POST", "/v2/orders", order("AAPL", "11", "buy"));
    expect(res).toMatchObject({ status: 403, body: { code: 40310000, message: "insufficient buying power" } });
    expect(fake.orders()).toHaveLength(0);
    expect(fake.submissions()[0]?.outcome).toBe("rejected");
    expect((await rest(fake, "POST", "/v2/orders", order("AAPL", "10", "buy"))).status).toBe(200);
  });

  it("open buy orders reserve buying power; a limit buy is priced at its limit", async () => {
    const fake = await start({ startingCash: "1000" });
    fake.setAuto({ fill: false });
    expect((await rest(fake, "POST", "/v2/orders", order("AAPL", "6", "buy", { type: "limit", limit_price: "100" }))).status).toBe(200);
    expect(field((await rest(fake, "GET", "/v2/account")).body, "buying_power")).toBe("400");
    expect((await rest(fake, "POST", "/v2/orders", order("AAPL", "5", "buy", { type: "limit", limit_price: "90" }))).status).toBe(403);
    expect((await rest(fake, "POST", "/v2/orders", order("AAPL", "4", "buy", { type: "limit", limit_price: "100" }))).status).toBe(200);
  });

  it("a sell beyond the held quantity gets 403 'insufficient qty available for order (requested: N, available: M)'", async () => {
    const fake = await start();
    await rest(fake, "POST", "/v2/orders", order("AAPL", "2", "buy"));
    const res = await rest(fake, "POST", "/v2/orders", order("AAPL", "5", "sell"));
    expect(res).toMatchObject({ status: 403, body: { code: 40310000, message: "insufficient qty available for order (requested: 5, available: 2)" } });
    expect((await rest(fake, "POST", "/v2/orders", order("AAPL", "2", "sell"))).status).toBe(200);
    expect(fake.positions()).toEqual([]);
  });

  it("with shorting enabled a sell opens a short, priced against buying power", async () => {
    const fake = await start({ shortingEnabled: true, startingCash: "1000" });
    expect((await rest(fake, "POST", "/v2/orders", order("AAPL", "11", "sell"))).status).toBe(403);
    expect((await rest(fake, "POST", "/v2/orders", order("AAPL", "3", "sell"))).status).toBe(200);
    expect(fake.positions()[0]).toMatchObject({ qty: "-3", side: "short", market_value: "-300", cost_basis: "-300" });
    expect(fake.account()).toMatchObject({ cash: "1300", equity: "1000", short_market_value: "-300" });
  });
});

describe("validation (422)", () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["no symbol", { qty: "1", side: "buy", type: "market", time_in_force: "day" }, /symbol is required/],
    ["bad side", order("AAPL", "1", "short" as "buy"), /invalid side/],
    ["bad type", order("AAPL", "1", "buy", { type: "pegged" }), /invalid type/],
    ["bad time_in_force", order("AAPL", "1", "buy", { time_in_force: "week" }), /invalid time_in_force/],
    ["neither qty nor notional", { symbol: "AAPL", side: "buy", type: "market", time_in_force: "day" }, /qty or notional is required/],
    ["both qty and notional", order("AAPL", "1", "buy", { notional: "100" }), /only one of qty or notional/],
    ["limit without limit_price", order("AAPL", "1", "buy", { type: "limit" }), /limit_price is required/],
    ["stop without stop_price", order("AAPL", "1", "buy", { type: "stop" }), /stop_price is required/],
    ["zero qty", order("AAPL", "0", "buy"), /invalid qty/],
    ["negative qty", order("AAPL", "-1", "buy"), /invalid qty/],
    ["fractional qty (not modelled)", order("AAPL", "1.5", "buy"), /whole/],
    ["notional (not modelled)", { symbol: "AAPL", notional: "100", side: "buy", type: "market", time_in_force: "day" }, /notional orders are not modelled/],
    ["extended hours on a market order", order("AAPL", "1", "buy", { extended_hours: true }), /extended hours/],
    ["trailing stop without a trail", order("AAPL", "1", "sell", { type: "trailing_stop" }), /trail_price or trail_percent/],
    ["bracket (not modelled)", order("AAPL", "1", "buy", { order_class: "bracket" }), /not modelled/],
    ["lower-case symbol", order("aapl", "1", "buy"), /asset "aapl" not found/],
  ];
  it.each(cases)("%s → 422 code 40010001", async (_name, body, message) => {
    const fake = await start();
    const res = await rest(fake, "POST", "/v2/orders", body);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 40010001 });
    expect(String(field(res.body, "message"))).toMatch(message);
    expect(fake.orders()).toHaveLength(0);
  });

  it("a sub-penny price gets 422 code 42210000; a non-JSON body gets 422", async () => {
    const fake = await start();
    const res = await rest(fake, "POST", "/v2/orders", order("AAPL", "1", "buy", { type: "limit", limit_price: "100.001" }));
    expect(res).toMatchObject({ status: 422, body: { code: 42210000 } });
    expect(String(field(res.body, "message"))).toMatch(/sub-penny/);
    expect((await rest(fake, "POST", "/v2/orders", order("AAPL", "1", "buy", { type: "limit", limit_price: "0.1234" }))).status).toBe(200);
    expect((await rest(fake, "POST", "/v2/orders", undefined, { rawBody: "{not json" })).status).toBe(422);
  });

  it("tradableSymbols refuses other symbols", async () => {
    const fake = await start({ tradableSymbols: ["AAPL"] });
    expect(await rest(fake, "POST", "/v2/orders", order("ZZZZ", "1", "buy"))).toMatchObject({ status: 422, body: { message: 'asset "ZZZZ" not found' } });
  });
});

describe("credentials", () => {
  it("missing headers and wrong secrets get 401 {code 40110000}; the secret never reaches the request log", async () => {
    const fake = await start();
    expect(await rest(fake, "GET", "/v2/account", undefined, { keys: null })).toMatchObject({
      status: 401,
      body: { code: 40110000, message: "request is not authorized" },
    });
    expect((await rest(fake, "GET", "/v2/account", undefined, { keys: { keyId: fake.keys.keyId, secretKey: "nope" } })).status).toBe(401);
    expect(fake.requests().map((r) => r.auth)).toEqual(["missing", "wrong"]);
    expect(JSON.stringify(fake.requests())).not.toContain(fake.keys.secretKey);
  });

  it("a key pair of the other environment is refused and logged as such", async () => {
    const live = { keyId: "AKLIVE0000000000001", secretKey: "live-secret" };
    const fake = await start({ otherEnvironmentKeys: [live] });
    expect(fake.keys.keyId).toMatch(/^PK/);
    expect((await rest(fake, "POST", "/v2/orders", order("AAPL", "1", "buy"), { keys: live })).status).toBe(401);
    expect(fake.requests()[0]?.auth).toBe("other-environment");
    expect(fake.submissions()[0]?.outcome).toBe("unauthorized");
    expect(fake.orders()).toHaveLength(0);
  });

  it("can answer bad credentials with a 403 carrying no code", async () => {
    const fake = await start({ authFailureStatus: 403 });
    const res = await rest(fake, "GET", "/v2/account", undefined, { keys: null });
    expect(res.status).toBe(403);
    expect(field(res.body, "code")).toBeUndefined();
  });
});

describe("rate limit", () => {
  it("every answer carries X-RateLimit-*; past the limit it is 429 with Retry-After, and the window resets", async () => {
    const clock = new FakeClock(Date.parse("2025-07-03T14:00:10Z"));
    const fake = await start({ clock, rateLimit: { limit: 3, windowMs: 60_000 } });
    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push(await rest(fake, "GET", "/v2/account"));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(answers.map((a) => a.headers.get("x-ratelimit-remaining"))).toEqual(["2", "1", "0", "0"]);
    const reset = String(Date.parse("2025-07-03T14:01:00Z") / 1000);
    for (const a of answers) {
      expect(a.headers.get("x-ratelimit-limit")).toBe("3");
      expect(a.headers.get("x-ratelimit-reset")).toBe(reset);
    }
    expect(answers[3]?.body).toMatchObject({ code: 42910000 });
    expect(answers[3]?.headers.get("retry-after")).toBe("50");
    const refused = await rest(fake, "POST", "/v2/orders", order("AAPL", "1", "buy"));
    expect(refused.status).toBe(429);
    expect(fake.orders()).toHaveLength(0);
    expect(fake.submissions()[0]?.outcome).toBe("rate-limited");
    clock.advance(50_000);
    const next = await rest(fake, "GET", "/v2/account");
    expect(next.status).toBe(200);
    expect(next.headers.get("x-ratelimit-remaining")).toBe("2");
  });

  it("defaults to 200 a minute", async () => {
    const fake = await start();
    const res = await rest(fake, "GET", "/v2/clock");
    expect(res.headers.get("x-ratelimit-limit")).toBe("200");
    expect(res.headers.get("x-ratelimit-remaining")).toBe("199");
  });
});
