import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DeskError, FakeClock } from "@mqk/core";
import { CreditRateLimiter } from "./rate-limiter.js";

function limiterWith(perMinute: number, perDay?: number) {
  const clock = new FakeClock(Date.UTC(2024, 0, 2));
  const sleep = (ms: number): Promise<void> => {
    clock.advance(Math.ceil(ms));
    return Promise.resolve();
  };
  const limit = perDay === undefined ? { perMinute } : { perMinute, perDay };
  return { clock, limiter: new CreditRateLimiter(limit, { name: "test", clock, sleep, marginMs: 0 }) };
}

describe("credit rate limiter", () => {
  it("TwelveData rate limiting: grants never exceed the budget in any sliding minute, whatever the pauses between calls", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 60 }),
        async (perMinute, pauses) => {
          const { clock, limiter } = limiterWith(perMinute);
          const grants: number[] = [];
          for (const pause of pauses) {
            clock.advance(pause);
            await limiter.acquire(1);
            grants.push(clock.nowMs());
          }
          for (const start of grants) expect(grants.filter((g) => g >= start && g < start + 60_000).length).toBeLessThanOrEqual(perMinute);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("TwelveData rate limiting: a wait longer than the limit of sleeping throws a retryable DeskError naming when to retry", async () => {
    const { limiter } = limiterWith(100, 3);
    for (let i = 0; i < 3; i += 1) await limiter.acquire(1);
    const error = await limiter.acquire(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeskError);
    expect(error).toMatchObject({ code: "MARKET_DATA", retryable: true });
    expect((error as Error).message).toMatch(/used up until 2024-01-03T00:00:00\.000Z/);
  });

  it("TwelveData rate limiting: after a 429 every grant waits for the block to end", async () => {
    const { clock, limiter } = limiterWith(8);
    limiter.blockUntil(clock.nowMs() + 30_000);
    expect(limiter.waitMs()).toBe(30_000);
    await limiter.acquire(1);
    expect(clock.nowMs()).toBe(Date.UTC(2024, 0, 2) + 30_000);
  });

  it("TwelveData rate limiting: a request bigger than the per-minute budget is refused at once", async () => {
    const { limiter } = limiterWith(8);
    await expect(limiter.acquire(9)).rejects.toThrow(/can never fit/);
  });
});
