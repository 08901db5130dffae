/**
 * The trade_updates WebSocket at /stream (API-BRIEF §1.10): auth (legacy
 * `authenticate` and current `auth` forms) → `authorization` reply; `listen` →
 * `listening` ack (repeatable, an empty list unsubscribes); then every event
 * the book produces, as JSON in binary frames by default, like the paper server.
 *
 * Invariants:
 *  1. Events go only to connections that authenticated and listen to trade_updates.
 *  2. An event produced while no connection listens is never replayed: it is
 *     missed, and only REST shows its effect (the reconnect-backfill case).
 *  3. One stream per key pair unless configured otherwise.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import type { FaultBoard } from "./faults.js";
import { tradeUpdateFrame, type TradeUpdate, type TradeUpdateEventName } from "./trade-update.js";

export interface StreamSettings {
  /** "binary" (the paper server's habit) or "text". */
  readonly frames: "binary" | "text";
  /** A second authenticated connection with the same key: refused, kicks the first, or both live. */
  readonly conflict: "refuse-second" | "kick-first" | "allow";
  /** Close a connection that has not authenticated within this many ms (Alpaca: about 10 s). */
  readonly authTimeoutMs: number;
  /** `{"action":"error",…}` (what the v4 SDK reads) or `{"stream":"error",…}` (the AsyncAPI form). */
  readonly errorFrames: "action" | "stream";
}

/** One frame of trade_updates written to a socket. */
export interface StreamDelivery {
  /** 1, 2, 3… in the order written. */
  readonly seq: number;
  /** The `seq` of the TradeUpdate it carries. */
  readonly updateSeq: number;
  readonly event: TradeUpdateEventName;
  readonly orderId: string;
  readonly executionId: string | null;
  readonly connectionId: number;
  /** 0 for the original, 1… for duplicates. */
  readonly copy: number;
  /** Sent again by `replayEvents`, not when the event happened. */
  readonly replayed: boolean;
}

export interface StreamConnectionInfo {
  readonly id: number;
  readonly keyId: string | null;
  readonly authenticated: boolean;
  readonly listening: boolean;
  readonly open: boolean;
}

interface Pending {
  readonly update: TradeUpdate;
  readonly copy: number;
  readonly replayed: boolean;
}

interface Conn {
  readonly id: number;
  readonly ws: WebSocket;
  keyId: string | null;
  authenticated: boolean;
  listening: boolean;
  dropping: boolean;
  buffer: Pending[];
  authTimer: NodeJS.Timeout | undefined;
}

type KeyCheck = (keyId: unknown, secret: unknown) => boolean;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(new Uint8Array(data)).toString("utf8");
  return data.toString("utf8");
}

