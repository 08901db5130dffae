/**
 * Frames the fake broker never sends — text that is not JSON, an unknown
 * event, a fill with a malformed price — from a tiny real WebSocket server on
 * 127.0.0.1 (RFC 6455 by hand: handshake, masked client frames in, text frames
 * out). Each bad frame becomes one onProblem and the stream goes on; a server
 * that never acks `listen` still counts as subscribed at its first event.
 */
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { startFakeAlpaca, type FakeAlpaca } from "@mqk/testkit";
import type { BrokerEvent } from "../../broker-event.js";
import type { BrokerAdapter } from "../broker-port.js";
import { adapterFor, eventually } from "./alpaca.test-support.js";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

function textFrame(text: string): Buffer {
  const payload = Buffer.from(text, "utf8");
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x81, len]) : Buffer.from([0x81, 126, len >> 8, len & 0xff]);
  return Buffer.concat([head, payload]);
}

/** Reads whole masked client frames out of `buffer`; returns their texts and what is left. */
function readFrames(buffer: Buffer): { texts: string[]; rest: Buffer } {
  const texts: string[] = [];
  let at = 0;
  for (;;) {
    if (buffer.length - at < 2) break;
    const b1 = buffer[at + 1] ?? 0;
    let len = b1 & 0x7f;
    let offset = at + 2;
    if (len === 126) {
      if (buffer.length - at < 4) break;
      len = buffer.readUInt16BE(at + 2);
      offset += 2;
    }
    if (buffer.length < offset + 4 + len) break;
    const mask = buffer.subarray(offset, offset + 4);
    const body = Buffer.from(buffer.subarray(offset + 4, offset + 4 + len));
    for (let i = 0; i < body.length; i += 1) body[i] = (body[i] ?? 0) ^ (mask[i % 4] ?? 0);
    if (((buffer[at] ?? 0) & 0x0f) === 0x1) texts.push(body.toString("utf8"));
    at = offset + 4 + len;
  }
  return { texts, rest: buffer.subarray(at) };
}

/** Answers authenticate, never acks listen, then sends `script` once listen arrives. */
async function scriptedStream(script: readonly string[]): Promise<{ url: string; stop: () => Promise<void> }> {
  const sockets = new Set<Duplex>();
  const server = createServer();
  server.on("upgrade", (req, socket: Duplex) => {
    sockets.add(socket);
    const accept = createHash("sha1")
      .update(`${String(req.headers["sec-websocket-key"])}${GUID}`)
      .digest("base64");
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    let pending: Buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      const { texts, rest } = readFrames(Buffer.concat([pending, chunk]));
      pending = rest;
      for (const text of texts) {
        const action = (JSON.parse(text) as { action?: string }).action;
        if (action === "authenticate")
          socket.write(textFrame(JSON.stringify({ stream: "authorization", data: { action: "authenticate", status: "authorized" } })));
        if (action === "listen") for (const frame of script) socket.write(textFrame(frame));
      }
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const stop = (): Promise<void> => {
    for (const s of sockets) s.destroy(); // upgraded sockets keep server.close waiting otherwise
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url: `ws://127.0.0.1:${String((server.address() as AddressInfo).port)}/stream`, stop };
}

const order = {
  id: "0f3c9b7e-1d2a-4c4e-9a51-3b8f2f1d7c10",
  client_order_id: "c-1",
  updated_at: "2025-07-03T14:00:00.000000001Z",
  filled_qty: "1",
};
const frame = (data: unknown): string => JSON.stringify({ stream: "trade_updates", data });

let fake: FakeAlpaca | undefined;
let adapter: BrokerAdapter | undefined;
let stopServer: (() => Promise<void>) | undefined;

afterEach(async () => {
  await adapter?.close();
  await fake?.close();
  await stopServer?.();
  adapter = undefined;
  fake = undefined;
  stopServer = undefined;
});

describe("trade_updates frames the fake never sends", () => {
  it("each unreadable frame is one onProblem; the good frames around it arrive in order", async () => {
    const scripted = await scriptedStream([
      frame({ event: "new", order }),
      "this is not JSON",
      frame({ event: "margin_call", order }),
      frame({ event: "fill", execution_id: "x-1", timestamp: "2025-07-03T14:00:00.000000002Z", price: "NaN", qty: "1", order }),
      frame({ event: "fill", execution_id: "x-2", timestamp: "2025-07-03T14:00:00.000000003Z", price: "10.5", qty: "1", position_qty: "1", order }),
    ]);
    stopServer = scripted.stop;
    fake = await startFakeAlpaca();
    adapter = adapterFor(fake, { streamUrl: scripted.url });
    const events: BrokerEvent[] = [];
    const problems: string[] = [];
    const connected: boolean[] = [];
    await adapter.subscribe({
      onEvent: (e) => {
        events.push(e);
        return Promise.resolve();
      },
      onConnected: (info) => {
        connected.push(info.reconnect);
        return Promise.resolve();
      },
      onProblem: (m) => problems.push(m),
    });
    await eventually(() =>
      expect(events.map((e) => e.brokerMessageId)).toEqual([
        "alpaca:new:0f3c9b7e-1d2a-4c4e-9a51-3b8f2f1d7c10:2025-07-03T14:00:00.000000001Z",
        "alpaca:fill:x-2",
      ]),
    );
    expect(connected).toEqual([false]);
    expect(events[1]?.eventNs).toBe(1_751_551_200_000_000_003n);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain("failed to decode message");
    expect(problems[1]).toContain("expected one of new, fill");
    expect(problems[2]).toContain("trade_updates.data.price: expected a finite decimal number");
  });
});
