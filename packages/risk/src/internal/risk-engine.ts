/**
 * The risk engine: `approve` runs every pre-trade check and is the only place an
 * ApprovedOrder is minted. Order of the checks (the first failure is returned):
 *
 *   1. malformed request                      → invalid_order
 *   2. mode halted                            → halted
 *   3. no trusted price for the ticker        → no_trusted_price
 *   4. (active only) daily loss over limit    → HALT, daily_loss
 *   5. decision already approved              → duplicate_intent
 *   6. R1 quantity, notional, price collar    → max_qty | max_notional | price_collar
 *   7. mode reducing and order not reducing   → reducing_only
 *   8. R2 position, gross exposure, buying power (not for reducing orders)
 *   9. orders approved in the last 60 s ≥ max → HALT, rate_limit
 *  10. record the approval (unique key)       → duplicate_intent on a race
 *
 * The throttle counts approvals (orders that will reach the broker), not
 * attempts, so a strategy whose orders are refused for size is not halted for it.
 * Step 4 is skipped while reducing: the operator chose reducing to cut a loss,
 * and the orders that cut it must pass (see trading-state.ts).
 *
 * Connections: everything but a halt runs on the caller's executor — the reads
 * (one round trip, baseline included) and the writes (the approval, and the
 * day's first baseline). Only a halt opens the store's own transaction, so a
 * halting approve needs one spare pool connection; nothing else does.
 */
import { err, ok, type Clock, type Micros, type Result, type Ticker } from "@mqk/core";
import { mintApprovedOrder, type ApprovedOrder } from "./approved-order.js";
import { lossSince, markSnapshot, utcDayStartMs } from "./daily-loss.js";
import { dailyLossHalt, RATE_WINDOW_MS, rateLimitHalt } from "./halt-events.js";
import { normaliseLimits, type NormalisedLimits, type RiskLimits } from "./limits.js";
import { intentIdFor, requestProblem, type OrderRequest } from "./order-request.js";
import { checkExposure, checkOrderLimits, orderExposure } from "./pre-trade-checks.js";
import type { RiskHaltEvent, RiskRejection } from "./rejection.js";
import type { RiskSnapshot } from "./risk-snapshot.js";
import type { DayBaseline, RiskExecutor, RiskStateStore } from "./risk-state-store.js";

export interface RiskEngineOptions {
  readonly limits: RiskLimits;
  readonly store: RiskStateStore;
  readonly clock: Clock;
  /** Start (epoch ms) of the trading day that contains `nowMs`. Default: UTC midnight. */
  readonly dayStartOf?: (nowMs: number) => number;
  /** Called once for each halt this engine causes, after it is committed. */
  readonly onHalt?: (event: RiskHaltEvent) => void;
}

export interface DailyLossStatus {
  readonly dayStartMs: number;
  readonly baselinePnlMicros: Micros;
  readonly pnlMicros: Micros;
  /** Positive when money was lost since the day start. */
  readonly lossMicros: Micros;
  readonly limitMicros: Micros;
  readonly breached: boolean;
  /** The halt this check caused, if it caused one. */
  readonly halt: RiskHaltEvent | null;
}

export interface RiskEngine {
  readonly limits: NormalisedLimits;
  readonly store: RiskStateStore;
  /**
   * Runs every check; on success records the approval in `executor` (the
   * transaction that will write the outbox row) and returns the ApprovedOrder.
   */
  approve(executor: RiskExecutor, request: OrderRequest, snapshot: RiskSnapshot): Promise<Result<ApprovedOrder, RiskRejection>>;
  /**
   * R3 on a mark, without an order (call it on every bar): halts an active desk
   * whose loss since the day start exceeds the limit.
   */
  checkDailyLoss(snapshot: RiskSnapshot): Promise<Result<DailyLossStatus, { readonly kind: "no_trusted_price"; readonly ticker: Ticker }>>;
}

