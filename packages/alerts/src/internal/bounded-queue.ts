/**
 * A bounded FIFO that never blocks and never throws on overflow: it evicts.
 *
 * Overflow policy (documented in the package header):
 *  - "drop-oldest" (default): the oldest entry makes room, because under a flood
 *    the newest state of the desk is what the operator needs;
 *  - "drop-newest": the incoming entry is refused, keeping the start of a burst
 *    (often its cause).
 * Under both, a critical entry is never evicted to make room for a lesser one:
 * the victim is the oldest (or newest) NON-critical entry when there is one; when
 * everything queued is critical, a non-critical newcomer is the one refused.
 */
export type OverflowPolicy = "drop-oldest" | "drop-newest";

export interface QueueEntry {
  readonly critical: boolean;
}

export type OfferResult<T> = { readonly accepted: true; readonly evicted?: T } | { readonly accepted: false };

export class BoundedQueue<T extends QueueEntry> {
  readonly capacity: number;
  readonly policy: OverflowPolicy;
  #items: T[] = [];

  constructor(capacity: number, policy: OverflowPolicy) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`BoundedQueue: expected a capacity ≥ 1, found ${String(capacity)}`);
    this.capacity = capacity;
    this.policy = policy;
  }

  get size(): number {
    return this.#items.length;
  }

  offer(item: T): OfferResult<T> {
    if (this.#items.length < this.capacity) {
      this.#items.push(item);
      return { accepted: true };
    }
    const victimIndex = this.#victimIndex(item);
    if (victimIndex === undefined) return { accepted: false };
    const [evicted] = this.#items.splice(victimIndex, 1);
    this.#items.push(item);
    return evicted === undefined ? { accepted: true } : { accepted: true, evicted };
  }

  /** Removes and returns up to `max` entries from the head while `fits` accepts them. */
  takeWhile(max: number, fits: (taken: readonly T[], next: T) => boolean): T[] {
    const taken: T[] = [];
    while (taken.length < max) {
      const next = this.#items[0];
      if (next === undefined || !fits(taken, next)) break;
      this.#items.shift();
      taken.push(next);
    }
    return taken;
  }

  /** Empties the queue, returning what was in it. */
  clear(): T[] {
    const all = this.#items;
    this.#items = [];
    return all;
  }

  /** Index of the entry to evict for `incoming`, or undefined when `incoming` itself is refused. */
  #victimIndex(incoming: T): number | undefined {
    const items = this.#items;
    if (this.policy === "drop-oldest") {
      const oldestLesser = items.findIndex((entry) => !entry.critical);
      if (oldestLesser >= 0) return oldestLesser;
      return incoming.critical ? 0 : undefined;
    }
    if (!incoming.critical) return undefined;
    const newestLesser = items.findLastIndex((entry) => !entry.critical);
    return newestLesser >= 0 ? newestLesser : undefined;
  }
}
