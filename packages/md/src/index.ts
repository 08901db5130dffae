/**
 * @mqk/md — market data: the `MarketDataProvider` seam, its registry, the
 * TwelveData and FMP adapters, CSV files and their replay, and the one bar
 * validation every source goes through.
 *
 * Entry points: `createProviderRegistry` (built-ins: twelvedata, fmp, csv) and
 * `registry.create(settings, secrets, deps)`; `validateCsvFile` (for
 * `mqk data validate`) with `formatCsvLineError` / `formatCsvSummary`;
 * `streamCsvBars`, `replayBars`, `replayCsvFile`; `normaliseBar`,
 * `validateBarSeries` for any new source.
 *
 * Invariants:
 *  1. Every bar reaching a caller passed `bar-validation`: prices through core's
 *     toMicros (positive), volume through toShares (whole, ≥ 0), high ≥ max(open,
 *     close), low ≤ min(open, close), strictly increasing time per series.
 *  2. A bad bar fails the call that carried it, naming symbol, time, field and
 *     reason; bars are never repaired, filled or dropped silently.
 *  3. Bars are oldest first; `tsMs` is the UTC open instant (intraday) or 00:00
 *     UTC of the exchange date (daily).
 *  4. Remote adapters keep the plan's credit budget client-side, retry only 429,
 *     5xx and transport faults (bounded), and treat an error envelope inside an
 *     HTTP 200 as the error it is.
 *
 * Must never: put an API key in a URL that is logged, a log line or an error;
 * read the process environment (keys come from a SecretSource by env var NAME); import
 * @mqk/config; fill, drop or repair a bar (gaps are integrity's concern).
 */
export { barIntervals, intervalMs, barCloseTimeMs, dailyTsMsFromDate, utcDateOf, isBarInterval, type Bar, type BarInterval } from "./internal/bar.js";
export {
  normaliseBar,
  normaliseBarValues,
  validateBarSeries,
  BarSequenceGuard,
  type BarRejection,
  type BarRejectReason,
  type BarField,
  type RawBar,
  type RawBarValues,
  type BarValues,
} from "./internal/bar-validation.js";
export {
  silentLogger,
  type MarketDataProvider,
  type MarketDataSettings,
  type MarketDataPlan,
  type ProviderCapabilities,
  type ProviderDeps,
  type ProviderFactory,
  type HistoricalBarsRequest,
  type MdFailure,
  type MdResult,
  type MdLogger,
  type MdLogFields,
} from "./internal/provider.js";
export { createProviderRegistry, builtInProviders, type ProviderRegistry, type RegistryOptions } from "./internal/provider-registry.js";
export { createTwelveDataProvider, twelveDataDefaults } from "./internal/twelvedata/twelvedata-provider.js";
export { twelveDataPlanLimits } from "./internal/twelvedata/twelvedata-plans.js";
export { createFmpProvider, fmpDefaults } from "./internal/fmp/fmp-provider.js";
export { createCsvProvider } from "./internal/csv/csv-provider.js";
export { csvHeader, formatCsvLineError, type CsvLineError, type CsvField } from "./internal/csv/csv-format.js";
export { validateCsvFile, streamCsvBars, formatCsvSummary, intervalFromFileName, type CsvValidation, type StreamCsvOptions } from "./internal/csv/csv-file.js";
export type { CsvSummary } from "./internal/csv/csv-scan.js";
export {
  BarReplayer,
  replayBars,
  replayCsvFile,
  type ReplayOptions,
  type ReplaySpeed,
  type ReplayStats,
  type CsvReplayOptions,
} from "./internal/replay/bar-replayer.js";
export { CreditRateLimiter, type RateLimit } from "./internal/http/rate-limiter.js";
export { defaultRetryPolicy, type RetryPolicy } from "./internal/http/retry.js";
export { realSleep, type Sleep } from "./internal/sleep.js";

// ---- market calendar (E1) -------------------------------------------------------------------
// Exchange calendars: sessions, holidays, early closes and expected bar timestamps, with
// exchange-local time kept inside the calendar. NYSE covers 2000-01-01 … 2040-12-31 and
// throws a CalendarError outside it (never a guess).
export {
  type CalendarBarInterval,
  type CalendarDate,
  type Closure,
  type ExchangeCalendar,
  type ExpectedBarsQuery,
  type SessionKind,
  type SessionQueryOptions,
  type TradingSession,
} from "./internal/calendar/exchange-calendar.js";
export { NyseCalendar, nyseCalendar, NYSE_FIRST_DATE, NYSE_LAST_DATE } from "./internal/calendar/nyse-calendar.js";
export { CalendarError, type CalendarErrorReason, type CalendarInputError } from "./internal/calendar/calendar-error.js";
export { calendarDaysJson, type CalendarDayJson } from "./internal/calendar/calendar-days-json.js";
// ---- end market calendar --------------------------------------------------------------------
