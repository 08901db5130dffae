/**
 * Every session of a calendar's supported range, precomputed once into typed
 * arrays indexed by UTC day number, so `isOpen` is two comparisons per candidate
 * day and never touches a time zone.
 *
 * Invariants (checked at build):
 *  1. Within a day, extendedOpen ≤ open < close ≤ extendedClose.
 *  2. Sessions are ordered: each day's extended close is at or before the next
 *     trading day's extended open, so scans can stop at the first hit.
 * A closed day holds NaN, which fails every comparison.
 */
import { invariant } from "@mqk/core";
import { DAY_MS } from "./calendar-date.js";
import type { ZoneRules } from "./zone-rules.js";

export type DaySpec =
  | { readonly kind: "weekend" }
  | { readonly kind: "closed"; readonly reason: string }
  | {
      readonly kind: "session";
      readonly openMinute: number;
      readonly closeMinute: number;
      readonly extendedOpenMinute: number;
      readonly extendedCloseMinute: number;
    };

export interface SessionTableSource {
  /** First and last supported local dates, as day numbers (inclusive). */
  readonly firstDay: number;
  readonly lastDay: number;
  readonly zone: ZoneRules;
  /** The exchange's normal regular hours, local minutes: the bar-grid anchor and the early/late yardstick. */
  readonly normalOpenMinute: number;
  readonly normalCloseMinute: number;
  specFor(dayNumber: number): DaySpec;
}

/** Days of padding on each side, so a lookup at index i − 1 … i + 1 never leaves the arrays. */
const PAD = 2;
const EARLY_CLOSE = 1;
const LATE_OPEN = 2;

export class SessionTable {
  readonly firstDay: number;
  readonly lastDay: number;
  readonly zone: ZoneRules;
  readonly normalOpenMinute: number;
  /** Instants whose local date is in range: [minMs, maxMs). */
  readonly minMs: number;
  readonly maxMs: number;
  /** Day number at array index 0. */
  readonly indexBase: number;
  readonly open: Float64Array;
  readonly close: Float64Array;
  readonly extendedOpen: Float64Array;
  readonly extendedClose: Float64Array;
  /** Local normal open of each trading day, UTC ms: where the intraday bar grid starts. */
  readonly anchor: Float64Array;
  readonly flags: Uint8Array;
  readonly closures: ReadonlyMap<number, string>;

  constructor(source: SessionTableSource) {
    const { firstDay, lastDay, zone } = source;
    invariant(Number.isInteger(firstDay) && Number.isInteger(lastDay) && firstDay <= lastDay, "session table: first day must not follow the last");
    this.firstDay = firstDay;
    this.lastDay = lastDay;
    this.zone = zone;
    this.normalOpenMinute = source.normalOpenMinute;
    this.minMs = zone.localToUtcMs(firstDay, 0);
    this.maxMs = zone.localToUtcMs(lastDay + 1, 0);
    this.indexBase = firstDay - PAD;
    const size = lastDay - firstDay + 1 + 2 * PAD;
    this.open = new Float64Array(size).fill(Number.NaN);
    this.close = new Float64Array(size).fill(Number.NaN);
    this.extendedOpen = new Float64Array(size).fill(Number.NaN);
    this.extendedClose = new Float64Array(size).fill(Number.NaN);
    this.anchor = new Float64Array(size).fill(Number.NaN);
    this.flags = new Uint8Array(size);
    const closures = new Map<number, string>();
    let previousExtendedClose = Number.NEGATIVE_INFINITY;
    for (let day = firstDay; day <= lastDay; day += 1) {
      const spec = source.specFor(day);
      if (spec.kind === "weekend") continue;
      if (spec.kind === "closed") {
        closures.set(day, spec.reason);
        continue;
      }
      const i = day - this.indexBase;
      const extendedOpen = zone.localToUtcMs(day, spec.extendedOpenMinute);
      const open = zone.localToUtcMs(day, spec.openMinute);
      const close = zone.localToUtcMs(day, spec.closeMinute);
      const extendedClose = zone.localToUtcMs(day, spec.extendedCloseMinute);
      invariant(extendedOpen <= open && open < close && close <= extendedClose, `session table: hours out of order on day ${String(day)}`);
      invariant(extendedOpen >= previousExtendedClose, `session table: session of day ${String(day)} overlaps the previous one`);
      previousExtendedClose = extendedClose;
      this.open[i] = open;
      this.close[i] = close;
      this.extendedOpen[i] = extendedOpen;
      this.extendedClose[i] = extendedClose;
      this.anchor[i] = zone.localToUtcMs(day, source.normalOpenMinute);
      this.flags[i] = (spec.closeMinute < source.normalCloseMinute ? EARLY_CLOSE : 0) | (spec.openMinute > source.normalOpenMinute ? LATE_OPEN : 0);
    }
    this.closures = closures;
  }

  /** Array index of a local date (day number). */
  indexOfDay(dayNumber: number): number {
    return dayNumber - this.indexBase;
  }

  /** Array index of the UTC day containing an instant; the instant's session is at this index or a neighbour. */
  indexOfInstant(tsMs: number): number {
    return Math.floor(tsMs / DAY_MS) - this.indexBase;
  }

  /** The last array index (a padded slot, always closed). */
  get lastIndex(): number {
    return this.open.length - 1;
  }

  isTradingIndex(i: number): boolean {
    return !Number.isNaN(this.open[i] ?? Number.NaN);
  }

  earlyCloseAt(i: number): boolean {
    return ((this.flags[i] ?? 0) & EARLY_CLOSE) !== 0;
  }

  lateOpenAt(i: number): boolean {
    return ((this.flags[i] ?? 0) & LATE_OPEN) !== 0;
  }
}
