/**
 * Alpaca's per-account request limit (API-BRIEF §1.8): 200 requests a minute,
 * `X-RateLimit-Limit/Remaining/Reset` on every response, 429 past the limit.
 * Windows are aligned to the clock (floor(now / window)), so a FakeClock makes
 * the headers exact; Reset is the window's end in unix seconds.
 */
import type { Clock } from "@mqk/core";

export interface RateLimitSettings {
  /** Requests allowed per window (Alpaca: 200). */
  readonly limit: number;
  /** Window length in ms (Alpaca: 60 000). */
  readonly windowMs: number;
}

export interface RateDecision {
  readonly allowed: boolean;
  readonly headers: Readonly<Record<string, string>>;
  /** Seconds until the window resets, for Retry-After. */
  readonly retryAfterSeconds: number;
}

interface Window {
  start: number;
  used: number;
}

export class RateLimiter {
  readonly #settings: RateLimitSettings | null;
  readonly #clock: Clock;
  readonly #windows = new Map<string, Window>();

  constructor(settings: RateLimitSettings | null, clock: Clock) {
    if (settings && (!Number.isSafeInteger(settings.limit) || settings.limit < 1 || !Number.isSafeInteger(settings.windowMs) || settings.windowMs < 1)) {
      throw new RangeError(`rateLimit: expected a positive integer limit and windowMs, found ${JSON.stringify(settings)}`);
    }
    this.#settings = settings;
    this.#clock = clock;
  }

  /** Counts one request for `key` (a key id) and says whether it may pass. */
  take(key: string): RateDecision {
    const settings = this.#settings;
    if (!settings) return { allowed: true, headers: {}, retryAfterSeconds: 0 };
    const now = this.#clock.nowMs();
    const start = Math.floor(now / settings.windowMs) * settings.windowMs;
    let window = this.#windows.get(key);
    if (!window || window.start !== start) {
      window = { start, used: 0 };
      this.#windows.set(key, window);
    }
    const allowed = window.used < settings.limit;
    if (allowed) window.used += 1;
    const resetMs = start + settings.windowMs;
    return {
      allowed,
      headers: {
        "X-RateLimit-Limit": String(settings.limit),
        "X-RateLimit-Remaining": String(settings.limit - window.used),
        "X-RateLimit-Reset": String(Math.ceil(resetMs / 1000)),
      },
      retryAfterSeconds: Math.max(1, Math.ceil((resetMs - now) / 1000)),
    };
  }
}
