/**
 * Parses and validates the bodies of POST /v2/orders and PATCH /v2/orders/{id}
 * per API-BRIEF §1.4: snake_case JSON whose numbers arrive as strings (the SDK)
 * or JSON numbers (other clients). A failure is the 422 the real server sends.
 *
 * What the fake does not model is refused loudly, never approximated:
 * fractional quantities, notional orders, and bracket/oco/oto/mleg classes.
 */
import { NormalisationError, err, ok, toMicros, toShares, type Result } from "@mqk/core";
import { alpacaError, type AlpacaErrorReply } from "./alpaca-errors.js";

export const orderSides = ["buy", "sell"] as const;
export const orderTypes = ["market", "limit", "stop", "stop_limit", "trailing_stop"] as const;
export const timesInForce = ["day", "gtc", "opg", "cls", "ioc", "fok"] as const;
export type OrderSide = (typeof orderSides)[number];
export type OrderType = (typeof orderTypes)[number];
export type TimeInForce = (typeof timesInForce)[number];

export interface OrderRequest {
  readonly symbol: string;
  readonly qty: bigint;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly limitPrice: bigint | null;
  readonly stopPrice: bigint | null;
  readonly trailPrice: bigint | null;
  readonly trailPercent: bigint | null;
  readonly extendedHours: boolean;
  readonly clientOrderId: string | null;
  readonly orderClass: "" | "simple";
}

export interface ReplaceRequest {
  readonly qty: bigint | null;
  readonly timeInForce: TimeInForce | null;
  readonly limitPrice: bigint | null;
  readonly stopPrice: bigint | null;
  readonly trail: bigint | null;
  readonly clientOrderId: string | null;
}

type Parsed<T> = Result<T, AlpacaErrorReply>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function present(body: Record<string, unknown>, key: string): boolean {
  return body[key] !== undefined && body[key] !== null && body[key] !== "";
}

function oneOf<T extends string>(body: Record<string, unknown>, key: string, allowed: readonly T[]): Parsed<T> {
  const value = body[key];
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return ok(value as T);
  const found = value === undefined ? "nothing" : JSON.stringify(value);
  return err(alpacaError.validation(`invalid ${key}: expected one of ${allowed.join(", ")}, found ${found}`));
}

function numeric(value: unknown): value is string | number {
  return typeof value === "string" || typeof value === "number";
}

function wholeQty(body: Record<string, unknown>, key: string): Parsed<bigint> {
  const value = body[key];
  if (!numeric(value)) return err(alpacaError.validation(`invalid ${key}: expected a decimal string such as "10"`));
  try {
    return ok(toShares(value, { sign: "positive", field: key }));
  } catch (e) {
    if (!(e instanceof NormalisationError)) throw e;
    if (e.reason === "not_whole")
      return err(alpacaError.validation(`${key} ${String(value)} is fractional; the fake broker models whole shares only, send a whole qty`));
    return err(alpacaError.validation(`invalid ${key}: ${e.message}`));
  }
}

/** Sub-penny rule: two decimals at or above $1, four below (OBS: code 42210000). */
function price(body: Record<string, unknown>, key: string): Parsed<bigint> {
  const value = body[key];
  if (!numeric(value)) return err(alpacaError.validation(`invalid ${key}: expected a decimal string such as "150.25"`));
  let micros: bigint;
  try {
    micros = toMicros(value, { sign: "positive", field: key, rounding: "TRUNC" });
    const exact = toMicros(value, { sign: "positive", field: key, rounding: "CEIL" });
    if (exact !== micros) return err(alpacaError.priceValidation(`invalid ${key} ${String(value)}: more than six decimals`));
  } catch (e) {
    if (!(e instanceof NormalisationError)) throw e;
    return err(alpacaError.validation(`invalid ${key}: ${e.message}`));
  }
  const tick = micros >= 1_000_000n ? 10_000n : 100n;
  if (micros % tick !== 0n) {
    return err(
      alpacaError.priceValidation(`invalid ${key} ${String(value)}. sub-penny increment does not fulfill minimum pricing criteria`, { [key]: String(value) }),
    );
  }
  return ok(micros);
}

function optional<T>(body: Record<string, unknown>, key: string, parse: (b: Record<string, unknown>, k: string) => Parsed<T>): Parsed<T | null> {
  return present(body, key) ? parse(body, key) : ok(null);
}

function clientOrderId(body: Record<string, unknown>, maxLength: number): Parsed<string | null> {
  const value = body["client_order_id"];
  if (value === undefined || value === null || value === "") return ok(null);
  if (typeof value !== "string") return err(alpacaError.validation("invalid client_order_id: expected a string"));
  if (value.length > maxLength) return err(alpacaError.validation(`client_order_id must be no more than ${String(maxLength)} characters`));
  return ok(value);
}