/** Fisher–Yates driven by mulberry32: the same seed gives the same permutation. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    const a = out[i];
    const b = out[j];
    if (a === undefined || b === undefined) continue;
    out[i] = b;
    out[j] = a;
  }
  return out;
}

export class TradeStream {
  readonly #settings: StreamSettings;
  readonly #faults: FaultBoard;
  readonly #keyOk: KeyCheck;
  readonly #wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  readonly #conns = new Set<Conn>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #deliveries: StreamDelivery[] = [];
  #nextConnId = 0;
  /** Windows flushed so far: varies the shuffle from one window to the next. */
  #windows = 0;

  constructor(settings: StreamSettings, faults: FaultBoard, keyOk: KeyCheck) {
    this.#settings = settings;
    this.#faults = faults;
    this.#keyOk = keyOk;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#faults.current().stream.refuseConnections) {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onConnection(ws));
  }

  /** Hands one event to every listening connection, through the stream faults. */
  publish(update: TradeUpdate, replayed = false): void {
    const s = this.#faults.current().stream;
    const copies = 1 + (s.duplicateEvents === null || s.duplicateEvents.includes(update.event) ? s.duplicate : 0);
    for (const conn of this.#conns) {
      if (!conn.authenticated || !conn.listening || conn.dropping) continue;
      for (let copy = 0; copy < copies; copy += 1) this.#enqueue(conn, { update, copy, replayed });
    }
  }

  /** Sends what the reorder window holds, reversed. */
  flush(): void {
    for (const conn of this.#conns) this.#flushConn(conn);
  }

  /** Terminates every stream connection now, without a close frame. */
  dropAll(): void {
    for (const conn of this.#conns) this.#drop(conn);
  }

  deliveries(): StreamDelivery[] {
    return [...this.#deliveries];
  }

  connections(): StreamConnectionInfo[] {
    return [...this.#conns].map((c) => ({ id: c.id, keyId: c.keyId, authenticated: c.authenticated, listening: c.listening, open: !c.dropping }));
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const conn of this.#conns) conn.ws.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  // --- protocol ----------------------------------------------------------------

  #onConnection(ws: WebSocket): void {
    this.#nextConnId += 1;
    const conn: Conn = { id: this.#nextConnId, ws, keyId: null, authenticated: false, listening: false, dropping: false, buffer: [], authTimer: undefined };
    conn.authTimer = setTimeout(() => {
      if (!conn.authenticated) ws.close(1008, "auth timeout");
    }, this.#settings.authTimeoutMs);
    conn.authTimer.unref();
    this.#conns.add(conn);
    ws.on("message", (data) => this.#onMessage(conn, data));
    ws.on("close", () => {
      clearTimeout(conn.authTimer);
      this.#conns.delete(conn);
    });
    ws.on("error", () => {
      // A client that vanishes mid-frame: the close handler cleans up.
    });
  }

  #onMessage(conn: Conn, data: RawData): void {
    let message: unknown;
    try {
      message = JSON.parse(rawText(data));
    } catch {
      this.#error(conn, "invalid syntax: expected a JSON object", 400);
      return;
    }
    if (!isRecord(message)) return this.#error(conn, "invalid syntax: expected a JSON object", 400);
    const body = isRecord(message["data"]) ? message["data"] : {};
    switch (message["action"]) {
      case "authenticate":
        return this.#onAuth(conn, body["key_id"], body["secret_key"]);
      case "auth":
        return this.#onAuth(conn, message["key"], message["secret"]);
      case "listen":
        return this.#onListen(conn, body["streams"]);
      default:
        return this.#error(conn, `invalid action ${JSON.stringify(message["action"])}: expected auth, authenticate or listen`, 400);
    }
  }

  #onAuth(conn: Conn, keyId: unknown, secret: unknown): void {
    const reply = this.#faults.current().stream.authReply;
    if (reply === "never") return;
    if (reply === "unauthorized" || !this.#keyOk(keyId, secret)) return this.#refuse(conn, "access key verification failed");
    const key = String(keyId);
    const rivals = [...this.#conns].filter((c) => c !== conn && c.authenticated && !c.dropping && c.keyId === key);
    if (rivals.length > 0 && this.#settings.conflict === "refuse-second") return this.#refuse(conn, "connection limit exceeded");
    if (this.#settings.conflict === "kick-first") for (const rival of rivals) rival.ws.close(1008, "connection limit exceeded: replaced by a newer connection");
    clearTimeout(conn.authTimer);
    conn.keyId = key;
    conn.authenticated = true;
    this.#send(conn, { stream: "authorization", data: { action: "authenticate", status: "authorized" } });
  }

  #refuse(conn: Conn, message: string): void {
    this.#send(conn, { stream: "authorization", data: { action: "authenticate", status: "unauthorized", message } });
    conn.ws.close(1008, message);
  }

  #onListen(conn: Conn, streams: unknown): void {
    if (!conn.authenticated) return this.#error(conn, "unauthorized: authenticate before listen", 401);
    const asked = Array.isArray(streams) ? streams.filter((s): s is string => typeof s === "string") : [];
    conn.listening = asked.includes("trade_updates");
    if (this.#faults.current().stream.listenReply === "never") return;
    this.#send(conn, { stream: "listening", data: { streams: conn.listening ? ["trade_updates"] : [] } });
  }

  #error(conn: Conn, message: string, code: number): void {
    const frame =
      this.#settings.errorFrames === "action"
        ? { action: "error", data: { error_message: message } }
        : { stream: "error", data: { error_message: message, code } };
    this.#send(conn, frame);
  }

  #send(conn: Conn, payload: unknown, done?: () => void): void {
    const text = typeof payload === "string" ? payload : JSON.stringify(payload);
    const data = this.#settings.frames === "binary" ? Buffer.from(text, "utf8") : text;
    conn.ws.send(data, { binary: this.#settings.frames === "binary" }, () => done?.());
  }

  // --- delivery pipeline: duplicate → reorder → delay → drop -----------------------

  #enqueue(conn: Conn, item: Pending): void {
    const window = this.#faults.current().stream.reorderWindow;
    if (window <= 1 && conn.buffer.length === 0) return this.#schedule(conn, item);
    conn.buffer.push(item);
    if (conn.buffer.length >= window) this.#flushConn(conn);
  }

  #flushConn(conn: Conn): void {
    const seed = this.#faults.current().stream.reorderSeed;
    const held = seed === null ? conn.buffer.reverse() : shuffle(conn.buffer, seed + this.#windows);
    this.#windows += 1;
    conn.buffer = [];
    for (const item of held) this.#schedule(conn, item);
  }

  #schedule(conn: Conn, item: Pending): void {
    const delay = this.#faults.current().stream.delayMs;
    if (delay === 0) return this.#write(conn, item);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#write(conn, item);
    }, delay);
    this.#timers.add(timer);
  }

  #write(conn: Conn, item: Pending): void {
    if (conn.dropping || !this.#conns.has(conn)) return;
    if (this.#faults.dropBeforeFrame()) return this.#drop(conn);
    const last = this.#faults.dropAfterFrame();
    if (last) conn.dropping = true;
    this.#send(conn, tradeUpdateFrame(item.update), last ? () => conn.ws.terminate() : undefined);
    this.#deliveries.push({
      seq: this.#deliveries.length + 1,
      updateSeq: item.update.seq,
      event: item.update.event,
      orderId: item.update.orderId,
      executionId: item.update.executionId,
      connectionId: conn.id,
      copy: item.copy,
      replayed: item.replayed,
    });
  }

  #drop(conn: Conn): void {
    conn.dropping = true;
    conn.buffer = [];
    conn.ws.terminate();
  }
}
