/**
 * Exchange wall time ↔ UTC instants through Intl (the zone data Node ships);
 * no tz library. Providers such as TwelveData print bar times in the exchange's
 * zone (`meta.exchange_timezone`); the desk holds UTC epoch ms only.
 *
 * Invariant: a wall time that does not exist (the spring-forward gap) or that
 * exists twice (the fall-back hour) is refused, never guessed.
 */
import { err, ok, type Result } from "@mqk/core";

export interface WallTime {
  readonly year: number;
  readonly month: number; // 1–12
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

export type WallTimeProblem = "malformed" | "unknown_zone" | "nonexistent" | "ambiguous";

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat | undefined {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      });
    } catch (error) {
      if (error instanceof RangeError) return undefined;
      throw error;
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isKnownTimeZone(timeZone: string): boolean {
  return formatterFor(timeZone) !== undefined;
}

/** The wall time in `timeZone` at a UTC instant (seconds precision). */
export function wallTimeAt(tsMs: number, timeZone: string): WallTime | undefined {
  const formatter = formatterFor(timeZone);
  if (formatter === undefined) return undefined;
  const fields: Record<string, number> = {};
  for (const part of formatter.formatToParts(new Date(tsMs))) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  return {
    year: fields["year"] ?? Number.NaN,
    month: fields["month"] ?? Number.NaN,
    day: fields["day"] ?? Number.NaN,
    hour: fields["hour"] ?? Number.NaN,
    minute: fields["minute"] ?? Number.NaN,
    second: fields["second"] ?? Number.NaN,
  };
}

function wallAsUtcMs(wall: WallTime): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
}

/** Offset of the zone from UTC at an instant, in ms (New York in winter: −5 h). */
function offsetAt(tsMs: number, timeZone: string): number {
  const wall = wallTimeAt(tsMs, timeZone);
  if (wall === undefined) return Number.NaN;
  return wallAsUtcMs(wall) - (tsMs - (((tsMs % 1000) + 1000) % 1000));
}

const hourMs = 3_600_000;

/**
 * The UTC instant of a wall time in `timeZone`. Offsets are probed a day before
 * and after, so a DST change near the time is seen; each candidate is kept only
 * when the zone really shows that wall time at that instant.
 */
export function utcMsFromWallTime(wall: WallTime, timeZone: string): Result<number, WallTimeProblem> {
  if (formatterFor(timeZone) === undefined) return err("unknown_zone");
  const naive = wallAsUtcMs(wall);
  if (!Number.isFinite(naive)) return err("malformed");
  const check = new Date(naive);
  if (
    check.getUTCFullYear() !== wall.year ||
    check.getUTCMonth() !== wall.month - 1 ||
    check.getUTCDate() !== wall.day ||
    wall.hour > 23 ||
    wall.minute > 59 ||
    wall.second > 59
  ) {
    return err("malformed");
  }
  const offsets = new Set([offsetAt(naive - 24 * hourMs, timeZone), offsetAt(naive, timeZone), offsetAt(naive + 24 * hourMs, timeZone)]);
  const found = new Set<number>();
  for (const offset of offsets) {
    const candidate = naive - offset;
    if (offsetAt(candidate, timeZone) === offset) found.add(candidate);
  }
  if (found.size === 0) return err("nonexistent");
  if (found.size > 1) return err("ambiguous");
  const [only] = found;
  return only === undefined ? err("nonexistent") : ok(only);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

/** `YYYY-MM-DD HH:MM:SS` of a wall time (TwelveData's intraday format). */
export function formatWallTime(wall: WallTime): string {
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)} ${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}`;
}

const wallPattern = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** Reads `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS]` or with a `T`; no offset (it is wall time). */
export function parseWallTime(text: string): WallTime | undefined {
  const m = wallPattern.exec(text);
  if (!m) return undefined;
  return {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
  };
}
