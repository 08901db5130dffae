/**
 * The deterministic client_order_id of an intent (D3, A3): the same intent always
 * gives the same id, so a retried send, a lookup after a crash and a restart all
 * name one broker order. Intent ids are up to 128 characters and may hold `.` and
 * `:`, which some Alpaca API versions refuse, so the id is a hash, not a copy:
 * "mqk-" + 40 hex of sha256 = 44 characters of [a-z0-9-] (≤ 48, safe everywhere).
 */
import { asClientOrderId, MAX_CLIENT_ORDER_ID_LENGTH, sha256Hex, type ClientOrderId, type IntentId } from "@mqk/core";

const PREFIX = "mqk-";
const HASH_CHARS = 40;

export function clientOrderIdFor(intentId: IntentId): ClientOrderId {
  const id = `${PREFIX}${sha256Hex(`client-order-id:v1:${intentId}`).slice(0, HASH_CHARS)}`;
  if (id.length > MAX_CLIENT_ORDER_ID_LENGTH)
    throw new RangeError(`client order id: expected ≤ ${String(MAX_CLIENT_ORDER_ID_LENGTH)} characters, found ${String(id.length)}`);
  return asClientOrderId(id);
}

/**
 * The outbox intent id of the `generation`-th cancel of an intent (1 for the first;
 * a next one is queued only after the previous ended without effect).
 */
export function cancelIntentIdFor(intentId: IntentId, generation = 1): string {
  if (!Number.isSafeInteger(generation) || generation < 1) throw new RangeError(`cancel generation: expected an integer ≥ 1, found ${String(generation)}`);
  const base = `cancel:${sha256Hex(`cancel:v1:${intentId}`)}`;
  return generation === 1 ? base : `${base}:${String(generation)}`;
}
