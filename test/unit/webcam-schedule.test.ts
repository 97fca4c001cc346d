import { getTimes } from 'suncalc';
import { describe, expect, it } from 'vitest';
import { captureDecision, daySchedule, type Place } from '../../src/webcam/schedule.js';
import { localMidnight, localTime, wallToInstant } from '../../src/webcam/time.js';

/** The seed's camera: Nelson, BC. */
const SEED: Place = { latitude: 49.8672, longitude: -118.00737, timeZone: 'America/Vancouver', sunAltitude: -6, lowLightMinutes: 15 };
const TROMSO: Place = { latitude: 69.6492, longitude: 18.9553, timeZone: 'Europe/Oslo', sunAltitude: -6, lowLightMinutes: 15 };
const MIN = 60_000;
const hours = (a: Date, b: Date): number => (b.getTime() - a.getTime()) / 3_600_000;

describe('daylight windows at the seed place', () => {
  // suncalc's own dawn/dusk (the -6° times from its closed-form solution) are the reference
  // for the crossings found by sampling the altitude. The local times agree with a hand
  // check: solar noon at 118° W plus the equation of time, half the day length, and
  // about 32-38 minutes of civil twilight at 50° N.
  it.each([
    ['2026-03-20', 'March equinox', '06:22', '19:37'],
    ['2026-06-21', 'June solstice', '03:59', '21:48'],
    ['2026-09-22', 'September equinox', '06:06', '19:21'],
    ['2026-12-21', 'December solstice', '07:09', '16:31'],
  ])('%s (%s): one window from civil dawn to civil dusk', (day, _name, dawn, dusk) => {
    const s = daySchedule(day, SEED);
    expect(s.polar).toBeUndefined();
    expect(s.windows).toHaveLength(1);
    const w = s.windows[0]!;
    expect(w.startCrossing && w.endCrossing).toBe(true);
    const ref = getTimes(new Date(localMidnight(day, SEED.timeZone).getTime() + 12 * 3_600_000), SEED.latitude, SEED.longitude);
    expect(Math.abs(w.start.getTime() - ref.dawn!.getTime())).toBeLessThan(2 * MIN);
    expect(Math.abs(w.end.getTime() - ref.dusk!.getTime())).toBeLessThan(2 * MIN);
    // and the local clock times, within the two minutes the two methods may differ
    const near = (got: string, want: string): boolean => {
      const m = (t: string): number => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
      return Math.abs(m(got) - m(want)) <= 2;
    };
    expect(near(localTime(w.start, SEED.timeZone), dawn), `${localTime(w.start, SEED.timeZone)} vs ${dawn}`).toBe(true);
    expect(near(localTime(w.end, SEED.timeZone), dusk), `${localTime(w.end, SEED.timeZone)} vs ${dusk}`).toBe(true);
  });

  it('the longest day is longer than the shortest by about 7 hours of daylight', () => {
    const june = daySchedule('2026-06-21', SEED).windows[0]!;
    const dec = daySchedule('2026-12-21', SEED).windows[0]!;
    expect(hours(june.start, june.end) - hours(dec.start, dec.end)).toBeGreaterThan(7.5);
    expect(hours(june.start, june.end) - hours(dec.start, dec.end)).toBeLessThan(9);
  });

  it('a DST change day has 23 or 25 hours and its windows stay in local time', () => {
    const spring = daySchedule('2026-03-08', SEED);
    const fall = daySchedule('2026-11-01', SEED);
    expect(hours(spring.dayStart, spring.dayEnd)).toBe(23);
    expect(hours(fall.dayStart, fall.dayEnd)).toBe(25);
    // dawn jumps an hour later on the clock across the spring change, and back in the fall
    const dawn = (d: string): string => localTime(daySchedule(d, SEED).windows[0]!.start, SEED.timeZone);
    expect(dawn('2026-03-07')).toMatch(/^05:/);
    expect(dawn('2026-03-08')).toMatch(/^06:/);
    expect(dawn('2026-10-31')).toMatch(/^07:/);
    expect(dawn('2026-11-01')).toMatch(/^06:/);
  });
});

describe('polar day and night (Tromsø), where sunrise and sunset do not exist', () => {
  it('June: captures all day, one window that runs through both midnights', () => {
    expect(getTimes(new Date('2026-06-21T12:00:00Z'), TROMSO.latitude, TROMSO.longitude).sunrise).toBeNull();
    const s = daySchedule('2026-06-21', TROMSO);
    expect(s.polar).toBe('day');
    expect(s.windows).toEqual([{ start: s.dayStart, end: s.dayEnd, startCrossing: false, endCrossing: false }]);
    expect(s.lowLight).toEqual([]);
    expect(captureDecision(new Date('2026-06-21T23:00:00Z'), TROMSO)).toMatchObject({ capture: true, lowLight: false });
  });

  it('December with the sun-above-horizon threshold: no capture at all', () => {
    const horizon = { ...TROMSO, sunAltitude: 0 };
    const s = daySchedule('2026-12-21', horizon);
    expect(s.polar).toBe('night');
    expect(s.windows).toEqual([]);
    expect(s.maxAltitude).toBeLessThan(0);
    expect(captureDecision(new Date('2026-12-21T11:00:00Z'), horizon).capture).toBe(false);
  });

  it('December with civil twilight: a short midday window, all of it low light', () => {
    const s = daySchedule('2026-12-21', TROMSO);
    expect(s.polar).toBeUndefined();
    expect(s.windows).toHaveLength(1);
    const w = s.windows[0]!;
    expect(hours(w.start, w.end)).toBeGreaterThan(3);
    expect(hours(w.start, w.end)).toBeLessThan(6);
  });
});

describe('low-light window edges', () => {
  const w = daySchedule('2026-06-21', SEED).windows[0]!;
  const at = (base: Date, minutes: number): Date => new Date(base.getTime() + minutes * MIN);

  it.each([
    [-1, false, false],
    [1, true, true],
    [14, true, true],
    [16, true, false],
  ])('%i min after dawn: capture %s, low light %s', (m, capture, lowLight) => {
    expect(captureDecision(at(w.start, m), SEED)).toMatchObject({ capture, lowLight });
  });

  it.each([
    [-16, true, false],
    [-14, true, true],
    [-1, true, true],
    [1, false, false],
  ])('%i min from dusk: capture %s, low light %s', (m, capture, lowLight) => {
    expect(captureDecision(at(w.end, m), SEED)).toMatchObject({ capture, lowLight });
  });

  it('the day schedule lists the same spans the decision uses', () => {
    const s = daySchedule('2026-06-21', SEED);
    expect(s.lowLight).toEqual([
      { start: w.start, end: at(w.start, 15) },
      { start: at(w.end, -15), end: w.end },
    ]);
  });
});

describe('local times in the camera zone', () => {
  it('a wall time DST skips is read an hour later; a repeated one as the first', () => {
    expect(wallToInstant(Date.UTC(2026, 2, 8, 2, 30), 'America/Vancouver').toISOString()).toBe('2026-03-08T10:30:00.000Z');
    expect(wallToInstant(Date.UTC(2026, 10, 1, 1, 30), 'America/Vancouver').toISOString()).toBe('2026-11-01T08:30:00.000Z');
  });

  it('rejects a malformed --date', () => {
    expect(() => daySchedule('2026-02-30', SEED)).toThrow(/YYYY-MM-DD/);
  });
});
