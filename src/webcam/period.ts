/**
 * The span of a timelapse: a local day, an ISO week or a calendar month in
 * the camera's zone, as the instants that bound it (DST days are 23 or 25
 * hours long, so the bounds come from local midnights, not from adding 24 h).
 */
import { OpsError } from '../core/errors.js';
import { isoWeekOfDays } from '../snapshots/calendar.js';
import { addDays, localMidnight, parseDay } from './time.js';

export type PeriodKind = 'day' | 'week' | 'month';

export interface Period {
  kind: PeriodKind;
  /** "2026-06-15", "2026-W24" or "2026-06": also the stem of the video's name */
  label: string;
  /** first local day and the day after the last */
  firstDay: string;
  endDay: string;
  from: Date;
  to: Date;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const DAY = 86_400_000;

function span(kind: PeriodKind, label: string, firstDay: string, endDay: string, timeZone: string): Period {
  return { kind, label, firstDay, endDay, from: localMidnight(firstDay, timeZone), to: localMidnight(endDay, timeZone) };
}

/** "2026-W24" (ISO 8601: weeks start on Monday, week 1 holds the year's first Thursday). */
export function parseWeek(text: string): { year: number; week: number; monday: string } {
  const m = /^(\d{4})-?W(\d{2})$/i.exec(text);
  const year = Number(m?.[1]);
  const week = Number(m?.[2]);
  // Monday of week 1 is the Monday on or before 4 January.
  const jan4 = Math.floor(Date.UTC(year, 0, 4) / DAY);
  const monday1 = jan4 - ((((jan4 + 3) % 7) + 7) % 7);
  const monday = monday1 + (week - 1) * 7;
  if (!m || week < 1 || isoWeekOfDays(monday).week !== week || isoWeekOfDays(monday).year !== year) {
    throw new OpsError('USAGE', `expected an ISO week as YYYY-Www, not ${JSON.stringify(text)}`, { hint: 'e.g. --week 2026-W24 (weeks 01 to 52 or 53)' });
  }
  const t = new Date(monday * DAY);
  return { year, week, monday: `${t.getUTCFullYear()}-${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())}` };
}

export function periodOf(kind: PeriodKind, text: string, timeZone: string): Period {
  if (kind === 'day') {
    parseDay(text);
    return span('day', text, text, addDays(text, 1), timeZone);
  }
  if (kind === 'week') {
    const w = parseWeek(text);
    return span('week', `${w.year}-W${pad2(w.week)}`, w.monday, addDays(w.monday, 7), timeZone);
  }
  const m = /^(\d{4})-(\d{2})$/.exec(text);
  const y = Number(m?.[1]);
  const mo = Number(m?.[2]);
  if (!m || mo < 1 || mo > 12) throw new OpsError('USAGE', `expected a month as YYYY-MM, not ${JSON.stringify(text)}`, { hint: 'e.g. --month 2026-06' });
  const next = mo === 12 ? `${y + 1}-01-01` : `${y}-${pad2(mo + 1)}-01`;
  return span('month', text, `${text}-01`, next, timeZone);
}
