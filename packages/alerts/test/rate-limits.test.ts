import { createAlertRouter, type AlertRouter } from "@mqk/alerts";
import { FakeClock, toMicros, toShares } from "@mqk/core";
import { startFakeDiscord, type FakeDiscord } from "@mqk/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { deskWiring, embedsOf, ManualTimers, RecordingLogger, tick } from "./support.js";

let fake: FakeDiscord | undefined;
let router: AlertRouter | undefined;
afterEach(async () => {
  await router?.close({ drainMs: 0 });
  await fake?.close();
  router = undefined;
  fake = undefined;
});

const fillNo = (n: number) =>
  ({
    kind: "fill",
    symbol: "AAPL",
    side: "buy",
    qtyShares: toShares(1),
    priceMicros: toMicros("100.5"),
    clientOrderId: `coid-${String(n)}`,
    partial: false,
  }) as const;

describe("Discord rate limits", () => {
  it("S1.6: after a 429 with a float retry_after, the next request to that webhook arrives no earlier than retry_after", async () => {
    fake = await startFakeDiscord();
    const { settings, secrets, idOf } = deskWiring(fake, ["alerts", "paper"]);
    router = createAlertRouter({ mode: "PAPER", settings, secrets, logger: new RecordingLogger() });
    fake.injectFaults(idOf("paper"), { kind: "rate_limit", retryAfterSeconds: 0.437 });
    router.send(fillNo(1));
    await router.idle();
    const [limited, retried] = fake.requestsFor(idOf("paper"));
    expect(limited?.status).toBe(429);
    expect(retried?.status).toBe(200);
    expect((retried?.receivedAtMs ?? 0) - (limited?.respondedAtMs ?? Infinity)).toBeGreaterThanOrEqual(437);
    expect(fake.messagesFor(idOf("paper"))).toHaveLength(1);
    expect(router.stats().webhooks.find((w) => w.channels.includes("paper"))).toMatchObject({ rateLimited: 1, delivered: 1 });
  });

  it("S1.6: a 429 does not hold up other webhooks, but a global 429 holds them all", async () => {
    fake = await startFakeDiscord();
    const { settings, secrets, idOf } = deskWiring(fake, ["alerts", "paper"]);
    router = createAlertRouter({ mode: "PAPER", settings, secrets, logger: new RecordingLogger() });
    fake.injectFaults(idOf("paper"), { kind: "rate_limit", retryAfterSeconds: 0.5 });
    router.send(fillNo(1));
    await fake.waitFor((f) => f.requestsFor(idOf("paper")).length === 1);
    router.send({ kind: "channel_message", channel: "alerts", title: "t", text: "x", severity: "info" });
    await fake.waitFor((f) => f.messagesFor(idOf("alerts")).length === 1);
    expect(fake.requestsFor(idOf("paper"))).toHaveLength(1); // paper is still waiting out its retry_after
    await router.idle();

    fake.rateLimitGlobally(0.4);
    router.send(fillNo(2));
    const paperStats = () => router?.stats().webhooks.find((w) => w.channels.includes("paper"));
    await fake.waitFor(() => paperStats()?.rateLimited === 2); // the router has read the global 429
    const globalAt = fake.requests.find((r) => r.outcome === "global_rate_limited")?.respondedAtMs ?? Infinity;
    router.send({ kind: "channel_message", channel: "alerts", title: "t", text: "y", severity: "info" });
    await router.idle();
    const after = fake.requests.filter((r) => r.receivedAtMs > globalAt);
    expect(after.map((r) => r.outcome)).toEqual(["delivered", "delivered"]);
    for (const r of after) expect(r.receivedAtMs - globalAt).toBeGreaterThanOrEqual(390);
    expect(fake.requests.filter((r) => r.outcome === "global_rate_limited")).toHaveLength(1);
  });

  it("S1.6: a flood of 1,000 alerts returns synchronously with no network wait and never overflows the bucket", async () => {
    fake = await startFakeDiscord({ bucket: { limit: 5, windowMs: 300 } });
    const { settings, secrets, idOf } = deskWiring(fake, ["alerts", "paper"]);
    const logger = new RecordingLogger();
    router = createAlertRouter({ mode: "PAPER", settings, secrets, logger, queue: { capacity: 200 } });
    const receipts = [];
    for (let n = 0; n < 1000; n += 1) receipts.push(router.send(fillNo(n)));
    // Nothing reached the network during the loop: send() never yields to the event loop.
    expect(fake.requests).toHaveLength(0);
    expect(receipts.every((r) => !(r instanceof Promise) && r.deliveries[0]?.status === "queued")).toBe(true);
    await router.idle();

    const requests = fake.requestsFor(idOf("paper"));
    expect(requests.filter((r) => r.status === 429)).toEqual([]);
    expect(requests.every((r) => r.outcome === "delivered")).toBe(true);
    // Replay the fixed windows on the fake's receive times: a window opens at its first request and holds at most 5.
    const windows: number[] = [];
    let windowStart = Number.NEGATIVE_INFINITY;
    for (const r of requests) {
      if (r.receivedAtMs >= windowStart + 300) {
        windowStart = r.receivedAtMs;
        windows.push(0);
      }
      windows[windows.length - 1] = (windows.at(-1) ?? 0) + 1;
    }
    expect(Math.max(...windows)).toBeLessThanOrEqual(5);
    expect(windows.length).toBeGreaterThanOrEqual(4); // 20 messages of 10 embeds need at least 4 windows

    const stats = router.stats().webhooks.find((w) => w.channels.includes("paper"));
    const embeds = fake.messagesFor(idOf("paper")).flatMap((m) => embedsOf(m.payload));
    expect(embeds).toHaveLength(200);
    expect(stats).toMatchObject({ delivered: 200, droppedOverflow: 800, queued: 0, inFlight: 0 });
    // drop-oldest: the newest 200 survived, in order.
    const ids = embeds.map((e) => JSON.stringify(e["fields"]));
    expect(ids[0]).toContain("coid-800");
    expect(ids[199]).toContain("coid-999");
    expect(logger.entries.filter((e) => e.code === "queue_overflow")).toHaveLength(2); // the start and the end of the burst
  });

  it("S1.6: bucket headers are followed: with Remaining 0 the sender waits Reset-After instead of taking a 429", async () => {
    fake = await startFakeDiscord({ bucket: { limit: 2, windowMs: 400 } });
    const { settings, secrets, idOf } = deskWiring(fake, ["paper"]);
    router = createAlertRouter({ mode: "PAPER", settings, secrets, logger: new RecordingLogger(), queue: { capacity: 100 } });
    // 35 alerts → 4 messages of up to 10 embeds → 2 windows.
    for (let n = 0; n < 35; n += 1) router.send(fillNo(n));
    await router.idle();
    const requests = fake.requestsFor(idOf("paper"));
    expect(requests.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect((requests[2]?.receivedAtMs ?? 0) - (requests[0]?.receivedAtMs ?? 0)).toBeGreaterThanOrEqual(400 - 1);
  });

  it("S1.6: retry_after is honoured on injected time: a 30 s wait takes no wall time and no request goes early", async () => {
    fake = await startFakeDiscord();
    const clock = new FakeClock(1_700_000_000_000);
    const timers = new ManualTimers(clock);
    const { settings, secrets, idOf } = deskWiring(fake, ["paper"]);
    router = createAlertRouter({ mode: "PAPER", settings, secrets, logger: new RecordingLogger(), clock, timers, rateLimitMarginMs: 0 });
    fake.injectFaults(idOf("paper"), { kind: "rate_limit", retryAfterSeconds: 30 });
    router.send(fillNo(1));
    await fake.waitFor((f) => f.requests.length === 1);
    await fake.waitFor(() => timers.pendingDelays().length === 1);
    expect(timers.pendingDelays()).toEqual([30_000]);
    timers.advance(29_999);
    for (let i = 0; i < 20; i += 1) await tick();
    expect(fake.requests).toHaveLength(1);
    timers.advance(1);
    await router.idle();
    expect(fake.requests.map((r) => r.status)).toEqual([429, 200]);
  });
});

describe("server errors", () => {
  it("S1.6: 5xx is retried with exponential backoff, then delivered", async () => {
    fake = await startFakeDiscord();
    const { settings, secrets, idOf } = deskWiring(fake, ["paper"]);
    router = createAlertRouter({ mode: "PAPER", settings, secrets, logger: new RecordingLogger(), retry: { baseBackoffMs: 40 } });
    fake.injectFaults(idOf("paper"), { kind: "server_error", status: 502 }, { kind: "server_error", status: 503 });
    router.send(fillNo(1));
    await router.idle();
    const requests = fake.requestsFor(idOf("paper"));
    expect(requests.map((r) => r.status)).toEqual([502, 503, 200]);
    // Backoff doubles: 40 ms, then 80 ms (less 5 ms for timer granularity; backoff has no safety margin).
    expect((requests[1]?.receivedAtMs ?? 0) - (requests[0]?.respondedAtMs ?? 0)).toBeGreaterThanOrEqual(40 - 5);
    expect((requests[2]?.receivedAtMs ?? 0) - (requests[1]?.respondedAtMs ?? 0)).toBeGreaterThanOrEqual(80 - 5);
    expect(router.stats().webhooks[0]).toMatchObject({ serverErrors: 2, delivered: 1, droppedFailed: 0 });
  });

  it("S1.6: retries are bounded: after maxAttempts the alert is dropped, counted and logged", async () => {
    fake = await startFakeDiscord();
    const { settings, secrets, idOf } = deskWiring(fake, ["paper"]);
    const logger = new RecordingLogger();
    router = createAlertRouter({ mode: "PAPER", settings, secrets, logger, retry: { baseBackoffMs: 5, maxAttempts: 3 } });
    fake.injectFaults(idOf("paper"), ...Array.from({ length: 5 }, () => ({ kind: "server_error" as const })));
    router.send(fillNo(1));
    await router.idle();
    expect(fake.requestsFor(idOf("paper")).map((r) => r.status)).toEqual([500, 500, 500]);
    expect(router.stats().webhooks[0]).toMatchObject({ droppedFailed: 1, delivered: 0 });
    expect(logger.codes()).toContain("delivery_failed");
    router.send(fillNo(2)); // the webhook stays in use
    await router.idle();
    expect(fake.requestsFor(idOf("paper")).map((r) => r.status)).toEqual([500, 500, 500, 500, 500, 200]);
  });
});

describe("slow Discord", () => {
  it("S1.6: a slow webhook never slows send(); close gives up after drainMs and counts what was left", async () => {
    fake = await startFakeDiscord({ latencyMs: 1500 });
    const { settings, secrets } = deskWiring(fake, ["paper"]);
    router = createAlertRouter({ mode: "PAPER", settings, secrets, logger: new RecordingLogger() });
    for (let n = 0; n < 12; n += 1) router.send(fillNo(n));
    await tick();
    const report = await router.close({ drainMs: 100 });
    expect(report).toEqual({ drained: false, abandoned: 12 });
    expect(router.stats()).toMatchObject({ closed: true });
    expect(router.send(fillNo(99)).deliveries).toEqual([{ channel: "paper", status: "closed" }]);
  });

  it("S1.6: an answer slower than requestTimeoutMs is retried (webhook POSTs are not idempotent: Discord may keep both)", async () => {
    fake = await startFakeDiscord();
    const { settings, secrets, idOf } = deskWiring(fake, ["paper"]);
    router = createAlertRouter({ mode: "PAPER", settings, secrets, logger: new RecordingLogger(), requestTimeoutMs: 100, retry: { baseBackoffMs: 10 } });
    fake.injectFaults(idOf("paper"), { kind: "slow", delayMs: 400 });
    router.send(fillNo(1));
    await router.idle();
    expect(router.stats().webhooks[0]).toMatchObject({ serverErrors: 1, delivered: 1, droppedFailed: 0 });
    await fake.waitFor((f) => f.requestsFor(idOf("paper")).length === 2);
    expect(fake.messagesFor(idOf("paper"))).toHaveLength(2); // the timed-out first attempt was saved too
  });

  it("S1.6: close drains what is queued when Discord answers in time", async () => {
    fake = await startFakeDiscord({ latencyMs: 20 });
    const { settings, secrets, idOf } = deskWiring(fake, ["paper"]);
    router = createAlertRouter({ mode: "PAPER", settings, secrets, logger: new RecordingLogger() });
    for (let n = 0; n < 3; n += 1) router.send(fillNo(n));
    expect(await router.close({ drainMs: 5000 })).toEqual({ drained: true, abandoned: 0 });
    expect(fake.messagesFor(idOf("paper")).flatMap((m) => embedsOf(m.payload))).toHaveLength(3);
  });
});
