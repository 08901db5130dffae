import { createAlertRouter, sampleAlertEvent, type AlertRouter } from "@mqk/alerts";
import { FakeClock } from "@mqk/core";
import { startFakeDiscord, type FakeDiscord } from "@mqk/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { deskWiring, embedsOf, kindsReceived, ManualTimers, RecordingLogger } from "./support.js";

let fake: FakeDiscord | undefined;
let router: AlertRouter | undefined;
afterEach(async () => {
  await router?.close({ drainMs: 0 });
  await fake?.close();
  router = undefined;
  fake = undefined;
});

const titles = (f: FakeDiscord, id: string): unknown[] => f.messagesFor(id).flatMap((m) => embedsOf(m.payload).map((e) => e["title"]));

describe("a webhook Discord no longer knows", () => {
  it("S1.6: unknown webhook (404, 10015) disables the channel with exactly one alert on the alerts channel", async () => {
    fake = await startFakeDiscord();
    const { settings, secrets, idOf } = deskWiring(fake, ["alerts", "paper", "heartbeat"]);
    const logger = new RecordingLogger();
    router = createAlertRouter({ mode: "PAPER", settings, secrets, logger });
    fake.deleteWebhook(idOf("paper"));
    for (let n = 0; n < 3; n += 1) router.send(sampleAlertEvent("fill"));
    await router.idle();
    for (let n = 0; n < 5; n += 1) expect(router.send(sampleAlertEvent("fill")).deliveries).toEqual([{ channel: "paper", status: "disabled" }]);
    router.send(sampleAlertEvent("integrity_disarm")); // alerts still works; paper is skipped
    await router.idle();

    expect(fake.requestsFor(idOf("paper")).map((r) => [r.status, r.outcome])).toEqual([[404, "unknown_webhook"]]);
    expect(titles(fake, idOf("alerts"))).toEqual(["Alert channel disabled: paper", "DISARMED (integrity)"]);
    expect(kindsReceived(fake, idOf("heartbeat"))).toEqual([]);
    expect(logger.entries.filter((e) => e.code === "webhook_disabled")).toMatchObject([{ channels: ["paper"], status: 404, discordCode: 10015 }]);
    const stats = router.stats();
    expect(stats.channels.find((c) => c.channel === "paper")?.state).toBe("disabled");
    expect(stats.webhooks.find((w) => w.channels.includes("paper"))).toMatchObject({ disabled: true, droppedDisabled: 3 + 5 + 1, delivered: 0 });
  });

  it("S1.6: a 401 invalid token disables too; when alerts itself dies the one notice goes to the mode's channel", async () => {
    fake = await startFakeDiscord();
    const { settings, secrets, idOf } = deskWiring(fake, ["alerts", "live", "c2"]);
    router = createAlertRouter({ mode: "LIVE", settings, secrets, logger: new RecordingLogger() });
    fake.injectFaults(idOf("alerts"), { kind: "invalid_token" });
    router.send(sampleAlertEvent("risk_halt")); // alerts + live
    await router.idle();
    router.send(sampleAlertEvent("risk_halt"));
    await router.idle();
    expect(fake.requestsFor(idOf("alerts")).map((r) => r.status)).toEqual([401]);
    expect(titles(fake, idOf("live")).filter((t) => t === "Alert channel disabled: alerts")).toHaveLength(1);
    expect(titles(fake, idOf("live")).filter((t) => t === "RISK HALT")).toHaveLength(2);
    expect(kindsReceived(fake, idOf("c2"))).toEqual([]);
  });

  it("S1.6: with no other working channel the loss is logged, not thrown", async () => {
    fake = await startFakeDiscord();
    const { settings, secrets, idOf } = deskWiring(fake, ["paper"]);
    const logger = new RecordingLogger();
    router = createAlertRouter({ mode: "PAPER", settings, secrets, logger });
    fake.deleteWebhook(idOf("paper"));
    router.send(sampleAlertEvent("fill"));
    await router.idle();
    expect(logger.codes()).toEqual(expect.arrayContaining(["webhook_disabled", "no_channel_for_disable_notice"]));
  });
});

