/**
 * Test support for the Alpaca adapter's tests (imported only by *.test.ts beside
 * it): an adapter pointed at a running fake, and order requests.
 */
import { asBrokerOrderId, asClientOrderId, asTicker, systemClock, toMicros, toShares, type BrokerOrderId, type Clock } from "@mqk/core";
import { Secret } from "@mqk/secrets";
import { startFakeAlpaca, type FakeAlpaca, type FakeAlpacaOptions } from "@mqk/testkit";
import type { BrokerAdapter, BrokerOrderRequest } from "../broker-port.js";
import { createAlpacaAdapter, type AlpacaAdapterOptions } from "./alpaca-adapter.js";

export function adapterFor(
  fake: FakeAlpaca,
  over: Partial<AlpacaAdapterOptions> & { readonly keys?: { readonly keyId: string; readonly secretKey: string }; readonly clock?: Clock } = {},
): BrokerAdapter {
  const { keys = fake.keys, ...rest } = over;
  return createAlpacaAdapter({
    environment: "paper",
    baseUrl: fake.baseUrl,
    streamUrl: fake.streamUrl,
    keyId: new Secret("APCA_API_KEY_ID", keys.keyId),
    secretKey: new Secret("APCA_API_SECRET_KEY", keys.secretKey),
    account: "alpaca-paper",
    clock: systemClock,
    sendTimeoutMs: 2_000,
    readTimeoutMs: 2_000,
    reconnectDelayMs: 50,
    streamPingIntervalMs: 0,
    ...rest,
  });
}

/** A fake broker (AAPL at 187.25 unless `options` say otherwise) and an adapter on it. */
export async function fakeWithAdapter(
  options: FakeAlpacaOptions = {},
  over: Parameters<typeof adapterFor>[1] = {},
): Promise<{ readonly fake: FakeAlpaca; readonly adapter: BrokerAdapter }> {
  const fake = await startFakeAlpaca({ prices: { AAPL: "187.25" }, ...options });
  return { fake, adapter: adapterFor(fake, over) };
}

export interface RequestShape {
  readonly side?: "buy" | "sell";
  readonly type?: "market" | "limit" | "stop" | "stop_limit";
  readonly qty?: string;
  readonly limit?: string | null;
  readonly stop?: string | null;
  readonly symbol?: string;
}

/** A day order for AAPL: by default a resting limit buy of 2 at 150. */
export function orderRequest(clientOrderId: string, shape: RequestShape = {}): BrokerOrderRequest {
  const type = shape.type ?? "limit";
  const limit = shape.limit === undefined ? (type === "limit" || type === "stop_limit" ? "150" : null) : shape.limit;
  const stop = shape.stop ?? null;
  return {
    clientOrderId: asClientOrderId(clientOrderId),
    symbol: asTicker(shape.symbol ?? "AAPL"),
    side: shape.side ?? "buy",
    type,
    timeInForce: "day",
    qtyShares: toShares(shape.qty ?? "2", { sign: "positive" }),
    limitPriceMicros: limit === null ? null : toMicros(limit, { sign: "positive" }),
    stopPriceMicros: stop === null ? null : toMicros(stop, { sign: "positive" }),
  };
}

export function orderIdOf(fake: FakeAlpaca, clientOrderId: string): BrokerOrderId {
  const order = fake.order(clientOrderId);
  if (order === undefined) throw new Error(`the fake holds no order ${clientOrderId}`);
  return asBrokerOrderId(order.id);
}

/** Epoch ns of the fake's "…T14:00:00.123456789Z" stamps, computed independently of the adapter's parser. */
export function utcStampNs(text: string): bigint {
  const m = /^(.{19})\.(\d{3})(\d{6})Z$/.exec(text);
  if (m === null) throw new Error(`not a fake UTC stamp: ${text}`);
  return BigInt(Date.parse(`${m[1] ?? ""}.${m[2] ?? ""}Z`)) * 1_000_000n + BigInt(m[3] ?? "");
}

/** Polls until `check` passes (or throws its last failure after `timeoutMs`). */
export async function eventually(check: () => void, timeoutMs = 3_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() - start > timeoutMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
