/** D3 / A1 (gateway side): an order enters the outbox once, only as an ApprovedOrder, with a deterministic client_order_id. */
import { asIntentId, InvariantError, MAX_CLIENT_ORDER_ID_LENGTH } from "@mqk/core";
import { clientOrderIdFor, enqueueApprovedOrder, enqueueCancel, orderIdsByIntentId } from "@mqk/execution";
import type { ApprovedOrder } from "@mqk/risk";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ACCOUNT, approveAndEnqueue, marketRequest, snapshot, useDesk } from "./execution-harness.js";

const desk = useDesk();

describe("gateway", () => {
  it("D3: enqueueing the same ApprovedOrder twice yields one outbox row and one id-map row", async () => {
    const { approved, enqueued } = await approveAndEnqueue(desk(), marketRequest("buy", 10n));
    expect(enqueued.created).toBe(true);
    const again = await enqueueApprovedOrder(desk().handle.db, approved, { account: ACCOUNT });
    expect(again).toEqual({ ...enqueued, created: false });
    const rows = await desk().handle.db.selectFrom("outbox").selectAll().where("intent_id", "=", approved.intentId).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: "SUBMIT", status: "PENDING", client_order_id: enqueued.clientOrderId, symbol: "AAPL", side: "buy", qty_shares: 10n });
    expect(await orderIdsByIntentId(desk().handle.db, approved.intentId)).toEqual({
      intentId: approved.intentId,
      clientOrderId: enqueued.clientOrderId,
      brokerOrderId: null,
    });
  });

  it("D3: two transactions enqueueing the same new intent at once leave one outbox row", async () => {
    const verdict = await desk().engine.approve(desk().handle.db, marketRequest("buy", 3n), snapshot());
    if (!verdict.ok) throw new Error(verdict.error.kind);
    const approved = verdict.value;
    const results = await Promise.all(
      [1, 2].map(() =>
        desk()
          .handle.db.transaction()
          .execute((tx) => enqueueApprovedOrder(tx, approved, { account: ACCOUNT })),
      ),
    );
    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    expect(results[0]?.clientOrderId).toBe(results[1]?.clientOrderId);
    const count = await desk()
      .handle.db.selectFrom("outbox")
      .select((eb) => eb.fn.countAll<bigint>().as("n"))
      .where("intent_id", "=", approved.intentId)
      .executeTakeFirstOrThrow();
    expect(count.n).toBe(1n);
  });

  it("D3: the approval and the outbox row commit together — a rollback leaves neither, and the decision can go again", async () => {
    const request = marketRequest("buy", 2n);
    const boom = new Error("strategy crashed after enqueue");
    await expect(
      desk()
        .handle.db.transaction()
        .execute(async (tx) => {
          const verdict = await desk().engine.approve(tx, request, snapshot());
          if (!verdict.ok) throw new Error(verdict.error.kind);
          await enqueueApprovedOrder(tx, verdict.value, { account: ACCOUNT });
          throw boom;
        }),
    ).rejects.toBe(boom);
    const { enqueued } = await approveAndEnqueue(desk(), request);
    expect(enqueued.created).toBe(true);
  });

  it("A1: the gateway refuses anything that risk's approve() did not mint", async () => {
    const { approved } = await approveAndEnqueue(desk(), marketRequest("buy", 1n));
    const forged = { ...approved, intentId: asIntentId("forged-1") } as unknown as ApprovedOrder;
    await expect(enqueueApprovedOrder(desk().handle.db, forged, { account: ACCOUNT })).rejects.toBeInstanceOf(InvariantError);
    expect(await desk().handle.db.selectFrom("outbox").select("id").where("intent_id", "=", "forged-1").execute()).toEqual([]);
  });

  it("D3: client_order_id is a function of intent_id, ≤ 48 characters of [A-Za-z0-9_-], distinct per intent", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/), (a, b) => {
        const ia = asIntentId(a);
        const id = clientOrderIdFor(ia);
        expect(id).toBe(clientOrderIdFor(ia));
        expect(id.length).toBeLessThanOrEqual(MAX_CLIENT_ORDER_ID_LENGTH);
        expect(id).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]*$/);
        if (a !== b) expect(clientOrderIdFor(asIntentId(b))).not.toBe(id);
      }),
      { numRuns: 200 },
    );
  });

  it("A4: a cancel is one outbox row naming the order's client_order_id; asking twice gives the same row", async () => {
    const { approved, enqueued } = await approveAndEnqueue(desk(), marketRequest("buy", 4n));
    const first = await enqueueCancel(desk().handle.db, approved.intentId);
    const second = await enqueueCancel(desk().handle.db, approved.intentId);
    expect(first.ok && first.value.created).toBe(true);
    expect(second).toEqual(first.ok ? { ok: true, value: { ...first.value, created: false } } : first);
    const rows = await desk().handle.db.selectFrom("outbox").selectAll().where("target_client_order_id", "=", enqueued.clientOrderId).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: "CANCEL", status: "PENDING", client_order_id: null, account: ACCOUNT });
  });

  it("A4: a cancel of an intent the desk never enqueued is refused as a value", async () => {
    const unknown = asIntentId("never-enqueued");
    expect(await enqueueCancel(desk().handle.db, unknown)).toEqual({ ok: false, error: { kind: "unknown_intent", intentId: unknown } });
  });
});
