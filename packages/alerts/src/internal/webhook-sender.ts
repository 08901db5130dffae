/**
 * One webhook's delivery loop: a bounded queue, a single request in flight,
 * Discord's rate limits honoured, bounded retries, and the disable switch.
 *
 * Waits, in order of precedence: a global 429 (shared by every webhook of the
 * router), this webhook's own 429 `retry_after`, the bucket headers
 * (`X-RateLimit-Remaining: 0` → wait `X-RateLimit-Reset-After`), and backoff
 * after a 5xx or network error. `enqueue` is synchronous and never waits or
 * throws: the loop runs on later turns of the event loop.
 *
 * Up to 10 queued embeds travel in one message (within the 6000-character
 * total), so a burst needs a tenth of the requests. A retried POST after a
 * timeout may post twice (webhook POSTs are not idempotent); for alerts a
 * duplicate beats a loss.
 */
import type { Clock } from "@mqk/core";
import type { AlertLogCode, AlertLogger } from "./alert-logger.js";
import { BoundedQueue, type OverflowPolicy, type QueueEntry } from "./bounded-queue.js";
import { discordLimits, fitMessage } from "./discord-limits.js";
import type { DiscordEmbed, DiscordMessage } from "./discord-message.js";
import type { BucketState, PostOutcome } from "./discord-response.js";
import type { Timers, TimerHandle } from "./timers.js";
import type { WebhookClient } from "./webhook-client.js";
import type { WebhookEndpoint } from "./webhook-endpoint.js";

export interface PendingAlert extends QueueEntry {
  /** Already fitted to Discord's limits on its own. */
  readonly embed: DiscordEmbed;
  readonly size: number;
}

export interface RetryPolicy {
  /** Attempts per message on 5xx or network errors, the first included. */
  readonly maxAttempts: number;
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  /** 429 answers tolerated for one message before it is dropped. */
  readonly maxRateLimitWaits: number;
}

/** Router-wide: a global 429 stops every webhook of this router until it passes. */
export interface GlobalGate {
  blockedUntilMs: number;
}

export interface SenderDeps {
  readonly endpoint: WebhookEndpoint;
  readonly channels: readonly string[];
  readonly client: WebhookClient;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger: AlertLogger;
  readonly gate: GlobalGate;
  readonly capacity: number;
  readonly overflow: OverflowPolicy;
  readonly retry: RetryPolicy;
  readonly rateLimitMarginMs: number;
  readonly username?: string;
  /** Called once, when Discord says the webhook is gone (404) or its token is bad (401). */
  readonly onGone: (sender: WebhookSender, status: number, discordCode: number | undefined) => void;
  readonly onInternalError: (error: unknown) => void;
}

export interface SenderStats {
  readonly channels: readonly string[];
  readonly disabled: boolean;
  readonly queued: number;
  readonly inFlight: number;
  readonly enqueued: number;
  readonly delivered: number;
  readonly posts: number;
  readonly droppedOverflow: number;
  readonly droppedDisabled: number;
  readonly droppedFailed: number;
  readonly droppedRejected: number;
  readonly droppedOnClose: number;
  readonly rateLimited: number;
  readonly serverErrors: number;
}

export type EnqueueStatus = "queued" | "queue_full" | "disabled" | "closed";

interface Batch {
  readonly items: readonly PendingAlert[];
  attempts: number;
  rateLimitWaits: number;
}

type Counters = { -readonly [K in Exclude<keyof SenderStats, "channels" | "disabled" | "queued" | "inFlight">]: number };

