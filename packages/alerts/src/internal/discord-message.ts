/** The subset of Discord's execute-webhook body the router sends (API brief §3.2). */
export interface DiscordEmbedField {
  readonly name: string;
  readonly value: string;
  readonly inline?: boolean;
}

export interface DiscordEmbed {
  readonly title?: string;
  readonly description?: string;
  /** 24-bit RGB. */
  readonly color?: number;
  /** ISO 8601; not counted towards the 6000-character limit. */
  readonly timestamp?: string;
  readonly fields?: readonly DiscordEmbedField[];
  readonly footer?: { readonly text: string };
  readonly author?: { readonly name: string };
}

export interface DiscordMessage {
  readonly content?: string;
  readonly embeds?: readonly DiscordEmbed[];
  readonly username?: string;
  /** Always `{ parse: [] }` on the wire: data must never ping @everyone or a role. */
  readonly allowed_mentions?: { readonly parse: readonly string[] };
}
