import { createAlertRouter, type AlertLogger } from "@mqk/alerts";
import { arm, readArmState, readReconcileGate, reconcileEvidenceHash, verifyAuditChain } from "@mqk/integrity";
import { armWithReconcile, reconcileArmVerifier, reconcileSnapshot, runReconcile } from "@mqk/reconcile";
import { Secret, type SecretSource } from "@mqk/secrets";
import { sql } from "@mqk/db";
import { startFakeDiscord, type FakeDiscord } from "@mqk/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  bookCash,
  brokerOrder,
  countRows,
  newClock,
  openSimSession,
  placeLocalOrder,
  setPosition,
  snapshotOf,
  TOLERANCE,
  usd,
  useDatabase,
} from "./support.js";

const handle = useDatabase();
const clock = newClock();
const FRESH_MS = 120_000;
const quietLogger: AlertLogger = { log: () => undefined };

let discord: FakeDiscord;
beforeEach(async () => {
  discord = await startFakeDiscord();
  clock.advance(1_000);
});
afterEach(async () => {
  await discord.close();
});

/** The real alert router with its alerts and paper channels on the fake Discord. */
function alertRouter() {
  const hooks = { alerts: "2001", paper: "2002" } as const;
  const values = new Map<string, Secret>();
  for (const [channel, id] of Object.entries(hooks)) {
    const token = `tok-${channel}-0123456789abcdefABCDEF_`;
    discord.addWebhook({ id, token });
    const env = `MQK_RECONCILE_TEST_${channel.toUpperCase()}_WEBHOOK`;
    values.set(env, new Secret(env, discord.webhookUrl(id, token)));
  }
  const secrets: SecretSource = { get: (name) => values.get(name) };
  const settings = { channels: { alerts: { webhookEnv: "MQK_RECONCILE_TEST_ALERTS_WEBHOOK" }, paper: { webhookEnv: "MQK_RECONCILE_TEST_PAPER_WEBHOOK" } } };
  return { router: createAlertRouter({ mode: "PAPER", settings, secrets, logger: quietLogger }), hooks };
}

function titles(webhookId: string): string[] {
  return discord.messagesFor(webhookId).flatMap((m) => {
    const embeds = m.payload["embeds"];
    return Array.isArray(embeds) ? embeds.map((e: unknown) => String((e as { title?: unknown }).title)) : [];
  });
}

