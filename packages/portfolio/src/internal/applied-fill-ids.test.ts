import { describe, expect, it } from "vitest";
import { AppliedFillIds } from "./applied-fill-ids.js";

describe("AppliedFillIds", () => {
  it("is persistent: older versions do not see later ids", () => {
    const v0 = AppliedFillIds.empty();
    const v1 = v0.with("a");
    const v2 = v1.with("b");
    expect([v0.has("a"), v1.has("a"), v1.has("b"), v2.has("b")]).toEqual([false, true, false, true]);
    expect(v2.toArray()).toEqual(["a", "b"]);
  });

  it("branching from an older version copies instead of corrupting the newer one", () => {
    const v1 = AppliedFillIds.empty().with("a");
    const left = v1.with("b");
    const right = v1.with("c");
    expect(left.toArray()).toEqual(["a", "b"]);
    expect(right.toArray()).toEqual(["a", "c"]);
    expect(left.has("c")).toBe(false);
    expect(right.has("b")).toBe(false);
    // an id another branch holds can still be added on this one
    expect(right.with("b").toArray()).toEqual(["a", "c", "b"]);
  });

  it("adding an id twice is an invariant error", () => {
    expect(() => AppliedFillIds.of(["x", "x"])).toThrow(/already applied/);
  });
});
