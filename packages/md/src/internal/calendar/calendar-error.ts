/**
 * The calendar fails closed: a question it cannot answer from its rules (a date
 * outside the supported range, a malformed date or instant, a reversed range)
 * throws a CalendarError instead of guessing "closed" or "open".
 */
import { DeskError } from "@mqk/core";

export type CalendarErrorReason = "out_of_range" | "invalid_date" | "invalid_instant" | "invalid_range" | "invalid_interval";

/** The same failure as a value, for boundaries that return a Result (e.g. `calendarDaysJson`). */
export interface CalendarInputError {
  readonly kind: CalendarErrorReason;
  readonly message: string;
}

export class CalendarError extends DeskError {
  readonly reason: CalendarErrorReason;

  constructor(reason: CalendarErrorReason, message: string) {
    super("BAD_INPUT", message, { retryable: false });
    this.name = "CalendarError";
    this.reason = reason;
  }

  toValue(): CalendarInputError {
    return { kind: this.reason, message: this.message };
  }
}

/** Largest |ms| a JS Date can hold. */
const MAX_DATE_MS = 8.64e15;

/** An instant for an error message: ISO when it is a date at all, else the raw number. */
export function describeInstant(tsMs: number): string {
  return Math.abs(tsMs) <= MAX_DATE_MS ? new Date(tsMs).toISOString() : String(tsMs);
}
