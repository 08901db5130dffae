/**
 * A3 with a real crash: a dispatcher in a child process claims a row, sends it,
 * and is SIGKILLed while the broker's answer is outstanding — once after the
 * broker took the order, once before. After the lease, another dispatcher takes
 * the row over: it looks the client_order_id up first, adopts the order that
 * exists or sends once when none does. The broker ends with one order per intent.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createDispatcher } from "@mqk/execution";
import { ALPACA_ORDER_SUBMIT, startFakeAlpaca, type FakeAlpaca } from "@mqk/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { approveAndEnqueue, marketRequest, useDesk } from "./execution-harness.js";
import { ShiftedClock, openGates, clearOrderTables } from "./dispatch-harness.js";
import { openAlpaca } from "./alpaca-harness.js";

const ACCOUNT = "alpaca-paper";
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const fixture = fileURLToPath(new URL("./fixtures/dispatch-and-hang.ts", import.meta.url));
const desk = useDesk();
let fake: FakeAlpaca;
let clock: ShiftedClock;

beforeEach(async () => {
  const { db } = desk().handle;
  await clearOrderTables(db);
  fake = await startFakeAlpaca({ prices: { AAPL: "100" }, rateLimit: false });
  clock = new ShiftedClock();
  await openGates(db, clock, ACCOUNT);
});

afterEach(async () => {
  await fake.close();
});

/** Runs the child until the fake has received `submissions` order posts, then SIGKILLs it. */
async function crashAfterSubmission(submissions: number): Promise<{ readonly signal: NodeJS.Signals | null; readonly stderr: string }> {
  const child = spawn(
    process.execPath,
    ["--conditions=@mqk/source", "--import", "tsx", fixture, desk().handle.connectionString, fake.baseUrl, fake.keys.keyId, fake.keys.secretKey, ACCOUNT],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const poll = setInterval(() => {
    if (fake.submissions().length >= submissions) child.kill("SIGKILL");
  }, 10);
  const guard = setTimeout(() => child.kill("SIGKILL"), 25_000);
  return new Promise((resolve) =>
    child.on("exit", (_code, signal) => {
      clearInterval(poll);
      clearTimeout(guard);
      resolve({ signal, stderr });
    }),
  );
}

describe("A3: a dispatcher killed with a claim in flight", () => {
  for (const phase of ["after", "before"] as const) {
    it(`A3: SIGKILL while the send hangs ${phase} the broker took the order → the taker looks up, and the broker ends with one order`, async () => {
      const { db } = desk().handle;
      const { enqueued } = await approveAndEnqueue(desk(), marketRequest("buy", 5n), ACCOUNT);
      fake.faults.inject({ kind: "hang", phase, match: ALPACA_ORDER_SUBMIT });
      const crashed = await crashAfterSubmission(1);
      expect(crashed.signal).toBe("SIGKILL");
      const held = await db.selectFrom("outbox").select(["status", "claimed_by"]).where("id", "=", enqueued.outboxId).executeTakeFirstOrThrow();
      expect(held).toEqual({ status: "CLAIMED", claimed_by: "doomed-child" });
      expect(fake.orders()).toHaveLength(phase === "after" ? 1 : 0);

      const session = openAlpaca(fake, clock, ACCOUNT);
      const taker = createDispatcher({ db, session, clock, reconcileFreshnessMs: 600_000, owner: "taker" });
      expect((await taker.runOnce()).claimed).toBe(0); // the dead dispatcher's lease still holds
      clock.advance(30_001);
      const round = await taker.runOnce();
      expect(round.results).toEqual([expect.objectContaining({ kind: "sent", adopted: phase === "after" })]);
      await session.close();

      expect(fake.orders().map((o) => o.client_order_id)).toEqual([enqueued.clientOrderId]);
      expect(fake.submissions()).toHaveLength(phase === "after" ? 1 : 2);
      const lookups = fake.requests().filter((r) => r.path === "/v2/orders:by_client_order_id");
      expect(lookups.length).toBeGreaterThanOrEqual(1);
      const map = await db.selectFrom("order_map").select("broker_order_id").where("intent_id", "=", enqueued.intentId).executeTakeFirstOrThrow();
      expect(map.broker_order_id).toBe(fake.orders()[0]?.id);
    });
  }
});
