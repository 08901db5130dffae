/**
 * @mqk/core — the trading vocabulary at the bottom of the desk.
 *
 * Entry points: branded ids and units, `toMicros` (the one normalisation, A5),
 * `divRound` (the one division, with a named mode), `Result`, `DeskError`,
 * `InvariantError`, canonical JSON and sha256, the `Clock` and its fake.
 *
 * Invariants:
 *  1. Money is bigint micros; no float ever becomes a Micros except through `toMicros`.
 *  2. NaN, ±Infinity, malformed text, out-of-range values and invalid signs are
 *     refused with a NormalisationError in every build.
 *  3. Division of money happens only in `divRound`, whose mode is always named.
 *
 * Must never: read the environment, do I/O, or depend on another @mqk package.
 */
export type { Brand } from "./internal/brand.js";
export { ok, err, type Ok, type Err, type Result } from "./internal/result.js";
export {
  DeskError,
  InvariantError,
  invariant,
  toDeskError,
  errorMessage,
  deskErrorCodes,
  type DeskErrorCode,
  type DeskErrorOptions,
} from "./internal/errors.js";
export { divRound, roundingModes, type RoundingMode } from "./internal/rounding.js";
export {
  toMicros,
  microsFromInteger,
  toShares,
  formatMicros,
  notionalMicros,
  NormalisationError,
  MICROS_PER_UNIT,
  MAX_ABS_MICROS,
  MAX_ABS_SHARES,
  type Micros,
  type Shares,
  type SignRule,
  type NormaliseOptions,
  type NormalisationReason,
} from "./internal/micros.js";
export { systemClock, FakeClock, type Clock } from "./internal/clock.js";
export {
  asIntentId,
  asClientOrderId,
  asBrokerOrderId,
  asBrokerMessageId,
  asRunId,
  asStrategyId,
  asTicker,
  MAX_CLIENT_ORDER_ID_LENGTH,
  type IntentId,
  type ClientOrderId,
  type BrokerOrderId,
  type BrokerMessageId,
  type RunId,
  type StrategyId,
  type Ticker,
} from "./internal/ids.js";
export { canonicalJson, sha256Hex } from "./internal/canonical-json.js";
