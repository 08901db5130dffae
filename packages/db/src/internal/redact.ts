/**
 * Connection strings carry passwords. Every URL that reaches a log line, an
 * error message or a handle's `url` goes through `redactUrl` first.
 */
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@/?#\s]*@/i;

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`; other text unchanged. */
export function redactUrl(url: string): string {
  return url.replace(URL_PASSWORD, "$1:***@");
}

/** Redacts every URL password inside free text (error messages from drivers, logs). */
export function redactText(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@/?#\s]*@/gi, "$1:***@");
}
