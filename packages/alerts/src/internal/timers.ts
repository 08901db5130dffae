/**
 * Timer injection. The router schedules every wait (rate limits, backoff,
 * heartbeat, drain deadline) through this seam so tests can drive time, and so
 * no alert timer ever keeps the process alive: system timers are unref'd unless
 * the caller asks for `keepAlive` (only the drain deadline in `close`).
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Timers {
  schedule(delayMs: number, callback: () => void, options?: { readonly keepAlive?: boolean }): TimerHandle;
}

export const systemTimers: Timers = {
  schedule(delayMs, callback, options) {
    const timer = setTimeout(callback, Math.max(0, Math.ceil(delayMs)));
    if (options?.keepAlive !== true) timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};
