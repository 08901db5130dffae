/**
 * A fixed-window bucket per webhook, like Discord's (observed: 5 requests per
 * 2 s; API brief §3.4). The window opens on the first request after the last
 * one closed; headers say what is left and when it resets.
 */
export interface BucketConfig {
  readonly limit: number;
  readonly windowMs: number;
}

export interface BucketDecision {
  readonly allowed: boolean;
  readonly headers: Readonly<Record<string, string>>;
  /** Seconds until the window resets (for a 429's retry_after). */
  readonly resetAfterSeconds: number;
}

const seconds = (ms: number): string => (Math.ceil(Math.max(0, ms)) / 1000).toFixed(3);

export class WebhookBucket {
  readonly #config: BucketConfig;
  readonly #name: string;
  #windowStartMs = Number.NEGATIVE_INFINITY;
  #count = 0;

  constructor(config: BucketConfig, name: string) {
    this.#config = config;
    this.#name = name;
  }

  take(nowMs: number): BucketDecision {
    if (nowMs >= this.#windowStartMs + this.#config.windowMs) {
      this.#windowStartMs = nowMs;
      this.#count = 0;
    }
    const allowed = this.#count < this.#config.limit;
    if (allowed) this.#count += 1;
    const resetAtMs = this.#windowStartMs + this.#config.windowMs;
    const resetAfterMs = Math.ceil(resetAtMs - nowMs);
    return {
      allowed,
      resetAfterSeconds: Math.ceil(resetAfterMs) / 1000,
      headers: {
        "x-ratelimit-limit": String(this.#config.limit),
        "x-ratelimit-remaining": String(this.#config.limit - this.#count),
        "x-ratelimit-reset": (Math.ceil(Date.now() + resetAfterMs) / 1000).toFixed(3),
        "x-ratelimit-reset-after": seconds(resetAfterMs),
        "x-ratelimit-bucket": this.#name,
      },
    };
  }
}
