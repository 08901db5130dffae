/**
 * A5: the one normalisation through which every price, quantity and amount
 * enters the desk. It rejects NaN, ±Infinity, negatives where invalid and
 * out-of-range values in every build (no assert that a bundler could strip).
 */
import type { Brand } from "./brand.js";
import { DeskError } from "./errors.js";
import { divRound, type RoundingMode } from "./rounding.js";

/** Integer micros of a currency unit: 1 USD = 1_000_000n. */
export type Micros = Brand<bigint, "Micros">;
/** Whole shares; signed where a position can be short. */
export type Shares = Brand<bigint, "Shares">;

export const MICROS_PER_UNIT = 1_000_000n;
/** Largest magnitude accepted: 10^12 units (a trillion dollars), well inside BIGINT. */
export const MAX_ABS_MICROS = 1_000_000_000_000n * MICROS_PER_UNIT;
/** Largest share count accepted in one value. */
export const MAX_ABS_SHARES = 1_000_000_000_000n;

export type SignRule = "positive" | "nonNegative" | "any";

export interface NormaliseOptions {
  /** Which signs are valid. Default: "nonNegative". */
  readonly sign?: SignRule;
  /** How to round digits past the sixth decimal. Default: "HALF_EVEN". */
  readonly rounding?: RoundingMode;
  /** Name of the field, for the error message. */
  readonly field?: string;
  /** Upper bound on the magnitude, in micros. Default MAX_ABS_MICROS. */
  readonly maxAbsMicros?: bigint;
}

export type NormalisationReason = "not_a_number" | "not_finite" | "malformed" | "negative" | "not_positive" | "out_of_range" | "not_whole";

export class NormalisationError extends DeskError {
  readonly reason: NormalisationReason;
  readonly field: string;

  constructor(reason: NormalisationReason, field: string, found: string, expected: string) {
    super("NORMALISATION", `${field}: expected ${expected}, found ${found}`);
    this.name = "NormalisationError";
    this.reason = reason;
    this.field = field;
  }
}

const decimalPattern = /^([+-])?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
const maxExponent = 40;
// Tiny magnitudes round to zero rather than fail: 5e-324 is a valid double.
const minExponent = -400;

interface ScaledDecimal {
  readonly scaled: bigint; // the value times 10^scale
  readonly scale: number;
}

function describeFound(input: unknown): string {
  if (typeof input === "string") return JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input);
  if (typeof input === "number" || typeof input === "bigint") return String(input);
  return typeof input;
}

function parseDecimal(input: unknown, field: string): ScaledDecimal {
  let text: string;
  if (typeof input === "number") {
    if (Number.isNaN(input)) throw new NormalisationError("not_a_number", field, "NaN", "a finite number");
    if (!Number.isFinite(input)) throw new NormalisationError("not_finite", field, String(input), "a finite number");
    text = String(input); // shortest round-trip form: what the writer of the number meant
  } else if (typeof input === "bigint") {
    return { scaled: input, scale: 0 };
  } else if (typeof input === "string") {
    text = input.trim();
    if (/^[+-]?nan$/i.test(text)) throw new NormalisationError("not_a_number", field, describeFound(input), "a finite decimal number");
    if (/^[+-]?inf(inity)?$/i.test(text)) throw new NormalisationError("not_finite", field, describeFound(input), "a finite decimal number");
  } else {
    throw new NormalisationError("malformed", field, describeFound(input), "a number or decimal string");
  }
  const match = decimalPattern.exec(text);
  if (!match) throw new NormalisationError("malformed", field, describeFound(input), "a decimal number such as 187.25");
  const [, signPart, intPart = "0", fracPart = "", expPart] = match;
  const exponent = expPart === undefined ? 0 : Number(expPart);
  if (!Number.isSafeInteger(exponent) || exponent > maxExponent || exponent < minExponent) {
    throw new NormalisationError("out_of_range", field, describeFound(input), `an exponent from ${String(minExponent)} to ${String(maxExponent)}`);
  }
  let digits = BigInt(intPart + fracPart);
  let scale = fracPart.length - exponent;
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { scaled: signPart === "-" ? -digits : digits, scale };
}

