/**
 * The Alpaca adapter's trade_updates stream against the real fake broker:
 * events parsed exactly (execution qty, cumulative filled_qty, nanosecond
 * eventNs), one handler call at a time, duplicates keeping their message id,
 * reconnect after a drop with onConnected({reconnect:true}), refused keys
 * reported without the keys, and nothing after close.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { AlpacaTradeUpdate, FakeAlpaca, FakeAlpacaOptions } from "@mqk/testkit";
import type { BrokerEvent } from "../../broker-event.js";
import type { BrokerAdapter, StreamHandlers } from "../broker-port.js";
import type { adapterFor } from "./alpaca.test-support.js";
import { fakeWithAdapter, eventually, orderRequest, utcStampNs } from "./alpaca.test-support.js";

let fake: FakeAlpaca | undefined;
let adapter: BrokerAdapter | undefined;

afterEach(async () => {
  await adapter?.close();
  await fake?.close();
  adapter = undefined;
  fake = undefined;
});

interface Recorder {
  readonly handlers: StreamHandlers;
  readonly events: BrokerEvent[];
  readonly connected: boolean[];
  readonly problems: string[];
  /** Most handler calls ever running at once. */
  maxActive: number;
}

function recorder(options: { failOn?: (e: BrokerEvent) => boolean } = {}): Recorder {
  let active = 0;
  const rec: Recorder = {
    events: [],
    connected: [],
    problems: [],
    maxActive: 0,
    handlers: {
      onEvent: async (event) => {
        active += 1;
        rec.maxActive = Math.max(rec.maxActive, active);
        await new Promise((resolve) => setTimeout(resolve, 2));
        active -= 1;
        if (options.failOn?.(event) === true) throw new Error(`refused ${event.brokerMessageId} on purpose`);
        rec.events.push(event);
      },
      onConnected: async (info) => {
        active += 1;
        rec.maxActive = Math.max(rec.maxActive, active);
        await new Promise((resolve) => setTimeout(resolve, 2));
        active -= 1;
        rec.connected.push(info.reconnect);
      },
      onProblem: (message) => {
        rec.problems.push(message);
      },
    },
  };
  return rec;
}

async function start(options: FakeAlpacaOptions = {}, over: Parameters<typeof adapterFor>[1] = {}): Promise<{ fake: FakeAlpaca; adapter: BrokerAdapter }> {
  const started = await fakeWithAdapter(options, over);
  ({ fake, adapter } = started);
  return started;
}

/** What the adapter must make of one event the fake produced, computed from the fake's own record. */
function expectedId(update: AlpacaTradeUpdate): string {
  const data = update.data;
  const order = data["order"] as { updated_at: string };
  if (update.executionId !== null) return `alpaca:fill:${update.executionId}`;
  return `alpaca:${update.event}:${update.orderId}:${typeof data["timestamp"] === "string" ? data["timestamp"] : order.updated_at}`;
}