describe("heartbeat", () => {
  it("S1.6: beats on the heartbeat channel at the configured interval until stopped", async () => {
    fake = await startFakeDiscord();
    const clock = new FakeClock(1_700_000_000_000);
    const timers = new ManualTimers(clock);
    const { settings, secrets, idOf } = deskWiring(fake, ["alerts", "paper", "heartbeat"], { heartbeatIntervalSeconds: 30 });
    router = createAlertRouter({ mode: "PAPER", settings, secrets, logger: new RecordingLogger(), clock, timers });
    const beat = router.startHeartbeat({ details: () => ({ armed: "no" }) });
    expect(router.startHeartbeat()).toBe(beat); // one heartbeat per router
    timers.advance(29_999);
    await router.idle();
    expect(fake.requests).toHaveLength(0);
    timers.advance(1);
    await router.idle();
    timers.advance(30_000);
    await router.idle();
    expect(kindsReceived(fake, idOf("heartbeat"))).toEqual(["heartbeat", "heartbeat"]);
    const fields = fake.messagesFor(idOf("heartbeat")).map((m) => embedsOf(m.payload)[0]?.["fields"]);
    expect(fields[1]).toEqual(
      expect.arrayContaining([
        { name: "uptime", value: "60 s", inline: true },
        { name: "mode", value: "PAPER", inline: true },
        { name: "armed", value: "no", inline: true },
      ]),
    );
    beat.stop();
    timers.advance(120_000);
    await router.idle();
    expect(kindsReceived(fake, idOf("heartbeat"))).toHaveLength(2);
    expect(timers.pendingDelays()).toEqual([]);
  });

  it("S1.6: a details callback that throws does not stop the beat; close stops it", async () => {
    fake = await startFakeDiscord();
    const clock = new FakeClock(1_700_000_000_000);
    const timers = new ManualTimers(clock);
    const { settings, secrets, idOf } = deskWiring(fake, ["heartbeat"], { heartbeatIntervalSeconds: 10 });
    const logger = new RecordingLogger();
    router = createAlertRouter({ mode: "BACKTEST", settings, secrets, logger, clock, timers });
    router.startHeartbeat({
      details: () => {
        throw new Error("boom");
      },
    });
    timers.advance(10_000);
    await router.idle();
    expect(kindsReceived(fake, idOf("heartbeat"))).toEqual(["heartbeat"]);
    expect(logger.codes()).toContain("heartbeat_details_failed");
    const closing = router.close({ drainMs: 1000 });
    expect(timers.pendingDelays().every((d) => d === 1000)).toBe(true); // only the drain deadline is left
    expect(await closing).toEqual({ drained: true, abandoned: 0 });
  });
});

describe("never throws into trading", () => {
  it("S1.6: a router whose clock is broken drops the alert with a count instead of throwing", async () => {
    fake = await startFakeDiscord();
    const { settings, secrets } = deskWiring(fake, ["paper"]);
    const logger = new RecordingLogger();
    router = createAlertRouter({ mode: "PAPER", settings, secrets, logger, clock: { nowMs: () => Number.NaN } });
    expect(router.send(sampleAlertEvent("fill")).deliveries).toEqual([{ channel: "paper", status: "failed" }]);
    expect(router.stats().internalErrors).toBe(1);
    expect(logger.codes()).toContain("render_failed");
  });

  it("S1.6: a logger that throws does not break alerting", async () => {
    fake = await startFakeDiscord();
    const { settings, secrets, idOf } = deskWiring(fake, ["paper"]);
    router = createAlertRouter({
      mode: "PAPER",
      settings,
      secrets,
      logger: {
        log: () => {
          throw new Error("logger down");
        },
      },
    });
    fake.deleteWebhook(idOf("paper"));
    expect(() => router?.send(sampleAlertEvent("fill"))).not.toThrow();
    await router.idle();
    expect(router.stats().webhooks[0]?.disabled).toBe(true);
  });
});
