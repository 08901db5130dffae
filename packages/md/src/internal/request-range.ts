/** Checks shared by every provider before a request goes anywhere. */
import { err, ok } from "@mqk/core";
import type { BarInterval } from "./bar.js";
import type { HistoricalBarsRequest, MdFailure, MdResult, ProviderCapabilities } from "./provider.js";

export function checkRequest(provider: string, capabilities: ProviderCapabilities, request: HistoricalBarsRequest): MdResult<true> {
  const interval = checkInterval(provider, capabilities, request.interval);
  if (!interval.ok) return interval;
  if (!Number.isSafeInteger(request.startMs) || !Number.isSafeInteger(request.endMs) || request.startMs >= request.endMs) {
    return err({
      kind: "bad_range",
      provider,
      message: `${provider}: expected integer epoch ms with startMs < endMs, found ${String(request.startMs)}…${String(request.endMs)}`,
    });
  }
  return ok(true);
}

export function checkInterval(provider: string, capabilities: ProviderCapabilities, interval: BarInterval): MdResult<true> {
  if (capabilities.intervals.includes(interval)) return ok(true);
  const failure: MdFailure = {
    kind: "unsupported_interval",
    provider,
    interval,
    message: `${provider}: expected one of the intervals ${capabilities.intervals.join(", ")}, found ${interval}`,
  };
  return err(failure);
}
