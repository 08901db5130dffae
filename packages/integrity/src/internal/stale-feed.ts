/**
 * E3: the stale-feed check. While the market is in session by the calendar, the feed is
 * stale when the last bar's close is older than its interval plus a grace — measured in
 * session time: the deadline is the close of the next bar the calendar expects after the
 * last one, plus the grace. Inside a session that is exactly `lastClose + interval + grace`;
 * across a night, a weekend, a holiday or an early close the next bar is only due once the
 * market has traded it, so none of those trips. Outside sessions nothing trips. A last
 * bar stamped after now (a clock or zone error) counts as stale in session: fail closed.
 */
import { DeskError, type Clock } from "@mqk/core";
import { intervalMs, type BarInterval, type ExchangeCalendar } from "@mqk/md";
import { disarm, readArmState, type ArmStatus } from "./arm-state.js";
import type { Executor } from "./executor.js";

export interface FeedFreshnessInput {
  readonly calendar: ExchangeCalendar;
  /** The last bar received: its `tsMs` in md's convention (open instant; 00:00 UTC of the date for 1day). */
  readonly lastBarTsMs: number;
  readonly interval: BarInterval;
  /** Extra time allowed after a bar is due, ms (≥ 0). */
  readonly graceMs: number;
  readonly nowMs: number;
}

export interface FeedAge {
  /** now − the last bar's close. */
  readonly ageMs: number;
  /** The last bar's close: open + interval (capped at the session close); for 1day, the session close. */
  readonly lastBarCloseMs: number;
  readonly intervalMs: number;
  readonly graceMs: number;
  /** interval + grace: the age a bar may reach inside a running session. */
  readonly limitMs: number;
  /** The instant from which the feed is stale: the next expected bar's close + grace. */
  readonly deadlineMs: number;
}

export type FeedFreshness =
  | ({ readonly kind: "fresh" } & FeedAge)
  | ({ readonly kind: "stale" } & FeedAge)
  /** The last bar is stamped after now (beyond FUTURE_BAR_TOLERANCE_MS): a clock or zone error — no evidence the feed runs. */
  | { readonly kind: "from_future"; readonly nowMs: number; readonly lastBarTsMs: number }
  | { readonly kind: "outside_session"; readonly nowMs: number };

/** How far after now a bar's stamp may lie before it is taken for a clock or time-zone error (clock skew). */
export const FUTURE_BAR_TOLERANCE_MS = 5_000;

/** A bar's close: open + interval, but never after the close of the session it is in. */
function barCloseMs(calendar: ExchangeCalendar, tsMs: number, stepMs: number): number {
  return Math.min(tsMs + stepMs, calendar.nextClose(tsMs));
}

/**
 * Pure. Throws a DeskError on a negative or non-finite grace or instant, and the calendar's
 * CalendarError outside its supported dates (never a guess).
 */
export function checkFeedFreshness(input: FeedFreshnessInput): FeedFreshness {
  const { calendar, lastBarTsMs, interval, graceMs, nowMs } = input;
  if (!Number.isFinite(graceMs) || graceMs < 0)
    throw new DeskError("BAD_INPUT", `feed freshness: expected a grace ≥ 0 ms, found ${String(graceMs)}; set the stale-feed grace in the config`);
  if (!Number.isFinite(lastBarTsMs) || !Number.isFinite(nowMs))
    throw new DeskError("BAD_INPUT", `feed freshness: expected finite instants, found last bar ${String(lastBarTsMs)} and now ${String(nowMs)}`);
  if (!calendar.isOpen(nowMs)) return { kind: "outside_session", nowMs };
  // A bar from the future proves nothing about now, and would hold the deadline off until
  // that time: fail closed.
  if (lastBarTsMs > nowMs + FUTURE_BAR_TOLERANCE_MS) return { kind: "from_future", nowMs, lastBarTsMs };
  const stepMs = intervalMs(interval);
  const lastBarCloseMs = barCloseMs(calendar, lastBarTsMs, stepMs);
  const limitMs = stepMs + graceMs;
  // The next bar the calendar expects after the last one; none due yet means fresh.
  let deadlineMs = Number.POSITIVE_INFINITY;
  if (nowMs > lastBarTsMs) {
    const next = calendar.expectedBarTimestamps({ interval, fromMs: lastBarTsMs + 1, toMs: nowMs })[0];
    if (next !== undefined) deadlineMs = barCloseMs(calendar, next, stepMs) + graceMs;
  }
  const age: FeedAge = { ageMs: nowMs - lastBarCloseMs, lastBarCloseMs, intervalMs: stepMs, graceMs, limitMs, deadlineMs };
  return nowMs > deadlineMs ? { kind: "stale", ...age } : { kind: "fresh", ...age };
}

export interface EnforceFeedFreshnessInput extends Omit<FeedFreshnessInput, "nowMs"> {
  /** Names the feed in the disarm reason, e.g. "AAPL 1min (twelvedata)". */
  readonly feed: string;
  readonly runId?: string | null;
}

export interface FeedEnforcement {
  readonly freshness: FeedFreshness;
  /**
   * "none": fresh or outside a session; "disarmed": a stale feed (or one from the future) wrote DISARMED (audited);
   * "already_disarmed": stale, but the desk was already DISARMED for a stale feed (no new row).
   */
  readonly action: "none" | "disarmed" | "already_disarmed";
  /** The arm state after the check when the feed is stale; null otherwise. */
  readonly status: ArmStatus | null;
}

function describeStale(feed: string, age: FeedAge): string {
  return (
    `stale feed ${feed}: the last bar closed at ${new Date(age.lastBarCloseMs).toISOString()}, ${String(Math.round(age.ageMs / 1000))} s ago; ` +
    `the next bar was due by ${new Date(age.deadlineMs).toISOString()} (interval ${String(age.intervalMs)} ms + grace ${String(age.graceMs)} ms) during a session. ` +
    "Fix the market-data feed, then arm again with a fresh clean reconcile."
  );
}

/**
 * E3: checks the feed at `clock.nowMs()` and, when it is stale in session, disarms with
 * reason kind STALE_FEED (persisted and audited by `disarm`). Outside sessions and while
 * fresh nothing is written. Never arms.
 */
export async function enforceFeedFreshness(executor: Executor, clock: Clock, input: EnforceFeedFreshnessInput): Promise<FeedEnforcement> {
  const feed = input.feed.trim();
  if (feed === "") throw new DeskError("BAD_INPUT", "enforceFeedFreshness: expected a feed name (symbol, interval, source), found an empty one");
  const freshness = checkFeedFreshness({ ...input, nowMs: clock.nowMs() });
  if (freshness.kind !== "stale" && freshness.kind !== "from_future") return { freshness, action: "none", status: null };
  const current = await readArmState(executor);
  if (current.state === "DISARMED" && current.reasonKind === "STALE_FEED") return { freshness, action: "already_disarmed", status: current };
  const reason =
    freshness.kind === "stale"
      ? describeStale(feed, freshness)
      : `stale feed ${feed}: the last bar is stamped ${new Date(freshness.lastBarTsMs).toISOString()}, after now (${new Date(freshness.nowMs).toISOString()}); ` +
        "a provider clock or time-zone error. Fix the market-data feed, then arm again with a fresh clean reconcile.";
  const status = await disarm(executor, { reasonKind: "STALE_FEED", reason, runId: input.runId ?? null }, clock);
  return { freshness, action: "disarmed", status };
}
