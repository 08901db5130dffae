import { describe, expect, it } from "vitest";
import { DeskError, FakeClock, InvariantError, asClientOrderId, asTicker, err, invariant, ok, toDeskError } from "@mqk/core";

describe("@mqk/core public entry", () => {
  it("Result values carry ok or error", () => {
    const good = ok(1);
    const bad = err({ kind: "nope" as const });
    expect(good.ok && good.value).toBe(1);
    expect(!bad.ok && bad.error.kind).toBe("nope");
  });

  it("DeskError carries code, retryable and cause; InvariantError is not swallowed by toDeskError", () => {
    const cause = new Error("socket reset");
    const e = new DeskError("BROKER", "submit failed", { retryable: true, cause });
    expect([e.code, e.retryable, e.cause]).toEqual(["BROKER", true, cause]);
    expect(toDeskError(cause, "IO").code).toBe("IO");
    expect(() => toDeskError(new InvariantError("x"))).toThrow(InvariantError);
    expect(() => invariant(false, "fills apply once")).toThrow(/invariant broken: fills apply once/);
  });

  it("ids are validated where they are minted", () => {
    expect(asClientOrderId("mqk-abc_123")).toBe("mqk-abc_123");
    expect(() => asClientOrderId("x".repeat(49))).toThrow(/expected 1–48/);
    expect(() => asTicker("aapl")).toThrow(/upper-case ticker/);
  });

  it("the fake clock only moves forward", () => {
    const clock = new FakeClock(1_000);
    clock.advance(500);
    expect(clock.nowMs()).toBe(1_500);
    expect(() => clock.set(1_000)).toThrow(/never goes backwards/);
  });
});
