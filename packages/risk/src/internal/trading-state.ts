/**
 * The kill switch as a state (NautilusTrader): active | reducing | halted.
 *
 *  - active:   every order that passes the checks may go.
 *  - reducing: only orders that bring a position towards zero (never through it).
 *  - halted:   nothing passes. Cancels are not orders and are not risk's business.
 *
 * Transitions are a table: a pair it does not list is refused as a value. The
 * only way out of halted is an operator reset with a reason.
 */
import { err, ok, type Result } from "@mqk/core";
import type { RiskHaltEvent } from "./rejection.js";

export type TradingMode = "active" | "reducing" | "halted";
/** Why the desk is in its current mode. */
export type TradingCause = "initial" | "operator" | "daily_loss" | "rate_limit";

export interface TradingState {
  readonly mode: TradingMode;
  readonly cause: TradingCause;
  /** Human text: the breach with its numbers, or the operator's reason. */
  readonly reason: string;
  /** "risk" for automatic halts, the operator's name otherwise. */
  readonly actor: string;
  readonly sinceMs: number;
}

export type TradingEvent =
  | { readonly kind: "breach"; readonly halt: RiskHaltEvent }
  | { readonly kind: "operator_halt"; readonly reason: string; readonly actor: string }
  | { readonly kind: "operator_reduce"; readonly reason: string; readonly actor: string }
  | { readonly kind: "operator_reset"; readonly to: Exclude<TradingMode, "halted">; readonly reason: string; readonly actor: string };

export type TradingEventKind = TradingEvent["kind"];

export type TransitionError =
  | { readonly kind: "reason_required"; readonly event: TradingEventKind }
  | { readonly kind: "actor_required"; readonly event: TradingEventKind }
  | { readonly kind: "not_allowed"; readonly from: TradingMode; readonly event: TradingEventKind; readonly why: string };

export const RISK_ACTOR = "risk";

export const initialTradingState: TradingState = Object.freeze({ mode: "active", cause: "initial", reason: "initial state", actor: RISK_ACTOR, sinceMs: 0 });

function enter(mode: TradingMode, cause: TradingCause, reason: string, actor: string, nowMs: number): TradingState {
  return Object.freeze({ mode, cause, reason, actor, sinceMs: nowMs });
}

type Transition = (state: TradingState, event: TradingEvent, nowMs: number) => Result<TradingState, TransitionError>;

const stay: Transition = (state) => ok(state);
const refuse =
  (why: string): Transition =>
  (state, event) =>
    err({ kind: "not_allowed", from: state.mode, event: event.kind, why });

// The row an entry sits in already fixes the event kind; the narrowing checks
// below only satisfy the compiler and refuse if a row is ever miswired.
const haltOnBreach: Transition = (state, event, nowMs) =>
  event.kind === "breach" ? ok(enter("halted", event.halt.reason, event.halt.message, RISK_ACTOR, nowMs)) : refuse("not a breach")(state, event, nowMs);

const operatorTo =
  (mode: TradingMode): Transition =>
  (state, event, nowMs) =>
    event.kind === "breach"
      ? refuse("not an operator action")(state, event, nowMs)
      : ok(enter(mode, "operator", event.reason.trim(), event.actor.trim(), nowMs));

const resetTo: Transition = (state, event, nowMs) => {
  if (event.kind !== "operator_reset") return refuse("not a reset")(state, event, nowMs);
  if (event.to === state.mode) return ok(state);
  return ok(enter(event.to, "operator", event.reason.trim(), event.actor.trim(), nowMs));
};

/**
 * The table. Every (mode, event) pair has an entry; adding a mode or an event
 * does not compile until each row says what happens.
 */
const table: Record<TradingMode, Record<TradingEventKind, Transition>> = {
  active: {
    breach: haltOnBreach,
    operator_halt: operatorTo("halted"),
    operator_reduce: operatorTo("reducing"),
    operator_reset: refuse("the desk is active; there is nothing to reset (use reduce or halt)"),
  },
  reducing: {
    // Surprising edge: a daily-loss breach while reducing does NOT halt. The
    // operator chose reducing to cut the position; halting would block exactly
    // the orders that cut the loss. A rate-limit breach (a runaway loop) still halts.
    breach: (state, event, nowMs) => (event.kind === "breach" && event.halt.reason === "daily_loss" ? ok(state) : haltOnBreach(state, event, nowMs)),
    operator_halt: operatorTo("halted"),
    operator_reduce: stay,
    operator_reset: resetTo,
  },
  halted: {
    // Sticky: a further breach keeps the first cause and its time.
    breach: stay,
    operator_halt: stay,
    operator_reduce: refuse("the desk is halted; leaving halted needs an operator reset with a reason"),
    operator_reset: resetTo,
  },
};

/** The pure transition: (state, event) → new state, or why not. Same object back when nothing changes. */
export function transitionTradingState(state: TradingState, event: TradingEvent, nowMs: number): Result<TradingState, TransitionError> {
  if (event.kind !== "breach") {
    if (typeof event.reason !== "string" || event.reason.trim().length === 0) return err({ kind: "reason_required", event: event.kind });
    if (typeof event.actor !== "string" || event.actor.trim().length === 0) return err({ kind: "actor_required", event: event.kind });
  }
  return table[state.mode][event.kind](state, event, nowMs);
}
