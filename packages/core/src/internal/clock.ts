/** Time is UTC epoch milliseconds inside the desk; exchange time lives only in the calendar. */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock that moves only when told to, for tests and backtests. */
export class FakeClock implements Clock {
  #nowMs: number;

  constructor(startMs: number) {
    if (!Number.isSafeInteger(startMs)) throw new RangeError(`FakeClock: expected an integer epoch-ms start, found ${String(startMs)}`);
    this.#nowMs = startMs;
  }

  nowMs(): number {
    return this.#nowMs;
  }

  advance(ms: number): void {
    if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`FakeClock.advance: expected a non-negative integer, found ${String(ms)}`);
    this.#nowMs += ms;
  }

  set(ms: number): void {
    if (!Number.isSafeInteger(ms) || ms < this.#nowMs)
      throw new RangeError(`FakeClock.set: time never goes backwards (now ${String(this.#nowMs)}, asked ${String(ms)})`);
    this.#nowMs = ms;
  }
}
