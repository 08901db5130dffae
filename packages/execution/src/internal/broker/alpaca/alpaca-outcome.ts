/**
 * What an Alpaca answer means for the port (broker-port.ts), in one place:
 *
 * | answer | submit / replace | cancel | lookup |
 * |---|---|---|---|
 * | 2xx | accepted | requested (204) | found |
 * | 401, 403 without a code (credentials wrong, never the order's fault) | not_sent | not_sent | unavailable |
 * | 422 saying the client_order_id is taken | duplicate | not_cancelable | unavailable |
 * | other 422, 400, 403 with a code, 404 | rejected | 422 not_cancelable, 404 not_found | 404 not_found |
 * | 429, 5xx, any other status, timeout, reset, network error | ambiguous | ambiguous | unavailable |
 *
 * Every text that leaves here goes through the redactor: a key must never reach
 * an outcome, a log line or an error.
 */
import { ApiError } from "@alpacahq/alpaca-trade-api";
import type { CancelOutcome, SendOutcome } from "../broker-port.js";

/**
 * 422 on a reused client_order_id: the message names the client order id (the wording has
 * changed over time, API-BRIEF §1.7) AND says it is taken. A 422 that only names the field
 * ("client_order_id must be no more than 48 characters") is a validation failure: taking it for
 * proof of an earlier send would look the order up, find nothing, and send again, for ever.
 */
export function isDuplicateClientOrderId(message: string): boolean {
  return /client[\s_-]?order[\s_-]?id/i.test(message) && /unique|already exists|duplicate/i.test(message);
}

export type Redact = (text: string) => string;

/** A failed call: an HTTP answer that was not 2xx, or none at all. */
export type CallFailure =
  | { readonly kind: "http"; readonly status: number; readonly code: number | null; readonly message: string; readonly requestId: string | null }
  | { readonly kind: "transport"; readonly message: string };

function codeOf(code: number | string | undefined): number | null {
  if (typeof code === "number" && Number.isSafeInteger(code)) return code;
  if (typeof code === "string" && /^\d{1,15}$/.test(code)) return Number(code);
  return null;
}

function describeThrown(error: unknown): string {
  if (!(error instanceof Error)) return `a non-error value (${typeof error})`;
  const cause: unknown = error.cause;
  const causeText = cause instanceof Error && cause.message !== "" && cause.message !== error.message ? ` (${cause.message})` : "";
  return `${error.name}: ${error.message}${causeText}`;
}

/** Turns whatever the SDK threw into a CallFailure, redacted. */
export function failureOf(error: unknown, redact: Redact): CallFailure {
  if (error instanceof ApiError) {
    return {
      kind: "http",
      status: error.status,
      code: codeOf(error.code),
      message: redact(error.message),
      requestId: error.requestId ?? null,
    };
  }
  return { kind: "transport", message: redact(describeThrown(error)) };
}

function credentialsWrong(f: CallFailure): boolean {
  return f.kind === "http" && (f.status === 401 || (f.status === 403 && f.code === null));
}

/** One line for an operator: what was tried, what came back. */
export function describeFailure(what: string, f: CallFailure): string {
  if (f.kind === "transport") return `${what}: no answer (${f.message})`;
  const code = f.code === null ? "" : ` code ${String(f.code)}`;
  const request = f.requestId === null ? "" : ` [X-Request-ID ${f.requestId}]`;
  return `${what}: HTTP ${String(f.status)}${code}: ${f.message}${request}`;
}

const credentialsHint = "the Alpaca key pair was refused; check the key id and secret and that they belong to this environment (paper or live)";

export function sendOutcomeOf(what: string, f: CallFailure): SendOutcome {
  if (f.kind === "transport") return { kind: "ambiguous", reason: describeFailure(what, f) };
  if (credentialsWrong(f)) return { kind: "not_sent", reason: `${describeFailure(what, f)}; ${credentialsHint}` };
  if (f.status === 422 && isDuplicateClientOrderId(f.message)) return { kind: "duplicate", message: f.message };
  if (f.status === 400 || f.status === 403 || f.status === 404 || f.status === 422) {
    return { kind: "rejected", status: f.status, code: f.code, message: f.message };
  }
  return { kind: "ambiguous", reason: describeFailure(what, f) };
}

export function cancelOutcomeOf(what: string, f: CallFailure): CancelOutcome {
  if (f.kind === "transport") return { kind: "ambiguous", reason: describeFailure(what, f) };
  if (credentialsWrong(f)) return { kind: "not_sent", reason: `${describeFailure(what, f)}; ${credentialsHint}` };
  if (f.status === 422) return { kind: "not_cancelable", message: f.message };
  if (f.status === 404) return { kind: "not_found" };
  return { kind: "ambiguous", reason: describeFailure(what, f) };
}
