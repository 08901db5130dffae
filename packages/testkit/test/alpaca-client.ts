/**
 * Plain clients for the fake Alpaca in tests: fetch for REST, `ws` for the
 * stream. Deliberately not the SDK (that has its own test) and not
 * @mqk/execution (testkit must not depend on it).
 */
import WebSocket from "ws";
import type { FakeAlpaca, FakeAlpacaKeyPair } from "@mqk/testkit";

export interface RestResult {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON, or null for an empty body. */
  readonly body: unknown;
}

export interface RestOptions {
  /** null: send no credentials at all. */
  readonly keys?: FakeAlpacaKeyPair | null;
  readonly signal?: AbortSignal;
  /** Send the body as this raw text instead of JSON. */
  readonly rawBody?: string;
}

export async function rest(fake: FakeAlpaca, method: string, path: string, body?: unknown, options: RestOptions = {}): Promise<RestResult> {
  const keys = options.keys === undefined ? fake.keys : options.keys;
  const headers: Record<string, string> = {};
  if (keys) {
    headers["APCA-API-KEY-ID"] = keys.keyId;
    headers["APCA-API-SECRET-KEY"] = keys.secretKey;
  }
  const payload = options.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
  if (payload !== undefined) headers["Content-Type"] = "application/json";
  const init: RequestInit = { method, headers };
  if (payload !== undefined) init.body = payload;
  if (options.signal) init.signal = options.signal;
  const res = await fetch(`${fake.baseUrl}${path}`, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === "" ? null : (JSON.parse(text) as unknown) };
}

/** Reads a field of a JSON object body. */
export function field(body: unknown, key: string): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new Error(`expected a JSON object, found ${JSON.stringify(body)}`);
  return (body as Record<string, unknown>)[key];
}

export function list(body: unknown): Record<string, unknown>[] {
  if (!Array.isArray(body)) throw new Error(`expected a JSON array, found ${JSON.stringify(body)}`);
  return body as Record<string, unknown>[];
}

/** Polls until `check` returns true; fails with `what` after `timeoutMs`. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${String(timeoutMs)} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface Frame {
  readonly json: Record<string, unknown>;
  readonly binary: boolean;
}

/** A raw trade_updates client that records every frame it receives. */
export class StreamClient {
  readonly frames: Frame[] = [];
  readonly ws: WebSocket;
  closed: { code: number; reason: string } | null = null;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data, isBinary) => {
      const text = Array.isArray(data) ? Buffer.concat(data).toString("utf8") : Buffer.from(data as Buffer).toString("utf8");
      this.frames.push({ json: JSON.parse(text) as Record<string, unknown>, binary: isBinary });
    });
    ws.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString("utf8") };
    });
  }

  static async open(url: string): Promise<StreamClient> {
    const ws = new WebSocket(url);
    const client = new StreamClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return client;
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  /** Frames on a stream ("authorization", "listening", "trade_updates", "error"…) or with an action. */
  on(stream: string): Record<string, unknown>[] {
    return this.frames.filter((f) => f.json["stream"] === stream || f.json["action"] === stream).map((f) => f.json);
  }

  /** The `data` of every trade_updates frame received. */
  updates(): Record<string, unknown>[] {
    return this.on("trade_updates").map((f) => f["data"] as Record<string, unknown>);
  }

  events(): string[] {
    return this.updates().map((u) => String(u["event"]));
  }

  async waitFor(stream: string, count = 1): Promise<Record<string, unknown>[]> {
    await eventually(() => this.on(stream).length >= count, `${String(count)} "${stream}" frame(s)`);
    return this.on(stream);
  }

  async waitClosed(): Promise<{ code: number; reason: string }> {
    await eventually(() => this.closed !== null, "the socket to close");
    return this.closed ?? { code: 0, reason: "" };
  }

  /** Authenticates (legacy form by default) and subscribes; resolves once listening. */
  async subscribe(keys: FakeAlpacaKeyPair, form: "legacy" | "current" = "legacy"): Promise<void> {
    if (form === "legacy") this.send({ action: "authenticate", data: { key_id: keys.keyId, secret_key: keys.secretKey } });
    else this.send({ action: "auth", key: keys.keyId, secret: keys.secretKey });
    await this.waitFor("authorization");
    this.send({ action: "listen", data: { streams: ["trade_updates"] } });
    await this.waitFor("listening");
  }

  close(): void {
    this.ws.terminate();
  }
}

export const order = (symbol: string, qty: string, side: "buy" | "sell", extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  symbol,
  qty,
  side,
  type: "market",
  time_in_force: "day",
  ...extra,
});

/** RFC 3339 UTC with nine fraction digits. */
export const NANO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const DECIMAL = /^-?\d+(\.\d+)?$/;
