/**
 * The one alert router (S1.6): events in, Discord messages out, on named
 * channels. `send` is synchronous, never throws and never waits; delivery,
 * rate limits and retries happen per webhook in WebhookSender.
 */
import { systemClock, type Clock } from "@mqk/core";
import type { SecretSource } from "@mqk/secrets";
import { scrubbingLogger, stderrAlertLogger, type AlertLogger, type AlertLogCode } from "./alert-logger.js";
import type { OverflowPolicy } from "./bounded-queue.js";
import { builtInChannels, isValidChannelName, modeChannel, type AlertsSettings, type ChannelName, type DeskMode } from "./channels.js";
import { embedSize, fitMessage } from "./discord-limits.js";
import type { AlertEvent, AlertKind } from "./events.js";
import { renderEmbed, severityOf } from "./render-event.js";
import { routeEvent } from "./routing.js";
import { systemTimers, type TimerHandle, type Timers } from "./timers.js";
import { WebhookClient } from "./webhook-client.js";
import { WebhookEndpoint, type EndpointProblem } from "./webhook-endpoint.js";
import { WebhookSender, type EnqueueStatus, type GlobalGate, type PendingAlert, type RetryPolicy, type SenderStats } from "./webhook-sender.js";

export interface AlertRouterOptions {
  readonly mode: DeskMode;
  readonly settings: AlertsSettings;
  /** Looks up each channel's `webhookEnv` NAME; a missing secret leaves the channel unconfigured. */
  readonly secrets: SecretSource;
  readonly logger?: AlertLogger;
  /** Inject both or neither: waits are computed on `clock` and slept on `timers`. */
  readonly clock?: Clock;
  readonly timers?: Timers;
  readonly queue?: { readonly capacity?: number; readonly overflow?: OverflowPolicy };
  readonly retry?: Partial<RetryPolicy>;
  readonly requestTimeoutMs?: number;
  /** Added to every rate-limit wait, against clock skew and timer rounding. Default 50 ms. */
  readonly rateLimitMarginMs?: number;
  /** Use `?wait=true` so Discord confirms each message was saved. Default true. */
  readonly waitForConfirmation?: boolean;
  /** Display name override for the webhook's messages. */
  readonly username?: string;
}

export type DeliveryStatus = EnqueueStatus | "shared" | "unconfigured" | "failed";

export interface SendReceipt {
  readonly kind: AlertKind;
  readonly deliveries: readonly { readonly channel: ChannelName; readonly status: DeliveryStatus }[];
}

export type ChannelState = "active" | "unconfigured" | "invalid_url" | "disabled";

export interface ChannelStats {
  readonly channel: ChannelName;
  readonly state: ChannelState;
  readonly routed: number;
  /** Events dropped because the channel had no usable webhook. */
  readonly unconfiguredDrops: number;
}

export interface AlertRouterStats {
  readonly mode: DeskMode;
  readonly closed: boolean;
  readonly channels: readonly ChannelStats[];
  readonly webhooks: readonly SenderStats[];
  readonly internalErrors: number;
}

export interface HeartbeatHandle {
  stop(): void;
}

export interface HeartbeatOptions {
  /** Extra lines for each heartbeat (e.g. armed state); a throw is logged and the beat still goes. */
  readonly details?: () => Readonly<Record<string, string>>;
}

export interface CloseReport {
  /** Every queue emptied before the deadline. */
  readonly drained: boolean;
  /** Alerts still queued or in flight at the deadline, now dropped. */
  readonly abandoned: number;
}

export interface AlertRouter {
  readonly mode: DeskMode;
  send(event: AlertEvent): SendReceipt;
  /** Beats on the heartbeat channel every `heartbeatIntervalSeconds` (default 60); idempotent. */
  startHeartbeat(options?: HeartbeatOptions): HeartbeatHandle;
  stopHeartbeat(): void;
  stats(): AlertRouterStats;
  /** Resolves when every queue is empty and nothing is in flight. For tests and orderly shutdown. */
  idle(): Promise<void>;
  close(options?: { readonly drainMs?: number }): Promise<CloseReport>;
}

interface ChannelEntry {
  readonly name: ChannelName;
  readonly declared: boolean;
  state: ChannelState;
  readonly sender: WebhookSender | undefined;
  routed: number;
  unconfiguredDrops: number;
}

