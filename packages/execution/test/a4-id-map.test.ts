/** A4: intent_id ↔ client_order_id ↔ broker_order_id is persisted when learned and survives a restart. */
import { asBrokerOrderId } from "@mqk/core";
import { applyBrokerEvent, enqueueCancel, orderIdsByBrokerOrderId, orderIdsByClientOrderId, orderIdsByIntentId, recordBrokerOrderId } from "@mqk/execution";
import { describe, expect, it } from "vitest";
import { ACCOUNT, approveAndEnqueue, marketRequest, orderEvent, reopen, useDesk } from "./execution-harness.js";

const desk = useDesk();

describe("id map", () => {
  it("A4: a broker order id recorded before a restart is found both ways after it, and the cancel targets that order", async () => {
    const { approved, enqueued } = await approveAndEnqueue(desk(), marketRequest("buy", 5n));
    const brokerId = asBrokerOrderId("61e69015-8549-4bfd-b9c3-01e75843f47d");
    const first = await reopen(desk().handle);
    try {
      const recorded = await first.db.transaction().execute((tx) => recordBrokerOrderId(tx, enqueued.clientOrderId, brokerId));
      expect(recorded).toMatchObject({ ok: true, value: { changed: true } });
    } finally {
      await first.close();
    }
    const second = await reopen(desk().handle);
    try {
      const expected = { intentId: approved.intentId, clientOrderId: enqueued.clientOrderId, brokerOrderId: brokerId };
      expect(await orderIdsByIntentId(second.db, approved.intentId)).toEqual(expected);
      expect(await orderIdsByClientOrderId(second.db, enqueued.clientOrderId)).toEqual(expected);
      expect(await orderIdsByBrokerOrderId(second.db, brokerId)).toEqual(expected);
      const cancel = await enqueueCancel(second.db, approved.intentId);
      expect(cancel).toMatchObject({ ok: true, value: { targetClientOrderId: enqueued.clientOrderId, created: true } });
      // the cancel row's target resolves to the broker order through the map
      const row = await second.db
        .selectFrom("outbox")
        .select("target_client_order_id")
        .where("kind", "=", "CANCEL")
        .where("target_client_order_id", "=", enqueued.clientOrderId)
        .executeTakeFirstOrThrow();
      expect((await orderIdsByClientOrderId(second.db, row.target_client_order_id ?? ""))?.brokerOrderId).toBe(brokerId);
    } finally {
      await second.close();
    }
  });

  it("A4: recording the same pair again changes nothing; another broker id for the order is refused", async () => {
    const { enqueued } = await approveAndEnqueue(desk(), marketRequest("buy", 1n));
    const db = desk().handle.db;
    const id = asBrokerOrderId("broker-a4-2");
    expect(await recordBrokerOrderId(db, enqueued.clientOrderId, id)).toMatchObject({ ok: true, value: { changed: true } });
    expect(await recordBrokerOrderId(db, enqueued.clientOrderId, id)).toMatchObject({ ok: true, value: { changed: false } });
    expect(await recordBrokerOrderId(db, enqueued.clientOrderId, asBrokerOrderId("broker-a4-other"))).toEqual({
      ok: false,
      error: { kind: "broker_order_id_conflict", clientOrderId: enqueued.clientOrderId, knownBrokerOrderId: id, offeredBrokerOrderId: "broker-a4-other" },
    });
    expect((await orderIdsByClientOrderId(db, enqueued.clientOrderId))?.brokerOrderId).toBe(id);
  });

  it("A4: a broker id already mapped to another order, or an unknown client order id, is refused as a value", async () => {
    const a = await approveAndEnqueue(desk(), marketRequest("buy", 1n));
    const b = await approveAndEnqueue(desk(), marketRequest("buy", 1n));
    const db = desk().handle.db;
    const id = asBrokerOrderId("broker-a4-3");
    expect((await recordBrokerOrderId(db, a.enqueued.clientOrderId, id)).ok).toBe(true);
    expect(await recordBrokerOrderId(db, b.enqueued.clientOrderId, id)).toEqual({
      ok: false,
      error: { kind: "broker_order_id_taken", brokerOrderId: id, ownerClientOrderId: a.enqueued.clientOrderId },
    });
    expect(
      await recordBrokerOrderId(db, b.enqueued.clientOrderId.replace("mqk-", "zzz-") as typeof b.enqueued.clientOrderId, asBrokerOrderId("broker-a4-4")),
    ).toMatchObject({
      ok: false,
      error: { kind: "unknown_client_order_id" },
    });
  });

  it("A4: an id learned from a broker event after a restart lets a later event that names only the broker id find the order", async () => {
    const { enqueued } = await approveAndEnqueue(desk(), marketRequest("buy", 2n));
    const brokerId = asBrokerOrderId("broker-a4-5");
    const first = await reopen(desk().handle);
    try {
      expect(await applyBrokerEvent(first.db, orderEvent("a4-5-new", "new", enqueued.clientOrderId, brokerId, ACCOUNT))).toMatchObject({ kind: "applied" });
    } finally {
      await first.close();
    }
    const second = await reopen(desk().handle);
    try {
      expect(await applyBrokerEvent(second.db, orderEvent("a4-5-pc", "pending_cancel", null, brokerId, ACCOUNT))).toMatchObject({
        kind: "applied",
        orderState: "pending_cancel",
      });
    } finally {
      await second.close();
    }
  });
});
