/**
 * Replays bars for offline paper runs at a chosen speed: `speed` 60 plays an
 * hour of bars in a minute; `"max"` plays them as fast as the consumer takes
 * them. Time comes from the injected clock and waits from the injected sleep, so
 * a test with a FakeClock replays a year without waiting.
 *
 * Invariants:
 *  1. Bars are emitted in time order (equal times allowed: several symbols per
 *     instant); a bar earlier than the previous one stops the replay with an error.
 *  2. Pacing is measured from the replay's start, so waits do not drift.
 *  3. A CSV replay validates the whole file before the first bar is emitted.
 */
import { DeskError, ok, type Clock, type Result } from "@mqk/core";
import type { Bar, BarInterval } from "../bar.js";
import { streamCsvBars, validateCsvFile } from "../csv/csv-file.js";
import type { CsvLineError } from "../csv/csv-format.js";
import type { CsvSummary } from "../csv/csv-scan.js";
import { realSleep, type Sleep } from "../sleep.js";

export type ReplaySpeed = number | "max";

export interface ReplayOptions {
  readonly speed: ReplaySpeed;
  readonly clock: Clock;
  readonly sleep?: Sleep;
  /** Stops the replay before the next bar. */
  readonly signal?: AbortSignal;
}

export interface ReplayStats {
  readonly bars: number;
  readonly stopped: boolean;
}

export class BarReplayer {
  readonly #speed: ReplaySpeed;
  readonly #clock: Clock;
  readonly #sleep: Sleep;
  #startWallMs: number | undefined;
  #firstBarMs = 0;
  #lastBarMs = Number.NEGATIVE_INFINITY;

  constructor(options: Omit<ReplayOptions, "signal">) {
    if (options.speed !== "max" && (!Number.isFinite(options.speed) || options.speed <= 0)) {
      throw new RangeError(`replay: expected a speed > 0 or "max", found ${String(options.speed)}`);
    }
    this.#speed = options.speed;
    this.#clock = options.clock;
    this.#sleep = options.sleep ?? realSleep;
  }

  /** Resolves when `bar` is due. */
  async pace(bar: Bar): Promise<void> {
    if (bar.tsMs < this.#lastBarMs) {
      throw new DeskError(
        "BAD_INPUT",
        `replay: expected bars in time order, found ${bar.symbol} at ${new Date(bar.tsMs).toISOString()} after ${new Date(this.#lastBarMs).toISOString()}; sort the source by time`,
      );
    }
    this.#lastBarMs = bar.tsMs;
    if (this.#startWallMs === undefined) {
      this.#startWallMs = this.#clock.nowMs();
      this.#firstBarMs = bar.tsMs;
      return;
    }
    if (this.#speed === "max") return;
    const dueMs = this.#startWallMs + (bar.tsMs - this.#firstBarMs) / this.#speed;
    const waitMs = Math.ceil(dueMs - this.#clock.nowMs());
    if (waitMs > 0) await this.#sleep(waitMs);
  }
}

/** Emits `bars` to `onBar` at the replay speed. */
export async function replayBars(
  bars: Iterable<Bar> | AsyncIterable<Bar>,
  options: ReplayOptions,
  onBar: (bar: Bar) => void | Promise<void>,
): Promise<ReplayStats> {
  const replayer = new BarReplayer(options);
  let count = 0;
  for await (const bar of bars) {
    if (options.signal?.aborted === true) return { bars: count, stopped: true };
    await replayer.pace(bar);
    await onBar(bar);
    count += 1;
  }
  return { bars: count, stopped: false };
}

export interface CsvReplayOptions extends ReplayOptions {
  /** Interval of instant rows when the file name does not carry one. */
  readonly interval?: BarInterval;
  readonly onBar: (bar: Bar) => void | Promise<void>;
}

/** Validates a CSV file, then replays it line by line (memory flat). The file must be in time order. */
export async function replayCsvFile(path: string, options: CsvReplayOptions): Promise<Result<CsvSummary, CsvLineError>> {
  const checked = await validateCsvFile(path);
  if (!checked.ok) return checked;
  const replayer = new BarReplayer(options);
  const onBar = options.onBar;
  const streamed = await streamCsvBars(path, {
    ...(options.interval === undefined ? {} : { interval: options.interval }),
    onBar: async (bar) => {
      if (options.signal?.aborted === true) return;
      await replayer.pace(bar);
      await onBar(bar);
    },
  });
  if (!streamed.ok) return streamed;
  return ok(streamed.value);
}