export const alertRouterDefaults = {
  queueCapacity: 256,
  overflow: "drop-oldest",
  heartbeatIntervalSeconds: 60,
  requestTimeoutMs: 10_000,
  rateLimitMarginMs: 50,
  drainMs: 5_000,
  retry: { maxAttempts: 4, baseBackoffMs: 500, maxBackoffMs: 8_000, maxRateLimitWaits: 10 },
} as const;

const problemText: Readonly<Record<EndpointProblem, string>> = {
  not_a_url: "is not a URL",
  host_not_discord: "is not an https URL on discord.com (or a loopback test host)",
  path_not_webhook: "does not have the path /api/webhooks/{id}/{token}",
};

/** Builds the router. Never throws: a bad channel is logged and left unconfigured. */
export function createAlertRouter(options: AlertRouterOptions): AlertRouter {
  return new Router(options);
}

class Router implements AlertRouter {
  readonly mode: DeskMode;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #logger: AlertLogger;
  readonly #client: WebhookClient;
  readonly #channels = new Map<ChannelName, ChannelEntry>();
  readonly #senders: WebhookSender[] = [];
  readonly #fragments: string[] = [];
  readonly #gate: GlobalGate = { blockedUntilMs: 0 };
  readonly #heartbeatMs: number;
  readonly #startedAtMs: number;
  #heartbeat: { timer: TimerHandle | undefined; readonly handle: HeartbeatHandle } | undefined;
  #internalErrors = 0;
  #closing: Promise<CloseReport> | undefined;

