/**
 * A Discord webhook URL is a bearer credential (API brief §3.1). It lives only
 * inside a WebhookEndpoint, whose every printable form is redacted; the wire URL
 * is built at the moment of the request and never stored in a string field
 * that a log line, error or stats object could reach.
 *
 * Accepted: https on discord.com, discordapp.com, ptb./canary.discord.com, or
 * http(s) on a loopback host (the test fakes). The path is rewritten to API v10,
 * where `retry_after` is in seconds (unversioned URLs get v6, in milliseconds).
 */
import { inspect } from "node:util";
import { err, ok, type Result } from "@mqk/core";
import type { Secret } from "@mqk/secrets";

const discordHosts = new Set(["discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"]);
const loopbackHosts = new Set(["127.0.0.1", "localhost", "[::1]"]);
const webhookPath = /^\/api(?:\/v\d+)?\/webhooks\/(\d{1,25})\/([A-Za-z0-9_-]{1,200})\/?$/;
const redacted = "[redacted webhook]";

export type EndpointProblem = "not_a_url" | "host_not_discord" | "path_not_webhook";

export class WebhookEndpoint {
  readonly #origin: string;
  readonly #id: string;
  readonly #token: string;
  readonly #threadId: string | undefined;

  private constructor(origin: string, id: string, token: string, threadId: string | undefined) {
    this.#origin = origin;
    this.#id = id;
    this.#token = token;
    this.#threadId = threadId;
  }

  static parse(secret: Secret): Result<WebhookEndpoint, EndpointProblem> {
    let url: URL;
    try {
      url = new URL(secret.reveal().trim());
    } catch {
      return err("not_a_url");
    }
    const loopback = loopbackHosts.has(url.hostname);
    const secure = url.protocol === "https:";
    if (!(loopback && (secure || url.protocol === "http:")) && !(secure && discordHosts.has(url.hostname))) return err("host_not_discord");
    if (url.username !== "" || url.password !== "") return err("host_not_discord");
    const match = webhookPath.exec(url.pathname);
    const id = match?.[1];
    const token = match?.[2];
    if (id === undefined || token === undefined) return err("path_not_webhook");
    const threadId = url.searchParams.get("thread_id");
    return ok(new WebhookEndpoint(url.origin, id, token, threadId !== null && /^\d{1,25}$/.test(threadId) ? threadId : undefined));
  }

  /** Identity for sharing one queue between channels that name the same webhook; never printed. */
  sameAs(other: WebhookEndpoint): boolean {
    return this.#origin === other.#origin && this.#id === other.#id && this.#token === other.#token && this.#threadId === other.#threadId;
  }

  /** The v10 execute URL. Call only where the request is made; never keep the result. */
  revealExecuteUrl(wait: boolean): string {
    const query = new URLSearchParams();
    if (wait) query.set("wait", "true");
    if (this.#threadId !== undefined) query.set("thread_id", this.#threadId);
    const search = query.size === 0 ? "" : `?${query.toString()}`;
    return `${this.#origin}/api/v10/webhooks/${this.#id}/${this.#token}${search}`;
  }

  /** The secret fragments a scrubber must remove from any text (token, and the id beside it). */
  revealFragments(): readonly string[] {
    return [this.#token, `${this.#id}/${this.#token}`];
  }

  toString(): string {
    return redacted;
  }

  toJSON(): string {
    return redacted;
  }

  [inspect.custom](): string {
    return redacted;
  }
}

/** Replaces anything shaped like a webhook path's token, for text of unknown origin. */
export function redactWebhookUrls(text: string): string {
  return text.replace(/(\/webhooks\/)\d+\/[^/?#\s"']+/g, "$1<redacted>");
}
