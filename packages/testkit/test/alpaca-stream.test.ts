/**
 * The fake's trade_updates stream (API-BRIEF §1.10): auth and listen handshakes,
 * binary JSON frames, the events of each order transition, one stream per key
 * pair, and the stream fault switches (duplicate, reorder, delay, drop, refuse).
 */
import { afterEach, describe, expect, it } from "vitest";
import { startFakeAlpaca, type FakeAlpaca, type FakeAlpacaOptions } from "@mqk/testkit";
import { NANO_UTC, StreamClient, UUID, eventually, field, order, rest } from "./alpaca-client.js";

const fakes: FakeAlpaca[] = [];
const clients: StreamClient[] = [];
async function start(options: FakeAlpacaOptions = {}): Promise<FakeAlpaca> {
  const fake = await startFakeAlpaca({ prices: { AAPL: "100" }, ...options });
  fakes.push(fake);
  return fake;
}
async function connect(fake: FakeAlpaca, subscribe = true): Promise<StreamClient> {
  const client = await StreamClient.open(fake.streamUrl);
  clients.push(client);
  if (subscribe) await client.subscribe(fake.keys);
  return client;
}
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

const buy = (fake: FakeAlpaca, coid: string, qty = "10", extra: Record<string, unknown> = {}) =>
  rest(fake, "POST", "/v2/orders", order("AAPL", qty, "buy", { client_order_id: coid, ...extra }));

describe("handshake", () => {
  it("legacy authenticate → authorized, listen → listening, all in binary frames", async () => {
    const fake = await start();
    const client = await connect(fake, false);
    client.send({ action: "authenticate", data: { key_id: fake.keys.keyId, secret_key: fake.keys.secretKey } });
    expect((await client.waitFor("authorization"))[0]).toEqual({ stream: "authorization", data: { action: "authenticate", status: "authorized" } });
    client.send({ action: "listen", data: { streams: ["trade_updates", "account_updates"] } });
    expect((await client.waitFor("listening"))[0]).toEqual({ stream: "listening", data: { streams: ["trade_updates"] } });
    expect(client.frames.every((f) => f.binary)).toBe(true);
    expect(fake.streamConnections()).toEqual([{ id: 1, keyId: fake.keys.keyId, authenticated: true, listening: true, open: true }]);
  });

  it("the current auth form works too, and text frames can be chosen", async () => {
    const fake = await start({ stream: { frames: "text" } });
    const client = await connect(fake, false);
    await client.subscribe(fake.keys, "current");
    expect(client.frames.map((f) => f.binary)).toEqual([false, false]);
  });

  it("bad credentials get status unauthorized and the socket closes", async () => {
    const fake = await start();
    const client = await connect(fake, false);
    client.send({ action: "authenticate", data: { key_id: fake.keys.keyId, secret_key: "wrong" } });
    expect((await client.waitFor("authorization"))[0]).toMatchObject({ data: { status: "unauthorized", message: "access key verification failed" } });
    expect((await client.waitClosed()).code).toBe(1008);
  });

  it("listen before auth is an error frame; repeated listen is harmless; an empty listen unsubscribes", async () => {
    const fake = await start();
    const client = await connect(fake, false);
    client.send({ action: "listen", data: { streams: ["trade_updates"] } });
    expect((await client.waitFor("error"))[0]).toMatchObject({ action: "error", data: { error_message: expect.stringMatching(/authenticate/) as unknown } });
    await client.subscribe(fake.keys);
    client.send({ action: "listen", data: { streams: ["trade_updates"] } });
    await client.waitFor("listening", 2);
    await buy(fake, "rep-1");
    await eventually(() => client.updates().length >= 2, "two events");
    expect(client.events()).toEqual(["new", "fill"]);
    client.send({ action: "listen", data: { streams: [] } });
    expect((await client.waitFor("listening", 3))[2]).toEqual({ stream: "listening", data: { streams: [] } });
    await buy(fake, "rep-2");
    expect(fake.events()).toHaveLength(4);
    expect(client.updates()).toHaveLength(2);
  });

  it("error frames can use the AsyncAPI form", async () => {
    const fake = await start({ stream: { errorFrames: "stream" } });
    const client = await connect(fake, false);
    client.send({ action: "dance" });
    expect((await client.waitFor("error"))[0]).toMatchObject({ stream: "error", data: { code: 400 } });
  });

  it("a connection that does not authenticate in time is closed", async () => {
    const fake = await start({ stream: { authTimeoutMs: 50 } });
    const client = await connect(fake, false);
    expect((await client.waitClosed()).reason).toBe("auth timeout");
  });
});

