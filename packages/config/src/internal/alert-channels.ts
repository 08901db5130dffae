/** S1.6: the built-in alert channels; config may declare further ones by name. */
export const builtInAlertChannels = ["paper", "live", "backtest", "alerts", "heartbeat", "c2"] as const;
export type BuiltInAlertChannel = (typeof builtInAlertChannels)[number];

export const alertChannelNamePattern = /^[a-z][a-z0-9-]*$/;
