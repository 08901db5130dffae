/**
 * @mqk/alerts — the one Discord alert router (S1.6).
 *
 * Entry points:
 *  - `createAlertRouter({ mode, settings, secrets, … })` → `AlertRouter` with
 *    `send(event)`, `startHeartbeat()` / `stopHeartbeat()` (or the handle's `stop()`),
 *    `stats()`, `idle()`, `close({ drainMs })`;
 *  - `AlertEvent` (a union on `kind`), `routingTable` / `routeEvent`, `severityOf`;
 *  - `fitMessage` / `limitViolations` / `discordLimits`: Discord's message limits.
 *
 * Channels: paper, live, backtest, alerts, heartbeat, c2, and any `[a-z][a-z0-9-]*`
 * declared in config. Each maps to the NAME of an environment variable that holds
 * its webhook URL, looked up once in the `SecretSource` at construction.
 *
 * Invariants:
 *  1. Every kind is routed, given a severity and rendered: the tables are typed
 *     `Record<AlertKind, …>`, so a new kind does not compile until all three know it.
 *  2. `send` is synchronous, returns at once, never throws and never waits on the
 *     network. Delivery runs later, one request in flight per webhook.
 *  3. Each webhook has a bounded queue (default 256). Overflow policy "drop-oldest"
 *     (default) evicts the oldest entry, "drop-newest" refuses the newcomer; under
 *     both, a critical alert is never evicted for a lesser one. Every drop is counted.
 *  4. Discord's limits are honoured: 429 `retry_after` (seconds, float), global 429s
 *     for every webhook, and the bucket headers (`X-RateLimit-Remaining: 0` → wait
 *     `X-RateLimit-Reset-After`). 5xx and network errors get bounded retries with
 *     exponential backoff (a retried POST may post twice: webhooks are not idempotent).
 *  5. A webhook answering 404 (Unknown Webhook, 10015) or 401 is disabled for good,
 *     with exactly one `alert_channel_disabled` alert on another channel (alerts,
 *     else the mode's channel, heartbeat, c2, any other).
 *  6. Every message fits Discord's limits (2000 content, 10 embeds, 6000 in total,
 *     256 title, 4096 description, 25 fields of 256/1024, 2048 footer): cut with an
 *     ellipsis, never refused. Mentions are never parsed (`allowed_mentions.parse: []`).
 *  7. Unconfigured channels drop their alerts, counted, with one logged notice each.
 *  8. Timers are injectable and unref'd: alerting never keeps the process alive
 *     (except `close`'s drain deadline, on purpose).
 *
 * Must never: log, throw, return or put into an event a webhook URL, token or id
 * (S1.5) — the logger receives channel names only; block or throw into trading;
 * read the environment; import @mqk/config.
 */
export { createAlertRouter, alertRouterDefaults } from "./internal/alert-router.js";
export type {
  AlertRouter,
  AlertRouterOptions,
  AlertRouterStats,
  ChannelStats,
  ChannelState,
  CloseReport,
  DeliveryStatus,
  HeartbeatHandle,
  HeartbeatOptions,
  SendReceipt,
} from "./internal/alert-router.js";
export type { SenderStats as WebhookStats, RetryPolicy } from "./internal/webhook-sender.js";
export type { OverflowPolicy } from "./internal/bounded-queue.js";
export {
  builtInChannels,
  channelNamePattern,
  modeChannel,
  type AlertsSettings,
  type BuiltInChannel,
  type ChannelName,
  type ChannelSettings,
  type DeskMode,
  type ModeChannel,
} from "./internal/channels.js";
export { alertKinds, severities, type AlertEvent, type AlertEventOf, type AlertKind, type OrderSide, type Severity } from "./internal/events.js";
export { routingTable, routeEvent, type RoutingTable } from "./internal/routing.js";
export { sampleEvent as sampleAlertEvent } from "./internal/sample-events.js";
export { renderEmbed, severityOf, severityColours } from "./internal/render-event.js";
export { discordLimits, embedSize, fitMessage, limitViolations, truncateText } from "./internal/discord-limits.js";
export type { DiscordEmbed, DiscordEmbedField, DiscordMessage } from "./internal/discord-message.js";
export { stderrAlertLogger, type AlertLogCode, type AlertLogEntry, type AlertLogger, type AlertLogLevel } from "./internal/alert-logger.js";
export { systemTimers, type TimerHandle, type Timers } from "./internal/timers.js";
