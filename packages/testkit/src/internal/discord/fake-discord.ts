/**
 * A fake Discord for webhook execution (API brief §3.5): a real node:http
 * server on 127.0.0.1 and an ephemeral port. It speaks
 * `POST /api[/v{n}]/webhooks/{id}/{token}[?wait=true]`, validates payloads the
 * way Discord does (400 with code 50035), keeps a fixed-window bucket per webhook
 * with the rate-limit headers, and has switches for faults: 429 with
 * retry_after (per webhook and global), 5xx, unknown webhook (404 10015),
 * invalid token (401 50027), slow responses.
 *
 * Everything it records (requests, messages) names the webhook by id; the token
 * never enters a record or the path it keeps.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { checkExecutePayload } from "./discord-payload-check.js";
import { WebhookBucket, type BucketConfig } from "./webhook-bucket.js";

export interface FakeDiscordWebhook {
  readonly id: string;
  readonly token: string;
}

export interface FakeDiscordOptions {
  /** Webhooks that exist; any other id answers 404 Unknown Webhook, a wrong token 401. */
  readonly webhooks?: readonly FakeDiscordWebhook[];
  /** Per-webhook bucket. Default 5 requests per 2000 ms (observed on Discord). */
  readonly bucket?: BucketConfig;
  /** Delay before every answer. Default 0. */
  readonly latencyMs?: number;
  /** Largest body accepted before 413 (code 40005). Default 1 MiB. */
  readonly maxBodyBytes?: number;
}

/** A fault consumed by the next request to its webhook (after the id/token check). */
export type FakeDiscordFault =
  | { readonly kind: "rate_limit"; readonly retryAfterSeconds: number; readonly scope?: "user" | "shared" }
  | { readonly kind: "server_error"; readonly status?: number }
  | { readonly kind: "unknown_webhook" }
  | { readonly kind: "invalid_token" }
  | { readonly kind: "slow"; readonly delayMs: number };

export type FakeDiscordOutcome =
  | "delivered"
  | "bucket_rate_limited"
  | "fault_rate_limited"
  | "global_rate_limited"
  | "server_error"
  | "unknown_webhook"
  | "invalid_token"
  | "invalid_body"
  | "too_large"
  | "not_found"
  | "method_not_allowed";

export interface FakeDiscordRequest {
  /** The webhook id from the path, or "" when the path was not a webhook. */
  readonly webhookId: string;
  /** The path with the token replaced by `<token>`. */
  readonly path: string;
  readonly method: string;
  readonly wait: boolean;
  /** Epoch ms (sub-millisecond, monotonic) when the request's body had arrived. */
  readonly receivedAtMs: number;
  /** Epoch ms when the answer was written. */
  readonly respondedAtMs: number;
  readonly status: number;
  readonly outcome: FakeDiscordOutcome;
}

export interface FakeDiscordMessage {
  readonly id: string;
  readonly webhookId: string;
  readonly receivedAtMs: number;
  /** The JSON body as received. */
  readonly payload: Readonly<Record<string, unknown>>;
}

export interface FakeDiscord {
  /** http://127.0.0.1:{port} */
  readonly baseUrl: string;
  /** The execute URL a router would be configured with (unversioned, like Discord's UI gives out). */
  webhookUrl(id: string, token: string, options?: { readonly version?: number }): string;
  addWebhook(webhook: FakeDiscordWebhook): void;
  /** The webhook is deleted: later requests answer 404 Unknown Webhook (10015). */
  deleteWebhook(id: string): void;
  /** Queues faults for the next requests to webhook `id`, in order. */
  injectFaults(id: string, ...faults: readonly FakeDiscordFault[]): void;
  /** Every request, to any webhook, answers a global 429 until `retryAfterSeconds` have passed. */
  rateLimitGlobally(retryAfterSeconds: number): void;
  setLatency(ms: number): void;
  readonly requests: readonly FakeDiscordRequest[];
  readonly messages: readonly FakeDiscordMessage[];
  requestsFor(id: string): readonly FakeDiscordRequest[];
  messagesFor(id: string): readonly FakeDiscordMessage[];
  /** Polls until `predicate` holds; rejects after `timeoutMs` (default 10 s). */
  waitFor(predicate: (fake: FakeDiscord) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const nowMs = (): number => performance.timeOrigin + performance.now();
const pathPattern = /^\/api(?:\/v(\d+))?\/webhooks\/([^/]+)\/([^/]+)\/?$/;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  readonly status: number;
  readonly outcome: FakeDiscordOutcome;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

class FakeDiscordServer implements FakeDiscord {
  baseUrl = "";
  readonly requests: FakeDiscordRequest[] = [];
  readonly messages: FakeDiscordMessage[] = [];
  readonly #server: Server;
  readonly #webhooks = new Map<string, string>();
  readonly #buckets = new Map<string, WebhookBucket>();
  readonly #faults = new Map<string, FakeDiscordFault[]>();
  readonly #bucketConfig: BucketConfig;
  readonly #maxBodyBytes: number;
  #latencyMs: number;
  #globalUntilMs = 0;
  #nextMessageId = 1_200_000_000_000_000_000n;

  constructor(options: FakeDiscordOptions) {
    for (const webhook of options.webhooks ?? []) this.addWebhook(webhook);
    this.#bucketConfig = options.bucket ?? { limit: 5, windowMs: 2000 };
    this.#latencyMs = options.latencyMs ?? 0;
    this.#maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(0, "127.0.0.1", () => resolve());
    });
    const address: AddressInfo | string | null = this.#server.address();
    if (address === null || typeof address === "string") throw new Error("FakeDiscord: expected a TCP address after listen, found none");
    this.baseUrl = `http://127.0.0.1:${String(address.port)}`;
  }