describe("events", () => {
  it("new then fill, with execution_id, price, qty, position_qty and timestamp on the fill", async () => {
    const fake = await start();
    const client = await connect(fake);
    const res = await buy(fake, "e-1", "10");
    await eventually(() => client.updates().length === 2, "new and fill");
    const [created, filled] = client.updates();
    expect(created).toMatchObject({ event: "new", order: { id: field(res.body, "id"), status: "new", client_order_id: "e-1" } });
    expect(created?.["timestamp"]).toBeUndefined();
    expect(filled).toMatchObject({
      event: "fill",
      price: "100",
      qty: "10",
      position_qty: "10",
      order: { status: "filled", filled_qty: "10", filled_avg_price: "100" },
    });
    expect(filled?.["execution_id"]).toMatch(UUID);
    expect(filled?.["timestamp"]).toMatch(NANO_UTC);
    expect(fake.events().map((e) => [e.seq, e.event, e.clientOrderId])).toEqual([
      [1, "new", "e-1"],
      [2, "fill", "e-1"],
    ]);
  });

  it("automatic fills can come in partial executions; fillOrder makes partial fills by hand", async () => {
    const fake = await start({ auto: { partialFillChunks: 3 } });
    const client = await connect(fake);
    await buy(fake, "p-1", "10");
    await eventually(() => client.updates().length === 4, "new + three executions");
    expect(client.updates().map((u) => [u["event"], u["qty"], u["position_qty"]])).toEqual([
      ["new", undefined, undefined],
      ["partial_fill", "4", "4"],
      ["partial_fill", "3", "7"],
      ["fill", "3", "10"],
    ]);
    fake.setAuto({ fill: false });
    await buy(fake, "p-2", "5");
    fake.fillOrder("p-2", 2, "101");
    fake.fillOrder("p-2", undefined, "102");
    await eventually(() => client.updates().length === 7, "new + two manual executions");
    expect(
      client
        .updates()
        .slice(4)
        .map((u) => [u["event"], u["price"], u["qty"], u["position_qty"]]),
    ).toEqual([
      ["new", undefined, undefined, undefined],
      ["partial_fill", "101", "2", "12"],
      ["fill", "102", "3", "15"],
    ]);
    expect(fake.order("p-2")).toMatchObject({ filled_qty: "5", filled_avg_price: "101.6" });
    expect(() => fake.fillOrder("p-2")).toThrow(/open order/);
  });

  it("limit orders fill when the price crosses; stops trigger on the stop", async () => {
    const fake = await start();
    await buy(fake, "lim", "1", { type: "limit", limit_price: "95" });
    await rest(fake, "POST", "/v2/orders", order("AAPL", "1", "buy", { client_order_id: "stp", type: "stop", stop_price: "105" }));
    expect([fake.order("lim")?.status, fake.order("stp")?.status]).toEqual(["new", "new"]);
    fake.setPrice("AAPL", "94.5");
    expect([fake.order("lim")?.status, fake.order("stp")?.status]).toEqual(["filled", "new"]);
    expect(fake.order("lim")?.filled_avg_price).toBe("94.5");
    fake.setPrice("AAPL", "106");
    expect(fake.order("stp")).toMatchObject({ status: "filled", filled_avg_price: "106" });
  });

  it("canceled, pending_cancel, rejected, expired and replaced events", async () => {
    const fake = await start({ auto: { fill: false } });
    const client = await connect(fake);
    await buy(fake, "c-1");
    await rest(fake, "DELETE", `/v2/orders/${String(fake.order("c-1")?.id)}`);
    await buy(fake, "c-2");
    fake.rejectOrder("c-2");
    await buy(fake, "c-3");
    fake.expireOrder("c-3");
    await buy(fake, "c-4", "3", { type: "limit", limit_price: "90" });
    const replaced = await rest(fake, "PATCH", `/v2/orders/${String(fake.order("c-4")?.id)}`, { limit_price: "91", client_order_id: "c-5" });
    fake.setAuto({ cancel: false });
    await rest(fake, "DELETE", `/v2/orders/${String(field(replaced.body, "id"))}`);
    await eventually(() => client.updates().length === 10, "ten events");
    expect(client.updates().map((u) => [u["event"], (u["order"] as Record<string, unknown>)["client_order_id"]])).toEqual([
      ["new", "c-1"],
      ["canceled", "c-1"],
      ["new", "c-2"],
      ["rejected", "c-2"],
      ["new", "c-3"],
      ["expired", "c-3"],
      ["new", "c-4"],
      ["replaced", "c-4"],
      ["new", "c-5"],
      ["pending_cancel", "c-5"],
    ]);
    expect(client.updates()[7]).toMatchObject({ order: { status: "replaced", replaced_by: field(replaced.body, "id") } });
    expect(client.updates()[1]?.["timestamp"]).toMatch(NANO_UTC);
  });

  it("an IOC order that cannot fill at once is canceled", async () => {
    const fake = await start();
    await buy(fake, "ioc", "1", { type: "limit", limit_price: "90", time_in_force: "ioc" });
    expect(fake.order("ioc")?.status).toBe("canceled");
  });
});

