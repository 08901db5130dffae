/**
 * One GET, with a timeout, read as JSON. Never throws for a network fault or a
 * bad body: it says what happened, in text already free of secrets.
 */
import { errorMessage } from "@mqk/core";
import { redact, snippet } from "./redact.js";

export type FetchOutcome =
  | { readonly kind: "json"; readonly status: number; readonly body: unknown }
  | { readonly kind: "not_json"; readonly status: number; readonly snippet: string }
  | { readonly kind: "transport"; readonly reason: string };

export interface JsonGet {
  readonly fetch: typeof fetch;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Values to scrub from any text that leaves this function. */
  readonly secretValues: readonly string[];
}

function transportReason(error: unknown, timeoutMs: number, secretValues: readonly string[]): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return `no answer within ${String(timeoutMs)} ms`;
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return redact(`network error: ${errorMessage(error)}${cause}`, secretValues);
}

export async function getJson(request: JsonGet): Promise<FetchOutcome> {
  let response: Response;
  let text: string;
  try {
    response = await request.fetch(request.url, { method: "GET", headers: request.headers, signal: AbortSignal.timeout(request.timeoutMs) });
    text = await response.text();
  } catch (error) {
    return { kind: "transport", reason: transportReason(error, request.timeoutMs, request.secretValues) };
  }
  try {
    const body: unknown = JSON.parse(text);
    return { kind: "json", status: response.status, body };
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return { kind: "not_json", status: response.status, snippet: snippet(text, request.secretValues, 120) };
  }
}
