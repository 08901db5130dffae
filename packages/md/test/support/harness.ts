/** Shared pieces for the md contract tests: virtual time, secrets, a log catcher. */
import { inspect } from "node:util";
import { FakeClock } from "@mqk/core";
import type { MdLogFields, MdLogger, Sleep } from "@mqk/md";
import { Secret, type SecretSource } from "@mqk/secrets";

/** A FakeClock and a sleep that moves it instead of waiting; `slept` lists each wait. */
export function virtualTime(startMs: number): { clock: FakeClock; sleep: Sleep; slept: number[] } {
  const clock = new FakeClock(startMs);
  const slept: number[] = [];
  const sleep: Sleep = (ms) => {
    const whole = Math.max(0, Math.ceil(ms));
    slept.push(whole);
    clock.advance(whole);
    return Promise.resolve();
  };
  return { clock, sleep, slept };
}

/**
 * Like virtualTime, but each wait also takes ms/scale of real time and moves the
 * clock to the waiter's own deadline (never past it twice): concurrent waiters
 * overlap as they would in real time.
 */
export function scaledTime(startMs: number, scale: number): { clock: FakeClock; sleep: Sleep; slept: number[] } {
  const clock = new FakeClock(startMs);
  const slept: number[] = [];
  const sleep: Sleep = (ms) => {
    const whole = Math.max(0, Math.ceil(ms));
    const deadline = clock.nowMs() + whole;
    slept.push(whole);
    return new Promise((resolve) => {
      setTimeout(() => {
        if (deadline > clock.nowMs()) clock.set(deadline);
        resolve();
      }, whole / scale);
    });
  };
  return { clock, sleep, slept };
}

export function secretsOf(values: Readonly<Record<string, string>>): SecretSource {
  return { get: (name) => (values[name] === undefined ? undefined : new Secret(name, values[name])) };
}

export interface CapturedLine {
  readonly level: "info" | "warn";
  readonly message: string;
  readonly fields: MdLogFields | undefined;
}

export function captureLogger(): { logger: MdLogger; lines: CapturedLine[]; text: () => string } {
  const lines: CapturedLine[] = [];
  return {
    logger: {
      info: (message, fields) => lines.push({ level: "info", message, fields }),
      warn: (message, fields) => lines.push({ level: "warn", message, fields }),
    },
    lines,
    text: () => lines.map((line) => `${line.message} ${JSON.stringify(line.fields ?? {})}`).join("\n"),
  };
}

/** Everything an error could show: message, stack, causes, inspect output. */
export function everythingIn(value: unknown): string {
  const parts: string[] = [inspect(value, { depth: 10, showHidden: true })];
  let current: unknown = value;
  for (let i = 0; i < 5 && current instanceof Error; i += 1) {
    parts.push(current.message, current.stack ?? "");
    current = current.cause;
  }
  try {
    parts.push(JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
  } catch (error) {
    parts.push(String(error));
  }
  return parts.join("\n");
}

export const ms = (iso: string): number => Date.parse(iso);
