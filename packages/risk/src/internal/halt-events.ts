/**
 * The alert values of the two breaches that halt the desk (R3). Risk returns
 * them; the caller routes them to the alerts channel. Plain data, no I/O.
 */
import { formatMicros, type Micros } from "@mqk/core";
import type { RiskHaltEvent } from "./rejection.js";

export function dailyLossHalt(limitMicros: Micros, lossMicros: Micros, dayStartMs: number, atMs: number): RiskHaltEvent {
  return Object.freeze({
    kind: "risk_halt",
    reason: "daily_loss",
    message: `daily loss ${formatMicros(lossMicros)} exceeds the limit ${formatMicros(limitMicros)} (day from ${new Date(dayStartMs).toISOString()}); trading halted until an operator reset`,
    atMs,
    numbers: Object.freeze({ limitMicros, lossMicros, dayStartMs }),
  });
}

export const RATE_WINDOW_MS = 60_000;

export function rateLimitHalt(limitOrders: number, actualOrders: number, atMs: number): RiskHaltEvent {
  return Object.freeze({
    kind: "risk_halt",
    reason: "rate_limit",
    message: `order rate ${String(actualOrders)} in the last 60 s exceeds the limit ${String(limitOrders)}; trading halted until an operator reset`,
    atMs,
    numbers: Object.freeze({ limitOrders, actualOrders, windowMs: RATE_WINDOW_MS }),
  });
}
