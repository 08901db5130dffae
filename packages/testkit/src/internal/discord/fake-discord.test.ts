import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeDiscord, type FakeDiscord } from "./fake-discord.js";

const token = "fake-token-ABC_123";
let fake: FakeDiscord;

beforeEach(async () => {
  fake = await startFakeDiscord({ webhooks: [{ id: "111", token }], bucket: { limit: 2, windowMs: 300 } });
});
afterEach(async () => {
  await fake.close();
});

async function post(url: string, body: unknown): Promise<{ status: number; headers: Headers; json: unknown }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text === "" ? undefined : (JSON.parse(text) as unknown) };
}

describe("fake Discord", () => {
  it("listens on 127.0.0.1 and answers 204 without wait, 200 with a message object with wait=true", async () => {
    expect(fake.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await post(fake.webhookUrl("111", token), { content: "hi" })).status).toBe(204);
    const waited = await post(`${fake.webhookUrl("111", token, { version: 10 })}?wait=true`, { embeds: [{ title: "t" }] });
    expect(waited.status).toBe(200);
    expect(waited.json).toHaveProperty("channel_id");
    expect(waited.json).toMatchObject({ webhook_id: "111", embeds: [{ type: "rich", title: "t" }], author: { bot: true } });
    expect(fake.messagesFor("111").map((m) => m.payload)).toEqual([{ content: "hi" }, { embeds: [{ title: "t" }] }]);
  });

  it("answers 404 Unknown Webhook (10015) for an unknown or deleted id, 401 (50027) for a wrong token", async () => {
    expect(await post(fake.webhookUrl("999", token), { content: "x" })).toMatchObject({ status: 404, json: { code: 10015, message: "Unknown Webhook" } });
    expect(await post(fake.webhookUrl("111", "wrong"), { content: "x" })).toMatchObject({ status: 401, json: { code: 50027 } });
    fake.deleteWebhook("111");
    expect(await post(fake.webhookUrl("111", token), { content: "x" })).toMatchObject({ status: 404, json: { code: 10015 } });
  });

  it("validates limits like Discord: 50035 with nested _errors, 50006 when empty, 50109 for bad JSON", async () => {
    // A webhook per request, so the bucket (2 per window here) stays out of the way.
    for (const id of ["121", "122", "123", "124"]) fake.addWebhook({ id, token });
    const long = await post(fake.webhookUrl("121", token), { content: "x".repeat(2001) });
    expect(long).toMatchObject({
      status: 400,
      json: { code: 50035, message: "Invalid Form Body", errors: { content: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH" }] } } },
    });
    const total = await post(fake.webhookUrl("122", token), { embeds: [{ description: "d".repeat(4000) }, { description: "d".repeat(2001) }] });
    expect(total).toMatchObject({ status: 400, json: { code: 50035, errors: { embeds: { _errors: [{ code: "MAX_EMBED_SIZE_EXCEEDED" }] } } } });
    expect(await post(fake.webhookUrl("123", token), { content: "   " })).toMatchObject({ status: 400, json: { code: 50006 } });
    expect(await post(fake.webhookUrl("124", token), "{not json")).toMatchObject({ status: 400, json: { code: 50109 } });
    expect(fake.messages).toHaveLength(0);
  });

  it("keeps a fixed-window bucket per webhook with the rate-limit headers, and 429s with a float retry_after", async () => {
    const url = fake.webhookUrl("111", token);
    const first = await post(url, { content: "1" });
    expect(first.headers.get("x-ratelimit-limit")).toBe("2");
    expect(first.headers.get("x-ratelimit-remaining")).toBe("1");
    expect(Number(first.headers.get("x-ratelimit-reset-after"))).toBeGreaterThan(0);
    expect(first.headers.get("x-ratelimit-bucket")).toMatch(/^[0-9a-f]{32}$/);
    expect((await post(url, { content: "2" })).headers.get("x-ratelimit-remaining")).toBe("0");
    const limited = await post(url, { content: "3" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("x-ratelimit-scope")).toBe("user");
    expect(limited.json).toMatchObject({ message: "You are being rate limited.", global: false });
    expect(limited.json).toHaveProperty("retry_after");
    expect(fake.requests.map((r) => r.outcome)).toEqual(["delivered", "delivered", "bucket_rate_limited"]);
  });

  it("has switches: injected 429 / 5xx / unknown webhook / slow, and a global 429", async () => {
    const url = fake.webhookUrl("111", token);
    fake.injectFaults(
      "111",
      { kind: "rate_limit", retryAfterSeconds: 1.5, scope: "shared" },
      { kind: "server_error", status: 502 },
      { kind: "unknown_webhook" },
      { kind: "slow", delayMs: 50 },
    );
    expect(await post(url, { content: "a" })).toMatchObject({ status: 429, json: { retry_after: 1.5 } });
    expect((await post(url, { content: "a" })).status).toBe(502);
    expect((await post(url, { content: "a" })).status).toBe(404);
    const started = performance.now();
    expect((await post(url, { content: "slow" })).status).toBe(204);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    fake.rateLimitGlobally(0.2);
    const global = await post(url, { content: "g" });
    expect(global.status).toBe(429);
    expect(global.headers.get("x-ratelimit-global")).toBe("true");
    expect(global.json).toMatchObject({ global: true });
  });

  it("never records the token", async () => {
    await post(`${fake.webhookUrl("111", token)}?wait=true`, { content: "x" });
    await post(fake.webhookUrl("111", "other-secret-token"), { content: "x" });
    const recorded = JSON.stringify([fake.requests, fake.messages]);
    expect(recorded).not.toContain(token);
    expect(recorded).not.toContain("other-secret-token");
    expect(fake.requests[0]?.path).toBe("/api/webhooks/111/<token>");
  });
});
