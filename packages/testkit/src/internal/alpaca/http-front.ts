/**
 * The HTTP side of the fake: reads each request, then latency → auth → rate
 * limit → REST fault (phase "before") → the route → REST fault (phase "after")
 * → the answer, logging every request and every order submission.
 *
 * Invariants:
 *  1. A fault of phase "before" never reaches the book; one of phase "after"
 *     always does, whatever the client then sees.
 *  2. Every POST /v2/orders is in `submissions()`, refused or not, answered or not.
 *  3. The fake never redirects (the SDK refuses 3xx by default).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { alpacaError } from "./alpaca-errors.js";
import type { FaultBoard, RestFault } from "./faults.js";
import type { RateLimiter } from "./rate-limit.js";
import type { RestReply, SubmissionOutcome } from "./rest-api.js";
import type { TradeStream } from "./trade-stream.js";

/** How a request's credentials fared. */
export type AuthVerdict = "ok" | "missing" | "wrong" | "other-environment";

/** What the client got: an HTTP status, a reset connection, or no answer (yet, or ever). */
export type Answer = number | "reset" | "none";

export interface RequestRecord {
  readonly seq: number;
  readonly method: string;
  readonly path: string;
  /** The raw query string without "?". */
  readonly query: string;
  /** The APCA-API-KEY-ID sent (never the secret). */
  readonly keyId: string | null;
  readonly auth: AuthVerdict;
  /** Parsed JSON body; the raw text when it was not JSON; null when empty. */
  readonly body: unknown;
  readonly fault: RestFault["kind"] | null;
  readonly answer: Answer;
  readonly receivedAtMs: number;
}

export interface Submission {
  readonly seq: number;
  /** The `seq` of its entry in `requests()`. */
  readonly requestSeq: number;
  readonly clientOrderId: string | null;
  readonly body: unknown;
  readonly outcome: SubmissionOutcome;
  /** The order it created, when it created one. */
  readonly orderId: string | null;
  readonly answer: Answer;
}

export interface HttpFrontDeps {
  readonly route: (method: string, url: URL, body: unknown) => RestReply;
  readonly auth: (keyId: string | undefined, secret: string | undefined) => AuthVerdict;
  readonly authFailureStatus: 401 | 403;
  readonly limiter: RateLimiter;
  readonly faults: FaultBoard;
  readonly stream: TradeStream;
  readonly retryAfterOn429: boolean;
  readonly requestId: (seq: number) => string;
  readonly nowMs: () => number;
  /** Awaited for every request before the fake looks at it (faults, auth, routing). */
  readonly observe: ((request: ObservedRequest) => Promise<void> | void) | null;
}

/** What an `onRequest` observer is shown of a request, as it arrives. */
export interface ObservedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

