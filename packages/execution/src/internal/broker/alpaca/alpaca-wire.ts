/**
 * Alpaca's JSON (API-BRIEF §1.5, §1.9) → the port's normalised shapes. Every
 * body arrives as `unknown` and every number passes through `toMicros` /
 * `toShares` (A5); timestamps become exact epoch nanoseconds. Anything that does
 * not fit throws DeskError BAD_INPUT naming the field, what was expected and what
 * was found — never a partly parsed value.
 */
import { asBrokerOrderId, asTicker, DeskError, toMicros, toShares, type BrokerOrderId, type Micros, type Shares, type Ticker } from "@mqk/core";
import type { JsonValue, OrderSide, OrderState, OrderType, TimeInForce } from "@mqk/db";
import type { BrokerOrder, BrokerPosition } from "../broker-port.js";
import { parseTimestampNs } from "./alpaca-time.js";

export type JsonRecord = Readonly<Record<string, unknown>>;

const sides: readonly OrderSide[] = ["buy", "sell"];
const types: readonly OrderType[] = ["market", "limit", "stop", "stop_limit"];
const tifs: readonly TimeInForce[] = ["day", "gtc", "opg", "cls", "ioc", "fok"];
const states: readonly OrderState[] = [
  "new",
  "partially_filled",
  "filled",
  "done_for_day",
  "canceled",
  "expired",
  "replaced",
  "pending_cancel",
  "pending_replace",
  "accepted",
  "pending_new",
  "accepted_for_bidding",
  "stopped",
  "rejected",
  "suspended",
  "calculated",
  "held",
];

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  return Array.isArray(value) ? "an array" : typeof value;
}

export function bad(field: string, expected: string, found: unknown): DeskError {
  return new DeskError("BAD_INPUT", `Alpaca ${field}: expected ${expected}, found ${shown(found)}`);
}

export function record(value: unknown, field: string): JsonRecord {
  if (!isRecord(value)) throw bad(field, "a JSON object", value);
  return value;
}

export function text(o: JsonRecord, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== "string" || v === "") throw bad(`${where}.${key}`, "a non-empty string", v);
  return v;
}

function optionalText(o: JsonRecord, key: string, where: string): string | null {
  const v = o[key];
  if (v === null || v === undefined) return null;
  if (typeof v !== "string" || v === "") throw bad(`${where}.${key}`, "a non-empty string or null", v);
  return v;
}

function oneOf<T extends string>(o: JsonRecord, key: string, allowed: readonly T[], where: string): T {
  const v = o[key];
  const found = allowed.find((a) => a === v);
  if (found === undefined) throw bad(`${where}.${key}`, `one of ${allowed.join(", ")}`, v);
  return found;
}

/** A decimal string (or JSON number) through toMicros. */
export function money(o: JsonRecord, key: string, where: string, sign: "positive" | "nonNegative" | "any"): Micros {
  const v = o[key];
  if (typeof v !== "string" && typeof v !== "number") throw bad(`${where}.${key}`, 'a decimal string such as "187.25"', v);
  return toMicros(v, { sign, field: `Alpaca ${where}.${key}` });
}

function optionalMoney(o: JsonRecord, key: string, where: string): Micros | null {
  const v = o[key];
  return v === null || v === undefined ? null : money(o, key, where, "positive");
}

/** Whole shares through toShares. */
export function shares(o: JsonRecord, key: string, where: string, sign: "positive" | "nonNegative" | "any"): Shares {
  const v = o[key];
  if (typeof v !== "string" && typeof v !== "number") throw bad(`${where}.${key}`, 'a whole-share string such as "10"', v);
  return toShares(v, { sign, field: `Alpaca ${where}.${key}` });
}

export function brokerOrderId(o: JsonRecord, key: string, where: string): BrokerOrderId {
  const v = text(o, key, where);
  try {
    return asBrokerOrderId(v);
  } catch (cause) {
    throw new DeskError("BAD_INPUT", `Alpaca ${where}.${key}: expected an order id, found ${shown(v)}`, { cause });
  }
}

function optionalBrokerOrderId(o: JsonRecord, key: string, where: string): BrokerOrderId | null {
  return optionalText(o, key, where) === null ? null : brokerOrderId(o, key, where);
}

function ticker(o: JsonRecord, key: string, where: string): Ticker {
  const v = text(o, key, where);
  try {
    return asTicker(v);
  } catch (cause) {
    throw new DeskError("BAD_INPUT", `Alpaca ${where}.${key}: expected an equity ticker, found ${shown(v)}`, { cause });
  }
}

export function timestampNs(o: JsonRecord, key: string, where: string): bigint {
  return parseTimestampNs(o[key], `Alpaca ${where}.${key}`);
}

/** An Order object (REST answer or `trade_updates.data.order`). */
export function parseOrder(value: unknown, where = "order"): BrokerOrder {
  const o = record(value, where);
  return {
    brokerOrderId: brokerOrderId(o, "id", where),
    clientOrderId: text(o, "client_order_id", where),
    symbol: ticker(o, "symbol", where),
    side: oneOf(o, "side", sides, where),
    type: oneOf(o, "type", types, where),
    timeInForce: oneOf(o, "time_in_force", tifs, where),
    status: oneOf(o, "status", states, where),
    qtyShares: shares(o, "qty", where, "positive"),
    filledQtyShares: shares(o, "filled_qty", where, "nonNegative"),
    filledAvgPriceMicros: optionalMoney(o, "filled_avg_price", where),
    limitPriceMicros: optionalMoney(o, "limit_price", where),
    stopPriceMicros: optionalMoney(o, "stop_price", where),
    replacesBrokerOrderId: optionalBrokerOrderId(o, "replaces", where),
    replacedByBrokerOrderId: optionalBrokerOrderId(o, "replaced_by", where),
    updatedAtNs: timestampNs(o, "updated_at", where),
  };
}

export function parseOrders(value: unknown, where: string): { readonly order: BrokerOrder; readonly submittedAtNs: bigint }[] {
  if (!Array.isArray(value)) throw bad(where, "a JSON array of orders", value);
  return value.map((item: unknown, i) => {
    const at = `${where}[${String(i)}]`;
    return { order: parseOrder(item, at), submittedAtNs: timestampNs(record(item, at), "submitted_at", at) };
  });
}

export function parsePositions(value: unknown): BrokerPosition[] {
  if (!Array.isArray(value)) throw bad("positions", "a JSON array of positions", value);
  return value.map((item: unknown, i) => {
    const where = `positions[${String(i)}]`;
    const p = record(item, where);
    const qty: bigint = shares(p, "qty", where, "any");
    const side = oneOf(p, "side", ["long", "short"] as const, where);
    // The wire signs short quantities; a positive qty on a short side is read as short too.
    const signed = side === "short" && qty > 0n ? -qty : qty;
    if (side === "long" && signed < 0n) throw bad(`${where}.qty`, "a non-negative quantity on a long position", p["qty"]);
    return { symbol: ticker(p, "symbol", where), qtyShares: signed, avgEntryPriceMicros: money(p, "avg_entry_price", where, "nonNegative") };
  });
}

/** A JSON value as JSON.parse produced it, checked all the way down (for inbox payloads). */
export function toJsonValue(value: unknown, where = "payload"): JsonValue {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw bad(where, "a finite JSON number", value);
    return value;
  }
  if (Array.isArray(value)) return value.map((v: unknown, i) => toJsonValue(v, `${where}[${String(i)}]`));
  if (isRecord(value)) {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJsonValue(v, `${where}.${k}`);
    return out;
  }
  throw bad(where, "a JSON value", value);
}