describe("a DIRTY reconcile disarms, sticky, and alerts", () => {
  it("B3: a DIRTY reconcile disarms (RECONCILE_DIRTY) in its own transaction and alerts on the alerts and mode channels", async () => {
    const { db } = handle();
    const account = "dirty-alert";
    await bookCash(db, usd("100000"), account);
    const session = openSimSession(clock, usd("100000"), account);
    const armed = await armWithReconcile({
      db,
      session,
      clock,
      mode: "PAPER",
      cashTolerance: TOLERANCE,
      freshnessMs: FRESH_MS,
      actor: "operator",
      reason: "start",
    });
    expect(armed.ok).toBe(true);

    await setPosition(db, "AAPL", 7n, usd("100"), account);
    const { router, hooks } = alertRouter();
    clock.advance(1_000);
    const record = await runReconcile({ db, session, clock, mode: "PAPER", cashTolerance: TOLERANCE, alerts: router });
    expect(record.result).toBe("DIRTY");
    expect(record.entries).toEqual([expect.objectContaining({ kind: "position_qty_mismatch", symbol: "AAPL", localQtyShares: 7n, brokerQtyShares: 0n })]);
    const state = await readArmState(db);
    expect(state.state).toBe("DISARMED");
    expect(state.reasonKind).toBe("RECONCILE_DIRTY");
    expect(state.reason).toMatch(new RegExp(`reconcile record ${record.id.toString()} of account dirty-alert is DIRTY`));
    await router.idle();
    expect(titles(hooks.alerts)).toEqual(["Reconcile DIRTY: 1 mismatch(es)"]);
    expect(titles(hooks.paper)).toEqual(["Reconcile DIRTY: 1 mismatch(es)"]);
    // The schedule's next run finds the same difference: recorded and audited, but no second
    // disarm and no second alert (the desk is already disarmed for exactly this).
    const disarmsBefore = await db.selectFrom("audit_events").select("seq").where("kind", "=", "DISARMED").execute();
    clock.advance(1_000);
    const again = await runReconcile({ db, session, clock, mode: "PAPER", cashTolerance: TOLERANCE, alerts: router });
    expect(again.result).toBe("DIRTY");
    await router.idle();
    expect(titles(hooks.alerts)).toEqual(["Reconcile DIRTY: 1 mismatch(es)"]);
    expect(await db.selectFrom("audit_events").select("seq").where("kind", "=", "DISARMED").execute()).toHaveLength(disarmsBefore.length);
    expect((await readArmState(db)).reason).toMatch(new RegExp(`reconcile record ${record.id.toString()} of`));
    await router.close();
    const gate = await readReconcileGate(db, account, clock.nowMs(), FRESH_MS);
    expect(gate.open).toBe(false);
    expect(gate.blockedBy.join("\n")).toMatch(/is DIRTY/);
  });

  it("B3: a DIRTY after an intervening CLEAN (the desk still disarmed) is news: it alerts again; so does a DIRTY with other differences", async () => {
    const { db } = handle();
    const account = "dirty-news";
    await bookCash(db, usd("100000"), account);
    const session = openSimSession(clock, usd("100000"), account);
    expect(
      (await armWithReconcile({ db, session, clock, mode: "PAPER", cashTolerance: TOLERANCE, freshnessMs: FRESH_MS, actor: "op", reason: "start" })).ok,
    ).toBe(true);
    const { router, hooks } = alertRouter();
    const reconcile = async () => {
      clock.advance(1_000);
      return (await runReconcile({ db, session, clock, mode: "PAPER", cashTolerance: TOLERANCE, alerts: router })).result;
    };
    await setPosition(db, "AAPL", 7n, usd("100"), account);
    expect(await reconcile()).toBe("DIRTY"); // alert 1
    await setPosition(db, "AAPL", 0n, usd("0"), account);
    expect(await reconcile()).toBe("CLEAN");
    await setPosition(db, "MSFT", 2n, usd("300"), account);
    expect(await reconcile()).toBe("DIRTY"); // alert 2: after a CLEAN
    await setPosition(db, "AAPL", 3n, usd("100"), account);
    expect(await reconcile()).toBe("DIRTY"); // alert 3: other differences (MSFT and AAPL)
    expect(await reconcile()).toBe("DIRTY"); // the same again: no alert
    await router.idle();
    expect(titles(hooks.alerts)).toEqual(["Reconcile DIRTY: 1 mismatch(es)", "Reconcile DIRTY: 1 mismatch(es)", "Reconcile DIRTY: 2 mismatch(es)"]);
    expect(await readArmState(db)).toMatchObject({ state: "DISARMED", reasonKind: "RECONCILE_DIRTY" });
    await router.close();
  });

  it("B3: after a DIRTY record, a later CLEAN reconcile leaves the desk disarmed until an explicit arm", async () => {
    const { db } = handle();
    const account = "dirty-sticky";
    await bookCash(db, usd("100000"), account);
    const session = openSimSession(clock, usd("100000"), account);
    expect(
      (await armWithReconcile({ db, session, clock, mode: "PAPER", cashTolerance: TOLERANCE, freshnessMs: FRESH_MS, actor: "op", reason: "start" })).ok,
    ).toBe(true);
    await setPosition(db, "MSFT", 1n, usd("300"), account);
    expect((await runReconcile({ db, session, clock, mode: "PAPER", cashTolerance: TOLERANCE })).result).toBe("DIRTY");
    await setPosition(db, "MSFT", 0n, usd("0"), account);
    const clean = await runReconcile({ db, session, clock, mode: "PAPER", cashTolerance: TOLERANCE });
    expect(clean.result).toBe("CLEAN");
    expect(await readArmState(db)).toMatchObject({ state: "DISARMED", reasonKind: "RECONCILE_DIRTY" });
    const rearmed = await armWithReconcile({
      db,
      session,
      clock,
      mode: "PAPER",
      cashTolerance: TOLERANCE,
      freshnessMs: FRESH_MS,
      actor: "op",
      reason: "fixed",
    });
    expect(rearmed.ok).toBe(true);
    expect((await readArmState(db)).state).toBe("ARMED");
  });

  it("B3: a DIRTY reconcile creates, cancels and replaces nothing: no outbox, id-map or order row, and the broker's side is unchanged", async () => {
    const { db } = handle();
    const account = "dirty-no-orders";
    await bookCash(db, usd("1000"), account);
    await placeLocalOrder(db, { clientOrderId: "dno-local", brokerOrderId: "b-dno-local", state: "new", account });
    const before = { outbox: await countRows(db, "outbox"), orderMap: await countRows(db, "order_map"), orders: await countRows(db, "orders") };
    const snapshot = snapshotOf({
      account,
      cash: usd("1000"),
      brokerTimeNs: BigInt(clock.nowMs()) * 1_000_000n,
      positions: [{ symbol: "TSLA", qty: 3n }],
      orders: [brokerOrder({ brokerOrderId: "b-dno-unknown", clientOrderId: "manual-order", symbol: "TSLA" })],
    });
    const record = await reconcileSnapshot({ db, snapshot, clock, mode: "PAPER", cashTolerance: TOLERANCE });
    expect(record.result).toBe("DIRTY");
    expect(record.entries.map((e) => e.kind).sort()).toEqual(["broker_order_unknown", "local_order_missing_at_broker", "position_qty_mismatch"]);
    expect({ outbox: await countRows(db, "outbox"), orderMap: await countRows(db, "order_map"), orders: await countRows(db, "orders") }).toEqual(before);
    const order = await db.selectFrom("orders").select(["state"]).where("client_order_id", "=", "dno-local").executeTakeFirstOrThrow();
    expect(order.state).toBe("new");

    const session = openSimSession(clock, usd("500"), "dirty-no-orders-sim");
    const brokerBefore = await session.snapshot();
    expect((await runReconcile({ db, session, clock, mode: "PAPER", cashTolerance: TOLERANCE })).result).toBe("DIRTY");
    const brokerAfter = await session.snapshot();
    expect({ cash: brokerAfter.cashMicros, positions: brokerAfter.positions, orders: brokerAfter.openOrders }).toEqual({
      cash: brokerBefore.cashMicros,
      positions: brokerBefore.positions,
      orders: brokerBefore.openOrders,
    });
  });

  it("B1: the stored evidence hash equals integrity's recomputation from the record's columns, and the record is audited in the chain", async () => {
    const { db } = handle();
    const account = "dirty-hash";
    await bookCash(db, usd("1000"), account);
    const records = [
      await reconcileSnapshot({
        db,
        clock,
        mode: "PAPER",
        cashTolerance: TOLERANCE,
        snapshot: snapshotOf({ account, cash: usd("1000"), brokerTimeMs: clock.nowMs() }),
      }),
      await reconcileSnapshot({
        db,
        clock,
        mode: "PAPER",
        cashTolerance: TOLERANCE,
        snapshot: snapshotOf({ account, cash: usd("10"), brokerTimeMs: clock.nowMs() + 1 }),
      }),
      await reconcileSnapshot({
        db,
        clock,
        mode: "PAPER",
        cashTolerance: TOLERANCE,
        snapshot: snapshotOf({ account, cash: usd("1000"), brokerTimeMs: clock.nowMs() }),
      }),
    ];
    expect(records.map((r) => r.result)).toEqual(["CLEAN", "DIRTY", "REJECTED"]);
    for (const record of records) {
      const row = await db.selectFrom("reconcile_runs").selectAll().where("id", "=", record.id).executeTakeFirstOrThrow();
      const recomputed = reconcileEvidenceHash({
        account: row.account,
        result: row.result,
        watermarkBrokerNs: row.watermark_broker_ns,
        watermarkInboxSeq: row.watermark_inbox_seq,
        snapshotDigest: row.snapshot_digest,
        localDigest: row.local_digest,
        mode: row.mode,
        finishedAtMs: row.finished_at.getTime(),
      });
      expect(row.evidence_hash).toBe(recomputed);
      expect(row.evidence_hash).toBe(record.evidenceHash);
      // finished_at is written from integer ms and reads back exactly: the hash binds it.
      expect(row.finished_at.getTime()).toBe(record.finishedAtMs);
      const audit = await db
        .selectFrom("audit_events")
        .select(["payload"])
        .where("kind", "=", "RECONCILE_RECORDED")
        .where(sql<string>`payload->>'recordId'`, "=", record.id.toString())
        .executeTakeFirstOrThrow();
      expect(audit.payload).toMatchObject({ account, result: record.result, evidenceHash: record.evidenceHash });
    }
    const dirtyRow = await db
      .selectFrom("reconcile_runs")
      .select(["diff"])
      .where("id", "=", records[1]?.id ?? 0n)
      .executeTakeFirstOrThrow();
    expect(dirtyRow.diff).toEqual([
      { kind: "cash_mismatch", localCashMicros: "1000000000", brokerCashMicros: "10000000", differenceMicros: "-990000000", toleranceMicros: "1000000" },
    ]);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });
});

