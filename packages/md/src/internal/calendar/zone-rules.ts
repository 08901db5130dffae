/**
 * Exchange-local wall time ↔ UTC instants, for one time zone.
 *
 * The desk keeps time as UTC epoch ms; only the calendar speaks local time, and
 * only through a `ZoneRules`. Rules are computed, not read from Intl, so the
 * session table builds the same on every host and nothing zone-related sits in a
 * hot path.
 */
export interface ZoneRules {
  /** IANA name, for display (e.g. "America/New_York"). */
  readonly name: string;
  /** Local − UTC, in minutes, in force at the instant (−240 for EDT). */
  offsetMinutesAt(tsMs: number): number;
  /**
   * The UTC instant of a local wall time on a local date (day number). A time
   * skipped by a spring-forward change is read with the offset before the change
   * (so it lands after it); a time repeated by a fall-back change takes the
   * earlier instant — the "compatible" rule of Temporal and RFC 5545.
   */
  localToUtcMs(dayNumber: number, minuteOfDay: number): number;
}
