import { checkDiscordExecutePayload } from "@mqk/testkit";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { discordLimits, embedSize, fitMessage, limitViolations, truncateText } from "./discord-limits.js";
import type { DiscordEmbed, DiscordMessage } from "./discord-message.js";

// Strings that stress counting: long ASCII, astral characters (surrogate pairs), whitespace at the edges.
const anyText = (max: number): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength: max }),
    fc.string({ unit: "grapheme", maxLength: Math.ceil(max / 2) }),
    fc.string({ unit: fc.constantFrom("a", " ", "😀", "\n", "é", "\u{1F3F3}"), maxLength: max }),
    fc.nat({ max }).map((n) => "x".repeat(n)),
  );

const field = fc.record({ name: anyText(600), value: anyText(2500), inline: fc.boolean() }, { requiredKeys: ["name", "value"] });

const embed: fc.Arbitrary<DiscordEmbed> = fc.record(
  {
    title: anyText(700),
    description: anyText(9000),
    color: fc.oneof(fc.integer({ min: 0, max: 0xffffff }), fc.integer(), fc.constant(Number.NaN)),
    fields: fc.array(field, { maxLength: 40 }),
    footer: fc.record({ text: anyText(5000) }),
    author: fc.record({ name: anyText(700) }),
  },
  { requiredKeys: [] },
);

const message: fc.Arbitrary<DiscordMessage> = fc.record(
  { content: anyText(5000), embeds: fc.array(embed, { maxLength: 14 }), username: anyText(120) },
  { requiredKeys: [] },
);

describe("Discord limits", () => {
  it("S1.6: fitMessage keeps every message within all Discord limits (property, checked by our oracle and the fake's)", () => {
    fc.assert(
      fc.property(message, (input) => {
        const fitted = fitMessage(input);
        expect(limitViolations(fitted)).toEqual([]);
        expect(checkDiscordExecutePayload(JSON.parse(JSON.stringify(fitted)))).toBeUndefined();
        expect(fitted.allowed_mentions).toEqual({ parse: [] });
      }),
      { numRuns: 300 },
    );
  });

  it("S1.6: truncation never fails and keeps a prefix ending in an ellipsis, never half a surrogate pair", () => {
    fc.assert(
      fc.property(anyText(6000), fc.integer({ min: 0, max: 3000 }), (text, max) => {
        const cut = truncateText(text, max);
        expect(cut.length).toBeLessThanOrEqual(Math.max(max, 0));
        if (text.length <= max) expect(cut).toBe(text);
        else if (max > 0) {
          expect(cut.endsWith("…")).toBe(true);
          expect(text.startsWith(cut.slice(0, -1))).toBe(true);
          expect(/[\uD800-\uDBFF]$/.test(cut.slice(0, -1))).toBe(false);
        }
      }),
    );
  });

  it("S1.6: a message already within limits keeps its text", () => {
    const input: DiscordMessage = {
      content: "hello",
      embeds: [{ title: "Fill", description: "BUY 10 AAPL", fields: [{ name: "id", value: "coid-1" }], footer: { text: "PAPER" } }],
    };
    const fitted = fitMessage(input);
    expect(fitted.content).toBe("hello");
    expect(fitted.embeds).toEqual(input.embeds);
  });

  it("S1.6: the 6000 total is shared in order: the first embed keeps its title and description, later ones are cut", () => {
    const big: DiscordEmbed = { title: "t".repeat(300), description: "d".repeat(5000), footer: { text: "f".repeat(3000) } };
    const fitted = fitMessage({ embeds: [big, big, big] });
    const embeds = fitted.embeds ?? [];
    expect(embeds[0]?.title).toHaveLength(discordLimits.title);
    expect(embeds[0]?.description).toHaveLength(discordLimits.description);
    expect(embeds.reduce((sum, e) => sum + embedSize(e), 0)).toBeLessThanOrEqual(discordLimits.embedTotal);
    expect(limitViolations(fitted)).toEqual([]);
  });

  it("S1.6: more than 10 embeds are cut to 10; an empty message gets placeholder content", () => {
    expect(fitMessage({ embeds: Array.from({ length: 12 }, (_, i) => ({ title: `e${String(i)}` })) }).embeds).toHaveLength(10);
    expect(fitMessage({ content: "   " })).toEqual({ content: "(empty alert)", allowed_mentions: { parse: [] } });
  });

  it("S1.6: empty field names and values are replaced, a username Discord refuses is left out", () => {
    const fitted = fitMessage({ username: "My Discord Bot", embeds: [{ fields: [{ name: " ", value: "" }] }] });
    expect(fitted.username).toBeUndefined();
    expect(fitted.embeds?.[0]?.fields).toEqual([{ name: "-", value: "-" }]);
  });
});
