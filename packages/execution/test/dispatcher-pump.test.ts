/**
 * The dispatcher's pump (`start`): a wake claims at once instead of at the next
 * interval; at most `maxInFlight` rows are being sent at any moment, and a slow
 * send does not hold back the claim of the rows behind it; `stop` waits for the
 * sends in flight. Against the fake Alpaca with a fixed latency on every request.
 */
import { createDispatcher, type BrokerSession, type Dispatcher } from "@mqk/execution";
import { startFakeAlpaca, type FakeAlpaca } from "@mqk/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { approveAndEnqueue, marketRequest, useDesk } from "./execution-harness.js";
import { ShiftedClock, clearOrderTables, openGates, outboxStatuses } from "./dispatch-harness.js";
import { openAlpaca } from "./alpaca-harness.js";

const ACCOUNT = "alpaca-pump";
const LATENCY_MS = 150;
const desk = useDesk();
let clock: ShiftedClock;
let fake: FakeAlpaca;
let session: BrokerSession;
let dispatcher: Dispatcher | undefined;

beforeEach(async () => {
  await clearOrderTables(desk().handle.db);
  clock = new ShiftedClock();
  fake = await startFakeAlpaca({ prices: { AAPL: "100" }, startingCash: "1000000", rateLimit: false, auto: { fill: false } });
  session = openAlpaca(fake, clock, ACCOUNT, 5_000);
  await openGates(desk().handle.db, clock, ACCOUNT);
});

afterEach(async () => {
  await dispatcher?.stop();
  dispatcher = undefined;
  await session.close();
  await fake.close();
});

const submissions = (): number => fake.requests().filter((r) => r.method === "POST" && r.path === "/v2/orders").length;

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("dispatcher pump", () => {
  it("a wake claims at once: with an hour between rounds, a woken order still reaches the broker", async () => {
    const { db } = desk().handle;
    dispatcher = createDispatcher({ db, session, clock, reconcileFreshnessMs: 600_000 });
    dispatcher.start(3_600_000);
    // The pump's first claim found nothing and now sleeps for an hour.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await approveAndEnqueue(desk(), marketRequest("buy", 1n), ACCOUNT);
    dispatcher.wake();
    await until("the order at the broker", () => submissions() === 1);
    await until("the row SENT", async () => (await outboxStatuses(db))["SENT"] === 1);
  });

  it("at most maxInFlight rows are being sent; each further send starts only after one came back", async () => {
    const { db } = desk().handle;
    fake.faults.set({ latencyMs: LATENCY_MS });
    for (let i = 0; i < 6; i += 1) await approveAndEnqueue(desk(), marketRequest("buy", 1n), ACCOUNT);
    dispatcher = createDispatcher({ db, session, clock, reconcileFreshnessMs: 600_000, batchSize: 16, maxInFlight: 2 });
    dispatcher.start(3_600_000);
    await until("six orders at the broker", () => submissions() === 6);
    await until("six rows SENT", async () => (await outboxStatuses(db))["SENT"] === 6);
    const received = fake
      .requests()
      .filter((r) => r.method === "POST" && r.path === "/v2/orders")
      .map((r) => r.receivedAtMs);
    // The third send waits for the first answer (≥ the latency after the first was received), and so on.
    for (let i = 2; i < received.length; i += 1) expect((received[i] ?? 0) - (received[i - 2] ?? 0)).toBeGreaterThanOrEqual(LATENCY_MS - 5);
    // The first two went out together: the pump did not wait for one send before the next.
    expect((received[1] ?? 0) - (received[0] ?? 0)).toBeLessThan(LATENCY_MS);
  });

  it("stop() waits for the sends in flight: their rows are settled when it returns", async () => {
    const { db } = desk().handle;
    fake.faults.set({ latencyMs: 300 });
    for (let i = 0; i < 3; i += 1) await approveAndEnqueue(desk(), marketRequest("buy", 1n), ACCOUNT);
    dispatcher = createDispatcher({ db, session, clock, reconcileFreshnessMs: 600_000 });
    dispatcher.start(3_600_000);
    await until("three requests received", () => submissions() === 3);
    await dispatcher.stop();
    expect(await outboxStatuses(db)).toEqual({ SENT: 3 });
  });

  it("maxInFlight must be a positive integer", () => {
    const { db } = desk().handle;
    expect(() => createDispatcher({ db, session, clock, reconcileFreshnessMs: 600_000, maxInFlight: 0 })).toThrow(
      /expected maxInFlight to be an integer in 1…10000, found 0/,
    );
  });
});
