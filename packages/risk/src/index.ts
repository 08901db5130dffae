/**
 * @mqk/risk — pre-trade risk in the spirit of the market-access rule (SEC 15c3-5),
 * standing in front of execution.
 *
 * Entry points: `createRiskEngine({ limits, store, clock })` → `engine.approve(tx,
 * request, snapshot)` (the ONLY way to mint an `ApprovedOrder`) and
 * `engine.checkDailyLoss(snapshot)` (R3 on a mark, no order); `RiskStateStore`
 * (persisted mode, day baseline, approvals, mode history) with the operator verbs
 * through `store.applyEvent`; `transitionTradingState`, the pure kill-switch table.
 *
 * Invariants:
 *  1. R1 per order: max quantity, max notional, price collar (bps) against the last
 *     trusted price. No trusted price → rejected (fail closed). Market orders are
 *     valued at the trusted price, limit orders at max(limit, trusted).
 *  2. R2 post-trade, counting working orders as filled: max |position| per symbol,
 *     max gross exposure, buying power for the opening part. An order that only
 *     brings a position towards zero is never blocked by R2.
 *  3. R3 a daily loss (realised + unrealised since the day's first mark — so call
 *     checkDailyLoss at the day's start and on every bar) over the limit, or more
 *     approvals in a rolling minute than allowed, HALTS: committed
 *     in risk's own transaction (it survives the caller's rollback and a restart)
 *     and returned as a `risk_halt` event for the caller to route.
 *  4. R4 a strategy decision (strategyId + decisionKey → deterministic intent id)
 *     is approved at most once, ever; the approval row is written in the caller's
 *     transaction, so it exists exactly when the outbox row does.
 *  5. Trading mode active | reducing | halted: reducing passes only orders that
 *     bring a position towards zero without crossing it; halted passes nothing;
 *     leaving halted needs an operator reset with a reason.
 *  6. Every rejection is a value with a kind and the numbers that caused it.
 *
 *  7. approve(tx, …) runs on the caller's connection only — reads, the approval and
 *     the day's first baseline — so concurrent approving transactions never wait on
 *     the pool for each other. A HALTING approve needs one spare connection (the
 *     halt commits in risk's own transaction while the caller's stays open).
 *
 * Must never: mint an ApprovedOrder anywhere but approve(); send alerts or talk to
 * a broker; read the environment; round money outside divRound; keep a halt only
 * in memory. Callers must not hold a lock on risk_state while calling in, and
 * approve at most once per transaction (the day's first approval holds
 * risk_state's row until commit; a later halt in that transaction would wait on it).
 */
export type { ApprovedOrder, ApprovedOrderFields } from "./internal/approved-order.js";
export { isApprovedOrder } from "./internal/approved-order.js";
export { createRiskEngine, type RiskEngine, type RiskEngineOptions, type DailyLossStatus } from "./internal/risk-engine.js";
export {
  RiskStateStore,
  type RiskExecutor,
  type DayBaseline,
  type AppliedTradingEvent,
  type ApprovalContext,
  type RiskEventRecord,
} from "./internal/risk-state-store.js";
export { normaliseLimits, type RiskLimits, type NormalisedLimits } from "./internal/limits.js";
export {
  intentIdFor,
  MAX_DECISION_KEY_LENGTH,
  type OrderRequest,
  type MarketOrderRequest,
  type LimitOrderRequest,
  type OrderSide,
  type TimeInForce,
} from "./internal/order-request.js";
export type { RiskSnapshot, OpenOrderExposure } from "./internal/risk-snapshot.js";
export type { RiskRejection, RiskRejectionKind, RiskHaltEvent } from "./internal/rejection.js";
export {
  transitionTradingState,
  initialTradingState,
  RISK_ACTOR,
  type TradingMode,
  type TradingCause,
  type TradingState,
  type TradingEvent,
  type TradingEventKind,
  type TransitionError,
} from "./internal/trading-state.js";
export { utcDayStartMs } from "./internal/daily-loss.js";
export { RATE_WINDOW_MS } from "./internal/halt-events.js";
