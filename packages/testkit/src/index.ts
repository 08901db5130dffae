/**
 * @mqk/testkit — dev-only fakes: real HTTP/WebSocket servers on 127.0.0.1 that
 * speak the Alpaca, TwelveData, FMP and Discord protocols, with fault switches.
 * Only tests import this package. Each server binds to 127.0.0.1 on an
 * ephemeral port and never reaches the internet.
 */

// --- Alpaca fake (section owned by the Alpaca fake) ---

// --- TwelveData and FMP fakes (section owned by the market-data fakes) ---

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
