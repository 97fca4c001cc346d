/**
 * Local days and wall-clock times in the camera's zone: archive folders,
 * day boundaries of the schedule, EXIF times written without an offset.
 */
import { civilFromDays, ZoneCalendar } from '../snapshots/calendar.js';
import { OpsError } from '../core/errors.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** YYYY-MM-DD of an instant in a zone. */
export function localDate(t: Date | number, timeZone: string): string {
  const wall = new ZoneCalendar(timeZone).wall(new Date(t).getTime());
  const { y, m, d } = civilFromDays(Math.floor(wall / DAY));
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

/** "14:05" local time. */
export function localTime(t: Date | number, timeZone: string): string {
  const wall = new ZoneCalendar(timeZone).wall(new Date(t).getTime());
  const minutes = Math.floor((((wall % DAY) + DAY) % DAY) / MINUTE);
  return `${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
}

/** "20260615-140500": local wall time for file names that sort by time. */
export function localStamp(t: Date | number, timeZone: string): string {
  const wall = new Date(new ZoneCalendar(timeZone).wall(new Date(t).getTime()));
  return (
    `${wall.getUTCFullYear()}${pad2(wall.getUTCMonth() + 1)}${pad2(wall.getUTCDate())}-` +
    `${pad2(wall.getUTCHours())}${pad2(wall.getUTCMinutes())}${pad2(wall.getUTCSeconds())}`
  );
}

export function parseDay(text: string): { y: number; m: number; d: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const y = Number(m?.[1]);
  const mo = Number(m?.[2]);
  const d = Number(m?.[3]);
  if (!m || mo < 1 || mo > 12 || d < 1 || d > 31 || new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) {
    throw new OpsError('USAGE', `expected a date as YYYY-MM-DD, not ${JSON.stringify(text)}`, { hint: 'e.g. --date 2026-06-21' });
  }
  return { y, m: mo, d };
}

/** The calendar day `n` days after (before, when negative) `day`. */
export function addDays(day: string, n: number): string {
  const { y, m, d } = parseDay(day);
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return `${t.getUTCFullYear()}-${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())}`;
}

/**
 * The instant a wall-clock time names in a zone. In the hour DST skips, the
 * instant an hour later; in the hour it repeats, the first of the two.
 */
export function wallToInstant(wallMs: number, timeZone: string): Date {
  const cal = new ZoneCalendar(timeZone);
  let t = wallMs;
  // Two rounds settle it: the offset at the guess, then at the corrected instant.
  for (let i = 0; i < 2; i++) t = wallMs - (cal.wall(t) - t);
  if (cal.wall(t) < wallMs) t += HOUR;
  // The repeated hour: an hour earlier shows the same wall time too; take the first.
  if (cal.wall(t - HOUR) === wallMs) t -= HOUR;
  return new Date(t);
}

/** The instant of local midnight starting the given day. */
export function localMidnight(day: string, timeZone: string): Date {
  const { y, m, d } = parseDay(day);
  return wallToInstant(Date.UTC(y, m - 1, d), timeZone);
}