describe("a DIRTY reconcile racing an arm", () => {
  it("B3: concurrent arms and DIRTY reconciles never deadlock; the desk ends DISARMED after the last DIRTY", async () => {
    const { db } = handle();
    await bookCash(db, usd("1000"), "race-clean");
    // Through the broker: only runReconcile's records can arm (B1).
    const clean = await runReconcile({ db, session: openSimSession(clock, usd("1000"), "race-clean"), clock, mode: "PAPER", cashTolerance: TOLERANCE });
    expect(clean.result).toBe("CLEAN");
    const verifier = reconcileArmVerifier({ freshnessMs: FRESH_MS });
    const evidence = { reconcileRunId: clean.id, evidenceHash: clean.evidenceHash };
    for (let round = 0; round < 15; round++) {
      const [armed, dirty] = await Promise.all([
        arm(db, { evidence, verifier, actor: "op", reason: `race ${String(round)}` }, clock),
        reconcileSnapshot({
          db,
          clock,
          mode: "PAPER",
          cashTolerance: TOLERANCE,
          snapshot: snapshotOf({ account: "race-dirty", cash: usd("5"), brokerTimeMs: clock.nowMs() + round }),
        }),
      ]);
      expect(armed.ok).toBe(true);
      expect(dirty.result).toBe("DIRTY");
    }
    await reconcileSnapshot({
      db,
      clock,
      mode: "PAPER",
      cashTolerance: TOLERANCE,
      snapshot: snapshotOf({ account: "race-dirty", cash: usd("5"), brokerTimeMs: clock.nowMs() + 100 }),
    });
    expect((await readArmState(db)).reasonKind).toBe("RECONCILE_DIRTY");
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });
});
