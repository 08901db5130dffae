import { describe, expect, it } from "vitest";
import type { RiskHaltEvent } from "./rejection.js";
import { initialTradingState, transitionTradingState, type TradingEvent, type TradingMode, type TradingState } from "./trading-state.js";
import type { Micros } from "@mqk/core";

const lossHalt: RiskHaltEvent = {
  kind: "risk_halt",
  reason: "daily_loss",
  message: "daily loss 1200 exceeds 1000",
  atMs: 5,
  numbers: { limitMicros: 1n as Micros, lossMicros: 2n as Micros, dayStartMs: 0 },
};
const rateHalt: RiskHaltEvent = {
  kind: "risk_halt",
  reason: "rate_limit",
  message: "order rate 6 exceeds 5",
  atMs: 5,
  numbers: { limitOrders: 5, actualOrders: 6, windowMs: 60_000 },
};

const events: Record<string, TradingEvent> = {
  "breach(daily_loss)": { kind: "breach", halt: lossHalt },
  "breach(rate_limit)": { kind: "breach", halt: rateHalt },
  operator_halt: { kind: "operator_halt", reason: "news", actor: "ops" },
  operator_reduce: { kind: "operator_reduce", reason: "flatten", actor: "ops" },
  "operator_reset(active)": { kind: "operator_reset", to: "active", reason: "reviewed", actor: "ops" },
  "operator_reset(reducing)": { kind: "operator_reset", to: "reducing", reason: "reviewed, flatten first", actor: "ops" },
};

const state = (mode: TradingMode): TradingState => ({ ...initialTradingState, mode, cause: mode === "active" ? "initial" : "operator", sinceMs: 1 });

/** Expected mode after each (mode, event), "same" when the state object comes back unchanged, or the refusal kind. */
const table: Record<TradingMode, Record<keyof typeof events, TradingMode | "same" | "not_allowed">> = {
  active: {
    "breach(daily_loss)": "halted",
    "breach(rate_limit)": "halted",
    operator_halt: "halted",
    operator_reduce: "reducing",
    "operator_reset(active)": "not_allowed",
    "operator_reset(reducing)": "not_allowed",
  },
  reducing: {
    "breach(daily_loss)": "same", // reducing is how the operator cuts the loss
    "breach(rate_limit)": "halted",
    operator_halt: "halted",
    operator_reduce: "same",
    "operator_reset(active)": "active",
    "operator_reset(reducing)": "same",
  },
  halted: {
    "breach(daily_loss)": "same",
    "breach(rate_limit)": "same",
    operator_halt: "same",
    operator_reduce: "not_allowed",
    "operator_reset(active)": "active",
    "operator_reset(reducing)": "reducing",
  },
};

const pairs = (Object.keys(table) as TradingMode[]).flatMap((mode) => Object.entries(table[mode]).map(([event, expected]) => ({ mode, event, expected })));

describe("trading state: every (mode, event) pair", () => {
  it.each(pairs)("R3: $mode + $event → $expected", ({ mode, event, expected }) => {
    const before = state(mode);
    const ev = events[event];
    if (ev === undefined) throw new Error(`no event ${event}`);
    const result = transitionTradingState(before, ev, 99);
    if (expected === "not_allowed") {
      expect(result).toMatchObject({ ok: false, error: { kind: "not_allowed", from: mode, event: ev.kind } });
      return;
    }
    if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.error)}`);
    if (expected === "same") {
      expect(result.value).toBe(before);
      return;
    }
    expect(result.value.mode).toBe(expected);
    expect(result.value.sinceMs).toBe(99);
    if (ev.kind === "breach") {
      expect(result.value).toMatchObject({ cause: ev.halt.reason, actor: "risk", reason: ev.halt.message });
    } else {
      expect(result.value).toMatchObject({ cause: "operator", actor: "ops", reason: ev.reason });
    }
  });

  it("R3: operator events need a reason and an actor (blank is refused)", () => {
    const halted = state("halted");
    expect(transitionTradingState(halted, { kind: "operator_reset", to: "active", reason: "   ", actor: "ops" }, 2)).toEqual({
      ok: false,
      error: { kind: "reason_required", event: "operator_reset" },
    });
    expect(transitionTradingState(halted, { kind: "operator_reset", to: "active", reason: "ok", actor: "" }, 2)).toEqual({
      ok: false,
      error: { kind: "actor_required", event: "operator_reset" },
    });
    expect(transitionTradingState(state("active"), { kind: "operator_halt", reason: "", actor: "ops" }, 2)).toMatchObject({
      ok: false,
      error: { kind: "reason_required" },
    });
  });

  it("a halt keeps its first cause when a second breach arrives", () => {
    const first = transitionTradingState(state("active"), { kind: "breach", halt: lossHalt }, 10);
    if (!first.ok) throw new Error("refused");
    const second = transitionTradingState(first.value, { kind: "breach", halt: rateHalt }, 20);
    expect(second.ok && second.value).toBe(first.value);
    expect(first.value).toMatchObject({ mode: "halted", cause: "daily_loss", sinceMs: 10 });
  });
});
