/**
 * A client-side credit budget per API key: at most `perMinute` credits in ANY
 * sliding minute and `perDay` in any sliding 24 h (sliding windows are stricter
 * than the provider's fixed ones, so the provider's count is never exceeded).
 * A safety margin covers the time between taking a credit and the request
 * reaching the server.
 *
 * Invariants:
 *  1. Credits are recorded when granted, before the request goes out.
 *  2. A wait longer than `maxWaitMs` (the daily budget, a long 429 block) is not
 *     slept through: `acquire` throws a retryable DeskError saying when to retry.
 */
import { DeskError, type Clock } from "@mqk/core";
import type { Sleep } from "../sleep.js";

export interface RateLimit {
  readonly perMinute: number;
  readonly perDay?: number;
}

export interface RateLimiterOptions {
  readonly name: string;
  readonly clock: Clock;
  readonly sleep: Sleep;
  /** Added to each window (default 1 s). */
  readonly marginMs?: number;
  /** Longest wait slept through (default 2 min). */
  readonly maxWaitMs?: number;
}

const minuteMs = 60_000;
const dayMs = 24 * 60 * minuteMs;

class SlidingWindow {
  readonly #grants: number[] = [];
  #head = 0;

  readonly limit: number;
  readonly lengthMs: number;

  constructor(limit: number, lengthMs: number) {
    this.limit = limit;
    this.lengthMs = lengthMs;
  }

  #prune(nowMs: number): void {
    while (this.#head < this.#grants.length && (this.#grants[this.#head] ?? 0) + this.lengthMs <= nowMs) this.#head += 1;
    if (this.#head > 1024 && this.#head * 2 > this.#grants.length) {
      this.#grants.splice(0, this.#head);
      this.#head = 0;
    }
  }

  /** 0 when `credits` fit now, else ms until they do. */
  waitMs(nowMs: number, credits: number): number {
    this.#prune(nowMs);
    const used = this.#grants.length - this.#head;
    if (used + credits <= this.limit) return 0;
    const freeing = this.#grants[this.#head + used + credits - this.limit - 1];
    return freeing === undefined ? 0 : freeing + this.lengthMs - nowMs;
  }

  record(nowMs: number, credits: number): void {
    for (let i = 0; i < credits; i += 1) this.#grants.push(nowMs);
  }
}

export class CreditRateLimiter {
  readonly limit: RateLimit;
  readonly #windows: SlidingWindow[];
  readonly #options: RateLimiterOptions;
  #blockedUntilMs = 0;

  constructor(limit: RateLimit, options: RateLimiterOptions) {
    if (!Number.isSafeInteger(limit.perMinute) || limit.perMinute < 1)
      throw new RangeError(`rate limit: expected perMinute ≥ 1, found ${String(limit.perMinute)}`);
    if (limit.perDay !== undefined && (!Number.isSafeInteger(limit.perDay) || limit.perDay < 1)) {
      throw new RangeError(`rate limit: expected perDay ≥ 1 or unset, found ${String(limit.perDay)}`);
    }
    this.limit = limit;
    this.#options = options;
    const margin = options.marginMs ?? 1000;
    this.#windows = [new SlidingWindow(limit.perMinute, minuteMs + margin)];
    if (limit.perDay !== undefined) this.#windows.push(new SlidingWindow(limit.perDay, dayMs + margin));
  }

  /** Blocks every grant until `untilMs` (after the provider answered 429). */
  blockUntil(untilMs: number): void {
    this.#blockedUntilMs = Math.max(this.#blockedUntilMs, untilMs);
  }

  /** ms until `credits` could be granted (0 = now). */
  waitMs(credits = 1): number {
    const now = this.#options.clock.nowMs();
    let wait = Math.max(0, this.#blockedUntilMs - now);
    for (const window of this.#windows) wait = Math.max(wait, window.waitMs(now, credits));
    return wait;
  }

  /** Waits (through the injected sleep) until `credits` fit, then records them. */
  async acquire(credits = 1): Promise<void> {
    if (credits > this.limit.perMinute) {
      throw new DeskError(
        "MARKET_DATA",
        `${this.#options.name}: a request of ${String(credits)} credits can never fit a budget of ${String(this.limit.perMinute)} per minute`,
      );
    }
    const maxWait = this.#options.maxWaitMs ?? 2 * minuteMs;
    for (;;) {
      const wait = this.waitMs(credits);
      if (wait === 0) break;
      if (wait > maxWait) {
        const at = new Date(this.#options.clock.nowMs() + wait).toISOString();
        throw new DeskError(
          "MARKET_DATA",
          `${this.#options.name}: the request budget (${describeLimit(this.limit)}) is used up until ${at}; expected a free credit within ${String(Math.round(maxWait / 1000))} s. Retry after ${at} or raise the plan.`,
          { retryable: true },
        );
      }
      await this.#options.sleep(wait);
    }
    const now = this.#options.clock.nowMs();
    for (const window of this.#windows) window.record(now, credits);
  }
}

export function describeLimit(limit: RateLimit): string {
  return `${String(limit.perMinute)}/min${limit.perDay === undefined ? "" : `, ${String(limit.perDay)}/day`}`;
}