const MAX_BODY_BYTES = 1_000_000;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function parseBody(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export class HttpFront {
  readonly server: Server;
  readonly #d: HttpFrontDeps;
  readonly #requests: Mutable<RequestRecord>[] = [];
  readonly #submissions: Mutable<Submission>[] = [];

  constructor(deps: HttpFrontDeps) {
    this.#d = deps;
    this.server = createServer((req, res) => {
      void this.#handle(req, res).catch((e: unknown) => {
        // A bug in the fake: answer so the client does not hang, then let the test run fail loudly.
        if (!res.headersSent)
          res.writeHead(500, { "Content-Type": "application/json; charset=UTF-8" }).end(JSON.stringify({ message: "fake broker bug; see the test output" }));
        throw e;
      });
    });
    this.server.on("upgrade", (req: IncomingMessage, socket, head: Buffer) => {
      const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
      if (path === "/stream") deps.stream.handleUpgrade(req, socket, head);
      else socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    });
  }

  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  requests(): RequestRecord[] {
    return this.#requests.map((r) => ({ ...r }));
  }

  submissions(): Submission[] {
    return this.#submissions.map((s) => ({ ...s }));
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    }
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = (req.method ?? "GET").toUpperCase();
    const keyId = header(req, "apca-api-key-id");
    const record: Mutable<RequestRecord> = {
      seq: this.#requests.length + 1,
      method,
      path: url.pathname,
      query: url.search.slice(1),
      keyId: keyId ?? null,
      auth: "ok",
      body: parseBody(Buffer.concat(chunks).toString("utf8")),
      fault: null,
      answer: "none",
      receivedAtMs: this.#d.nowMs(),
    };
    this.#requests.push(record);
    let submission: Mutable<Submission> | null = null;
    if (method === "POST" && url.pathname === "/v2/orders") {
      const coid = typeof record.body === "object" && record.body !== null ? (record.body as Record<string, unknown>)["client_order_id"] : undefined;
      submission = {
        seq: this.#submissions.length + 1,
        requestSeq: record.seq,
        clientOrderId: typeof coid === "string" ? coid : null,
        body: record.body,
        outcome: "not-processed",
        orderId: null,
        answer: "none",
      };
      this.#submissions.push(submission);
    }
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      record.answer = status;
      if (submission) submission.answer = status;
      const all: Record<string, string> = { "X-Request-ID": this.#d.requestId(record.seq), ...headers };
      if (body === undefined) {
        res.writeHead(status, all).end();
        return;
      }
      res.writeHead(status, { "Content-Type": "application/json; charset=UTF-8", ...all }).end(JSON.stringify(body));
    };
    const reset = (): void => {
      record.answer = "reset";
      if (submission) submission.answer = "reset";
      req.socket.resetAndDestroy();
    };

    if (this.#d.observe !== null) await this.#d.observe({ method, path: url.pathname, body: record.body });
    const latency = this.#d.faults.current().latencyMs;
    if (latency > 0) await sleep(latency);
    if (size > MAX_BODY_BYTES) return answer(413, alpacaError.bodyTooLarge().body);

    record.auth = this.#d.auth(keyId, header(req, "apca-api-secret-key"));
    if (record.auth !== "ok") {
      if (submission) submission.outcome = "unauthorized";
      const e = this.#d.authFailureStatus === 401 ? alpacaError.unauthorized() : alpacaError.forbiddenNoCode();
      return answer(e.status, e.body);
    }
    const rate = this.#d.limiter.take(keyId ?? "");
    const tooMany = (retryAfterSeconds: number | undefined): void => {
      if (submission) submission.outcome = "rate-limited";
      const retry: Record<string, string> = retryAfterSeconds === undefined ? {} : { "Retry-After": String(retryAfterSeconds) };
      answer(429, alpacaError.rateLimited().body, { ...rate.headers, ...retry });
    };
    if (!rate.allowed) return tooMany(this.#d.retryAfterOn429 ? rate.retryAfterSeconds : undefined);

    const fault = this.#d.faults.take(method, url.pathname);
    record.fault = fault?.kind ?? null;
    if (fault?.kind === "rate-limit") return tooMany(fault.retryAfterSeconds);
    if (fault?.phase === "before") {
      if (fault.kind === "status") return answer(fault.status, alpacaError.internal(fault.status).body, rate.headers);
      if (fault.kind === "reset") return reset();
      if (fault.answerAfterMs === undefined) return; // hangs until the client gives up or the fake closes
      await sleep(fault.answerAfterMs);
    }

    const reply = this.#d.route(method, url, record.body);
    if (submission) {
      submission.outcome = reply.outcome ?? "rejected";
      submission.orderId = reply.orderId ?? null;
    }
    if (fault?.phase === "after") {
      if (fault.kind === "status") return answer(fault.status, alpacaError.internal(fault.status).body, rate.headers);
      if (fault.kind === "reset") return reset();
      if (fault.answerAfterMs === undefined) return;
      await sleep(fault.answerAfterMs);
    }
    if (res.destroyed || req.socket.destroyed) return; // the client gave up first: it got no answer
    answer(reply.status, reply.body, rate.headers);
  }
}
