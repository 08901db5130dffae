/**
 * What the router tells its logger. Entries carry channel names, counts,
 * HTTP statuses and Discord codes — never a URL, token or webhook id (S1.5).
 * As a second line of defence every message passes a scrubber that removes the
 * configured tokens and anything shaped like a webhook path.
 */
import { redactWebhookUrls } from "./webhook-endpoint.js";

export type AlertLogLevel = "info" | "warn" | "error";

export type AlertLogCode =
  | "settings_invalid"
  | "channel_unconfigured"
  | "channel_invalid_url"
  | "channel_name_invalid"
  | "webhook_disabled"
  | "queue_overflow"
  | "delivery_failed"
  | "delivery_rejected"
  | "rate_limited"
  | "retry_after_suspicious"
  | "render_failed"
  | "heartbeat_details_failed"
  | "no_channel_for_disable_notice"
  | "internal_error"
  | "closed_with_pending";

export interface AlertLogEntry {
  readonly level: AlertLogLevel;
  readonly code: AlertLogCode;
  /** Channel names concerned (names are not secrets). */
  readonly channels: readonly string[];
  readonly message: string;
  readonly status?: number;
  readonly discordCode?: number;
  readonly count?: number;
}

export interface AlertLogger {
  log(entry: AlertLogEntry): void;
}

/** Default: one JSON line per entry on stderr. */
export const stderrAlertLogger: AlertLogger = {
  log(entry) {
    process.stderr.write(`${JSON.stringify({ component: "alerts", ...entry })}\n`);
  },
};

/** Wraps a logger: scrubs secret fragments from messages and never lets the logger throw into the router. */
export function scrubbingLogger(inner: AlertLogger, fragments: () => readonly string[]): AlertLogger {
  return {
    log(entry) {
      let message = redactWebhookUrls(entry.message);
      for (const fragment of fragments()) if (fragment.length > 0) message = message.split(fragment).join("<redacted>");
      const channels = entry.channels.map((name) => redactWebhookUrls(name));
      try {
        inner.log({ ...entry, channels, message });
      } catch {
        // A broken logger must not break alerting, and alerting must not break trading.
        return;
      }
    },
  };
}
