/**
 * Channel names and the settings shape the router reads. The shape matches the
 * config's `alerts` section structurally, so this package does not import the
 * config package (alerts sits beside md at L3 and needs only the data).
 */

/** The desk's operating mode; decides which mode channel an event goes to. */
export type DeskMode = "BACKTEST" | "PAPER" | "LIVE";

export const builtInChannels = ["paper", "live", "backtest", "alerts", "heartbeat", "c2"] as const;
export type BuiltInChannel = (typeof builtInChannels)[number];

/** A built-in channel or a custom one declared in config (`[a-z][a-z0-9-]*`). */
export type ChannelName = BuiltInChannel | (string & Record<never, never>);

export const channelNamePattern = /^[a-z][a-z0-9-]*$/;

export interface ChannelSettings {
  /** The NAME of the environment variable that holds the webhook URL (never the URL). */
  readonly webhookEnv: string;
}

/** Structurally the config's `alerts` section. */
export interface AlertsSettings {
  readonly channels: Readonly<Record<string, ChannelSettings>>;
  readonly heartbeatIntervalSeconds?: number;
}

export type ModeChannel = "paper" | "live" | "backtest";

const modeChannels: Readonly<Record<DeskMode, ModeChannel>> = { BACKTEST: "backtest", PAPER: "paper", LIVE: "live" };

/** The channel that carries a mode's own trading events. */
export function modeChannel(mode: DeskMode): ModeChannel {
  return modeChannels[mode];
}

export function isValidChannelName(name: string): boolean {
  return channelNamePattern.test(name);
}
