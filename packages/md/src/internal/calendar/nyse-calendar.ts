/**
 * The NYSE calendar, 2000-01-01 … 2040-12-31, in America/New_York:
 *  - regular session 09:30–16:00 ET; 13:00 ET on rule early closes (nyse-rules.ts)
 *    and on the listed special sessions (nyse-special-days.ts);
 *  - extended session 04:00–20:00 ET on every trading day, early closes included:
 *    the API brief (§1.9, §5.4) gives Alpaca's session_close as "2000" on them,
 *    and the desk follows its broker. (NYSE Arca itself ends late trading at 17:00 ET
 *    on early-close days; change EXTENDED_CLOSE_EARLY_DAY if the broker ever does.)
 *  - closed on weekends, rule holidays and special closures.
 */
import { invariant } from "@mqk/core";
import { isWeekend, parseDayNumber, yearOf } from "./calendar-date.js";
import { newYorkZone } from "./new-york-zone.js";
import { nyseRuleDays, type NyseRuleDay } from "./nyse-rules.js";
import { nyseSpecialClosures, nyseSpecialSessions, type NyseSpecialSession } from "./nyse-special-days.js";
import { SessionTable, type DaySpec } from "./session-table.js";
import { TableCalendar } from "./table-calendar.js";

export const NYSE_FIRST_DATE = "2000-01-01";
export const NYSE_LAST_DATE = "2040-12-31";

const OPEN = 9 * 60 + 30;
const CLOSE = 16 * 60;
const EXTENDED_OPEN = 4 * 60;
const EXTENDED_CLOSE = 20 * 60;
const EXTENDED_CLOSE_EARLY_DAY = EXTENDED_CLOSE;

function dayOf(date: string): number {
  const day = parseDayNumber(date);
  invariant(day !== undefined, `NYSE table holds a malformed date ${date}`);
  return day;
}

function buildNyseTable(): SessionTable {
  const firstDay = dayOf(NYSE_FIRST_DATE);
  const lastDay = dayOf(NYSE_LAST_DATE);
  const ruleDays = new Map<number, NyseRuleDay>();
  for (let year = yearOf(firstDay); year <= yearOf(lastDay); year += 1) {
    for (const rule of nyseRuleDays(year)) {
      invariant(!ruleDays.has(rule.dayNumber), `NYSE rules give two entries for day ${String(rule.dayNumber)}`);
      invariant(!isWeekend(rule.dayNumber), `NYSE rule ${rule.name} ${String(year)} falls on a weekend`);
      ruleDays.set(rule.dayNumber, rule);
    }
  }
  const closures = new Map<number, string>();
  for (const closure of nyseSpecialClosures) {
    const day = dayOf(closure.date);
    invariant(!isWeekend(day) && ruleDays.get(day)?.kind !== "holiday", `NYSE special closure ${closure.date} is already a non-trading day`);
    closures.set(day, closure.reason);
  }
  const specials = new Map<number, NyseSpecialSession>();
  for (const special of nyseSpecialSessions) {
    const day = dayOf(special.date);
    invariant(!isWeekend(day) && ruleDays.get(day)?.kind !== "holiday" && !closures.has(day), `NYSE special session ${special.date} is a non-trading day`);
    specials.set(day, special);
  }

  function specFor(day: number): DaySpec {
    if (isWeekend(day)) return { kind: "weekend" };
    const closure = closures.get(day);
    if (closure !== undefined) return { kind: "closed", reason: closure };
    const rule = ruleDays.get(day);
    if (rule?.kind === "holiday") return { kind: "closed", reason: rule.name };
    const special = specials.get(day);
    const closeMinute = special?.closeMinute ?? (rule?.kind === "early_close" ? rule.closeMinute : CLOSE);
    return {
      kind: "session",
      openMinute: special?.openMinute ?? OPEN,
      closeMinute,
      extendedOpenMinute: EXTENDED_OPEN,
      extendedCloseMinute: closeMinute < CLOSE ? EXTENDED_CLOSE_EARLY_DAY : EXTENDED_CLOSE,
    };
  }

  return new SessionTable({ firstDay, lastDay, zone: newYorkZone, normalOpenMinute: OPEN, normalCloseMinute: CLOSE, specFor });
}

let nyseTable: SessionTable | undefined;

/** The NYSE calendar (MIC XNYS). Its session table is built once per process, on first use. */
export class NyseCalendar extends TableCalendar {
  constructor() {
    nyseTable ??= buildNyseTable();
    super("XNYS", nyseTable);
  }
}

let shared: NyseCalendar | undefined;

/** The process-wide NYSE calendar. */
export function nyseCalendar(): NyseCalendar {
  shared ??= new NyseCalendar();
  return shared;
}
