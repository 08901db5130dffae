/**
 * Identities of the trading vocabulary. The types live here, at the bottom;
 * each brand is minted by the module that owns the concept (execution mints
 * client order ids, the inbox broker message ids) through these validators.
 */
import type { Brand } from "./brand.js";
import { DeskError } from "./errors.js";

export type IntentId = Brand<string, "IntentId">;
export type ClientOrderId = Brand<string, "ClientOrderId">;
export type BrokerOrderId = Brand<string, "BrokerOrderId">;
export type BrokerMessageId = Brand<string, "BrokerMessageId">;
export type RunId = Brand<string, "RunId">;
export type StrategyId = Brand<string, "StrategyId">;
export type Ticker = Brand<string, "Ticker">;

/** Alpaca's documented limit is 128; 48 keeps us safe for every API version. */
export const MAX_CLIENT_ORDER_ID_LENGTH = 48;

function badId(kind: string, expected: string, found: string): DeskError {
  return new DeskError("BAD_INPUT", `${kind}: expected ${expected}, found ${JSON.stringify(found.slice(0, 80))}`);
}

function checked<T>(kind: string, pattern: RegExp, expected: string, value: string): T {
  if (!pattern.test(value)) throw badId(kind, expected, value);
  return value as T;
}

const tokenPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export const asIntentId = (v: string): IntentId => checked("intent id", tokenPattern, "1–128 of [A-Za-z0-9._:-]", v);
export const asClientOrderId = (v: string): ClientOrderId =>
  checked("client order id", /^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/, `1–${String(MAX_CLIENT_ORDER_ID_LENGTH)} of [A-Za-z0-9_-]`, v);
export const asBrokerOrderId = (v: string): BrokerOrderId => checked("broker order id", /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "1–128 of [A-Za-z0-9._:-]", v);
export const asBrokerMessageId = (v: string): BrokerMessageId => checked("broker message id", /^\S{1,256}$/, "1–256 non-space characters", v);
export const asRunId = (v: string): RunId => checked("run id", tokenPattern, "1–128 of [A-Za-z0-9._:-]", v);
export const asStrategyId = (v: string): StrategyId => checked("strategy id", /^[a-z][a-z0-9_-]{0,63}$/, "a lower-case name of 1–64 of [a-z0-9_-]", v);
/** US equity tickers: upper-case letters, digits, dot or dash (BRK.B), up to 12. */
export const asTicker = (v: string): Ticker => checked("ticker", /^[A-Z][A-Z0-9.-]{0,11}$/, "an upper-case ticker such as AAPL or BRK.B", v);
