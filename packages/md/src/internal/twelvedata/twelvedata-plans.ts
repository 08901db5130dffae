/**
 * Credit budgets per TwelveData plan. Basic (free): 8 credits a minute and 800 a
 * day (API brief §2.5). Paid plans raise the per-minute budget and drop the daily
 * cap; the figures below are each plan's lowest tier as published on the
 * provider's pricing page [UNV] — a desk with a bigger tier passes
 * `deps.rateLimit`. One `/time_series` call for one symbol costs 1 credit.
 */
import type { RateLimit } from "../http/rate-limiter.js";
import type { MarketDataPlan } from "../provider.js";

export const twelveDataPlanLimits: Record<MarketDataPlan, RateLimit> = {
  free: { perMinute: 8, perDay: 800 },
  grow: { perMinute: 55 },
  pro: { perMinute: 610 },
  ultra: { perMinute: 2584 },
  enterprise: { perMinute: 10946 },
};
