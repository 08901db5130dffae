/**
 * Each REST fault switch of the fake Alpaca does what it says: latency,
 * answers that never come or come late, 429s, 5xx and resets before the order
 * is accepted (no order) and after (exactly one order, the client sees a failure).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ALPACA_ORDER_SUBMIT, startFakeAlpaca, type FakeAlpaca } from "@mqk/testkit";
import { eventually, field, order, rest } from "./alpaca-client.js";

let fake: FakeAlpaca;

beforeEach(async () => {
  fake = await startFakeAlpaca({ prices: { AAPL: "100" } });
});
afterEach(async () => {
  await fake.close();
});

const submit = (coid: string, signal?: AbortSignal) =>
  rest(fake, "POST", "/v2/orders", order("AAPL", "1", "buy", { client_order_id: coid }), signal ? { signal } : {});
const lookUp = (coid: string) => rest(fake, "GET", `/v2/orders:by_client_order_id?client_order_id=${coid}`);

describe("5xx", () => {
  it("before accepting: the client gets 503 and no order exists; a resend creates exactly one", async () => {
    fake.faults.inject({ kind: "status", status: 503, phase: "before", match: ALPACA_ORDER_SUBMIT });
    expect((await submit("s-1")).status).toBe(503);
    expect(fake.orders()).toHaveLength(0);
    expect((await lookUp("s-1")).status).toBe(404);
    expect((await submit("s-1")).status).toBe(200);
    expect(fake.orders()).toHaveLength(1);
    expect(fake.submissions().map((s) => [s.outcome, s.answer])).toEqual([
      ["not-processed", 503],
      ["accepted", 200],
    ]);
  });

  it("after accepting: the client gets 500 but exactly one order exists; a blind resend is refused as a duplicate", async () => {
    fake.faults.inject({ kind: "status", status: 500, phase: "after", match: ALPACA_ORDER_SUBMIT });
    const res = await submit("s-2");
    expect(res.status).toBe(500);
    expect(field(res.body, "id")).toBeUndefined();
    expect(fake.orders().map((o) => [o.client_order_id, o.status])).toEqual([["s-2", "filled"]]);
    expect(field((await lookUp("s-2")).body, "client_order_id")).toBe("s-2");
    expect(await submit("s-2")).toMatchObject({ status: 422, body: { message: "client_order_id must be unique" } });
    expect(fake.orders()).toHaveLength(1);
    expect(fake.submissions().map((s) => [s.outcome, s.answer, s.orderId !== null])).toEqual([
      ["accepted", 500, true],
      ["duplicate", 422, false],
    ]);
  });

  it("after a cancel or a replace takes effect: the client gets 500, the broker did it", async () => {
    fake.setAuto({ fill: false });
    await submit("s-3");
    const id = String(fake.order("s-3")?.id);
    fake.faults.inject({ kind: "status", status: 500, phase: "after", match: { method: "DELETE" } });
    expect((await rest(fake, "DELETE", `/v2/orders/${id}`)).status).toBe(500);
    expect(fake.order("s-3")?.status).toBe("canceled");
    await rest(fake, "POST", "/v2/orders", order("AAPL", "1", "buy", { client_order_id: "s-4", type: "limit", limit_price: "90" }));
    fake.faults.inject({ kind: "status", status: 500, phase: "after", match: { method: "PATCH", path: /^\/v2\/orders\// } });
    expect((await rest(fake, "PATCH", `/v2/orders/${String(fake.order("s-4")?.id)}`, { limit_price: "91", client_order_id: "s-5" })).status).toBe(500);
    expect([fake.order("s-4")?.status, fake.order("s-5")?.status]).toEqual(["replaced", "new"]);
  });

  it("hits only matching requests, as many times as asked", async () => {
    fake.faults.inject({ kind: "status", status: 502, phase: "before", times: 2, match: ALPACA_ORDER_SUBMIT });
    expect((await rest(fake, "GET", "/v2/account")).status).toBe(200);
    expect((await submit("t-1")).status).toBe(502);
    expect(fake.faults.pending()).toHaveLength(1);
    expect((await submit("t-1")).status).toBe(502);
    expect(fake.faults.pending()).toEqual([]);
    expect((await submit("t-1")).status).toBe(200);
  });

  it("a rule without a match hits the next request, whatever it is", async () => {
    fake.faults.inject({ kind: "status", status: 504, phase: "before" });
    expect((await rest(fake, "GET", "/v2/clock")).status).toBe(504);
    expect((await rest(fake, "GET", "/v2/clock")).status).toBe(200);
  });
});

describe("timeouts", () => {
  it("after accepting, never answering: the client times out but the order exists", async () => {
    fake.faults.inject({ kind: "hang", phase: "after", match: ALPACA_ORDER_SUBMIT });
    await expect(submit("h-1", AbortSignal.timeout(150))).rejects.toThrow();
    expect(fake.orders().map((o) => o.client_order_id)).toEqual(["h-1"]);
    expect(fake.submissions()[0]).toMatchObject({ outcome: "accepted", answer: "none" });
    expect((await lookUp("h-1")).status).toBe(200);
  });

  it("before accepting, never answering: the client times out and no order exists", async () => {
    fake.faults.inject({ kind: "hang", phase: "before", match: ALPACA_ORDER_SUBMIT });
    await expect(submit("h-2", AbortSignal.timeout(150))).rejects.toThrow();
    expect(fake.orders()).toHaveLength(0);
    expect(fake.submissions()[0]).toMatchObject({ outcome: "not-processed", answer: "none" });
  });

  it("answering after N ms: the order exists at once, the answer arrives late", async () => {
    fake.faults.inject({ kind: "hang", phase: "after", answerAfterMs: 300, match: ALPACA_ORDER_SUBMIT });
    const pending = submit("h-3");
    await eventually(() => fake.orders().length === 1, "the order to exist");
    expect(fake.submissions()[0]?.answer).toBe("none");
    const res = await pending;
    expect(res.status).toBe(200);
    expect(fake.submissions()[0]?.answer).toBe(200);
  });

  it("latency delays every answer", async () => {
    fake.faults.set({ latencyMs: 120 });
    const t0 = performance.now();
    await rest(fake, "GET", "/v2/clock");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(110);
    fake.faults.set({ latencyMs: 0 });
    expect(fake.faults.current().latencyMs).toBe(0);
  });
});

describe("connection resets", () => {
  it("after accepting: the client sees a network error, the order exists", async () => {
    fake.faults.inject({ kind: "reset", phase: "after", match: ALPACA_ORDER_SUBMIT });
    await expect(submit("x-1")).rejects.toThrow();
    expect(fake.orders().map((o) => o.client_order_id)).toEqual(["x-1"]);
    expect(fake.submissions()[0]).toMatchObject({ outcome: "accepted", answer: "reset" });
    expect((await lookUp("x-1")).status).toBe(200);
  });

  it("before accepting: the client sees a network error, no order exists", async () => {
    fake.faults.inject({ kind: "reset", phase: "before", match: ALPACA_ORDER_SUBMIT });
    await expect(submit("x-2")).rejects.toThrow();
    expect(fake.orders()).toHaveLength(0);
    expect(fake.submissions()[0]).toMatchObject({ outcome: "not-processed", answer: "reset" });
  });
});

describe("429", () => {
  it("on the next N requests, with rate-limit headers and Retry-After, before anything takes effect", async () => {
    fake.faults.inject({ kind: "rate-limit", times: 2, retryAfterSeconds: 7 });
    const a = await submit("r-1");
    const b = await rest(fake, "GET", "/v2/account");
    const c = await submit("r-1");
    expect([a.status, b.status, c.status]).toEqual([429, 429, 200]);
    expect(a.body).toMatchObject({ code: 42910000 });
    expect(a.headers.get("retry-after")).toBe("7");
    expect(a.headers.get("x-ratelimit-limit")).toBe("200");
    expect(fake.orders()).toHaveLength(1);
    expect(fake.requests().map((r) => r.fault)).toEqual(["rate-limit", "rate-limit", null]);
  });
});

describe("the switchboard", () => {
  it("clear() removes pending rules and persistent switches", async () => {
    fake.faults.inject({ kind: "status", status: 500, phase: "before" });
    fake.faults.set({ latencyMs: 5, stream: { duplicate: 1 } });
    fake.faults.clear();
    expect(fake.faults.pending()).toEqual([]);
    expect(fake.faults.current()).toMatchObject({ latencyMs: 0, stream: { duplicate: 0 } });
    expect((await rest(fake, "GET", "/v2/clock")).status).toBe(200);
  });

  it("refuses nonsense settings with a message", () => {
    expect(() => fake.faults.set({ latencyMs: -1 })).toThrow(/latencyMs/);
    expect(() => fake.faults.inject({ kind: "status", status: 200, phase: "after" })).toThrow(/4xx\/5xx/);
  });

  it("close() also ends requests that were left hanging", async () => {
    fake.faults.inject({ kind: "hang", phase: "before" });
    const hanging = rest(fake, "GET", "/v2/clock");
    await eventually(() => fake.requests().length === 1, "the request to arrive");
    await fake.close();
    await expect(hanging).rejects.toThrow();
  });
});
