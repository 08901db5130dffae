/**
 * The fake's deterministic fill model: given an open order and the last price
 * of its symbol, the price at which it executes now, or null.
 *
 * market fills at the last price; limit when the price reaches the limit (at
 * the last price, which is as good or better); stop and stop_limit trigger when
 * the price crosses the stop, then act as market and limit. trailing_stop never
 * fills by itself: tests fill it with `fillOrder`.
 */
import type { FakeOrder } from "./fake-order.js";

function limitReached(order: FakeOrder, last: bigint): boolean {
  if (order.limitPrice === null) return false;
  return order.side === "buy" ? last <= order.limitPrice : last >= order.limitPrice;
}

function stopCrossed(order: FakeOrder, last: bigint): boolean {
  if (order.stopPrice === null) return false;
  return order.side === "buy" ? last >= order.stopPrice : last <= order.stopPrice;
}

/** The execution price for `order` at `last`, or null when it does not execute. May set `triggered`. */
export function executionPrice(order: FakeOrder, last: bigint | null): bigint | null {
  if (last === null) return null;
  switch (order.type) {
    case "market":
      return last;
    case "limit":
      return limitReached(order, last) ? last : null;
    case "stop":
      if (!order.triggered && stopCrossed(order, last)) order.triggered = true;
      return order.triggered ? last : null;
    case "stop_limit":
      if (!order.triggered && stopCrossed(order, last)) order.triggered = true;
      return order.triggered && limitReached(order, last) ? last : null;
    case "trailing_stop":
      return null;
    default: {
      const unreachable: never = order.type;
      throw new RangeError(`executionPrice: unknown order type ${String(unreachable)}`);
    }
  }
}

/** Splits `qty` into `chunks` nearly equal whole parts, largest first; never a zero part. */
export function splitQty(qty: bigint, chunks: number): bigint[] {
  const n = BigInt(Math.max(1, Math.min(chunks, Number(qty < 1_000_000n ? qty : 1_000_000n))));
  const base = qty / n;
  const extra = qty % n;
  const parts: bigint[] = [];
  for (let i = 0n; i < n; i += 1n) parts.push(base + (i < extra ? 1n : 0n));
  return parts;
}
