import { describe, expect, it } from "vitest";
import { classifyResponse } from "./discord-response.js";

describe("classifyResponse", () => {
  it("S1.6: 2xx reads the bucket headers", () => {
    expect(classifyResponse(204, { "x-ratelimit-remaining": "0", "x-ratelimit-reset-after": "1.25" }, "")).toEqual({
      kind: "delivered",
      bucket: { remaining: 0, resetAfterMs: 1250 },
    });
  });

  it("S1.6: 429 takes retry_after from the body as float seconds, else Retry-After", () => {
    const body = JSON.stringify({ message: "You are being rate limited.", retry_after: 1.234, global: false });
    expect(classifyResponse(429, { "retry-after": "2" }, body)).toMatchObject({ kind: "rate_limited", retryAfterMs: 1234, global: false, suspicious: false });
    expect(classifyResponse(429, { "retry-after": "2" }, "not json")).toMatchObject({ kind: "rate_limited", retryAfterMs: 2000 });
    expect(classifyResponse(429, {}, "{}")).toMatchObject({ kind: "rate_limited", retryAfterMs: 1000 });
  });

  it("S1.6: a global 429 is recognised from the body, the X-RateLimit-Global header or the scope", () => {
    expect(classifyResponse(429, {}, JSON.stringify({ retry_after: 1, global: true }))).toMatchObject({ global: true });
    expect(classifyResponse(429, { "x-ratelimit-global": "true" }, JSON.stringify({ retry_after: 1 }))).toMatchObject({ global: true });
    expect(classifyResponse(429, { "x-ratelimit-scope": "shared" }, JSON.stringify({ retry_after: 1 }))).toMatchObject({ global: false, scope: "shared" });
  });

  it("S1.6: a retry_after over 1000 is read as milliseconds and flagged", () => {
    expect(classifyResponse(429, {}, JSON.stringify({ retry_after: 1500 }))).toMatchObject({ retryAfterMs: 1500, suspicious: true });
  });

  it("S1.6: 404 and 401 mean the webhook is gone; 5xx retry; other 4xx are refusals", () => {
    expect(classifyResponse(404, {}, JSON.stringify({ message: "Unknown Webhook", code: 10015 }))).toEqual({
      kind: "webhook_gone",
      status: 404,
      discordCode: 10015,
    });
    expect(classifyResponse(401, {}, JSON.stringify({ message: "Invalid Webhook Token", code: 50027 }))).toEqual({
      kind: "webhook_gone",
      status: 401,
      discordCode: 50027,
    });
    expect(classifyResponse(502, {}, "<html>bad gateway</html>")).toEqual({ kind: "server_error", status: 502 });
    expect(classifyResponse(400, {}, JSON.stringify({ code: 50035, message: "Invalid Form Body" }))).toEqual({
      kind: "rejected",
      status: 400,
      discordCode: 50035,
    });
  });

  it("ignores malformed header and body values", () => {
    expect(classifyResponse(200, { "x-ratelimit-remaining": "NaN", "x-ratelimit-reset-after": "-1" }, "")).toEqual({ kind: "delivered", bucket: {} });
    expect(classifyResponse(429, {}, JSON.stringify({ retry_after: "soon", code: 1.5 }))).toMatchObject({ retryAfterMs: 1000 });
  });
});
