/**
 * Classifies a Discord execute-webhook response (API brief §3.3, §3.4) into what
 * the sender must do next. Pure: status, headers and body text in, outcome out.
 * The body is `unknown` until a hand-written checker has looked at it.
 */

/** What the per-webhook bucket headers say about the next request. */
export interface BucketState {
  readonly remaining?: number;
  readonly resetAfterMs?: number;
}

export type PostOutcome =
  | { readonly kind: "delivered"; readonly bucket: BucketState }
  | {
      readonly kind: "rate_limited";
      readonly retryAfterMs: number;
      readonly global: boolean;
      readonly scope?: string;
      /** `retry_after` looked like milliseconds (an unversioned URL's habit) and was read as such. */
      readonly suspicious: boolean;
      readonly bucket: BucketState;
    }
  | { readonly kind: "webhook_gone"; readonly status: number; readonly discordCode?: number }
  | { readonly kind: "rejected"; readonly status: number; readonly discordCode?: number }
  | { readonly kind: "server_error"; readonly status: number }
  | { readonly kind: "network_error"; readonly reason: string }
  | { readonly kind: "aborted" };

export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

interface DiscordErrorBody {
  readonly code?: number;
  readonly retryAfterSeconds?: number;
  readonly global?: boolean;
}

/** Fallback when a 429 carries no usable retry hint: long enough not to hammer. */
const defaultRetryAfterMs = 1000;
/** Longest wait the router accepts from one 429 (a larger value is capped, and logged as suspicious). */
const maxRetryAfterMs = 60 * 60 * 1000;

function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : value[0];
}

function finiteNonNegative(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

export function parseBucket(headers: HeaderBag): BucketState {
  const remaining = finiteNonNegative(header(headers, "x-ratelimit-remaining"));
  const resetAfterSeconds = finiteNonNegative(header(headers, "x-ratelimit-reset-after"));
  return {
    ...(remaining === undefined ? {} : { remaining }),
    ...(resetAfterSeconds === undefined ? {} : { resetAfterMs: resetAfterSeconds * 1000 }),
  };
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function parseErrorBody(text: string): DiscordErrorBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  if (!isRecord(parsed)) return {};
  const code = parsed["code"];
  const retryAfter = parsed["retry_after"];
  const global = parsed["global"];
  return {
    ...(typeof code === "number" && Number.isInteger(code) ? { code } : {}),
    ...(typeof retryAfter === "number" && Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterSeconds: retryAfter } : {}),
    ...(typeof global === "boolean" ? { global } : {}),
  };
}

function rateLimited(headers: HeaderBag, body: DiscordErrorBody): PostOutcome {
  const seconds = body.retryAfterSeconds ?? finiteNonNegative(header(headers, "retry-after"));
  // v10 says seconds. A value over 1000 is what v6 milliseconds look like (API brief §3.1).
  const suspicious = seconds !== undefined && seconds > 1000;
  const rawMs = seconds === undefined ? defaultRetryAfterMs : suspicious ? seconds : seconds * 1000;
  const scope = header(headers, "x-ratelimit-scope");
  return {
    kind: "rate_limited",
    retryAfterMs: Math.min(rawMs, maxRetryAfterMs),
    global: body.global === true || header(headers, "x-ratelimit-global")?.toLowerCase() === "true" || scope === "global",
    ...(scope === undefined ? {} : { scope }),
    suspicious,
    bucket: parseBucket(headers),
  };
}

export function classifyResponse(status: number, headers: HeaderBag, bodyText: string): PostOutcome {
  if (status >= 200 && status < 300) return { kind: "delivered", bucket: parseBucket(headers) };
  const body = parseErrorBody(bodyText);
  const code = body.code === undefined ? {} : { discordCode: body.code };
  if (status === 429) return rateLimited(headers, body);
  // 404 Unknown Webhook (10015) and 401 Invalid Webhook Token (50027): stop using it (API brief §3.3).
  if (status === 404 || status === 401) return { kind: "webhook_gone", status, ...code };
  if (status >= 500) return { kind: "server_error", status };
  return { kind: "rejected", status, ...code };
}
