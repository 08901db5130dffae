/**
 * What every network adapter needs from its factory arguments: the API key (by
 * env var NAME), the rate limiter and the retry context. Shared so adapters stay
 * about their wire format.
 */
import { DeskError, type Clock } from "@mqk/core";
import type { Secret, SecretSource } from "@mqk/secrets";
import type { MdLogger, ProviderDeps } from "../provider.js";
import { silentLogger } from "../provider.js";
import { realSleep, type Sleep } from "../sleep.js";
import { CreditRateLimiter, type RateLimit } from "./rate-limiter.js";
import { resolveRetryPolicy, type RetryContext, type RetryPolicy } from "./retry.js";

export interface RemoteSetup {
  readonly apiKey: Secret;
  readonly clock: Clock;
  readonly fetch: typeof fetch;
  readonly sleep: Sleep;
  readonly logger: MdLogger;
  readonly timeoutMs: number;
  readonly policy: RetryPolicy;
  readonly limiter: CreditRateLimiter;
}

export function requireApiKey(provider: string, secrets: SecretSource, envName: string): Secret {
  const key = secrets.get(envName);
  if (key === undefined) {
    throw new DeskError(
      "SECRETS_MISSING",
      `${provider}: expected the API key in env var ${envName} (marketData.apiKeyEnv), found it unset. Set it in .env.local or the environment.`,
    );
  }
  return key;
}

export function remoteSetup(provider: string, secrets: SecretSource, envName: string, deps: ProviderDeps, limit: RateLimit): RemoteSetup {
  const sleep = deps.sleep ?? realSleep;
  const timeoutMs = deps.requestTimeoutMs ?? 15_000;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) throw new RangeError(`${provider}: expected requestTimeoutMs ≥ 1, found ${String(timeoutMs)}`);
  return {
    apiKey: requireApiKey(provider, secrets, envName),
    clock: deps.clock,
    fetch: deps.fetch ?? globalThis.fetch,
    sleep,
    logger: deps.logger ?? silentLogger,
    timeoutMs,
    policy: resolveRetryPolicy(deps.retry),
    limiter: new CreditRateLimiter(deps.rateLimit ?? limit, { name: provider, clock: deps.clock, sleep }),
  };
}

export function retryContext(provider: string, setup: RemoteSetup, request: string): RetryContext {
  return { provider, request, policy: setup.policy, limiter: setup.limiter, clock: setup.clock, sleep: setup.sleep, logger: setup.logger };
}

/** The base URL with one trailing slash, checked. */
export function baseUrlOf(provider: string, configured: string | undefined, fallback: string): URL {
  const text = configured ?? fallback;
  let url: URL;
  try {
    url = new URL(text.endsWith("/") ? text : `${text}/`);
  } catch (error) {
    throw new DeskError("CONFIG_INVALID", `${provider}: expected marketData.baseUrl to be an http(s) URL, found ${JSON.stringify(text.slice(0, 80))}`, {
      cause: error,
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new DeskError("CONFIG_INVALID", `${provider}: expected marketData.baseUrl to be an http(s) URL, found protocol ${url.protocol}`);
  }
  if (url.search !== "" || url.username !== "" || url.password !== "") {
    throw new DeskError("CONFIG_INVALID", `${provider}: marketData.baseUrl must carry no query and no credentials (the key comes from the secret store)`);
  }
  return url;
}
