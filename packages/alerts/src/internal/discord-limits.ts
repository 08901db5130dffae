/**
 * Discord's message limits (API brief §3.2) and the one function that makes any
 * message fit them. Over-long text is cut with an ellipsis; nothing ever fails.
 *
 * Lengths are counted in UTF-16 code units (`string.length`), which is never
 * fewer than the code points Discord counts, so a fitted message fits however
 * Discord counts. Cuts never split a surrogate pair. Leading and trailing
 * whitespace is trimmed first, as Discord does before counting.
 */
import type { DiscordEmbed, DiscordEmbedField, DiscordMessage } from "./discord-message.js";

export const discordLimits = {
  content: 2000,
  embedsPerMessage: 10,
  embedTotal: 6000,
  title: 256,
  description: 4096,
  fieldsPerEmbed: 25,
  fieldName: 256,
  fieldValue: 1024,
  footerText: 2048,
  authorName: 256,
  username: 80,
} as const;

const ellipsis = "…";
/** Discord refuses empty field names and values; this stands in for an empty one. */
const emptyFieldText = "-";

/** Cuts `text` (already trimmed) to at most `max` code units, ending in an ellipsis when cut. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return "";
  if (max === 1) return ellipsis;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1; // do not leave half a surrogate pair
  return text.slice(0, end).trimEnd() + ellipsis;
}

/** Characters an embed counts towards the 6000 total. */
export function embedSize(embed: DiscordEmbed): number {
  let size = (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0) + (embed.author?.name.length ?? 0);
  for (const field of embed.fields ?? []) size += field.name.length + field.value.length;
  return size;
}

/** Takes from a shared budget: each part gets what it needs up to its own limit and what is left. */
class Budget {
  #left: number;
  constructor(total: number) {
    this.#left = total;
  }
  get left(): number {
    return this.#left;
  }
  take(text: string | undefined, limit: number): string | undefined {
    if (text === undefined) return undefined;
    const trimmed = text.trim();
    if (trimmed.length === 0) return undefined;
    const cut = truncateText(trimmed, Math.min(limit, this.#left));
    this.#left -= cut.length;
    return cut.length === 0 ? undefined : cut;
  }
}

function fitEmbed(embed: DiscordEmbed, budget: Budget): DiscordEmbed | undefined {
  // Order of priority when the 6000 budget runs short: title, author, description, fields, footer.
  const title = budget.take(embed.title, discordLimits.title);
  const authorName = budget.take(embed.author?.name, discordLimits.authorName);
  const description = budget.take(embed.description, discordLimits.description);
  const fields: DiscordEmbedField[] = [];
  for (const field of (embed.fields ?? []).slice(0, discordLimits.fieldsPerEmbed)) {
    if (budget.left < 2) break; // a field needs a name and a value of at least one character each
    const name = budget.take(field.name.trim() === "" ? emptyFieldText : field.name, Math.min(discordLimits.fieldName, budget.left - 1)) ?? emptyFieldText;
    const value = budget.take(field.value.trim() === "" ? emptyFieldText : field.value, discordLimits.fieldValue) ?? emptyFieldText;
    fields.push(field.inline === undefined ? { name, value } : { name, value, inline: field.inline });
  }
  const footerText = budget.take(embed.footer?.text, discordLimits.footerText);
  if (title === undefined && authorName === undefined && description === undefined && fields.length === 0 && footerText === undefined) return undefined;
  return {
    ...(title === undefined ? {} : { title }),
    ...(description === undefined ? {} : { description }),
    ...(embed.color === undefined ? {} : { color: clampColour(embed.color) }),
    ...(embed.timestamp === undefined ? {} : { timestamp: embed.timestamp }),
    ...(fields.length === 0 ? {} : { fields }),
    ...(footerText === undefined ? {} : { footer: { text: footerText } }),
    ...(authorName === undefined ? {} : { author: { name: authorName } }),
  };
}

function clampColour(colour: number): number {
  return Number.isInteger(colour) && colour >= 0 && colour <= 0xffffff ? colour : 0;
}

/**
 * Returns a message within every limit: content ≤2000, ≤10 embeds, each embed's
 * parts within their limits and ≤6000 characters over all embeds. Never throws;
 * an empty result gets a placeholder content so Discord does not refuse it.
 */
export function fitMessage(message: DiscordMessage): DiscordMessage {
  const content = message.content === undefined ? undefined : truncateText(message.content.trim(), discordLimits.content);
  const budget = new Budget(discordLimits.embedTotal);
  const embeds: DiscordEmbed[] = [];
  for (const embed of (message.embeds ?? []).slice(0, discordLimits.embedsPerMessage)) {
    const fitted = fitEmbed(embed, budget);
    if (fitted !== undefined) embeds.push(fitted);
  }
  const username = fitUsername(message.username);
  const hasContent = content !== undefined && content.length > 0;
  return {
    ...(hasContent || embeds.length > 0 ? (hasContent ? { content } : {}) : { content: "(empty alert)" }),
    ...(embeds.length === 0 ? {} : { embeds }),
    ...(username === undefined ? {} : { username }),
    allowed_mentions: { parse: [] },
  };
}

/** Discord refuses a username that is empty, over 80 characters, or contains "clyde" or "discord": such a name is left out. */
function fitUsername(username: string | undefined): string | undefined {
  if (username === undefined) return undefined;
  const trimmed = truncateText(username.trim(), discordLimits.username);
  if (trimmed.length === 0 || /clyde|discord/i.test(trimmed)) return undefined;
  return trimmed;
}

/** Every limit the message breaks (empty when it fits); the property tests' oracle. */
export function limitViolations(message: DiscordMessage): string[] {
  const out: string[] = [];
  const over = (what: string, text: string | undefined, max: number): void => {
    if (text !== undefined && text.trim().length > max) out.push(`${what} is ${String(text.trim().length)} > ${String(max)}`);
  };
  over("content", message.content, discordLimits.content);
  const embeds = message.embeds ?? [];
  if (embeds.length > discordLimits.embedsPerMessage) out.push(`${String(embeds.length)} embeds > ${String(discordLimits.embedsPerMessage)}`);
  let total = 0;
  embeds.forEach((embed, i) => {
    over(`embeds[${String(i)}].title`, embed.title, discordLimits.title);
    over(`embeds[${String(i)}].description`, embed.description, discordLimits.description);
    over(`embeds[${String(i)}].footer.text`, embed.footer?.text, discordLimits.footerText);
    over(`embeds[${String(i)}].author.name`, embed.author?.name, discordLimits.authorName);
    const fields = embed.fields ?? [];
    if (fields.length > discordLimits.fieldsPerEmbed) out.push(`embeds[${String(i)}] has ${String(fields.length)} fields`);
    fields.forEach((field, j) => {
      over(`embeds[${String(i)}].fields[${String(j)}].name`, field.name, discordLimits.fieldName);
      over(`embeds[${String(i)}].fields[${String(j)}].value`, field.value, discordLimits.fieldValue);
      if (field.name.trim() === "" || field.value.trim() === "") out.push(`embeds[${String(i)}].fields[${String(j)}] is empty`);
    });
    total += embedSize(embed);
  });
  if (total > discordLimits.embedTotal) out.push(`embeds total ${String(total)} > ${String(discordLimits.embedTotal)}`);
  const hasContent = message.content !== undefined && message.content.trim().length > 0;
  if (!hasContent && embeds.length === 0) out.push("message is empty");
  return out;
}
