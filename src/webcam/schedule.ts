/**
 * When the camera captures: while the sun is above `sunAltitude` at the
 * configured place. The seed computed sunrise and sunset and captured between
 * them, which breaks where the sun does not rise or set that day (suncalc then
 * has no times at all); asking for the altitude works everywhere, and the
 * day's windows are where the altitude curve crosses the threshold. Pure:
 * suncalc and the zone rules only.
 */
import { getPosition } from 'suncalc';
import { addDays, localMidnight } from './time.js';
import type { WebcamConfig } from './config.js';

const MINUTE = 60_000;

export type Place = Pick<WebcamConfig, 'latitude' | 'longitude' | 'timeZone' | 'sunAltitude' | 'lowLightMinutes'>;

export interface DaylightWindow {
  start: Date;
  end: Date;
  /** start is a real sunrise-side crossing (false: the window runs on from the day before) */
  startCrossing: boolean;
  endCrossing: boolean;
}

export interface LowLightSpan {
  start: Date;
  end: Date;
}

export interface DaySchedule {
  /** YYYY-MM-DD in `timeZone` */
  date: string;
  timeZone: string;
  latitude: number;
  longitude: number;
  /** the threshold in degrees */
  sunAltitude: number;
  /** local midnight to local midnight: 23 or 25 hours on a DST change day */
  dayStart: Date;
  dayEnd: Date;
  windows: DaylightWindow[];
  lowLight: LowLightSpan[];
  /** 'day': the sun stays above the threshold all day; 'night': it never gets there */
  polar: 'day' | 'night' | undefined;
  /** the sun's highest altitude that day, degrees */
  maxAltitude: number;
}

export interface CaptureDecision {
  capture: boolean;
  lowLight: boolean;
  /** degrees */
  altitude: number;
  reason: string;
}

const RAD = Math.PI / 180;
/** suncalc's refraction (Meeus 16.4, flat below the horizon), in degrees. */
const refraction = (h: number): number => {
  const r = Math.max(h, 0) * RAD;
  return 0.0002967 / Math.tan(r + 0.00312536 / (r + 0.08901179)) / RAD;
};

/**
 * The geometric altitude of the sun's centre, in degrees: what the twilight
 * definitions (-6° civil, -12°, -18°) are stated in. suncalc reports the
 * apparent one, refraction added (and a constant 0.57° of it below the
 * horizon, which would move civil dawn by 3-4 minutes), so it is taken off.
 */
export function sunAltitude(t: Date | number, place: Pick<Place, 'latitude' | 'longitude'>): number {
  const apparent = getPosition(new Date(t), place.latitude, place.longitude).altitude;
  let h = apparent;
  for (let i = 0; i < 6; i++) h = apparent - refraction(h);
  return h;
}

interface Crossing {
  at: number;
  rising: boolean;
}

/** Where the altitude crosses the threshold in [from, to]: minute samples, each crossing refined to a second. */
function crossings(from: number, to: number, place: Place): { list: Crossing[]; aboveAtStart: boolean; max: number } {
  const above = (t: number): boolean => sunAltitude(t, place) > place.sunAltitude;
  const list: Crossing[] = [];
  let prevT = from;
  let prevAbove = above(from);
  const aboveAtStart = prevAbove;
  let max = -90;
  for (let t = from + MINUTE; ; t += MINUTE) {
    const at = Math.min(t, to);
    const alt = sunAltitude(at, place);
    max = Math.max(max, alt);
    const isAbove = alt > place.sunAltitude;
    if (isAbove !== prevAbove) {
      let lo = prevT;
      let hi = at;
      while (hi - lo > 1000) {
        const mid = Math.floor((lo + hi) / 2);
        if (above(mid) === prevAbove) lo = mid;
        else hi = mid;
      }
      list.push({ at: Math.round(hi / 1000) * 1000, rising: isAbove });
    }
    prevT = at;
    prevAbove = isAbove;
    if (at >= to) break;
  }
  return { list, aboveAtStart, max };
}

/** The day's daylight windows and low-light spans at the configured place, in its zone. */
export function daySchedule(day: string, place: Place): DaySchedule {
  const dayStart = localMidnight(day, place.timeZone).getTime();
  const dayEnd = localMidnight(addDays(day, 1), place.timeZone).getTime();
  const { list, aboveAtStart, max } = crossings(dayStart, dayEnd, place);
  const windows: DaylightWindow[] = [];
  let openAt: number | undefined = aboveAtStart ? dayStart : undefined;
  let openCrossing = false;
  for (const c of list) {
    if (c.rising) {
      openAt = c.at;
      openCrossing = true;
    } else if (openAt !== undefined) {
      windows.push({ start: new Date(openAt), end: new Date(c.at), startCrossing: openCrossing, endCrossing: true });
      openAt = undefined;
    }
  }
  if (openAt !== undefined) windows.push({ start: new Date(openAt), end: new Date(dayEnd), startCrossing: openCrossing, endCrossing: false });

  const n = place.lowLightMinutes * MINUTE;
  const lowLight: LowLightSpan[] = [];
  if (n > 0) {
    for (const w of windows) {
      const s = w.start.getTime();
      const e = w.end.getTime();
      if (w.startCrossing) lowLight.push({ start: w.start, end: new Date(Math.min(e, s + n)) });
      if (w.endCrossing) lowLight.push({ start: new Date(Math.max(s, e - n)), end: w.end });
    }
  }
  const polar = windows.length === 0 ? 'night' : windows.length === 1 && !windows[0]!.startCrossing && !windows[0]!.endCrossing ? 'day' : undefined;
  return {
    date: day,
    timeZone: place.timeZone,
    latitude: place.latitude,
    longitude: place.longitude,
    sunAltitude: place.sunAltitude,
    dayStart: new Date(dayStart),
    dayEnd: new Date(dayEnd),
    windows,
    lowLight,
    polar,
    maxAltitude: Math.round(max * 100) / 100,
  };
}

/**
 * Capture now? Low light when the sun crossed the threshold within
 * `lowLightMinutes` before now or will within that after, whichever day the
 * crossing falls on (a window that starts at 23:55 is still low light at 00:05).
 */
export function captureDecision(now: Date, place: Place): CaptureDecision {
  const altitude = Math.round(sunAltitude(now, place) * 100) / 100;
  if (altitude <= place.sunAltitude) {
    return { capture: false, lowLight: false, altitude, reason: `the sun is at ${altitude}°, not above ${place.sunAltitude}°` };
  }
  const n = place.lowLightMinutes * MINUTE;
  const t = now.getTime();
  const lowLight = n > 0 && crossings(t - n, t + n, place).list.length > 0;
  return {
    capture: true,
    lowLight,
    altitude,
    reason: `the sun is at ${altitude}°, above ${place.sunAltitude}°${lowLight ? `, within ${place.lowLightMinutes} min of the threshold: low-light settings` : ''}`,
  };
}
