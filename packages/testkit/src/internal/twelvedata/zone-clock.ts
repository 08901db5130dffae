/** Wall time in an IANA zone for the fakes (Intl only). */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** `YYYY-MM-DD HH:MM:SS` in `timeZone` at a UTC instant. */
export function wallClockAt(tsMs: number, timeZone: string): string {
  const parts: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(tsMs))) parts[part.type] = part.value;
  return `${parts["year"] ?? ""}-${parts["month"] ?? ""}-${parts["day"] ?? ""} ${parts["hour"] ?? ""}:${parts["minute"] ?? ""}:${parts["second"] ?? ""}`;
}

function wallAsUtc(wall: string): number {
  return Date.UTC(
    Number(wall.slice(0, 4)),
    Number(wall.slice(5, 7)) - 1,
    Number(wall.slice(8, 10)),
    Number(wall.slice(11, 13) || 0),
    Number(wall.slice(14, 16) || 0),
    Number(wall.slice(17, 19) || 0),
  );
}

/** The UTC instant of a `YYYY-MM-DD HH:MM:SS` wall time in `timeZone` (the first match; the fake never serves DST-edge times). */
export function utcOfWallClock(wall: string, timeZone: string): number {
  const naive = wallAsUtc(wall);
  let fallback = naive;
  for (const probe of [naive - 86_400_000, naive, naive + 86_400_000]) {
    const candidate = naive - (wallAsUtc(wallClockAt(probe, timeZone)) - Math.floor(probe / 1000) * 1000);
    if (wallClockAt(candidate, timeZone) === wall) return candidate;
    fallback = candidate;
  }
  return fallback;
}
