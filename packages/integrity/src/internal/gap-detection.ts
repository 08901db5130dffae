/**
 * E1: gap detection — a bar series checked against the calendar's expected timestamps.
 * A holiday, a weekend or an early close is not a gap (the calendar expects no bar there);
 * a missing session or a missing slot inside a session is, and is named by its timestamp.
 * Pure: no clock, no database.
 */
import { DeskError } from "@mqk/core";
import type { BarInterval, ExchangeCalendar } from "@mqk/md";

export interface GapQuery {
  readonly interval: BarInterval;
  /** Inclusive bounds on the bar timestamps checked, UTC epoch ms (md's `tsMs` convention). */
  readonly fromMs: number;
  readonly toMs: number;
}

export interface GapReport {
  /** Expected bar timestamps with no bar, ascending. */
  readonly missing: readonly number[];
  /** Bar timestamps inside [fromMs, toMs] the calendar expects no bar at (outside sessions, off the grid), ascending, each once. */
  readonly unexpected: readonly number[];
  /** How many bars the calendar expects in the range. */
  readonly expectedCount: number;
}

/**
 * Compares `bars` (any order; bars outside [fromMs, toMs] are not examined) with
 * `calendar.expectedBarTimestamps`. Throws the calendar's CalendarError outside its
 * supported dates, and a DeskError on a range that is not two finite instants in order.
 */
export function detectGaps(calendar: ExchangeCalendar, bars: readonly { readonly tsMs: number }[], query: GapQuery): GapReport {
  const { interval, fromMs, toMs } = query;
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || fromMs > toMs)
    throw new DeskError(
      "BAD_INPUT",
      `detectGaps: expected finite fromMs ≤ toMs, found ${String(fromMs)} … ${String(toMs)}; pass the range the series should cover`,
    );
  const expected = calendar.expectedBarTimestamps({ interval, fromMs, toMs });
  const expectedSet = new Set(expected);
  const present = new Set<number>();
  const unexpected = new Set<number>();
  for (const bar of bars) {
    if (bar.tsMs < fromMs || bar.tsMs > toMs) continue;
    if (expectedSet.has(bar.tsMs)) present.add(bar.tsMs);
    else unexpected.add(bar.tsMs);
  }
  return {
    missing: expected.filter((tsMs) => !present.has(tsMs)),
    unexpected: [...unexpected].sort((a, b) => a - b),
    expectedCount: expected.length,
  };
}
