/**
 * NYSE days that no rule predicts, since 2000: a data table, not rules (API brief
 * §5.3). Source: NYSE closings history as encoded in pandas_market_calendars
 * (holidays/nyse.py). A future unscheduled closure is a new row here.
 *
 * Minutes are exchange-local minutes after midnight (09:30 = 570, 16:00 = 960).
 */

export interface NyseSpecialClosure {
  readonly date: string;
  readonly reason: string;
}

export interface NyseSpecialSession {
  readonly date: string;
  /** Local open minute when the open was late; absent when it was normal. */
  readonly openMinute?: number;
  /** Local close minute when the close was early; absent when it was normal. */
  readonly closeMinute?: number;
  readonly reason: string;
}

export const nyseSpecialClosures: readonly NyseSpecialClosure[] = [
  { date: "2001-09-11", reason: "September 11 attacks" },
  { date: "2001-09-12", reason: "September 11 attacks" },
  { date: "2001-09-13", reason: "September 11 attacks" },
  { date: "2001-09-14", reason: "September 11 attacks" },
  { date: "2004-06-11", reason: "National Day of Mourning, Ronald Reagan" },
  { date: "2007-01-02", reason: "National Day of Mourning, Gerald Ford" },
  { date: "2012-10-29", reason: "Hurricane Sandy" },
  { date: "2012-10-30", reason: "Hurricane Sandy" },
  { date: "2018-12-05", reason: "National Day of Mourning, George H. W. Bush" },
  { date: "2025-01-09", reason: "National Day of Mourning, Jimmy Carter" },
];

export const nyseSpecialSessions: readonly NyseSpecialSession[] = [
  { date: "2001-09-17", openMinute: 9 * 60 + 33, reason: "Reopening after September 11, moment of silence" },
  { date: "2001-10-08", openMinute: 9 * 60 + 31, reason: "Moment of silence, Operation Enduring Freedom" },
  { date: "2002-09-11", openMinute: 12 * 60, reason: "First anniversary of September 11" },
  { date: "2003-03-20", openMinute: 9 * 60 + 32, reason: "Moment of silence, Operation Iraqi Freedom" },
  { date: "2003-12-26", closeMinute: 13 * 60, reason: "Day after Christmas" },
  { date: "2004-06-07", openMinute: 9 * 60 + 32, reason: "Moment of silence, Ronald Reagan" },
  { date: "2005-06-01", closeMinute: 15 * 60 + 56, reason: "Systems communication problem" },
  { date: "2006-12-27", openMinute: 9 * 60 + 32, reason: "Moment of silence, Gerald Ford" },
];
