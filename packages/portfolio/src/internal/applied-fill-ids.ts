/**
 * The set of fill ids a portfolio has applied, persistent (old versions stay
 * valid) without copying on every fill.
 *
 * Versions share one append-only log; a version sees the first `size` entries.
 * Adding to the newest version appends in place (no older version can see the
 * new entry, because it lies past their size). Adding to an older version — a
 * branch, which a replay or a test may do — copies that version's prefix first.
 * So a backtest of n fills costs O(n), not O(n²), and every version is immutable
 * as far as anyone can observe.
 */
import { invariant } from "@mqk/core";

class SharedLog {
  readonly order: string[] = [];
  readonly index = new Map<string, number>();
}

export class AppliedFillIds {
  readonly #log: SharedLog;
  readonly #size: number;

  private constructor(log: SharedLog, size: number) {
    this.#log = log;
    this.#size = size;
  }

  static empty(): AppliedFillIds {
    return new AppliedFillIds(new SharedLog(), 0);
  }

  static of(ids: Iterable<string>): AppliedFillIds {
    let set = AppliedFillIds.empty();
    for (const id of ids) set = set.with(id);
    return set;
  }

  get size(): number {
    return this.#size;
  }

  has(fillId: string): boolean {
    const at = this.#log.index.get(fillId);
    return at !== undefined && at < this.#size;
  }

  /** A new version that also holds `fillId`. Adding an id already held is an InvariantError. */
  with(fillId: string): AppliedFillIds {
    invariant(!this.has(fillId), `fill ${fillId} was already applied; the inbox must never deliver a fill twice`);
    let log = this.#log;
    if (log.order.length !== this.#size) {
      // branching from an older version: copy the prefix it can see
      const copy = new SharedLog();
      for (let i = 0; i < this.#size; i++) {
        const id = log.order[i];
        invariant(id !== undefined, "applied fill ids: log shorter than a version's size");
        copy.order.push(id);
        copy.index.set(id, i);
      }
      log = copy;
    }
    log.index.set(fillId, log.order.length);
    log.order.push(fillId);
    return new AppliedFillIds(log, this.#size + 1);
  }

  /** The ids in the order they were applied. */
  toArray(): readonly string[] {
    return this.#log.order.slice(0, this.#size);
  }
}
