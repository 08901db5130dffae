/** Helpers for the contract tests: a secret source, a recording logger, manual timers. */
import type { FakeClock } from "@mqk/core";
import { Secret, type SecretSource } from "@mqk/secrets";
import type { AlertLogEntry, AlertLogger, AlertsSettings, Timers, TimerHandle } from "@mqk/alerts";
import type { FakeDiscord } from "@mqk/testkit";

export function secretSource(values: Readonly<Record<string, string>>): SecretSource {
  return { get: (name) => (values[name] === undefined ? undefined : new Secret(name, values[name])) };
}

export class RecordingLogger implements AlertLogger {
  readonly entries: AlertLogEntry[] = [];
  log(entry: AlertLogEntry): void {
    this.entries.push(entry);
  }
  codes(): string[] {
    return this.entries.map((e) => e.code);
  }
}

export const tokenFor = (channel: string): string => `tok-${channel}-0123456789abcdefABCDEF_`;
export const envFor = (channel: string): string => `MQK_${channel.toUpperCase().replace(/-/g, "_")}_WEBHOOK`;

/**
 * Registers one webhook per channel on the fake (ids 1001, 1002, … in order) and
 * returns matching settings and secrets. Channels listed in `unset` are declared
 * in settings but their environment variable is left unset.
 */
export function deskWiring(
  fake: FakeDiscord,
  channels: readonly string[],
  options: { readonly unset?: readonly string[]; readonly heartbeatIntervalSeconds?: number } = {},
): { settings: AlertsSettings; secrets: SecretSource; idOf: (channel: string) => string } {
  const ids = new Map<string, string>();
  const values: Record<string, string> = {};
  const declared: Record<string, { webhookEnv: string }> = {};
  channels.forEach((channel, i) => {
    const id = String(1001 + i);
    ids.set(channel, id);
    fake.addWebhook({ id, token: tokenFor(channel) });
    declared[channel] = { webhookEnv: envFor(channel) };
    if (!(options.unset ?? []).includes(channel)) values[envFor(channel)] = fake.webhookUrl(id, tokenFor(channel));
  });
  return {
    settings: { channels: declared, ...(options.heartbeatIntervalSeconds === undefined ? {} : { heartbeatIntervalSeconds: options.heartbeatIntervalSeconds }) },
    secrets: secretSource(values),
    idOf: (channel) => {
      const id = ids.get(channel);
      if (id === undefined) throw new Error(`no webhook for channel ${channel}`);
      return id;
    },
  };
}

/** Timers driven by a FakeClock: nothing fires until `advance`. */
export class ManualTimers implements Timers {
  readonly clock: FakeClock;
  #pending: { dueMs: number; callback: () => void; cancelled: boolean }[] = [];

  constructor(clock: FakeClock) {
    this.clock = clock;
  }

  schedule(delayMs: number, callback: () => void): TimerHandle {
    const timer = { dueMs: this.clock.nowMs() + Math.max(0, Math.ceil(delayMs)), callback, cancelled: false };
    this.#pending.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  /** Delays (from now) of the timers still pending. */
  pendingDelays(): number[] {
    return this.#pending.filter((t) => !t.cancelled).map((t) => t.dueMs - this.clock.nowMs());
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const target = this.clock.nowMs() + ms;
    for (;;) {
      const next = this.#pending.filter((t) => !t.cancelled && t.dueMs <= target).sort((a, b) => a.dueMs - b.dueMs)[0];
      if (next === undefined) break;
      this.#pending = this.#pending.filter((t) => t !== next);
      if (next.dueMs > this.clock.nowMs()) this.clock.set(next.dueMs);
      next.callback();
    }
    this.clock.set(target);
  }
}

/** The event kind of each embed a webhook received (the router writes it last in the footer). */
export function kindsReceived(fake: FakeDiscord, webhookId: string): string[] {
  return fake.messagesFor(webhookId).flatMap((m) => embedsOf(m.payload).map((e) => footerKind(e)));
}

export function embedsOf(payload: Readonly<Record<string, unknown>>): readonly Readonly<Record<string, unknown>>[] {
  const embeds = payload["embeds"];
  return Array.isArray(embeds) ? (embeds as Readonly<Record<string, unknown>>[]) : [];
}

function footerKind(embed: Readonly<Record<string, unknown>>): string {
  const footer = embed["footer"] as { text?: string } | undefined;
  return footer?.text?.split(" · ").at(-1) ?? "";
}

export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
