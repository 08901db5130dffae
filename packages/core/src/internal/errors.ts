/**
 * Infrastructure faults throw a DeskError with a code from one map, a retryable
 * flag and the cause. Broken invariants throw InvariantError and are never caught.
 */
export const deskErrorCodes = {
  CONFIG_INVALID: "the configuration file is invalid",
  SECRETS_MISSING: "required secrets are missing for this mode",
  NORMALISATION: "a number could not be normalised",
  DB_UNAVAILABLE: "the database could not be reached",
  MIGRATION_FAILED: "a migration could not be applied",
  MIGRATION_DRIFT: "an applied migration changed or vanished",
  IO: "a file could not be read or written",
  BROKER: "the broker call failed",
  MARKET_DATA: "the market-data call failed",
  ALERT: "the alert could not be delivered",
  BAD_INPUT: "the input is malformed",
  INTERNAL: "an unexpected internal fault",
} as const;

export type DeskErrorCode = keyof typeof deskErrorCodes;

export interface DeskErrorOptions {
  readonly retryable?: boolean;
  readonly cause?: unknown;
}

export class DeskError extends Error {
  readonly code: DeskErrorCode;
  readonly retryable: boolean;

  constructor(code: DeskErrorCode, message: string, options: DeskErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DeskError";
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

export class InvariantError extends Error {
  constructor(message: string) {
    super(`invariant broken: ${message}`);
    this.name = "InvariantError";
  }
}

/** Throws InvariantError when `condition` is false. Never catch it. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}

/** Normalises any thrown value at an edge into a DeskError (InvariantError passes through). */
export function toDeskError(value: unknown, code: DeskErrorCode = "INTERNAL"): DeskError {
  if (value instanceof InvariantError) throw value;
  if (value instanceof DeskError) return value;
  if (value instanceof Error) return new DeskError(code, value.message, { cause: value });
  return new DeskError(code, `non-error value thrown: ${describeThrown(value)}`, { cause: value });
}

function describeThrown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.slice(0, 200));
  return typeof value;
}

/** The message of anything thrown, for an operator-facing line. */
export function errorMessage(value: unknown): string {
  if (value instanceof Error) return value.message;
  return describeThrown(value);
}
