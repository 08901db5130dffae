import { createAlertRouter, limitViolations, type AlertEvent, type DiscordMessage } from "@mqk/alerts";
import { startFakeDiscord } from "@mqk/testkit";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deskWiring, embedsOf, RecordingLogger } from "./support.js";

const longText = (max: number): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength: max }),
    fc.string({ unit: "grapheme", maxLength: max / 2 }),
    fc.nat({ max }).map((n) => "😀".repeat(Math.ceil(n / 2))),
  );

// Events whose text comes from outside (operators, strategies, brokers): the ones that can be any length.
const event: fc.Arbitrary<AlertEvent> = fc.oneof(
  fc.record({
    kind: fc.constant("channel_message"),
    channel: fc.constant("paper"),
    title: longText(600),
    text: longText(9000),
    severity: fc.constantFrom("info", "critical"),
  }),
  fc.record({ kind: fc.constant("operator_message"), from: longText(400), text: longText(9000) }),
  fc.record({
    kind: fc.constant("backtest_result"),
    runId: longText(300),
    strategy: longText(300),
    metrics: fc.dictionary(longText(300), longText(1500), { maxKeys: 40 }),
  }),
  fc.record({
    kind: fc.constant("order_rejected"),
    symbol: longText(300),
    side: fc.constantFrom("buy", "sell"),
    clientOrderId: longText(2000),
    reason: longText(9000),
  }),
  fc.record({ kind: fc.constant("heartbeat"), uptimeMs: fc.nat(), details: fc.dictionary(longText(300), longText(1500), { maxKeys: 30 }) }),
);

describe("Discord limits over the wire", () => {
  it("S1.6: random over-long events are truncated, batched and accepted by the fake's validator: none refused, none lost", async () => {
    const fake = await startFakeDiscord({ bucket: { limit: 10_000, windowMs: 1000 } });
    const { settings, secrets } = deskWiring(fake, ["paper", "backtest", "c2", "heartbeat", "alerts"]);
    const router = createAlertRouter({ mode: "PAPER", settings, secrets, logger: new RecordingLogger(), queue: { capacity: 10_000 } });
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 12 }), async (events) => {
        for (const e of events) router.send(e);
        sent += events.length;
        await router.idle();
        expect(fake.requests.filter((r) => r.status !== 200)).toEqual([]);
      }),
      { numRuns: 40 },
    );
    expect(fake.messages.flatMap((m) => embedsOf(m.payload))).toHaveLength(sent);
    for (const m of fake.messages) expect(limitViolations(m.payload as DiscordMessage)).toEqual([]);
    await router.close();
    await fake.close();
  });
});
