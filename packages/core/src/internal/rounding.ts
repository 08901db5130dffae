/**
 * The one integer division of the desk. Every division of money goes through
 * here with a named mode, so no rounding happens by accident.
 */
export type RoundingMode = "FLOOR" | "CEIL" | "TRUNC" | "HALF_UP" | "HALF_EVEN";

export const roundingModes: readonly RoundingMode[] = ["FLOOR", "CEIL", "TRUNC", "HALF_UP", "HALF_EVEN"];

/** numerator / denominator rounded by `mode`. HALF_UP rounds ties away from zero. */
export function divRound(numerator: bigint, denominator: bigint, mode: RoundingMode): bigint {
  if (denominator === 0n) throw new RangeError("divRound: division by zero");
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = n / d;
  const r = n % d;
  if (r === 0n) return negative ? -q : q;
  let magnitude: bigint;
  switch (mode) {
    case "TRUNC":
      magnitude = q;
      break;
    case "FLOOR":
      magnitude = negative ? q + 1n : q;
      break;
    case "CEIL":
      magnitude = negative ? q : q + 1n;
      break;
    case "HALF_UP":
      magnitude = 2n * r >= d ? q + 1n : q;
      break;
    case "HALF_EVEN": {
      const twice = 2n * r;
      magnitude = twice > d || (twice === d && q % 2n === 1n) ? q + 1n : q;
      break;
    }
    default: {
      const unreachable: never = mode;
      throw new RangeError(`divRound: unknown rounding mode ${String(unreachable)}`);
    }
  }
  return negative ? -magnitude : magnitude;
}
