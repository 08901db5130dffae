/**
 * Bounded retries with exponential backoff (no jitter: one desk, one key, and
 * deterministic waits keep tests exact). Only faults worth retrying are retried:
 * transport errors and timeouts, HTTP 429 and 5xx, and the same codes inside an
 * error envelope. Everything else is decided by the caller on the first answer.
 */
import { DeskError, type Clock } from "@mqk/core";
import type { MdLogger } from "../provider.js";
import type { Sleep } from "../sleep.js";
import type { CreditRateLimiter } from "./rate-limiter.js";

export interface RetryPolicy {
  /** Attempts in all, including the first (default 4). */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000 };

export function resolveRetryPolicy(partial: Partial<RetryPolicy> | undefined): RetryPolicy {
  const policy = { ...defaultRetryPolicy, ...partial };
  if (!Number.isSafeInteger(policy.maxAttempts) || policy.maxAttempts < 1 || policy.maxAttempts > 20) {
    throw new RangeError(`retry: expected maxAttempts within 1–20, found ${String(policy.maxAttempts)}`);
  }
  return policy;
}

/** Wait after the n-th failed attempt (1-based). */
export function backoffMs(policy: RetryPolicy, failedAttempt: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failedAttempt - 1));
}

export type AttemptOutcome<T> =
  | { readonly kind: "done"; readonly value: T }
  /** `reason` must already be free of secrets. `notBeforeMs`: the provider asked us to hold off until then (429). */
  | { readonly kind: "retry"; readonly reason: string; readonly notBeforeMs?: number };

export interface RetryContext {
  readonly provider: string;
  /** The request in words, free of secrets ("GET /time_series symbol=AAPL interval=1day"). */
  readonly request: string;
  readonly policy: RetryPolicy;
  readonly limiter: CreditRateLimiter;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly logger: MdLogger;
}

/** Runs `attempt` under the rate limiter until it is done or the attempts run out. */
export async function withRetries<T>(ctx: RetryContext, attempt: () => Promise<AttemptOutcome<T>>): Promise<T> {
  let last = "";
  for (let n = 1; n <= ctx.policy.maxAttempts; n += 1) {
    await ctx.limiter.acquire(1);
    const outcome = await attempt();
    if (outcome.kind === "done") return outcome.value;
    last = outcome.reason;
    if (n === ctx.policy.maxAttempts) break;
    const backoff = backoffMs(ctx.policy, n);
    ctx.logger.warn(`${ctx.provider}: ${ctx.request} failed (${outcome.reason}); retrying`, { attempt: n, of: ctx.policy.maxAttempts, backoffMs: backoff });
    if (outcome.notBeforeMs !== undefined) ctx.limiter.blockUntil(outcome.notBeforeMs);
    await ctx.sleep(backoff);
  }
  throw new DeskError(
    "MARKET_DATA",
    `${ctx.provider}: ${ctx.request} failed after ${String(ctx.policy.maxAttempts)} attempts; last: ${last}. The provider is unavailable or rate-limited; retry later.`,
    { retryable: true },
  );
}
