/**
 * Secret values never reach a log line or an error (S1.5): every text that may
 * echo a request or a provider message goes through here before it is used.
 */
const apikeyParam = /(apikey|api_key|token)=[^&\s"']*/gi;

export function redact(text: string, secretValues: readonly string[]): string {
  let out = text.replace(apikeyParam, "$1=[redacted]");
  for (const value of secretValues) {
    if (value.length > 0) out = out.split(value).join("[redacted]");
  }
  return out;
}

/** Up to `max` characters of a response body for a message, redacted. */
export function snippet(text: string, secretValues: readonly string[], max = 200): string {
  const redacted = redact(text, secretValues).replace(/\s+/g, " ").trim();
  return redacted.length > max ? `${redacted.slice(0, max)}…` : redacted;
}
