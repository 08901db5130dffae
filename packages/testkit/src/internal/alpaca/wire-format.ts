/**
 * Wire conventions of Alpaca Trading v2 (API-BRIEF §1.5, §1.9): RFC 3339
 * timestamps with nanosecond fractions, ids shaped as UUIDs, and the Eastern
 * wall clock used by /v2/clock and /v2/calendar.
 *
 * Everything here is deterministic: ids come from a seed and a counter, the
 * nanosecond digits from a counter, so two runs of a test see the same wire.
 */
import { createHash } from "node:crypto";
import type { Clock } from "@mqk/core";

/** An instant as epoch ms plus the rendered RFC 3339 text with nanoseconds. */
export interface Stamp {
  readonly ms: number;
  readonly text: string;
}

/** "2025-07-03T14:00:00.123000001Z": the ms from `ms`, the last six digits from `subMs`. */
export function rfc3339Utc(ms: number, subMs: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}${String(subMs % 1_000_000).padStart(6, "0")}Z`;
}

/**
 * Stamps from a clock. The six sub-millisecond digits count up, so stamps taken
 * in the same millisecond still sort in the order they were taken.
 */
export class Stamper {
  readonly #clock: Clock;
  #counter = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  now(): Stamp {
    const ms = this.#clock.nowMs();
    this.#counter = (this.#counter + 1) % 1_000_000;
    return { ms, text: rfc3339Utc(ms, this.#counter) };
  }

  nowMs(): number {
    return this.#clock.nowMs();
  }
}

/** A version-4-shaped UUID derived from a seed and a name: the same inputs give the same id. */
export function uuidFrom(seed: string, name: string): string {
  const hex = createHash("sha256").update(`${seed}\u0000${name}`).digest("hex");
  const variant = "89ab"[Number.parseInt(hex.charAt(16), 16) % 4] ?? "8";
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Deterministic ids of one kind ("order", "execution", …): seed + kind + counter. */
export class IdSource {
  readonly #seed: string;
  readonly #counters = new Map<string, number>();

  constructor(seed: string) {
    this.#seed = seed;
  }

  next(kind: string): string {
    const n = (this.#counters.get(kind) ?? 0) + 1;
    this.#counters.set(kind, n);
    return uuidFrom(this.#seed, `${kind}#${String(n)}`);
  }

  /** A stable id for a name (asset ids per symbol). */
  named(kind: string, name: string): string {
    return uuidFrom(this.#seed, `${kind}:${name}`);
  }
}

const etFormatter = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
  timeZoneName: "shortOffset",
});

/** The New York wall clock at an instant. */
export interface EasternWallClock {
  /** YYYY-MM-DD in New York. */
  readonly date: string;
  /** Minutes since New York midnight. */
  readonly minuteOfDay: number;
  readonly second: number;
  /** Offset from UTC in minutes (-240 in summer, -300 in winter). */
  readonly offsetMinutes: number;
}

export function easternWallClock(ms: number): EasternWallClock {
  const parts = new Map(etFormatter.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const offset = /^GMT(?:([+-])(\d{1,2})(?::(\d{2}))?)?$/.exec(parts.get("timeZoneName") ?? "");
  if (!offset) throw new RangeError(`easternWallClock: expected a "GMT±H" offset from Intl, found ${String(parts.get("timeZoneName"))}`);
  const sign = offset[1] === "-" ? -1 : 1;
  const offsetMinutes = offset[2] === undefined ? 0 : sign * (Number(offset[2]) * 60 + Number(offset[3] ?? "0"));
  return {
    date: `${parts.get("year") ?? ""}-${parts.get("month") ?? ""}-${parts.get("day") ?? ""}`,
    minuteOfDay: Number(parts.get("hour")) * 60 + Number(parts.get("minute")),
    second: Number(parts.get("second")),
    offsetMinutes,
  };
}

/** Epoch ms of a New York wall time ("2025-07-03", "09:30"). Exact across DST: the offset is re-checked. */
export function easternToUtcMs(date: string, hhmm: string): number {
  const [y, m, d] = date.split("-").map(Number);
  const [hh, mm] = hhmm.split(":").map(Number);
  const wallAsUtc = Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1, hh ?? 0, mm ?? 0);
  let guess = wallAsUtc - easternWallClock(wallAsUtc).offsetMinutes * 60_000;
  const corrected = wallAsUtc - easternWallClock(guess).offsetMinutes * 60_000;
  if (corrected !== guess) guess = corrected;
  return guess;
}

/** "2025-07-03T10:15:00.123000001-04:00": the Eastern rendering real /v2/clock responses use. */
export function rfc3339Eastern(ms: number, subMs: number): string {
  const wall = easternWallClock(ms);
  const abs = Math.abs(wall.offsetMinutes);
  const sign = wall.offsetMinutes < 0 ? "-" : "+";
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  const hh = String(Math.floor(wall.minuteOfDay / 60)).padStart(2, "0");
  const mi = String(wall.minuteOfDay % 60).padStart(2, "0");
  const ss = String(wall.second).padStart(2, "0");
  const frac = `${String(((ms % 1000) + 1000) % 1000).padStart(3, "0")}${String(subMs % 1_000_000).padStart(6, "0")}`;
  return `${wall.date}T${hh}:${mi}:${ss}.${frac}${offset}`;
}

/** Adds whole days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + days)).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday, for a YYYY-MM-DD date. */
export function weekday(date: string): number {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1)).getUTCDay();
}

/**
 * Nanoseconds since the epoch of an RFC 3339 timestamp (any offset, up to nine
 * fraction digits) or a YYYY-MM-DD date (UTC midnight); null when malformed.
 * A space stands for "+": an offset that reached a query string unencoded.
 */
export function parseInstantNanos(input: string): bigint | null {
  const text = input.replace(/ /g, "+");
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const ms = Date.parse(`${text}T00:00:00Z`);
    return Number.isNaN(ms) ? null : BigInt(ms) * 1_000_000n;
  }
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i.exec(text);
  if (!m) return null;
  const frac = (m[2] ?? "").padEnd(9, "0");
  const ms = Date.parse(`${m[1] ?? ""}.${frac.slice(0, 3)}${m[3] ?? "Z"}`);
  if (Number.isNaN(ms)) return null;
  return BigInt(ms) * 1_000_000n + BigInt(frac.slice(3));
}
