import { describe, expect, it } from "vitest";
import { BoundedQueue } from "./bounded-queue.js";

interface Item {
  readonly id: number;
  readonly critical: boolean;
}
const item = (id: number, critical = false): Item => ({ id, critical });
const ids = (queue: BoundedQueue<Item>): number[] => queue.takeWhile(1000, () => true).map((i) => i.id);

describe("BoundedQueue", () => {
  it("S1.6: drop-oldest evicts the oldest entry and counts it as evicted", () => {
    const queue = new BoundedQueue<Item>(3, "drop-oldest");
    for (const id of [1, 2, 3]) expect(queue.offer(item(id))).toEqual({ accepted: true });
    expect(queue.offer(item(4))).toEqual({ accepted: true, evicted: item(1) });
    expect(ids(queue)).toEqual([2, 3, 4]);
  });

  it("S1.6: drop-newest refuses the newcomer", () => {
    const queue = new BoundedQueue<Item>(2, "drop-newest");
    queue.offer(item(1));
    queue.offer(item(2));
    expect(queue.offer(item(3))).toEqual({ accepted: false });
    expect(ids(queue)).toEqual([1, 2]);
  });

  it("S1.6: a critical entry is never evicted for a lesser one, under either policy", () => {
    const oldest = new BoundedQueue<Item>(2, "drop-oldest");
    oldest.offer(item(1, true));
    oldest.offer(item(2));
    expect(oldest.offer(item(3))).toEqual({ accepted: true, evicted: item(2) });
    expect(oldest.offer(item(4))).toEqual({ accepted: true, evicted: item(3) });
    expect(ids(oldest)).toEqual([1, 4]);

    const allCritical = new BoundedQueue<Item>(2, "drop-oldest");
    allCritical.offer(item(1, true));
    allCritical.offer(item(2, true));
    expect(allCritical.offer(item(3))).toEqual({ accepted: false });
    expect(allCritical.offer(item(4, true))).toEqual({ accepted: true, evicted: item(1, true) });

    const newest = new BoundedQueue<Item>(2, "drop-newest");
    newest.offer(item(1));
    newest.offer(item(2));
    expect(newest.offer(item(3, true))).toEqual({ accepted: true, evicted: item(2) });
    expect(ids(newest)).toEqual([1, 3]);
  });

  it("takeWhile stops at the first entry that does not fit and at max", () => {
    const queue = new BoundedQueue<Item>(10, "drop-oldest");
    for (let id = 1; id <= 6; id += 1) queue.offer(item(id));
    expect(queue.takeWhile(3, () => true).map((i) => i.id)).toEqual([1, 2, 3]);
    expect(queue.takeWhile(10, (taken) => taken.length < 2).map((i) => i.id)).toEqual([4, 5]);
    expect(queue.size).toBe(1);
  });

  it("refuses a capacity below 1", () => {
    expect(() => new BoundedQueue<Item>(0, "drop-oldest")).toThrow(RangeError);
  });
});
