/**
 * Why risk said no, as values. Every rejection carries the numbers that caused
 * it, each named with its unit; the two that halt the desk carry the alert
 * event the caller routes (risk never sends alerts itself).
 */
import type { IntentId, Micros, Shares, StrategyId, Ticker } from "@mqk/core";
import type { TradingMode } from "./trading-state.js";

export type RiskHaltEvent =
  | {
      readonly kind: "risk_halt";
      readonly reason: "daily_loss";
      readonly message: string;
      readonly atMs: number;
      readonly numbers: { readonly limitMicros: Micros; readonly lossMicros: Micros; readonly dayStartMs: number };
    }
  | {
      readonly kind: "risk_halt";
      readonly reason: "rate_limit";
      readonly message: string;
      readonly atMs: number;
      readonly numbers: { readonly limitOrders: number; readonly actualOrders: number; readonly windowMs: number };
    };

export type RiskRejection =
  /** The request itself is malformed (a strategy bug). */
  | { readonly kind: "invalid_order"; readonly problem: string }
  | { readonly kind: "halted"; readonly reason: string; readonly sinceMs: number }
  | { readonly kind: "no_trusted_price"; readonly ticker: Ticker }
  | { readonly kind: "daily_loss"; readonly limitMicros: Micros; readonly actualMicros: Micros; readonly dayStartMs: number; readonly halt: RiskHaltEvent }
  | {
      readonly kind: "duplicate_intent";
      readonly intentId: IntentId;
      readonly strategyId: StrategyId;
      readonly decisionKey: string;
      readonly firstApprovedAtMs: number;
    }
  | { readonly kind: "max_qty"; readonly limitShares: Shares; readonly actualShares: Shares }
  | { readonly kind: "max_notional"; readonly limitMicros: Micros; readonly actualMicros: Micros; readonly priceMicros: Micros }
  | {
      readonly kind: "price_collar";
      readonly limitBps: number;
      /** Distance from the reference, rounded up, so a breach never reads as equal to the limit. */
      readonly actualBps: number;
      readonly referencePriceMicros: Micros;
      readonly orderPriceMicros: Micros;
      readonly lowMicros: Micros;
      readonly highMicros: Micros;
    }
  | { readonly kind: "reducing_only"; readonly mode: Extract<TradingMode, "reducing">; readonly positionShares: Shares; readonly postTradeShares: Shares }
  | { readonly kind: "max_position"; readonly limitShares: Shares; readonly actualShares: Shares; readonly positionShares: Shares }
  | { readonly kind: "max_gross_exposure"; readonly limitMicros: Micros; readonly actualMicros: Micros }
  | { readonly kind: "buying_power"; readonly limitMicros: Micros; readonly actualMicros: Micros }
  | { readonly kind: "rate_limit"; readonly limitOrders: number; readonly actualOrders: number; readonly windowMs: number; readonly halt: RiskHaltEvent };

export type RiskRejectionKind = RiskRejection["kind"];
