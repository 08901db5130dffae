/**
 * @mqk/testkit — dev-only fakes: real HTTP/WebSocket servers on 127.0.0.1 that
 * speak the Alpaca, TwelveData, FMP and Discord protocols, with fault switches.
 * Only tests import this package. Each server binds to 127.0.0.1 on an
 * ephemeral port and never reaches the internet.
 */

// --- Alpaca fake (section owned by the Alpaca fake) ---
export { startFakeAlpaca, type FakeAlpaca, type FakeAlpacaFaults, type FakeAlpacaKeyPair, type FakeAlpacaOptions } from "./internal/alpaca/fake-alpaca.js";
export {
  ORDER_SUBMIT as ALPACA_ORDER_SUBMIT,
  type FaultPatch as AlpacaFaultPatch,
  type FaultPhase as AlpacaFaultPhase,
  type FaultSettings as AlpacaFaultSettings,
  type RequestMatch as AlpacaRequestMatch,
  type RestFault as AlpacaRestFault,
  type StreamFaults as AlpacaStreamFaults,
} from "./internal/alpaca/faults.js";
export { DUPLICATE_CLIENT_ORDER_ID_MESSAGE } from "./internal/alpaca/alpaca-errors.js";
export type { AutoBehaviour as AlpacaAutoBehaviour } from "./internal/alpaca/order-book.js";
export type {
  Answer as AlpacaAnswer,
  AuthVerdict as AlpacaAuthVerdict,
  ObservedRequest as AlpacaObservedRequest,
  RequestRecord as AlpacaRequestRecord,
  Submission as AlpacaSubmission,
} from "./internal/alpaca/http-front.js";
export type { SubmissionOutcome as AlpacaSubmissionOutcome } from "./internal/alpaca/rest-api.js";
export type { TradeUpdate as AlpacaTradeUpdate, TradeUpdateEventName as AlpacaTradeUpdateEvent } from "./internal/alpaca/trade-update.js";
export type {
  StreamConnectionInfo as AlpacaStreamConnection,
  StreamDelivery as AlpacaStreamDelivery,
  StreamSettings as AlpacaStreamSettings,
} from "./internal/alpaca/trade-stream.js";
export type { FakeCalendarDay as AlpacaCalendarDay } from "./internal/alpaca/market-calendar.js";
export type { RateLimitSettings as AlpacaRateLimit } from "./internal/alpaca/rate-limit.js";
export type { OrderStatus as AlpacaOrderStatus } from "./internal/alpaca/fake-order.js";
export type { AlpacaAccountJson, AlpacaClockJson, AlpacaOrderJson, AlpacaPositionJson } from "./internal/alpaca/wire-types.js";

// --- TwelveData and FMP fakes (section owned by the market-data fakes) ---
export { startFakeTwelveData, type FakeTwelveData, type FakeTwelveDataOptions, type TwelveDataStatusMode } from "./internal/twelvedata/fake-twelvedata.js";
export { startFakeFmp, type FakeFmp, type FakeFmpOptions, type FmpShape } from "./internal/fmp/fake-fmp.js";
export { badBarDefects, type BadBarDefect, type MarketDataFault } from "./internal/twelvedata/fault-schedule.js";
export type { FakeMarketDataRequest } from "./internal/twelvedata/fake-http-server.js";

// --- Discord fake (section owned by the Discord fake) ---
export {
  startFakeDiscord,
  type FakeDiscord,
  type FakeDiscordFault,
  type FakeDiscordMessage,
  type FakeDiscordOptions,
  type FakeDiscordOutcome,
  type FakeDiscordRequest,
  type FakeDiscordWebhook,
} from "./internal/discord/fake-discord.js";
export { checkExecutePayload as checkDiscordExecutePayload, type PayloadProblem as DiscordPayloadProblem } from "./internal/discord/discord-payload-check.js";

export {};