  constructor(options: AlertRouterOptions) {
    this.mode = options.mode;
    this.#clock = options.clock ?? systemClock;
    this.#timers = options.timers ?? systemTimers;
    this.#logger = scrubbingLogger(options.logger ?? stderrAlertLogger, () => this.#fragments);
    this.#startedAtMs = this.#clock.nowMs();
    const requestTimeoutMs = options.requestTimeoutMs ?? alertRouterDefaults.requestTimeoutMs;
    this.#client = new WebhookClient({ requestTimeoutMs, waitForConfirmation: options.waitForConfirmation ?? true });
    const interval = options.settings.heartbeatIntervalSeconds ?? alertRouterDefaults.heartbeatIntervalSeconds;
    if (!Number.isFinite(interval) || interval <= 0) {
      this.#log(
        "warn",
        "settings_invalid",
        [],
        `heartbeatIntervalSeconds must be a positive number of seconds; using ${String(alertRouterDefaults.heartbeatIntervalSeconds)}.`,
      );
    }
    this.#heartbeatMs = (Number.isFinite(interval) && interval > 0 ? interval : alertRouterDefaults.heartbeatIntervalSeconds) * 1000;
    this.#buildChannels(options);
  }

  #buildChannels(options: AlertRouterOptions): void {
    const retry: RetryPolicy = { ...alertRouterDefaults.retry, ...options.retry };
    const byEndpoint: { endpoint: WebhookEndpoint; channels: ChannelName[] }[] = [];
    const pendingEntries: { name: ChannelName; endpoint: WebhookEndpoint | undefined; state: ChannelState }[] = [];
    for (const [name, channel] of Object.entries(options.settings.channels)) {
      if (!isValidChannelName(name)) {
        this.#log("error", "channel_name_invalid", [], `A channel name must match [a-z][a-z0-9-]*; one configured name does not and is ignored.`);
        continue;
      }
      const secret = options.secrets.get(channel.webhookEnv);
      if (secret === undefined) {
        pendingEntries.push({ name, endpoint: undefined, state: "unconfigured" });
        continue;
      }
      this.#fragments.push(secret.reveal().trim());
      const parsed = WebhookEndpoint.parse(secret);
      if (!parsed.ok) {
        this.#log("error", "channel_invalid_url", [name], `The webhook URL for channel ${name} ${problemText[parsed.error]}; the channel is unconfigured.`);
        pendingEntries.push({ name, endpoint: undefined, state: "invalid_url" });
        continue;
      }
      this.#fragments.push(...parsed.value.revealFragments());
      const shared = byEndpoint.find((group) => group.endpoint.sameAs(parsed.value));
      if (shared === undefined) byEndpoint.push({ endpoint: parsed.value, channels: [name] });
      else shared.channels.push(name);
      pendingEntries.push({ name, endpoint: parsed.value, state: "active" });
    }
    const senders = byEndpoint.map(
      (group) =>
        new WebhookSender({
          endpoint: group.endpoint,
          channels: group.channels,
          client: this.#client,
          clock: this.#clock,
          timers: this.#timers,
          logger: this.#logger,
          gate: this.#gate,
          capacity: options.queue?.capacity ?? alertRouterDefaults.queueCapacity,
          overflow: options.queue?.overflow ?? alertRouterDefaults.overflow,
          retry,
          rateLimitMarginMs: options.rateLimitMarginMs ?? alertRouterDefaults.rateLimitMarginMs,
          ...(options.username === undefined ? {} : { username: options.username }),
          onGone: (sender, status, code) => this.#onGone(sender, status, code),
          onInternalError: (error) => this.#internalError(error),
        }),
    );
    this.#senders.push(...senders);
    for (const { name, endpoint, state } of pendingEntries) {
      const sender = endpoint === undefined ? undefined : senders.find((candidate) => candidate.endpoint.sameAs(endpoint));
      this.#channels.set(name, { name, declared: true, state, sender, routed: 0, unconfiguredDrops: 0 });
    }
  }

  send(event: AlertEvent): SendReceipt {
    try {
      return this.#send(event);
    } catch (error: unknown) {
      this.#internalError(error);
      return { kind: event.kind, deliveries: [] };
    }
  }

  #send(event: AlertEvent): SendReceipt {
    const deliveries: { channel: ChannelName; status: DeliveryStatus }[] = [];
    const used = new Set<WebhookSender>();
    let pending: PendingAlert | undefined;
    for (const channel of routeEvent(event, this.mode)) {
      const entry = this.#entry(channel);
      entry.routed += 1;
      if (this.#closing !== undefined) {
        deliveries.push({ channel, status: "closed" });
        continue;
      }
      const sender = entry.sender;
      if (sender === undefined) {
        entry.unconfiguredDrops += 1;
        if (entry.unconfiguredDrops === 1) this.#noticeUnconfigured(entry);
        deliveries.push({ channel, status: "unconfigured" });
        continue;
      }
      if (used.has(sender)) {
        deliveries.push({ channel, status: "shared" });
        continue;
      }
      used.add(sender);
      pending ??= this.#render(event);
      deliveries.push({ channel, status: pending === undefined ? "failed" : sender.enqueue(pending) });
    }
    return { kind: event.kind, deliveries };
  }

  #entry(channel: ChannelName): ChannelEntry {
    let entry = this.#channels.get(channel);
    if (entry === undefined) {
      entry = { name: channel, declared: false, state: "unconfigured", sender: undefined, routed: 0, unconfiguredDrops: 0 };
      this.#channels.set(channel, entry);
    }
    return entry;
  }

  #noticeUnconfigured(entry: ChannelEntry): void {
    const why =
      entry.state === "invalid_url"
        ? "its webhook URL is invalid (see the earlier channel_invalid_url entry)"
        : entry.declared
          ? "the environment variable named by its webhookEnv is not set"
          : "it is not declared under alerts.channels";
    this.#log(
      "warn",
      "channel_unconfigured",
      [entry.name],
      `Alerts for channel ${entry.name} are dropped: ${why}. This notice is logged once; drops are counted in stats().`,
    );
  }

  #render(event: AlertEvent): PendingAlert | undefined {
    try {
      const [embed] = fitMessage({ embeds: [renderEmbed(event, this.mode, this.#clock.nowMs())] }).embeds ?? [];
      if (embed === undefined) return undefined;
      return { embed, size: embedSize(embed), critical: severityOf(event) === "critical" };
    } catch (error: unknown) {
      this.#internalErrors += 1;
      this.#log("error", "render_failed", [], `An alert of kind ${event.kind} could not be rendered (${errorName(error)}); it is dropped.`);
      return undefined;
    }
  }

  #onGone(sender: WebhookSender, status: number, discordCode: number | undefined): void {
    for (const name of sender.channels) {
      const entry = this.#channels.get(name);
      if (entry !== undefined) entry.state = "disabled";
    }
    if (this.#closing !== undefined) return;
    const event: AlertEvent = { kind: "alert_channel_disabled", channels: sender.channels, status, ...(discordCode === undefined ? {} : { discordCode }) };
    const target = this.#fallbackFor(event, sender);
    if (target === undefined) {
      this.#log(
        "error",
        "no_channel_for_disable_notice",
        sender.channels,
        "No other working alert channel is left to announce that this webhook was disabled.",
      );
      return;
    }
    const pending = this.#render(event);
    if (pending !== undefined) target.enqueue(pending);
  }

  /** The event's own route first (alerts), then the mode's channel, heartbeat, c2, then any other configured channel. */
  #fallbackFor(event: AlertEvent, dead: WebhookSender): WebhookSender | undefined {
    const custom = [...this.#channels.keys()].filter((name) => !(builtInChannels as readonly string[]).includes(name)).sort();
    const order = [...routeEvent(event, this.mode), modeChannel(this.mode), "heartbeat", "c2", ...builtInChannels, ...custom];
    for (const name of order) {
      const sender = this.#channels.get(name)?.sender;
      if (sender !== undefined && sender !== dead && sender.enabled) return sender;
    }
    return undefined;
  }

  startHeartbeat(options: HeartbeatOptions = {}): HeartbeatHandle {
    if (this.#heartbeat !== undefined) return this.#heartbeat.handle;
    const state: { timer: TimerHandle | undefined; readonly handle: HeartbeatHandle } = {
      timer: undefined,
      handle: {
        stop: () => {
          state.timer?.cancel();
          state.timer = undefined;
          if (this.#heartbeat === state) this.#heartbeat = undefined;
        },
      },
    };
    const beat = (): void => {
      if (this.#heartbeat !== state) return;
      this.send({ kind: "heartbeat", uptimeMs: this.#clock.nowMs() - this.#startedAtMs, details: this.#heartbeatDetails(options) });
      state.timer = this.#timers.schedule(this.#heartbeatMs, beat);
    };
    this.#heartbeat = state;
    if (this.#closing === undefined) state.timer = this.#timers.schedule(this.#heartbeatMs, beat);
    return state.handle;
  }

  stopHeartbeat(): void {
    this.#heartbeat?.handle.stop();
  }

  #heartbeatDetails(options: HeartbeatOptions): Readonly<Record<string, string>> {
    const totals = this.#senders.reduce(
      (acc, sender) => {
        const s = sender.stats();
        return { delivered: acc.delivered + s.delivered, dropped: acc.dropped + s.droppedOverflow + s.droppedFailed + s.droppedRejected + s.droppedDisabled };
      },
      { delivered: 0, dropped: 0 },
    );
    let extra: Readonly<Record<string, string>> = {};
    try {
      extra = options.details?.() ?? {};
    } catch (error: unknown) {
      this.#log("warn", "heartbeat_details_failed", ["heartbeat"], `The heartbeat details callback threw (${errorName(error)}); the beat goes without them.`);
    }
    return { mode: this.mode, "alerts delivered": String(totals.delivered), "alerts dropped": String(totals.dropped), ...extra };
  }

  stats(): AlertRouterStats {
    return {
      mode: this.mode,
      closed: this.#closing !== undefined,
      channels: [...this.#channels.values()].map((entry) => ({
        channel: entry.name,
        state: entry.state,
        routed: entry.routed,
        unconfiguredDrops: entry.unconfiguredDrops,
      })),
      webhooks: this.#senders.map((sender) => sender.stats()),
      internalErrors: this.#internalErrors,
    };
  }

  async idle(): Promise<void> {
    // A sender that finishes can wake another (a disable notice), so wait until a full pass finds all idle.
    for (;;) {
      await Promise.all(this.#senders.map((sender) => sender.whenIdle()));
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.#senders.every((sender) => sender.stats().queued === 0 && sender.stats().inFlight === 0)) return;
    }
  }

  close(options: { readonly drainMs?: number } = {}): Promise<CloseReport> {
    this.#closing ??= this.#close(options.drainMs ?? alertRouterDefaults.drainMs);
    return this.#closing;
  }

  async #close(drainMs: number): Promise<CloseReport> {
    this.#heartbeat?.handle.stop();
    let deadline: TimerHandle | undefined;
    const drained = await Promise.race([
      this.idle().then(() => true),
      new Promise<boolean>((resolve) => {
        // keepAlive: an orderly shutdown should get its drain time even if nothing else holds the process open.
        deadline = this.#timers.schedule(Math.max(0, drainMs), () => resolve(false), { keepAlive: true });
      }),
    ]);
    deadline?.cancel();
    const abandoned = this.#senders.reduce((sum, sender) => sum + sender.abandon(), 0);
    if (abandoned > 0)
      this.#log("warn", "closed_with_pending", [], `Closed with ${String(abandoned)} alert(s) undelivered after ${String(drainMs)} ms of draining.`);
    await this.#client.close();
    return { drained, abandoned };
  }

  #internalError(error: unknown): void {
    this.#internalErrors += 1;
    this.#log("error", "internal_error", [], `Internal fault in the alert router (${errorName(error)}); alerting continues.`);
  }

  #log(level: "info" | "warn" | "error", code: AlertLogCode, channels: readonly string[], message: string): void {
    this.#logger.log({ level, code, channels, message });
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
