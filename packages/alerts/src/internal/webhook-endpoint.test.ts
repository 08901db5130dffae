import { inspect } from "node:util";
import { Secret } from "@mqk/secrets";
import { describe, expect, it } from "vitest";
import { redactWebhookUrls, WebhookEndpoint } from "./webhook-endpoint.js";

const token = "CANARY_tok-en_0123456789abcdef";
const parse = (url: string) => WebhookEndpoint.parse(new Secret("ALERTS_WEBHOOK", url));

describe("WebhookEndpoint", () => {
  it("S1.6: rewrites an unversioned Discord URL to API v10 and asks for confirmation", () => {
    const parsed = parse(`https://discord.com/api/webhooks/123456/${token}`);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.value.revealExecuteUrl(true)).toBe(`https://discord.com/api/v10/webhooks/123456/${token}?wait=true`);
  });

  it("keeps a thread_id and accepts discordapp.com, versioned paths and loopback test hosts", () => {
    const thread = parse(`https://discordapp.com/api/v6/webhooks/1/${token}?thread_id=42`);
    expect(thread.ok && thread.value.revealExecuteUrl(false)).toBe(`https://discordapp.com/api/v10/webhooks/1/${token}?thread_id=42`);
    expect(parse(`http://127.0.0.1:4000/api/webhooks/1/${token}`).ok).toBe(true);
  });

  it("refuses other hosts, plain http off loopback, and other paths", () => {
    expect(parse("not a url")).toEqual({ ok: false, error: "not_a_url" });
    expect(parse(`https://evil.example/api/webhooks/1/${token}`)).toEqual({ ok: false, error: "host_not_discord" });
    expect(parse(`http://discord.com/api/webhooks/1/${token}`)).toEqual({ ok: false, error: "host_not_discord" });
    expect(parse(`https://discord.com/api/channels/1/${token}`)).toEqual({ ok: false, error: "path_not_webhook" });
  });

  it("S1.5: prints as redacted in every form", () => {
    const parsed = parse(`https://discord.com/api/webhooks/123456/${token}`);
    if (!parsed.ok) throw new Error("expected a valid endpoint");
    const endpoint = parsed.value;
    for (const printed of [String(endpoint), `${endpoint.toString()}`, JSON.stringify({ endpoint }), inspect(endpoint, { showHidden: true, depth: 5 })]) {
      expect(printed).not.toContain(token);
    }
  });

  it("S1.5: redactWebhookUrls removes the token from any text", () => {
    expect(redactWebhookUrls(`failed POST https://discord.com/api/v10/webhooks/123/${token}?wait=true`)).toBe(
      "failed POST https://discord.com/api/v10/webhooks/<redacted>?wait=true",
    );
  });
});
