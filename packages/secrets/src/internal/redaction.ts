/**
 * S1.5: the spellings under which a secret value can show up in text — as is,
 * URL-encoded (upper and lower hex, form style), JSON-escaped — plus, for
 * URL-valued secrets (webhooks, database URLs), the parts that are the
 * credential on their own: the password, long path segments (a webhook token
 * survives a rewrite to /api/v10/…) and query values.
 */
import { maskSecretLookingText } from "@mqk/config";

const redacted = "[redacted]";
/** Derived fragments shorter than this are too common to replace everywhere. */
const minFragmentLength = 6;
const minPathTokenLength = 16;

function encodings(text: string): string[] {
  const component = encodeURIComponent(text);
  const lowerHex = (s: string): string => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
  return [text, component, lowerHex(component), component.replace(/%20/g, "+"), encodeURI(text), lowerHex(encodeURI(text)), JSON.stringify(text).slice(1, -1)];
}

/** decodeURIComponent that leaves malformed escapes (a stray %) as they are. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch (error) {
    if (error instanceof URIError) return text;
    throw error;
  }
}

function urlFragments(value: string): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    if (error instanceof TypeError) return []; // not a URL: nothing more to derive
    throw error;
  }
  const out: string[] = [];
  if (url.password !== "") out.push(url.password, decoded(url.password));
  for (const segment of url.pathname.split("/")) if (segment.length >= minPathTokenLength) out.push(segment, decoded(segment));
  for (const [, v] of url.searchParams) out.push(v);
  return out.filter((f) => f.length >= minFragmentLength);
}

/** Every form of `value` to replace, longest first so that no longer form is left half-replaced. */
export function redactionForms(value: string): string[] {
  const forms = new Set<string>();
  for (const form of [value, ...urlFragments(value)]) for (const encoded of encodings(form)) if (encoded.length > 0) forms.add(encoded);
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of every form with "[redacted]". */
export function redactForms(text: string, forms: readonly string[]): string {
  let out = text;
  for (const form of forms) if (out.includes(form)) out = out.split(form).join(redacted);
  return out;
}

/** Anything that can redact its own secret values (ResolvedSecrets does). */
export interface Redactor {
  redact(text: string): string;
}

/**
 * S1.5 for log lines: every resolved secret value (in all its spellings), then
 * the structural patterns of credentials (webhook tokens, apikey= parameters,
 * auth headers, passwords in URLs, Alpaca key ids) even for values the desk
 * never resolved. Order ids and hashes stay readable.
 */
export function redactLogLine(line: string, secrets?: Redactor): string {
  return maskSecretLookingText(secrets === undefined ? line : secrets.redact(line), "structural");
}
