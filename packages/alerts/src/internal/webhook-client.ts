/**
 * One POST to one webhook through undici, classified. The URL is revealed only
 * into the request call; errors are reduced to a code or class name before
 * they leave this file, because undici messages and causes can carry the URL.
 */
import { Agent, request } from "undici";
import { classifyResponse, type PostOutcome } from "./discord-response.js";
import type { DiscordMessage } from "./discord-message.js";
import type { WebhookEndpoint } from "./webhook-endpoint.js";

export interface WebhookClientOptions {
  readonly requestTimeoutMs: number;
  /** `?wait=true`: Discord confirms the message was saved (200) instead of a blind 204. */
  readonly waitForConfirmation: boolean;
}

export class WebhookClient {
  readonly #agent: Agent;
  readonly #options: WebhookClientOptions;

  constructor(options: WebhookClientOptions) {
    this.#options = options;
    this.#agent = new Agent({
      connect: { timeout: options.requestTimeoutMs },
      headersTimeout: options.requestTimeoutMs,
      bodyTimeout: options.requestTimeoutMs,
      keepAliveTimeout: 10_000,
    });
  }

  async post(endpoint: WebhookEndpoint, message: DiscordMessage, signal: AbortSignal): Promise<PostOutcome> {
    // Our own deadline over the whole exchange; undici's own timeouts are coarse (about a second).
    const deadline = AbortSignal.timeout(this.#options.requestTimeoutMs);
    try {
      const response = await request(endpoint.revealExecuteUrl(this.#options.waitForConfirmation), {
        method: "POST",
        dispatcher: this.#agent,
        headers: { "content-type": "application/json", "user-agent": "MiniQuantDesk-alerts (https://example.invalid, 0.1)" },
        body: JSON.stringify(message),
        signal: AbortSignal.any([signal, deadline]),
      });
      const text = await response.body.text();
      return classifyResponse(response.statusCode, response.headers, text);
    } catch (error: unknown) {
      if (signal.aborted) return { kind: "aborted" };
      if (deadline.aborted) return { kind: "network_error", reason: `no answer within ${String(this.#options.requestTimeoutMs)} ms` };
      return { kind: "network_error", reason: describeNetworkError(error) };
    }
  }

  async close(): Promise<void> {
    try {
      await this.#agent.destroy();
    } catch {
      return; // closing is best effort; nothing useful to report
    }
  }
}

/** A code such as ECONNREFUSED or UND_ERR_HEADERS_TIMEOUT, never the error's message. */
export function describeNetworkError(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    if ("code" in error && typeof error.code === "string" && /^[A-Z0-9_]{1,64}$/.test(error.code)) return error.code;
    if ("name" in error && typeof error.name === "string" && /^[A-Za-z0-9_]{1,64}$/.test(error.name)) return error.name;
  }
  return "unknown network error";
}
