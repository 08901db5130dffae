/**
 * The node:http plumbing both market-data fakes share: 127.0.0.1, an ephemeral
 * port, a request log with headers, an optional delay, and a close that also
 * drops kept-alive connections.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Clock } from "@mqk/core";

export interface FakeMarketDataRequest {
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  /** Query parameters as received (a key sent in the query shows up here). */
  readonly query: Readonly<Record<string, string>>;
  /** Lower-case header names → values. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The URL as received (path and query). */
  readonly url: string;
  /** Clock time (the injected clock) when the request arrived. */
  readonly atMs: number;
  /** HTTP status answered (0 until answered). */
  status: number;
  /** True when the request used a credit / call of the plan. */
  charged: boolean;
}

export interface FakeAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly delayMs?: number;
}

export type FakeHandler = (request: FakeMarketDataRequest) => FakeAnswer;

export interface RunningFake {
  readonly baseUrl: string;
  readonly requests: FakeMarketDataRequest[];
  close(): Promise<void>;
}

function headersOf(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  return out;
}

export async function startFakeHttp(clock: Clock, handler: FakeHandler): Promise<RunningFake> {
  const requests: FakeMarketDataRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const record: FakeMarketDataRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: headersOf(req),
      url: req.url ?? "/",
      atMs: clock.nowMs(),
      status: 0,
      charged: false,
    };
    requests.push(record);
    req.resume();
    const answer = handler(record);
    const send = (): void => {
      record.status = answer.status;
      if (res.destroyed) return;
      res.writeHead(answer.status, { "content-type": "application/json; charset=utf-8", ...answer.headers });
      res.end(answer.body);
    };
    if (answer.delayMs !== undefined && answer.delayMs > 0) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        send();
      }, answer.delayMs);
      timers.add(timer);
    } else {
      send();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address: AddressInfo | string | null = server.address();
  if (address === null || typeof address === "string") throw new Error("fake market-data server: expected a TCP address after listen");
  const port = address.port;
  let closing: Promise<void> | undefined;
  return {
    baseUrl: `http://127.0.0.1:${String(port)}`,
    requests,
    // Idempotent: a test may close early and the afterEach close again.
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      })),
  };
}