/** `found` is described only when refusing: the accept path builds no text. */
function checkSign(value: bigint, sign: SignRule, field: string, input: unknown): void {
  if (sign === "nonNegative" && value < 0n) throw new NormalisationError("negative", field, describeFound(input), "a value ≥ 0");
  if (sign === "positive" && value <= 0n) throw new NormalisationError("not_positive", field, describeFound(input), "a value > 0");
}

/**
 * Converts a number, decimal string or bigint (already in units) into micros.
 * Throws NormalisationError; use `tryToMicros` for a Result.
 */
export function toMicros(input: number | string | bigint, options: NormaliseOptions = {}): Micros {
  const field = options.field ?? "amount";
  const { scaled, scale } = parseDecimal(input, field);
  const micros = divRound(scaled * MICROS_PER_UNIT, 10n ** BigInt(scale), options.rounding ?? "HALF_EVEN");
  const max = options.maxAbsMicros ?? MAX_ABS_MICROS;
  const abs = micros < 0n ? -micros : micros;
  if (abs > max) throw new NormalisationError("out_of_range", field, describeFound(input), `a magnitude ≤ ${formatMicros(max)}`);
  checkSign(micros, options.sign ?? "nonNegative", field, input);
  return micros as Micros;
}

/** Micros from a value already held as integer micros (a database column, a JSON string). */
export function microsFromInteger(input: bigint | string | number, options: Omit<NormaliseOptions, "rounding"> = {}): Micros {
  const field = options.field ?? "amount";
  let value: bigint;
  if (typeof input === "bigint") value = input;
  else if (typeof input === "number") {
    if (!Number.isSafeInteger(input))
      throw new NormalisationError(Number.isNaN(input) ? "not_a_number" : "not_whole", field, String(input), "a safe integer of micros");
    value = BigInt(input);
  } else {
    if (!/^-?\d+$/.test(input)) throw new NormalisationError("malformed", field, describeFound(input), "an integer string of micros");
    value = BigInt(input);
  }
  const max = options.maxAbsMicros ?? MAX_ABS_MICROS;
  if ((value < 0n ? -value : value) > max) throw new NormalisationError("out_of_range", field, String(value), `a magnitude ≤ ${String(max)} micros`);
  checkSign(value, options.sign ?? "nonNegative", field, value);
  return value as Micros;
}

/** Whole shares. Fractions are refused, never rounded. */
export function toShares(input: number | string | bigint, options: { readonly sign?: SignRule; readonly field?: string } = {}): Shares {
  const field = options.field ?? "quantity";
  const { scaled, scale } = parseDecimal(input, field);
  const divisor = 10n ** BigInt(scale);
  if (scaled % divisor !== 0n) throw new NormalisationError("not_whole", field, describeFound(input), "a whole number of shares");
  const shares = scaled / divisor;
  if ((shares < 0n ? -shares : shares) > MAX_ABS_SHARES)
    throw new NormalisationError("out_of_range", field, describeFound(input), `at most ${String(MAX_ABS_SHARES)} shares`);
  checkSign(shares, options.sign ?? "nonNegative", field, input);
  return shares as Shares;
}

/** Decimal text of micros, e.g. 1_500_000n → "1.5". Exact, for display and JSON. */
export function formatMicros(micros: Micros | bigint): string {
  const value: bigint = micros;
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / MICROS_PER_UNIT;
  const frac = (abs % MICROS_PER_UNIT).toString().padStart(6, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole.toString()}${frac ? `.${frac}` : ""}`;
}

/** price × quantity, exact. */
export function notionalMicros(priceMicros: Micros, qtyShares: Shares): Micros {
  return (priceMicros * qtyShares) as Micros;
}