describe("trade_updates", () => {
  it("D2/A5: partial fills — this execution's qty and price, cumulative filled_qty, exact ns, stable ids, one call at a time", async () => {
    const { fake, adapter } = await start({ auto: { fill: false } });
    const rec = recorder();
    await adapter.subscribe(rec.handlers);
    expect(rec.connected).toEqual([false]);
    await adapter.submit(orderRequest("t-1", { type: "market", qty: "5" }));
    fake.fillOrder("t-1", 2n, "187.01");
    fake.fillOrder("t-1", 3n, "187.123456");
    await eventually(() => expect(rec.events.map((e) => e.kind)).toEqual(["new", "partial_fill", "fill"]));

    const produced = fake.events();
    expect(rec.events.map((e) => e.brokerMessageId)).toEqual(produced.map(expectedId));
    const [ack, partial, full] = rec.events;
    const [, partialWire, fullWire] = produced;
    expect(ack).toMatchObject({
      account: "alpaca-paper",
      source: "stream",
      clientOrderId: "t-1",
      brokerOrderId: fake.order("t-1")?.id,
      fill: null,
      positionQtyShares: null,
    });
    expect(partial?.fill).toEqual({ executionId: partialWire?.executionId, qtyShares: 2n, priceMicros: 187_010_000n, feeMicros: 0n, cumulativeQtyShares: 2n });
    expect(full?.fill).toEqual({ executionId: fullWire?.executionId, qtyShares: 3n, priceMicros: 187_123_456n, feeMicros: 0n, cumulativeQtyShares: 5n });
    expect([partial?.positionQtyShares, full?.positionQtyShares]).toEqual([2n, 5n]);
    expect(partial?.eventNs).toBe(utcStampNs(String(partialWire?.data["timestamp"])));
    expect(full?.eventNs).toBe(utcStampNs(String(fullWire?.data["timestamp"])));
    expect(ack?.eventNs).toBe(utcStampNs((produced[0]?.data["order"] as { updated_at: string }).updated_at));
    expect(rec.events.map((e) => e.payload)).toEqual(produced.map((u) => u.data));
    expect(rec.maxActive).toBe(1);
    expect(rec.problems).toEqual([]);
  });

  it("D2: a duplicated delivery carries the same brokerMessageId", async () => {
    const { fake, adapter } = await start();
    const rec = recorder();
    await adapter.subscribe(rec.handlers);
    fake.faults.set({ stream: { duplicate: 1 } });
    await adapter.submit(orderRequest("t-dup", { type: "market", qty: "1" }));
    await eventually(() => expect(rec.events).toHaveLength(2 * fake.events().length));
    expect(fake.events().length).toBeGreaterThanOrEqual(2);
    expect(rec.events.map((e) => e.brokerMessageId)).toEqual(fake.events().flatMap((u) => [expectedId(u), expectedId(u)]));
  });

  it("a rejected order's event carries the reason field (null when the broker gives none)", async () => {
    const { fake, adapter } = await start({ auto: { accept: false } });
    const rec = recorder();
    await adapter.subscribe(rec.handlers);
    await adapter.submit(orderRequest("t-rej"));
    fake.rejectOrder("t-rej");
    await eventually(() => expect(rec.events.map((e) => e.kind)).toEqual(["rejected"]));
    expect(rec.events[0]).toMatchObject({ reason: null, fill: null, clientOrderId: "t-rej" });
  });

  it("a dropped stream is reported, reconnects, calls onConnected({reconnect:true}) and delivers again", async () => {
    const { fake, adapter } = await start();
    const rec = recorder();
    await adapter.subscribe(rec.handlers);
    fake.faults.dropStreams();
    await eventually(() => expect(rec.connected).toEqual([false, true]));
    expect(rec.problems.some((p) => p.includes("reconnecting"))).toBe(true);
    await adapter.submit(orderRequest("t-after", { type: "market", qty: "1" }));
    await eventually(() => expect(rec.events.map((e) => e.kind)).toEqual(["new", "fill"]));
    expect(fake.streamConnections().filter((c) => c.open && c.authenticated)).toHaveLength(1);
  });

  it("a handler that throws is reported and the next event still arrives", async () => {
    const { adapter } = await start();
    const rec = recorder({ failOn: (e) => e.kind === "new" });
    await adapter.subscribe(rec.handlers);
    await adapter.submit(orderRequest("t-throw", { type: "market", qty: "1" }));
    await eventually(() => expect(rec.events.map((e) => e.kind)).toEqual(["fill"]));
    expect(rec.problems.some((p) => p.includes("refused alpaca:new:") && p.includes("on purpose"))).toBe(true);
  });

  it("refused keys: reported to onProblem without the keys, retried until close, silent after close", async () => {
    const keys = { keyId: "PKCANARYKEYID000000003", secretKey: "canary-secret-value-5555555555" };
    const { adapter } = await start({}, { keys, reconnectDelayMs: 20, maxReconnectDelayMs: 40 });
    const rec = recorder();
    await adapter.subscribe(rec.handlers);
    await eventually(() => expect(rec.problems.filter((p) => p.includes("reconnecting")).length).toBeGreaterThanOrEqual(2));
    expect(rec.connected).toEqual([]);
    for (const p of rec.problems) {
      expect(p).not.toContain(keys.keyId);
      expect(p).not.toContain(keys.secretKey);
    }
    await adapter.close();
    const seen = rec.problems.length;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(rec.problems).toHaveLength(seen);
  });

  it("subscribe twice is refused: one stream per adapter", async () => {
    const { adapter } = await start();
    await adapter.subscribe(recorder().handlers);
    await expect(adapter.subscribe(recorder().handlers)).rejects.toThrow("one trade_updates stream per adapter");
  });

  it("close stops the stream: no reconnect and no event afterwards", async () => {
    const { fake, adapter } = await start();
    const rec = recorder();
    await adapter.subscribe(rec.handlers);
    await adapter.close();
    fake.faults.dropStreams();
    await adapter.submit(orderRequest("t-closed", { type: "market", qty: "1" }));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(fake.order("t-closed")?.status).toBe("filled");
    expect(rec.connected).toEqual([false]);
    expect(rec.events).toEqual([]);
    expect(fake.streamConnections().filter((c) => c.open)).toHaveLength(0);
  });
});
