/**
 * Fault switches of the fake broker, settable at any time.
 *
 * REST faults are one-shot rules consumed in the order injected by the first
 * matching requests. Their `phase` says whether the request takes effect:
 * "before" — the broker never applies it (no order is created);
 * "after"  — the broker applies it (the order exists) and then the answer goes
 * wrong. That second case is the ambiguous outcome A3 is about.
 */
import type { TradeUpdateEventName } from "./trade-update.js";

export type FaultPhase = "before" | "after";

/** Which requests a rule applies to; both parts optional (default: every request). */
export interface RequestMatch {
  /** Upper-case HTTP method, e.g. "POST". */
  readonly method?: string;
  /** The exact pathname (no query), or a pattern tested against it. */
  readonly path?: string | RegExp;
}

/** POST /v2/orders: the order submission. */
export const ORDER_SUBMIT: RequestMatch = { method: "POST", path: "/v2/orders" };

interface RuleBase {
  /** How many matching requests the rule hits (default 1). */
  readonly times?: number;
  readonly match?: RequestMatch;
}

export type RestFault =
  /** Answer with this status (5xx) and a generic body. */
  | (RuleBase & { readonly kind: "status"; readonly status: number; readonly phase: FaultPhase })
  /** Hold the answer: forever (until the client gives up or the fake closes), or for `answerAfterMs`. */
  | (RuleBase & { readonly kind: "hang"; readonly phase: FaultPhase; readonly answerAfterMs?: number })
  /** Destroy the TCP connection without an answer. */
  | (RuleBase & { readonly kind: "reset"; readonly phase: FaultPhase })
  /** 429 with X-RateLimit-* headers (and Retry-After when given), before the request takes effect. */
  | (RuleBase & { readonly kind: "rate-limit"; readonly retryAfterSeconds?: number });

export interface StreamFaults {
  /** Extra copies of each event sent (0: none, 2: every event arrives three times). */
  readonly duplicate: number;
  /** Duplicate only these events; null: all. */
  readonly duplicateEvents: readonly TradeUpdateEventName[] | null;
  /** Hold each frame this long before sending it. */
  readonly delayMs: number;
  /** Buffer this many events and send them in reverse order (0 or 1: in order). `flushStream()` sends a partial buffer. */
  readonly reorderWindow: number;
  /** With a seed, each full window is shuffled by it (deterministically) instead of reversed. */
  readonly reorderSeed: number | null;
  /** One-shot: terminate the socket after this many more frames have been sent (0: instead of the next frame). */
  readonly dropAfterFrames: number | null;
  /** Refuse new stream connections (HTTP 503 on the upgrade). */
  readonly refuseConnections: boolean;
  /** "never": no reply to auth; "unauthorized": refuse any credentials. */
  readonly authReply: "normal" | "never" | "unauthorized";
  /** "never": no ack to listen (the subscription still takes effect). */
  readonly listenReply: "normal" | "never";
}

export interface FaultSettings {
  /** Delay before every REST answer, ms. */
  readonly latencyMs: number;
  readonly stream: StreamFaults;
}

export interface FaultPatch {
  readonly latencyMs?: number;
  readonly stream?: Partial<StreamFaults>;
}

export const noStreamFaults: StreamFaults = {
  duplicate: 0,
  duplicateEvents: null,
  delayMs: 0,
  reorderWindow: 0,
  reorderSeed: null,
  dropAfterFrames: null,
  refuseConnections: false,
  authReply: "normal",
  listenReply: "normal",
};

function matches(match: RequestMatch | undefined, method: string, path: string): boolean {
  if (!match) return true;
  if (match.method !== undefined && match.method.toUpperCase() !== method) return false;
  if (match.path === undefined) return true;
  return typeof match.path === "string" ? match.path === path : match.path.test(path);
}

function checkNonNegative(name: string, value: number | null | undefined): void {
  if (value !== undefined && value !== null && (!Number.isSafeInteger(value) || value < 0)) {
    throw new RangeError(`faults: expected ${name} to be a non-negative integer, found ${String(value)}`);
  }
}

interface Armed {
  readonly rule: RestFault;
  left: number;
}

export class FaultBoard {
  #settings: FaultSettings = { latencyMs: 0, stream: noStreamFaults };
  #rules: Armed[] = [];

  current(): FaultSettings {
    return this.#settings;
  }

  set(patch: FaultPatch): void {
    checkNonNegative("latencyMs", patch.latencyMs);
    const s = patch.stream ?? {};
    checkNonNegative("stream.duplicate", s.duplicate);
    checkNonNegative("stream.delayMs", s.delayMs);
    checkNonNegative("stream.reorderWindow", s.reorderWindow);
    checkNonNegative("stream.reorderSeed", s.reorderSeed);
    checkNonNegative("stream.dropAfterFrames", s.dropAfterFrames);
    this.#settings = { latencyMs: patch.latencyMs ?? this.#settings.latencyMs, stream: { ...this.#settings.stream, ...s } };
  }

  inject(rule: RestFault): void {
    const times = rule.times ?? 1;
    checkNonNegative("times", times);
    if (rule.kind === "status" && (!Number.isSafeInteger(rule.status) || rule.status < 400 || rule.status > 599)) {
      throw new RangeError(`faults: expected a 4xx/5xx status, found ${String(rule.status)}`);
    }
    checkNonNegative("answerAfterMs", rule.kind === "hang" ? rule.answerAfterMs : undefined);
    if (times > 0) this.#rules.push({ rule, left: times });
  }

  /** REST rules not yet used up, with what is left of each. */
  pending(): { readonly rule: RestFault; readonly left: number }[] {
    return this.#rules.map((a) => ({ rule: a.rule, left: a.left }));
  }

  /** Consumes the first rule that matches this request. */
  take(method: string, path: string): RestFault | undefined {
    const armed = this.#rules.find((a) => matches(a.rule.match, method, path));
    if (!armed) return undefined;
    armed.left -= 1;
    if (armed.left === 0) this.#rules = this.#rules.filter((a) => a !== armed);
    return armed.rule;
  }

  /** Called before a frame goes out: true when the one-shot drop is due now (0 frames left). */
  dropBeforeFrame(): boolean {
    if (this.#settings.stream.dropAfterFrames !== 0) return false;
    this.#setDrop(null);
    return true;
  }

  /** Called after a frame went out: true when that was the last frame before the drop. */
  dropAfterFrame(): boolean {
    const left = this.#settings.stream.dropAfterFrames;
    if (left === null || left === 0) return false;
    this.#setDrop(left === 1 ? null : left - 1);
    return left === 1;
  }

  #setDrop(value: number | null): void {
    this.#settings = { ...this.#settings, stream: { ...this.#settings.stream, dropAfterFrames: value } };
  }

  clear(): void {
    this.#settings = { latencyMs: 0, stream: noStreamFaults };
    this.#rules = [];
  }
}