/** POST /v2/orders body → an order the book can take, or the 422 Alpaca would send. */
export function parseOrderRequest(body: unknown, maxClientOrderIdLength: number): Parsed<OrderRequest> {
  if (!isRecord(body)) return err(alpacaError.validation("request body format is invalid: expected a JSON object"));
  const symbol = body["symbol"];
  if (typeof symbol !== "string" || symbol === "") return err(alpacaError.validation("symbol is required"));
  if (!/^[A-Z][A-Z0-9.-]{0,11}$/.test(symbol)) return err(alpacaError.validation(`asset "${symbol}" not found`));
  const side = oneOf(body, "side", orderSides);
  if (!side.ok) return side;
  const type = oneOf(body, "type", orderTypes);
  if (!type.ok) return type;
  const tif = oneOf(body, "time_in_force", timesInForce);
  if (!tif.ok) return tif;
  const hasQty = present(body, "qty");
  const hasNotional = present(body, "notional");
  if (hasQty === hasNotional) return err(alpacaError.validation(hasQty ? "only one of qty or notional may be given" : "qty or notional is required"));
  if (hasNotional) {
    if (type.value !== "market" || tif.value !== "day") return err(alpacaError.validation("notional orders must be market orders with time_in_force day"));
    return err(alpacaError.validation("notional orders are not modelled by the fake broker; send a whole qty"));
  }
  const qty = wholeQty(body, "qty");
  if (!qty.ok) return qty;
  const needsLimit = type.value === "limit" || type.value === "stop_limit";
  const needsStop = type.value === "stop" || type.value === "stop_limit";
  if (needsLimit && !present(body, "limit_price")) return err(alpacaError.validation(`limit_price is required for ${type.value} orders`));
  if (needsStop && !present(body, "stop_price")) return err(alpacaError.validation(`stop_price is required for ${type.value} orders`));
  const limitPrice = needsLimit ? price(body, "limit_price") : ok(null);
  if (!limitPrice.ok) return limitPrice;
  const stopPrice = needsStop ? price(body, "stop_price") : ok(null);
  if (!stopPrice.ok) return stopPrice;
  const trailPrice = optional(body, "trail_price", price);
  if (!trailPrice.ok) return trailPrice;
  const trailPercent = optional(body, "trail_percent", price);
  if (!trailPercent.ok) return trailPercent;
  if (type.value === "trailing_stop" && (trailPrice.value === null) === (trailPercent.value === null)) {
    return err(alpacaError.validation("exactly one of trail_price or trail_percent is required for trailing_stop orders"));
  }
  const extended = body["extended_hours"];
  if (extended !== undefined && extended !== null && typeof extended !== "boolean")
    return err(alpacaError.validation("invalid extended_hours: expected true or false"));
  if (extended === true && (type.value !== "limit" || (tif.value !== "day" && tif.value !== "gtc"))) {
    return err(alpacaError.validation("extended hours order must be DAY or GTC limit orders"));
  }
  const orderClass = body["order_class"];
  if (orderClass !== undefined && orderClass !== null && orderClass !== "" && orderClass !== "simple") {
    return err(alpacaError.validation(`order_class ${JSON.stringify(orderClass)} is not modelled by the fake broker; send simple orders`));
  }
  const coid = clientOrderId(body, maxClientOrderIdLength);
  if (!coid.ok) return coid;
  return ok({
    symbol,
    qty: qty.value,
    side: side.value,
    type: type.value,
    timeInForce: tif.value,
    limitPrice: limitPrice.value,
    stopPrice: stopPrice.value,
    trailPrice: trailPrice.value,
    trailPercent: trailPercent.value,
    extendedHours: extended === true,
    clientOrderId: coid.value,
    orderClass: orderClass === "simple" ? "simple" : "",
  });
}

/** PATCH /v2/orders/{id} body: every field optional, at least one given. */
export function parseReplaceRequest(body: unknown, maxClientOrderIdLength: number): Parsed<ReplaceRequest> {
  if (!isRecord(body)) return err(alpacaError.validation("request body format is invalid: expected a JSON object"));
  if (present(body, "notional")) return err(alpacaError.validation("notional orders cannot be replaced; cancel and submit a new order"));
  const qty = optional(body, "qty", wholeQty);
  if (!qty.ok) return qty;
  const tif = present(body, "time_in_force") ? oneOf(body, "time_in_force", timesInForce) : ok(null);
  if (!tif.ok) return tif;
  const limitPrice = optional(body, "limit_price", price);
  if (!limitPrice.ok) return limitPrice;
  const stopPrice = optional(body, "stop_price", price);
  if (!stopPrice.ok) return stopPrice;
  const trail = optional(body, "trail", price);
  if (!trail.ok) return trail;
  const coid = clientOrderId(body, maxClientOrderIdLength);
  if (!coid.ok) return coid;
  const request: ReplaceRequest = {
    qty: qty.value,
    timeInForce: tif.value,
    limitPrice: limitPrice.value,
    stopPrice: stopPrice.value,
    trail: trail.value,
    clientOrderId: coid.value,
  };
  if (request.qty === null && request.timeInForce === null && request.limitPrice === null && request.stopPrice === null && request.trail === null) {
    return err(alpacaError.validation("replace needs at least one of qty, time_in_force, limit_price, stop_price, trail"));
  }
  return ok(request);
}
