/**
 * E3: the stale-feed check. While the market is in session by the calendar, the feed is
 * stale when the last bar's close is older than its interval plus a grace — measured in
 * session time: the deadline is the close of the next bar the calendar expects after the
 * last one, plus the grace. Inside a session that is exactly `lastClose + interval + grace`;
 * across a night, a weekend, a holiday or an early close the next bar is only due once the
 * market has traded it, so none of those trips. Outside sessions nothing trips. In session,
 * fail closed: no bar at all yet, a last bar older than the calendar covers, and one stamped
 * after now (a clock or zone error) all count as stale; and `enforceFeedFreshness` disarms
 * when the check itself cannot be made (a calendar error), rather than leave the desk armed.
 */
import { DeskError, errorMessage, type Clock } from "@mqk/core";
import { CalendarError, intervalMs, type BarInterval, type ExchangeCalendar } from "@mqk/md";
import { disarm, readArmState, type ArmStatus } from "./arm-state.js";
import type { Executor } from "./executor.js";

export interface FeedFreshnessInput {
  readonly calendar: ExchangeCalendar;
  /**
   * The last bar received: its `tsMs` in md's convention (open instant; 00:00 UTC of the date
   * for 1day); null when none has been received yet (stale in session: no evidence the feed runs).
   */
  readonly lastBarTsMs: number | null;
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
  /** In session and no bar received yet: no evidence the feed runs — stale. */
  | { readonly kind: "no_bar"; readonly nowMs: number }
  /**
   * In session, and the last bar lies before the calendar's first supported date (`firstDate`),
   * e.g. a zero or 1999 stamp: the calendar cannot place it, and it is no evidence the feed runs — stale.
   */
  | { readonly kind: "predates_calendar"; readonly nowMs: number; readonly lastBarTsMs: number; readonly firstDate: string }
  | { readonly kind: "outside_session"; readonly nowMs: number };

/** Every kind of FeedFreshness on which `enforceFeedFreshness` disarms (STALE_FEED). */
export type StaleFeedKind = Exclude<FeedFreshness["kind"], "fresh" | "outside_session">;

/** How far after now a bar's stamp may lie before it is taken for a clock or time-zone error (clock skew). */
export const FUTURE_BAR_TOLERANCE_MS = 5_000;

/** A bar's close: open + interval, but never after the close of the session it is in. */
function barCloseMs(calendar: ExchangeCalendar, tsMs: number, stepMs: number): number {
  return Math.min(tsMs + stepMs, calendar.nextClose(tsMs));
}

/** Whether `tsMs`, earlier than `nowMs`, lies before the first instant the calendar covers. */
function predatesCalendar(calendar: ExchangeCalendar, tsMs: number, nowMs: number): boolean {
  if (tsMs >= nowMs) return false;
  try {
    calendar.localDateOf(tsMs);
    return false;
  } catch (error) {
    // The calendar covers one contiguous range and now (in session) lies inside it, so an
    // earlier instant it refuses as out of range lies before its start.
    if (error instanceof CalendarError && error.reason === "out_of_range") return true;
    throw error;
  }
}

/**
 * Pure. Throws a DeskError on a negative or non-finite grace or instant, and the calendar's
 * CalendarError where it cannot answer (now outside its supported dates: never a guess).
 * Work is bounded whatever the last bar's age: the calendar is asked about two sessions at most.
 */
export function checkFeedFreshness(input: FeedFreshnessInput): FeedFreshness {
  const { calendar, lastBarTsMs, interval, graceMs, nowMs } = input;
  if (!Number.isFinite(graceMs) || graceMs < 0)
    throw new DeskError("BAD_INPUT", `feed freshness: expected a grace ≥ 0 ms, found ${String(graceMs)}; set the stale-feed grace in the config`);
  if ((lastBarTsMs !== null && !Number.isFinite(lastBarTsMs)) || !Number.isFinite(nowMs))
    throw new DeskError(
      "BAD_INPUT",
      `feed freshness: expected finite instants (or null for "no bar yet"), found last bar ${String(lastBarTsMs)} and now ${String(nowMs)}`,
    );
  if (!calendar.isOpen(nowMs)) return { kind: "outside_session", nowMs };
  if (lastBarTsMs === null) return { kind: "no_bar", nowMs };
  // A bar from the future proves nothing about now, and would hold the deadline off until
  // that time: fail closed.
  if (lastBarTsMs > nowMs + FUTURE_BAR_TOLERANCE_MS) return { kind: "from_future", nowMs, lastBarTsMs };
  if (predatesCalendar(calendar, lastBarTsMs, nowMs)) return { kind: "predates_calendar", nowMs, lastBarTsMs, firstDate: calendar.firstDate };
  const stepMs = intervalMs(interval);
  const lastBarCloseMs = barCloseMs(calendar, lastBarTsMs, stepMs);
  const limitMs = stepMs + graceMs;
  // The next bar the calendar expects after the last one; none due yet means fresh.
  let deadlineMs = Number.POSITIVE_INFINITY;
  if (nowMs > lastBarTsMs) {
    // That bar lies before the close of the second session closing after the last bar (the
    // last bar's own session, or the next one, holds it; a daily label precedes its session's
    // close), so the calendar is asked only that far: an old last bar costs no more than a
    // recent one (a week-old 1min feed would otherwise lay out every minute since).
    const horizonMs = Math.min(nowMs, calendar.nextClose(calendar.nextClose(lastBarTsMs)));
    const next = calendar.expectedBarTimestamps({ interval, fromMs: lastBarTsMs + 1, toMs: horizonMs })[0];
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

/** `enforceFeedFreshness` could not check the feed: the calendar (or the input) refused, so nothing says it runs. */
export interface FeedCheckFailed {
  readonly kind: "check_failed";
  readonly nowMs: number;
  /** The error's own message. */
  readonly error: string;
}

export interface FeedEnforcement {
  /** What the check found; "check_failed" when it threw (only here: `checkFeedFreshness` throws instead). */
  readonly freshness: FeedFreshness | FeedCheckFailed;
  /**
   * "none": fresh or outside a session; "disarmed": a stale feed (any StaleFeedKind) wrote DISARMED
   * (STALE_FEED), or a failed check did (INTEGRITY_FAULT), audited; "already_disarmed": the desk was
   * already DISARMED for that reason kind (STALE_FEED; or either of them after a failed check): no new row.
   */
  readonly action: "none" | "disarmed" | "already_disarmed";
  /** The arm state after the check when the feed is stale or the check failed; null otherwise. */
  readonly status: ArmStatus | null;
}

const WHAT_TO_DO = "Fix the market-data feed, then arm again with a fresh clean reconcile.";

function describeStale(feed: string, age: FeedAge): string {
  return (
    `stale feed ${feed}: the last bar closed at ${new Date(age.lastBarCloseMs).toISOString()}, ${String(Math.round(age.ageMs / 1000))} s ago; ` +
    `the next bar was due by ${new Date(age.deadlineMs).toISOString()} (interval ${String(age.intervalMs)} ms + grace ${String(age.graceMs)} ms) during a session. ` +
    WHAT_TO_DO
  );
}

function describeStaleKind(feed: string, freshness: Extract<FeedFreshness, { readonly kind: StaleFeedKind }>): string {
  switch (freshness.kind) {
    case "stale":
      return describeStale(feed, freshness);
    case "from_future":
      return (
        `stale feed ${feed}: the last bar is stamped ${new Date(freshness.lastBarTsMs).toISOString()}, after now (${new Date(freshness.nowMs).toISOString()}); ` +
        `a provider clock or time-zone error. ${WHAT_TO_DO}`
      );
    case "no_bar":
      return `stale feed ${feed}: no bar received yet, and the market is in session (now ${new Date(freshness.nowMs).toISOString()}); nothing shows the feed runs. ${WHAT_TO_DO}`;
    case "predates_calendar":
      return (
        `stale feed ${feed}: the last bar is stamped ${describeInstant(freshness.lastBarTsMs)}, before ${freshness.firstDate}, the first date the exchange calendar covers, ` +
        `and the market is in session (now ${new Date(freshness.nowMs).toISOString()}): a bar that old (or a zero or missing stamp) shows nothing about the feed now. ${WHAT_TO_DO}`
      );
  }
}

function describeInstant(tsMs: number): string {
  const date = new Date(tsMs);
  return Number.isNaN(date.getTime()) ? `${String(tsMs)} ms` : `${date.toISOString()} (${String(tsMs)} ms)`;
}

/**
 * E3: checks the feed at `clock.nowMs()` and, when it is stale in session (late, no bar yet,
 * older than the calendar, or from the future), disarms with reason kind STALE_FEED (persisted
 * and audited by `disarm`). When the check itself fails with a DeskError — the calendar cannot
 * place now, or refuses a query — it cannot tell a running feed from a dead one, so it disarms
 * with INTEGRITY_FAULT and the error in the reason: never left armed by a throw. Outside
 * sessions and while fresh nothing is written. Never arms.
 */
export async function enforceFeedFreshness(executor: Executor, clock: Clock, input: EnforceFeedFreshnessInput): Promise<FeedEnforcement> {
  const feed = input.feed.trim();
  if (feed === "") throw new DeskError("BAD_INPUT", "enforceFeedFreshness: expected a feed name (symbol, interval, source), found an empty one");
  const nowMs = clock.nowMs();
  let freshness: FeedFreshness;
  try {
    freshness = checkFeedFreshness({ ...input, nowMs });
  } catch (error) {
    if (!(error instanceof DeskError)) throw error; // a bug (InvariantError…) is never swallowed
    const failed: FeedCheckFailed = { kind: "check_failed", nowMs, error: errorMessage(error) };
    const current = await readArmState(executor);
    if (current.state === "DISARMED" && (current.reasonKind === "INTEGRITY_FAULT" || current.reasonKind === "STALE_FEED"))
      return { freshness: failed, action: "already_disarmed", status: current };
    const reason =
      `feed check failed for ${feed} at ${describeInstant(nowMs)}: ${failed.error}. ` +
      "Whether the feed runs cannot be told, so the desk is disarmed: fix the calendar or the feed's input, then arm again with a fresh clean reconcile.";
    const status = await disarm(executor, { reasonKind: "INTEGRITY_FAULT", reason, runId: input.runId ?? null }, clock);
    return { freshness: failed, action: "disarmed", status };
  }
  if (freshness.kind === "fresh" || freshness.kind === "outside_session") return { freshness, action: "none", status: null };
  const current = await readArmState(executor);
  if (current.state === "DISARMED" && current.reasonKind === "STALE_FEED") return { freshness, action: "already_disarmed", status: current };
  const status = await disarm(executor, { reasonKind: "STALE_FEED", reason: describeStaleKind(feed, freshness), runId: input.runId ?? null }, clock);
  return { freshness, action: "disarmed", status };
}