export function createRiskEngine(options: RiskEngineOptions): RiskEngine {
  const limits = normaliseLimits(options.limits);
  const { store, clock } = options;
  const dayStartOf = options.dayStartOf ?? utcDayStartMs;

  // A day's baseline never changes once stored (dayBaseline only moves forward),
  // so the engine reads it from the database once per day.
  let baselineCache: DayBaseline | undefined;

  async function halt(event: RiskHaltEvent): Promise<void> {
    const applied = await store.applyEvent({ kind: "breach", halt: event }, event.atMs);
    if (applied.ok && applied.value.changed) options.onHalt?.(event);
  }

  function lossStatus(baseline: DayBaseline, pnlMicros: Micros): Omit<DailyLossStatus, "halt"> {
    const lossMicros = lossSince(baseline.pnlMicros, pnlMicros);
    return {
      dayStartMs: baseline.dayStartMs,
      baselinePnlMicros: baseline.pnlMicros,
      pnlMicros,
      lossMicros,
      limitMicros: limits.dailyLossLimitMicros,
      breached: lossMicros > limits.dailyLossLimitMicros,
    };
  }

  /** R3 on a mark with no caller transaction: baseline read (and stored) on the root. */
  async function dailyLoss(
    snapshot: RiskSnapshot,
    nowMs: number,
    mayHalt: boolean,
  ): Promise<Result<DailyLossStatus, { readonly kind: "no_trusted_price"; readonly ticker: Ticker }>> {
    const marks = markSnapshot(snapshot);
    if (!marks.ok) return marks;
    const dayStartMs = dayStartOf(nowMs);
    const baseline =
      baselineCache !== undefined && baselineCache.dayStartMs === dayStartMs
        ? baselineCache
        : await store.dayBaseline(dayStartMs, marks.value.totalPnlMicros, marks.value.equityMicros);
    baselineCache = baseline;
    const status = lossStatus(baseline, marks.value.totalPnlMicros);
    let haltEvent: RiskHaltEvent | null = null;
    if (status.breached && mayHalt) {
      haltEvent = dailyLossHalt(limits.dailyLossLimitMicros, status.lossMicros, baseline.dayStartMs, nowMs);
      await halt(haltEvent);
    }
    return ok({ ...status, halt: haltEvent });
  }

  async function approve(executor: RiskExecutor, request: OrderRequest, snapshot: RiskSnapshot): Promise<Result<ApprovedOrder, RiskRejection>> {
    const nowMs = clock.nowMs();
    const problem = requestProblem(request);
    if (problem !== undefined) return err({ kind: "invalid_order", problem });

    const intentId = intentIdFor(request.strategyId, request.decisionKey);
    const context = await store.approvalContext(executor, intentId, nowMs - RATE_WINDOW_MS, limits.maxOrdersPerMinute);
    const { state } = context;
    if (state.mode === "halted") return err({ kind: "halted", reason: state.reason, sinceMs: state.sinceMs });

    const reference = snapshot.trustedPricesMicros.get(request.ticker);
    if (reference === undefined || reference <= 0n) return err({ kind: "no_trusted_price", ticker: request.ticker });

    // R3 daily loss against the baseline approvalContext read on the caller's
    // connection. On the day's first mark this order IS the baseline (loss 0);
    // storing it waits until the outcome is known (see settleBaseline).
    let newBaseline: { readonly dayStartMs: number; readonly pnlMicros: Micros; readonly equityMicros: Micros } | undefined;
    if (state.mode === "active") {
      const marks = markSnapshot(snapshot);
      if (!marks.ok) return marks;
      const dayStartMs = dayStartOf(nowMs);
      const stored = context.dayBaseline;
      const { totalPnlMicros, equityMicros } = marks.value;
      if (stored === undefined || stored.dayStartMs < dayStartMs) newBaseline = { dayStartMs, pnlMicros: totalPnlMicros, equityMicros };
      const loss = lossStatus(newBaseline ?? stored ?? { dayStartMs, pnlMicros: totalPnlMicros }, totalPnlMicros);
      if (loss.breached) {
        // only a stored baseline can be breached, so the caller's transaction holds no lock on risk_state here
        const event = dailyLossHalt(limits.dailyLossLimitMicros, loss.lossMicros, loss.dayStartMs, nowMs);
        await halt(event);
        return err({ kind: "daily_loss", limitMicros: loss.limitMicros, actualMicros: loss.lossMicros, dayStartMs: loss.dayStartMs, halt: event });
      }
    }
    /**
     * Stores the day's first mark. In the caller's transaction (no second
     * connection; it holds risk_state's row until the caller commits), except
     * after a halt: the halt's own transaction must not wait on that row lock.
     */
    const settleBaseline = async (onCallersConnection: boolean): Promise<void> => {
      if (newBaseline === undefined) return;
      const { dayStartMs, pnlMicros, equityMicros } = newBaseline;
      await (onCallersConnection ? store.dayBaseline(dayStartMs, pnlMicros, equityMicros, executor) : store.dayBaseline(dayStartMs, pnlMicros, equityMicros));
    };

    const duplicate = (firstApprovedAtMs: number): RiskRejection => ({
      kind: "duplicate_intent",
      intentId,
      strategyId: request.strategyId,
      decisionKey: request.decisionKey,
      firstApprovedAtMs,
    });
    const refusal = (): RiskRejection | undefined => {
      if (context.firstApprovedAtMs !== undefined) return duplicate(context.firstApprovedAtMs);
      const r1 = checkOrderLimits(request, reference, limits);
      if (r1 !== undefined) return r1;
      const exposure = orderExposure(request, snapshot);
      if (state.mode === "reducing" && !exposure.reducing) {
        return { kind: "reducing_only", mode: "reducing", positionShares: exposure.positionShares, postTradeShares: exposure.afterShares };
      }
      return checkExposure(request, reference, exposure, snapshot, limits);
    };
    const refused = refusal();
    if (refused !== undefined) {
      await settleBaseline(true);
      return err(refused);
    }

    const recent = context.recentApprovals;
    if (recent >= limits.maxOrdersPerMinute) {
      const event = rateLimitHalt(limits.maxOrdersPerMinute, recent + 1, nowMs);
      await halt(event);
      await settleBaseline(false);
      return err({ kind: "rate_limit", limitOrders: limits.maxOrdersPerMinute, actualOrders: recent + 1, windowMs: RATE_WINDOW_MS, halt: event });
    }

    const fields = {
      intentId,
      strategyId: request.strategyId,
      decisionKey: request.decisionKey,
      ticker: request.ticker,
      side: request.side,
      qtyShares: request.qtyShares,
      type: request.type,
      limitPriceMicros: request.type === "limit" ? request.limitPriceMicros : null,
      timeInForce: request.timeInForce ?? "day",
      referencePriceMicros: reference,
      approvedAtMs: nowMs,
    };
    await settleBaseline(true);
    if ((await store.recordApproval(executor, fields)) === "duplicate") {
      // another transaction approved the same decision between our read and our insert
      return err(duplicate((await store.findApproval(executor, intentId))?.approvedAtMs ?? nowMs));
    }
    return ok(mintApprovedOrder(fields));
  }

  return Object.freeze({
    limits,
    store,
    approve,
    checkDailyLoss: async (snapshot: RiskSnapshot) => {
      const state = await store.readTradingState();
      return dailyLoss(snapshot, clock.nowMs(), state.mode === "active");
    },
  });
}
