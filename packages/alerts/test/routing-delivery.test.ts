import { alertKinds, builtInChannels, createAlertRouter, routeEvent, sampleAlertEvent, severityColours, severityOf, type DeskMode } from "@mqk/alerts";
import { Secret } from "@mqk/secrets";
import { startFakeDiscord, type FakeDiscord } from "@mqk/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deskWiring, embedsOf, kindsReceived, RecordingLogger } from "./support.js";

let fake: FakeDiscord;
beforeEach(async () => {
  fake = await startFakeDiscord({ bucket: { limit: 5, windowMs: 200 } });
});
afterEach(async () => {
  await fake.close();
});

const channels = [...builtInChannels, "ops-desk"];

describe("routing over the wire", () => {
  for (const mode of ["BACKTEST", "PAPER", "LIVE"] as const satisfies readonly DeskMode[]) {
    it(`S1.6: in ${mode}, every kind reaches exactly the channels of the routing table`, async () => {
      const { settings, secrets, idOf } = deskWiring(fake, channels);
      const router = createAlertRouter({ mode, settings, secrets, logger: new RecordingLogger() });
      const expected = new Map<string, string[]>(channels.map((c) => [c, []]));
      for (const kind of alertKinds) {
        const event = sampleAlertEvent(kind, { channel: "ops-desk" });
        router.send(event);
        for (const channel of routeEvent(event, mode)) expected.get(channel)?.push(kind);
      }
      await router.idle();
      for (const channel of channels)
        expect({ channel, kinds: kindsReceived(fake, idOf(channel)).sort() }).toEqual({ channel, kinds: (expected.get(channel) ?? []).sort() });
      expect(fake.requests.every((r) => r.status === 200)).toBe(true);
      await router.close();
    });
  }

  it("S1.6: a LIVE fill goes to live and nowhere else; a disarm goes to alerts and live", async () => {
    const { settings, secrets, idOf } = deskWiring(fake, channels);
    const router = createAlertRouter({ mode: "LIVE", settings, secrets, logger: new RecordingLogger() });
    router.send(sampleAlertEvent("fill"));
    router.send(sampleAlertEvent("integrity_disarm"));
    await router.idle();
    expect(kindsReceived(fake, idOf("live"))).toEqual(["fill", "integrity_disarm"]);
    expect(kindsReceived(fake, idOf("alerts"))).toEqual(["integrity_disarm"]);
    expect(kindsReceived(fake, idOf("paper"))).toEqual([]);
    await router.close();
  });

  it("S1.6: a custom channel declared in config receives its channel messages", async () => {
    const { settings, secrets, idOf } = deskWiring(fake, ["alerts", "paper", "ops-desk"]);
    const router = createAlertRouter({ mode: "PAPER", settings, secrets, logger: new RecordingLogger() });
    const receipt = router.send({ kind: "channel_message", channel: "ops-desk", title: "Desk note", text: "rebalance at close", severity: "warning" });
    expect(receipt.deliveries).toEqual([{ channel: "ops-desk", status: "queued" }]);
    await router.idle();
    const [message] = fake.messagesFor(idOf("ops-desk"));
    expect(embedsOf(message?.payload ?? {})[0]).toMatchObject({ title: "Desk note", description: "rebalance at close", color: severityColours.warning });
    await router.close();
  });

  it("S1.6: embeds carry the severity colour, mentions are never parsed, and delivery is confirmed with wait=true", async () => {
    const { settings, secrets, idOf } = deskWiring(fake, ["alerts", "paper"]);
    const router = createAlertRouter({ mode: "PAPER", settings, secrets, logger: new RecordingLogger() });
    router.send(sampleAlertEvent("risk_halt"));
    router.send({ kind: "operator_message", from: "ops", text: "@everyone look" });
    await router.idle();
    const [message] = fake.messagesFor(idOf("alerts"));
    expect(message?.payload["allowed_mentions"]).toEqual({ parse: [] });
    expect(embedsOf(message?.payload ?? {})[0]?.["color"]).toBe(severityColours[severityOf(sampleAlertEvent("risk_halt"))]);
    expect(fake.requests.every((r) => r.wait && r.path.startsWith("/api/v10/webhooks/"))).toBe(true);
    await router.close();
  });

  it("S1.6: an unconfigured channel drops its alerts, counted, with one logged notice", async () => {
    const { settings, secrets, idOf } = deskWiring(fake, ["alerts", "paper"], { unset: ["alerts"] });
    const logger = new RecordingLogger();
    const router = createAlertRouter({ mode: "PAPER", settings, secrets, logger });
    for (let i = 0; i < 5; i += 1) {
      const receipt = router.send(sampleAlertEvent("risk_halt"));
      expect(receipt.deliveries).toEqual([
        { channel: "alerts", status: "unconfigured" },
        { channel: "paper", status: "queued" },
      ]);
    }
    router.send(sampleAlertEvent("heartbeat")); // heartbeat is not declared at all
    router.send(sampleAlertEvent("heartbeat"));
    await router.idle();
    const notices = logger.entries.filter((e) => e.code === "channel_unconfigured");
    expect(notices.map((e) => e.channels)).toEqual([["alerts"], ["heartbeat"]]);
    const stats = router.stats();
    expect(stats.channels.find((c) => c.channel === "alerts")).toMatchObject({ state: "unconfigured", unconfiguredDrops: 5 });
    expect(stats.channels.find((c) => c.channel === "heartbeat")).toMatchObject({ state: "unconfigured", unconfiguredDrops: 2 });
    expect(kindsReceived(fake, idOf("paper"))).toHaveLength(5);
    expect(fake.requestsFor(idOf("alerts"))).toHaveLength(0);
    await router.close();
  });

  it("S1.6: a channel name outside [a-z][a-z0-9-]* is ignored with a log entry, never a throw", async () => {
    const { settings, secrets, idOf } = deskWiring(fake, ["paper"]);
    const logger = new RecordingLogger();
    const router = createAlertRouter({ mode: "PAPER", settings: { channels: { ...settings.channels, Bad_Name: { webhookEnv: "X" } } }, secrets, logger });
    expect(logger.codes()).toEqual(["channel_name_invalid"]);
    router.send({ kind: "channel_message", channel: "Bad_Name", title: "t", text: "x", severity: "info" });
    router.send(sampleAlertEvent("fill"));
    await router.idle();
    expect(kindsReceived(fake, idOf("paper"))).toEqual(["fill"]);
    expect(router.stats().channels.find((c) => c.channel === "Bad_Name")).toMatchObject({ state: "unconfigured", unconfiguredDrops: 1 });
    await router.close();
  });

  it("S1.6: two channels on one webhook share one queue and get one copy of an event", async () => {
    fake.addWebhook({ id: "2001", token: "shared-token-abcdef" });
    const url = fake.webhookUrl("2001", "shared-token-abcdef");
    const shared = createAlertRouter({
      mode: "PAPER",
      settings: { channels: { alerts: { webhookEnv: "A" }, paper: { webhookEnv: "P" } } },
      secrets: { get: (name) => new Secret(name, url) },
      logger: new RecordingLogger(),
    });
    expect(shared.send(sampleAlertEvent("integrity_disarm")).deliveries).toEqual([
      { channel: "alerts", status: "queued" },
      { channel: "paper", status: "shared" },
    ]);
    await shared.idle();
    expect(kindsReceived(fake, "2001")).toEqual(["integrity_disarm"]);
    expect(shared.stats().webhooks).toHaveLength(1);
    await shared.close();
  });
});