export class WebhookSender {
  readonly channels: readonly string[];
  readonly #deps: SenderDeps;
  readonly #queue: BoundedQueue<PendingAlert>;
  #state: "open" | "disabled" | "closed" = "open";
  #running = false;
  #inflight: Batch | undefined;
  #blockedUntilMs = 0;
  #sleep: { readonly handle: TimerHandle; readonly wake: () => void } | undefined;
  #abort: AbortController | undefined;
  #idleWaiters: Array<() => void> = [];
  #overflowEpisode = 0;
  readonly #counters: Counters = {
    enqueued: 0,
    delivered: 0,
    posts: 0,
    droppedOverflow: 0,
    droppedDisabled: 0,
    droppedFailed: 0,
    droppedRejected: 0,
    droppedOnClose: 0,
    rateLimited: 0,
    serverErrors: 0,
  };

  constructor(deps: SenderDeps) {
    this.#deps = deps;
    this.channels = deps.channels;
    this.#queue = new BoundedQueue<PendingAlert>(deps.capacity, deps.overflow);
  }

  get endpoint(): WebhookEndpoint {
    return this.#deps.endpoint;
  }

  get enabled(): boolean {
    return this.#state === "open";
  }

  /** Synchronous, never throws, never waits. */
  enqueue(alert: PendingAlert): EnqueueStatus {
    if (this.#state === "disabled") {
      this.#counters.droppedDisabled += 1;
      return "disabled";
    }
    if (this.#state === "closed") {
      this.#counters.droppedOnClose += 1;
      return "closed";
    }
    const offered = this.#queue.offer(alert);
    if (!offered.accepted || offered.evicted !== undefined) this.#noteOverflow();
    if (offered.accepted) this.#counters.enqueued += 1;
    this.#kick();
    return offered.accepted ? "queued" : "queue_full";
  }

  stats(): SenderStats {
    return {
      channels: this.channels,
      disabled: this.#state === "disabled",
      queued: this.#queue.size,
      inFlight: this.#inflight?.items.length ?? 0,
      ...this.#counters,
    };
  }

  /** Resolves when nothing is queued or in flight (or the sender is disabled or closed). */
  whenIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops for good: wakes any wait, aborts the request in flight, counts what is left as dropped. */
  abandon(): number {
    if (this.#state === "closed") return 0;
    const wasOpen = this.#state === "open";
    this.#state = "closed";
    const left = this.#queue.clear().length + (this.#inflight?.items.length ?? 0);
    this.#inflight = undefined;
    if (wasOpen) this.#counters.droppedOnClose += left;
    this.#sleep?.handle.cancel();
    this.#sleep?.wake();
    this.#abort?.abort();
    this.#notifyIdle();
    return wasOpen ? left : 0;
  }

  #isIdle(): boolean {
    return this.#state !== "open" || (!this.#running && this.#queue.size === 0 && this.#inflight === undefined);
  }

  #notifyIdle(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #kick(): void {
    if (this.#running || this.#state !== "open") return;
    this.#running = true;
    // Later, never inside the caller's turn: send() must return before any network work starts.
    queueMicrotask(() => {
      this.#pump().catch((error: unknown) => this.#deps.onInternalError(error));
    });
  }

  async #pump(): Promise<void> {
    try {
      while (this.#state === "open") {
        const batch = this.#inflight ?? this.#nextBatch();
        if (batch === undefined) break;
        this.#inflight = batch;
        const waitMs = Math.max(this.#blockedUntilMs, this.#deps.gate.blockedUntilMs) - this.#deps.clock.nowMs();
        if (waitMs > 0) {
          await this.#sleepFor(waitMs);
          continue;
        }
        const controller = new AbortController();
        this.#abort = controller;
        const outcome = await this.#deps.client.post(this.#deps.endpoint, this.#messageOf(batch), controller.signal);
        this.#abort = undefined;
        if (this.#state === "open") this.#apply(batch, outcome);
      }
    } finally {
      this.#running = false;
      this.#endOverflowEpisode();
      this.#notifyIdle();
    }
  }

  #nextBatch(): Batch | undefined {
    let size = 0;
    const items = this.#queue.takeWhile(discordLimits.embedsPerMessage, (_taken, next) => {
      if (size + next.size > discordLimits.embedTotal) return false;
      size += next.size;
      return true;
    });
    return items.length === 0 ? undefined : { items, attempts: 0, rateLimitWaits: 0 };
  }

  #messageOf(batch: Batch): DiscordMessage {
    return fitMessage({ embeds: batch.items.map((item) => item.embed), ...(this.#deps.username === undefined ? {} : { username: this.#deps.username }) });
  }

  #sleepFor(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.#sleep = undefined;
        resolve();
      };
      this.#sleep = { handle: this.#deps.timers.schedule(ms, wake), wake };
    });
  }

  #apply(batch: Batch, outcome: PostOutcome): void {
    const now = this.#deps.clock.nowMs();
    switch (outcome.kind) {
      case "delivered":
        this.#counters.posts += 1;
        this.#counters.delivered += batch.items.length;
        this.#inflight = undefined;
        this.#applyBucket(outcome.bucket, now);
        return;
      case "rate_limited": {
        this.#counters.rateLimited += 1;
        const until = now + outcome.retryAfterMs + this.#deps.rateLimitMarginMs;
        if (outcome.global) this.#deps.gate.blockedUntilMs = Math.max(this.#deps.gate.blockedUntilMs, until);
        else this.#blockedUntilMs = Math.max(this.#blockedUntilMs, until);
        this.#log(
          "warn",
          "rate_limited",
          `Discord rate-limited this webhook (${outcome.global ? "global" : (outcome.scope ?? "bucket")}); waiting ${String(Math.ceil(outcome.retryAfterMs))} ms.`,
          { status: 429 },
        );
        if (outcome.suspicious)
          this.#log("warn", "retry_after_suspicious", "retry_after was over 1000 and was read as milliseconds (an unversioned-API habit).", {});
        batch.rateLimitWaits += 1;
        if (batch.rateLimitWaits > this.#deps.retry.maxRateLimitWaits)
          this.#dropBatch(batch, "droppedFailed", `still rate-limited after ${String(batch.rateLimitWaits)} waits`, 429);
        return;
      }
      case "webhook_gone":
        this.#disable(outcome.status, outcome.discordCode);
        return;
      case "rejected":
        this.#dropBatch(batch, "droppedRejected", "Discord refused the message", outcome.status, outcome.discordCode);
        return;
      case "server_error":
      case "network_error": {
        this.#counters.serverErrors += 1;
        batch.attempts += 1;
        const what = outcome.kind === "server_error" ? `HTTP ${String(outcome.status)}` : outcome.reason;
        if (batch.attempts >= this.#deps.retry.maxAttempts) {
          this.#dropBatch(
            batch,
            "droppedFailed",
            `gave up after ${String(batch.attempts)} attempts (last: ${what})`,
            outcome.kind === "server_error" ? outcome.status : undefined,
          );
          return;
        }
        const backoff = Math.min(this.#deps.retry.maxBackoffMs, this.#deps.retry.baseBackoffMs * 2 ** (batch.attempts - 1));
        this.#blockedUntilMs = Math.max(this.#blockedUntilMs, now + backoff);
        return;
      }
      case "aborted":
        return;
    }
  }

  #applyBucket(bucket: BucketState, now: number): void {
    if (bucket.remaining === 0 && bucket.resetAfterMs !== undefined) {
      this.#blockedUntilMs = Math.max(this.#blockedUntilMs, now + bucket.resetAfterMs + this.#deps.rateLimitMarginMs);
    }
  }

  #dropBatch(batch: Batch, counter: "droppedFailed" | "droppedRejected", why: string, status?: number, discordCode?: number): void {
    this.#counters[counter] += batch.items.length;
    this.#inflight = undefined;
    this.#log(
      counter === "droppedRejected" ? "error" : "warn",
      counter === "droppedRejected" ? "delivery_rejected" : "delivery_failed",
      `Dropped ${String(batch.items.length)} alert(s): ${why}.`,
      { count: batch.items.length, ...(status === undefined ? {} : { status }), ...(discordCode === undefined ? {} : { discordCode }) },
    );
  }

  #disable(status: number, discordCode: number | undefined): void {
    if (this.#state !== "open") return;
    this.#state = "disabled";
    const dropped = this.#queue.clear().length + (this.#inflight?.items.length ?? 0);
    this.#inflight = undefined;
    this.#counters.droppedDisabled += dropped;
    this.#log(
      "error",
      "webhook_disabled",
      `Discord answered ${String(status)}${discordCode === undefined ? "" : ` (code ${String(discordCode)})`}: the webhook is gone or its token is wrong. ` +
        "It is disabled until restart; replace the webhook URL in its environment variable.",
      { status, count: dropped, ...(discordCode === undefined ? {} : { discordCode }) },
    );
    this.#notifyIdle();
    this.#deps.onGone(this, status, discordCode);
  }

  #noteOverflow(): void {
    this.#counters.droppedOverflow += 1;
    this.#overflowEpisode += 1;
    if (this.#overflowEpisode === 1) {
      this.#log(
        "warn",
        "queue_overflow",
        `Alert queue full (${String(this.#deps.capacity)}); dropping by policy ${this.#deps.overflow}. A summary follows when the burst is over.`,
        {},
      );
    }
  }

  #endOverflowEpisode(): void {
    if (this.#overflowEpisode === 0 || this.#queue.size > 0) return;
    this.#log("warn", "queue_overflow", `Alert burst over: ${String(this.#overflowEpisode)} alert(s) were dropped because the queue was full.`, {
      count: this.#overflowEpisode,
    });
    this.#overflowEpisode = 0;
  }

  #log(level: "info" | "warn" | "error", code: AlertLogCode, message: string, extra: { status?: number; discordCode?: number; count?: number }): void {
    this.#deps.logger.log({ level, code, channels: this.channels, message, ...extra });
  }
}