  webhookUrl(id: string, token: string, options: { readonly version?: number } = {}): string {
    const version = options.version === undefined ? "" : `/v${String(options.version)}`;
    return `${this.baseUrl}/api${version}/webhooks/${id}/${token}`;
  }

  addWebhook(webhook: FakeDiscordWebhook): void {
    this.#webhooks.set(webhook.id, webhook.token);
  }

  deleteWebhook(id: string): void {
    this.#webhooks.delete(id);
  }

  injectFaults(id: string, ...faults: readonly FakeDiscordFault[]): void {
    const queue = this.#faults.get(id) ?? [];
    queue.push(...faults);
    this.#faults.set(id, queue);
  }

  rateLimitGlobally(retryAfterSeconds: number): void {
    this.#globalUntilMs = nowMs() + retryAfterSeconds * 1000;
  }

  setLatency(ms: number): void {
    this.#latencyMs = ms;
  }

  requestsFor(id: string): readonly FakeDiscordRequest[] {
    return this.requests.filter((r) => r.webhookId === id);
  }

  messagesFor(id: string): readonly FakeDiscordMessage[] {
    return this.messages.filter((m) => m.webhookId === id);
  }

  async waitFor(predicate: (fake: FakeDiscord) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = nowMs() + timeoutMs;
    while (!predicate(this)) {
      if (nowMs() > deadline) throw new Error(`FakeDiscord.waitFor: condition still false after ${String(timeoutMs)} ms`);
      await sleep(5);
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const match = pathPattern.exec(url.pathname);
    const id = match?.[2] ?? "";
    const token = match?.[3];
    const path = token === undefined ? url.pathname : url.pathname.replace(`/${token}`, "/<token>");
    const wait = url.searchParams.get("wait") === "true";
    const body = await readBody(req, this.#maxBodyBytes);
    const receivedAtMs = nowMs();
    const answer = await this.#answer(req.method ?? "GET", id, token, body, wait);
    const headers = { "content-type": "application/json", ...answer.headers };
    if (answer.body === undefined) res.writeHead(answer.status, headers).end();
    else res.writeHead(answer.status, headers).end(JSON.stringify(answer.body));
    this.requests.push({
      webhookId: id,
      path,
      method: req.method ?? "",
      wait,
      receivedAtMs,
      respondedAtMs: nowMs(),
      status: answer.status,
      outcome: answer.outcome,
    });
  }

  async #answer(method: string, id: string, token: string | undefined, body: Buffer | undefined, wait: boolean): Promise<Answer> {
    if (this.#latencyMs > 0) await sleep(this.#latencyMs);
    if (token === undefined) return { status: 404, outcome: "not_found", body: { message: "404: Not Found", code: 0 } };
    if (method !== "POST") return { status: 405, outcome: "method_not_allowed", body: { message: "405: Method Not Allowed", code: 0 } };
    const known = this.#webhooks.get(id);
    if (known === undefined) return unknownWebhook;
    if (known !== token) return invalidToken;
    const fault = this.#faults.get(id)?.shift();
    if (fault !== undefined) {
      const answer = await faultAnswer(fault);
      if (answer !== undefined) return answer;
    }
    const now = nowMs();
    if (now < this.#globalUntilMs) {
      const retryAfter = Math.ceil(this.#globalUntilMs - now) / 1000;
      return rateLimitAnswer("global_rate_limited", retryAfter, true, "global", {});
    }
    const decision = this.#bucket(id).take(now);
    if (!decision.allowed) return rateLimitAnswer("bucket_rate_limited", decision.resetAfterSeconds, false, "user", decision.headers);
    if (body === undefined) return { status: 413, outcome: "too_large", headers: decision.headers, body: { code: 40005, message: "Request entity too large" } };
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString("utf8"));
    } catch {
      payload = undefined;
    }
    const problem = checkExecutePayload(payload);
    if (problem !== undefined || !isRecord(payload)) {
      return {
        status: problem?.status ?? 400,
        outcome: "invalid_body",
        headers: decision.headers,
        body: problem?.body ?? { code: 50109, message: "The request body contains invalid JSON." },
      };
    }
    const message = this.#record(id, payload, now);
    if (!wait) return { status: 204, outcome: "delivered", headers: decision.headers };
    return { status: 200, outcome: "delivered", headers: decision.headers, body: messageObject(message) };
  }

  #bucket(id: string): WebhookBucket {
    let bucket = this.#buckets.get(id);
    if (bucket === undefined) {
      bucket = new WebhookBucket(this.#bucketConfig, createHash("sha256").update(`webhook:${id}`).digest("hex").slice(0, 32));
      this.#buckets.set(id, bucket);
    }
    return bucket;
  }

  #record(webhookId: string, payload: Readonly<Record<string, unknown>>, receivedAtMs: number): FakeDiscordMessage {
    this.#nextMessageId += 1n;
    const message = { id: this.#nextMessageId.toString(), webhookId, receivedAtMs, payload };
    this.messages.push(message);
    return message;
  }
}

const unknownWebhook: Answer = { status: 404, outcome: "unknown_webhook", body: { message: "Unknown Webhook", code: 10015 } };
const invalidToken: Answer = { status: 401, outcome: "invalid_token", body: { message: "Invalid Webhook Token", code: 50027 } };

async function faultAnswer(fault: FakeDiscordFault): Promise<Answer | undefined> {
  switch (fault.kind) {
    case "rate_limit":
      return rateLimitAnswer("fault_rate_limited", fault.retryAfterSeconds, false, fault.scope ?? "user", {});
    case "server_error": {
      const status = fault.status ?? 500;
      return { status, outcome: "server_error", body: { message: `${String(status)}: Internal Server Error`, code: 0 } };
    }
    case "unknown_webhook":
      return unknownWebhook;
    case "invalid_token":
      return invalidToken;
    case "slow":
      await sleep(fault.delayMs);
      return undefined;
  }
}

function rateLimitAnswer(
  outcome: FakeDiscordOutcome,
  retryAfterSeconds: number,
  global: boolean,
  scope: string,
  headers: Readonly<Record<string, string>>,
): Answer {
  return {
    status: 429,
    outcome,
    headers: {
      ...headers,
      "retry-after": String(Math.ceil(retryAfterSeconds)),
      "x-ratelimit-scope": scope,
      ...(global ? { "x-ratelimit-global": "true" } : {}),
    },
    body: { message: "You are being rate limited.", retry_after: retryAfterSeconds, global },
  };
}

function messageObject(message: FakeDiscordMessage): unknown {
  const embeds = Array.isArray(message.payload["embeds"]) ? message.payload["embeds"].map((e: unknown) => (isRecord(e) ? { type: "rich", ...e } : e)) : [];
  return {
    id: message.id,
    type: 0,
    channel_id: "1100000000000000001",
    webhook_id: message.webhookId,
    content: typeof message.payload["content"] === "string" ? message.payload["content"] : "",
    embeds,
    attachments: [],
    mentions: [],
    mention_roles: [],
    pinned: false,
    mention_everyone: false,
    tts: false,
    timestamp: new Date(message.receivedAtMs).toISOString(),
    edited_timestamp: null,
    flags: 0,
    components: [],
    author: {
      id: message.webhookId,
      username: typeof message.payload["username"] === "string" ? message.payload["username"] : "Fake Hook",
      bot: true,
      discriminator: "0000",
    },
  };
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The body, or undefined when it is over `maxBytes` (the rest is drained and ignored). */
async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > maxBytes) tooLarge = true;
    else chunks.push(buffer);
  }
  return tooLarge ? undefined : Buffer.concat(chunks);
}

/** Starts a fake Discord on 127.0.0.1 (ephemeral port). Close it with `close()`. */
export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const server = new FakeDiscordServer(options);
  await server.listen();
  return server;
}
