/**
 * E2/B3 for the claim's fast path: after an open verdict, a dispatcher checks the
 * gate rows' versions against the verdict's pin inside its one claim statement
 * instead of judging them again. Every way the verdict can go stale must still shut
 * the next claim: a disarm, a halt, a deadman deadline or a reconcile freshness
 * bound passing with no row changed, a new DIRTY record, a reconcile row edited by
 * hand (any change of a gate row makes the claim judge in full again). And the fast
 * path is really taken while nothing changes.
 */
import { sql } from "@mqk/db";
import { createDispatcher, type BrokerSession, type Dispatcher } from "@mqk/execution";
import { RiskStateStore } from "@mqk/risk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ACCOUNT, approveAndEnqueue, marketRequest, useDesk } from "./execution-harness.js";
import { ShiftedClock, clearOrderTables, disarmDesk, openGates, openSim, writeReconcileRecord } from "./dispatch-harness.js";

const desk = useDesk();
const FRESHNESS_MS = 120_000;
let clock: ShiftedClock;
let session: BrokerSession;
let dispatcher: Dispatcher;
/** How many times the full gate read (integrity's readDispatchGates) was sent. */
let fullReads = 0;
const watched = new WeakSet<object>();

beforeEach(async () => {
  const { db, pool } = desk().handle;
  await clearOrderTables(db);
  await db.updateTable("risk_state").set({ state: "active", halted_at: null }).execute();
  pool.on("acquire", (client) => {
    if (watched.has(client)) return;
    watched.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      if (typeof args[0] === "string" && args[0].includes("AS arm_reason_kind")) fullReads += 1;
      return query(...args);
    };
  });
  clock = new ShiftedClock();
  session = openSim(clock, { account: ACCOUNT });
  dispatcher = createDispatcher({ db, session, clock, reconcileFreshnessMs: FRESHNESS_MS, owner: "pin" });
  await openGates(db, clock, ACCOUNT); // beat: a 600 s deadline; a fresh CLEAN record
  // The first claim judges the gates in full and pins the verdict.
  await approveAndEnqueue(desk(), marketRequest("buy", 1n));
  expect((await dispatcher.runOnce()).claimed).toBe(1);
  await approveAndEnqueue(desk(), marketRequest("buy", 1n));
  fullReads = 0;
});

afterEach(async () => {
  await dispatcher.stop();
  await session.close();
});

describe("E2: the pinned claim", () => {
  it("E2: while no gate row changes, a claim takes its rows without judging the gates again", async () => {
    const round = await dispatcher.runOnce();
    expect(round).toMatchObject({ claimed: 1, gatesOpen: true });
    expect(fullReads).toBe(0);
  });

  it("E2: a disarm between two claims shuts the second, pin or not", async () => {
    await disarmDesk(desk().handle.db, clock);
    const round = await dispatcher.runOnce();
    expect(round).toMatchObject({ claimed: 0, gatesOpen: false });
    expect(round.blockedBy.join("\n")).toMatch(/disarmed/);
    expect(fullReads).toBe(1);
  });

  it("E2: a risk halt between two claims shuts the second", async () => {
    const halted = await new RiskStateStore(desk().handle.db).applyEvent({ kind: "operator_halt", reason: "test halts", actor: "test" }, clock.nowMs());
    expect(halted.ok).toBe(true);
    const round = await dispatcher.runOnce();
    expect(round).toMatchObject({ claimed: 0, gatesOpen: false });
    expect(round.blockedBy.join("\n")).toMatch(/risk halted/);
  });

  it("E2: the heartbeat deadline passing with no row changed shuts the next claim", async () => {
    clock.advance(601_000); // past the beat's 600 s; also past the reconcile bound
    const round = await dispatcher.runOnce();
    expect(round).toMatchObject({ claimed: 0, gatesOpen: false });
    expect(round.blockedBy.join("\n")).toMatch(/deadline .* has passed/);
  });

  it("B3: the reconcile record ageing past the freshness bound (no row changed) shuts the next claim", async () => {
    clock.advance(FRESHNESS_MS + 1_000);
    const round = await dispatcher.runOnce();
    expect(round).toMatchObject({ claimed: 0, gatesOpen: false });
    expect(round.blockedBy.join("\n")).toMatch(/older than the 120000 ms bound/);
  });

  it("B3: a clock set back before the record's finish leaves the pin's span; the claim judges in full and the gate is shut", async () => {
    clock.advance(-5_000);
    // (the queued row must be due by the clock set back, or no claim even starts)
    await sql`UPDATE outbox SET next_attempt_at = now() - interval '1 hour' WHERE status = 'PENDING'`.execute(desk().handle.db);
    const round = await dispatcher.runOnce();
    expect(round).toMatchObject({ claimed: 0, gatesOpen: false });
    expect(round.blockedBy.join("\n")).toMatch(/in the future/);
    expect(fullReads).toBe(1);
  });

  it("B3: a newer DIRTY record between two claims shuts the second", async () => {
    await writeReconcileRecord(desk().handle.db, ACCOUNT, "DIRTY", clock.nowMs());
    const round = await dispatcher.runOnce();
    expect(round).toMatchObject({ claimed: 0, gatesOpen: false });
    expect(round.blockedBy.join("\n")).toMatch(/is DIRTY/);
  });

  it("B1: a reconcile row edited by hand between two claims (another snapshot digest) is judged again and refused", async () => {
    const { db } = desk().handle;
    await sql`UPDATE reconcile_runs SET snapshot_digest = repeat('c', 64) WHERE id = (SELECT max(id) FROM reconcile_runs)`.execute(db);
    const round = await dispatcher.runOnce();
    expect(round).toMatchObject({ claimed: 0, gatesOpen: false });
    expect(round.blockedBy.join("\n")).toMatch(/evidence hash does not recompute/);
  });
});
