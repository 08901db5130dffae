/**
 * S1.2: what a secret looks like. The config holds environment variable NAMES
 * only; any value that looks like a credential is refused (by its path, never
 * echoed). The same knowledge masks secret-looking text in messages and logs.
 *
 * Two strengths: "structural" patterns (webhook URLs, credentials in URLs, key
 * query parameters, auth headers, Alpaca key ids, private keys) are safe to
 * apply to any log line; "token" heuristics (long high-entropy strings) would
 * also hit order ids in logs, so they run only on config values and messages.
 */

/** Why a value was judged to be a secret; shown instead of the value. */
export type SecretLook =
  | "a Discord webhook URL"
  | "a URL with credentials"
  | "a URL with a key in its query"
  | "an authorization header or bearer token"
  | "an Alpaca key id"
  | "a private key"
  | "a long token-like string";

interface StructuralRule {
  readonly look: SecretLook;
  /** Global regex; the replacement keeps the harmless prefix captured in $1. */
  readonly pattern: RegExp;
  readonly replacement: string;
}

export const redactedMark = "[redacted]";

const queryKeyNames = "api[_-]?key|apikey|key|token|access[_-]?token|auth|secret|client[_-]?secret|password|passwd|pwd|signature|sig";

const structuralRules: readonly StructuralRule[] = [
  { look: "a Discord webhook URL", pattern: /(\/webhooks\/\d+\/)[^/?#\s"'`]+/gi, replacement: `$1${redactedMark}` },
  // Any other webhook path on Discord's hosts (the rule above has already masked numeric ids).
  {
    look: "a Discord webhook URL",
    pattern: /(\bdiscord(?:app)?\.com\/api\/(?:v\d+\/)?webhooks\/)(?!\d+\/\[redacted\])[^\s"'`]+/gi,
    replacement: `$1${redactedMark}`,
  },
  {
    look: "a Discord webhook URL",
    pattern: /(\bdiscordapp\.com)(?!\/api\/(?:v\d+\/)?webhooks\/\d+\/\[redacted\])(?:\/[^\s"'`]*)?/gi,
    replacement: `$1/${redactedMark}`,
  },
  { look: "a URL with credentials", pattern: /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@"'`]+@/gi, replacement: `$1${redactedMark}@` },
  { look: "a URL with a key in its query", pattern: new RegExp(`([?&;](?:${queryKeyNames})=)[^&#\\s"'\`]+`, "gi"), replacement: `$1${redactedMark}` },
  {
    look: "an authorization header or bearer token",
    pattern: /(\b(?:authorization|apca-api-secret-key|apca-api-key-id|x-api-key)["']?\s*[:=]\s*["']?(?:(?:bearer|basic|apikey|token)\s+)?)[^\s"',;`]+/gi,
    replacement: `$1${redactedMark}`,
  },
  { look: "an authorization header or bearer token", pattern: /(\b(?:bearer|apikey)\s+)[A-Za-z0-9._~+/=-]{8,}/gi, replacement: `$1${redactedMark}` },
  { look: "an Alpaca key id", pattern: /()(?<![A-Za-z0-9])(?:PK|AK)[A-Z0-9]{16,}(?![A-Za-z0-9])/g, replacement: `$1${redactedMark}` },
  { look: "a private key", pattern: /()-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, replacement: `$1${redactedMark}` },
];

/** Fragments are split on characters that never occur inside a base64/hex token or a URL path. */
const fragmentPattern = /[A-Za-z0-9+=_\-.~:/]{24,}/g;
const minTokenLength = 24;
const minSegmentLength = 16;

function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * A long high-entropy fragment: hex keys (TwelveData, FMP, UUIDs), base62/base64
 * secrets (Alpaca, Discord tokens, JWTs). Names built of words (ALPACA_PAPER_KEY_ID,
 * paper-api.alpaca.markets) have short segments and are not tokens.
 */
function isTokenLike(fragment: string): boolean {
  const core = fragment.replace(/=+$/, "");
  if (core.length < minTokenLength) return false;
  const hexDigits = core.replace(/-/g, "");
  if (/^[0-9a-fA-F-]+$/.test(core) && hexDigits.length >= minTokenLength && /\d/.test(core) && /[a-fA-F]/.test(core)) return true;
  const longestSegment = Math.max(...core.split(/[_\-.~+/=:]/).map((s) => s.length));
  if (longestSegment < minSegmentLength) return false;
  const letters = core.replace(/[^A-Za-z]/g, "");
  if (letters.length === 0) return false;
  if (/\d/.test(core)) return shannonEntropy(core) >= 3.5;
  // Without digits, only a random-looking case mix counts: camelCase names have few capitals.
  const upperShare = letters.replace(/[^A-Z]/g, "").length / letters.length;
  return upperShare >= 0.25 && upperShare <= 0.75 && shannonEntropy(core) >= 4;
}

/** Why `value` looks like a secret, or undefined when it does not. */
export function secretLook(value: string): SecretLook | undefined {
  for (const rule of structuralRules) {
    rule.pattern.lastIndex = 0;
    if (rule.pattern.test(value)) return rule.look;
  }
  for (const fragment of value.match(fragmentPattern) ?? []) {
    if (isTokenLike(fragment)) return "a long token-like string";
  }
  return undefined;
}

export type MaskStrength = "structural" | "all";

/**
 * Replaces secret-looking parts of free text with "[redacted]". "structural"
 * suits log lines (ids and hashes stay readable); "all" also masks long
 * token-like strings and suits error messages built from untrusted text.
 */
export function maskSecretLookingText(text: string, strength: MaskStrength = "all"): string {
  let out = text;
  for (const rule of structuralRules) out = out.replace(rule.pattern, rule.replacement);
  if (strength === "all") out = out.replace(fragmentPattern, (fragment) => (isTokenLike(fragment) ? redactedMark : fragment));
  return out;
}