describe("stream faults", () => {
  it("duplicate: every event arrives 1 + N times, with the same execution_id", async () => {
    const fake = await start();
    const client = await connect(fake);
    fake.faults.set({ stream: { duplicate: 2 } });
    await buy(fake, "d-1");
    await eventually(() => client.updates().length === 6, "six frames");
    expect(client.events()).toEqual(["new", "new", "new", "fill", "fill", "fill"]);
    expect(
      new Set(
        client
          .updates()
          .slice(3)
          .map((u) => u["execution_id"]),
      ).size,
    ).toBe(1);
    expect(fake.events()).toHaveLength(2);
    expect(fake.deliveries().map((d) => d.copy)).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it("duplicate can be limited to some events", async () => {
    const fake = await start();
    const client = await connect(fake);
    fake.faults.set({ stream: { duplicate: 1, duplicateEvents: ["fill"] } });
    await buy(fake, "d-2");
    await eventually(() => client.updates().length === 3, "three frames");
    expect(client.events()).toEqual(["new", "fill", "fill"]);
  });

  it("reorder: a window of 2 delivers the fill before the new; flushStream sends a partial window", async () => {
    const fake = await start({ auto: { fill: false } });
    const client = await connect(fake);
    fake.faults.set({ stream: { reorderWindow: 2 } });
    await buy(fake, "o-1");
    fake.fillOrder("o-1", 4);
    fake.fillOrder("o-1");
    await eventually(() => client.updates().length === 2, "the first window");
    expect(client.events()).toEqual(["partial_fill", "new"]);
    expect(fake.deliveries()).toHaveLength(2);
    fake.flushStream();
    await eventually(() => client.updates().length === 3, "the flushed window");
    expect(client.events()).toEqual(["partial_fill", "new", "fill"]);
  });

  it("reorder with a seed: each window is shuffled, the same way for the same seed", async () => {
    const run = async (): Promise<string[]> => {
      const fake = await start({ auto: { fill: false } });
      const client = await connect(fake);
      fake.faults.set({ stream: { reorderWindow: 4, reorderSeed: 7 } });
      await buy(fake, "z-1", "4");
      for (let i = 0; i < 3; i += 1) fake.fillOrder("z-1", 1);
      await eventually(() => client.updates().length === 4, "the shuffled window");
      return client.updates().map((u) => `${String(u["event"])}:${typeof u["position_qty"] === "string" ? u["position_qty"] : "-"}`);
    };
    const first = await run();
    expect([...first].sort()).toEqual(["new:-", "partial_fill:1", "partial_fill:2", "partial_fill:3"]);
    expect(await run()).toEqual(first);
  });

  it("replayEvents sends past events again to whoever listens now, marked as replayed", async () => {
    const fake = await start();
    const before = await connect(fake);
    await buy(fake, "rp-1");
    await eventually(() => before.updates().length === 2, "the original events");
    before.close();
    await eventually(() => fake.streamConnections().length === 0, "the server to see the close");
    const after = await connect(fake);
    fake.replayEvents(2, 2);
    await eventually(() => after.updates().length === 2, "the replayed fill twice");
    expect(after.events()).toEqual(["fill", "fill"]);
    expect(after.updates()[0]?.["execution_id"]).toBe(before.updates()[1]?.["execution_id"]);
    expect(fake.deliveries().map((d) => [d.updateSeq, d.replayed])).toEqual([
      [1, false],
      [2, false],
      [2, true],
      [2, true],
    ]);
    expect(() => fake.replayEvents(9)).toThrow(/1\.\.2/);
  });

  it("delay: events arrive only after the delay", async () => {
    const fake = await start();
    const client = await connect(fake);
    fake.faults.set({ stream: { delayMs: 150 } });
    await buy(fake, "w-1");
    expect(fake.events()).toHaveLength(2);
    expect(fake.deliveries()).toHaveLength(0);
    await eventually(() => client.updates().length === 2, "the delayed events");
    expect(client.events()).toEqual(["new", "fill"]);
  });

  it("dropAfterFrames: the socket dies mid-stream; later events are missed and only REST shows the fill", async () => {
    const fake = await start();
    const client = await connect(fake);
    fake.faults.set({ stream: { dropAfterFrames: 1 } });
    await buy(fake, "x-1");
    const closed = await client.waitClosed();
    expect(closed.code).toBe(1006);
    expect(client.events()).toEqual(["new"]);
    expect(fake.events().map((e) => e.event)).toEqual(["new", "fill"]);
    expect(fake.deliveries().map((d) => d.event)).toEqual(["new"]);
    expect(fake.faults.current().stream.dropAfterFrames).toBeNull();
    expect((await rest(fake, "GET", "/v2/orders?status=closed")).body).toMatchObject([{ client_order_id: "x-1", status: "filled" }]);
  });

  it("dropStreams + refuseConnections: events during the outage are never replayed after reconnecting", async () => {
    const fake = await start();
    const first = await connect(fake);
    fake.faults.set({ stream: { refuseConnections: true } });
    fake.faults.dropStreams();
    await first.waitClosed();
    await expect(StreamClient.open(fake.streamUrl)).rejects.toThrow(/503/);
    await buy(fake, "gap-1");
    fake.faults.set({ stream: { refuseConnections: false } });
    await eventually(() => fake.streamConnections().length === 0, "the server to see the drop");
    const second = await connect(fake);
    await buy(fake, "gap-2");
    await eventually(() => second.updates().length === 2, "events after the reconnect");
    expect(second.updates().map((u) => (u["order"] as Record<string, unknown>)["client_order_id"])).toEqual(["gap-2", "gap-2"]);
    const backfill = await rest(fake, "GET", `/v2/orders?status=all&direction=asc`);
    expect((backfill.body as Record<string, unknown>[]).map((o) => [o["client_order_id"], o["status"]])).toEqual([
      ["gap-1", "filled"],
      ["gap-2", "filled"],
    ]);
  });

  it("authReply never: no authorization frame comes and the connection stays unauthenticated", async () => {
    const fake = await start();
    fake.faults.set({ stream: { authReply: "never" } });
    const silent = await connect(fake, false);
    silent.send({ action: "authenticate", data: { key_id: fake.keys.keyId, secret_key: fake.keys.secretKey } });
    silent.send({ action: "listen", data: { streams: ["trade_updates"] } });
    await silent.waitFor("error"); // listen without auth: the auth was received and ignored
    expect(silent.on("authorization")).toEqual([]);
    expect(fake.streamConnections()[0]).toMatchObject({ authenticated: false, listening: false });
  });

  it("authReply unauthorized: even good credentials are refused", async () => {
    const fake = await start();
    fake.faults.set({ stream: { authReply: "unauthorized" } });
    const client = await connect(fake, false);
    client.send({ action: "authenticate", data: { key_id: fake.keys.keyId, secret_key: fake.keys.secretKey } });
    expect((await client.waitFor("authorization"))[0]).toMatchObject({ data: { status: "unauthorized" } });
  });

  it("listenReply never: the subscription takes effect without an ack", async () => {
    const fake = await start();
    fake.faults.set({ stream: { listenReply: "never" } });
    const quiet = await connect(fake, false);
    quiet.send({ action: "authenticate", data: { key_id: fake.keys.keyId, secret_key: fake.keys.secretKey } });
    await quiet.waitFor("authorization");
    quiet.send({ action: "listen", data: { streams: ["trade_updates"] } });
    await eventually(() => fake.streamConnections().some((c) => c.listening), "the subscription");
    await buy(fake, "q-1");
    await eventually(() => quiet.updates().length === 2, "events without an ack");
    expect(quiet.on("listening")).toEqual([]);
  });
});

describe("one stream per key pair", () => {
  it("refuse-second (default): the second connection is refused, the first keeps its events", async () => {
    const fake = await start();
    const first = await connect(fake);
    const second = await connect(fake, false);
    second.send({ action: "authenticate", data: { key_id: fake.keys.keyId, secret_key: fake.keys.secretKey } });
    expect((await second.waitFor("authorization"))[0]).toMatchObject({ data: { status: "unauthorized", message: "connection limit exceeded" } });
    await second.waitClosed();
    await buy(fake, "k-1");
    await eventually(() => first.updates().length === 2, "events on the first");
  });

  it("kick-first: the newer connection wins and the first is closed", async () => {
    const fake = await start({ stream: { conflict: "kick-first" } });
    const first = await connect(fake);
    const second = await connect(fake);
    expect((await first.waitClosed()).reason).toMatch(/connection limit exceeded/);
    await buy(fake, "k-2");
    await eventually(() => second.updates().length === 2, "events on the second");
    expect(first.updates()).toEqual([]);
  });

  it("allow: both connections get every event", async () => {
    const fake = await start({ stream: { conflict: "allow" } });
    const a = await connect(fake);
    const b = await connect(fake);
    await buy(fake, "k-3");
    await eventually(() => a.updates().length === 2 && b.updates().length === 2, "events on both");
  });
});
