/**
 * The Webcam pane's text shapes: today's daylight bar (which cell holds now,
 * where the ┃ goes) and the per-day bars, where a dead day must stay visible.
 */
import { describe, expect, it } from 'vitest';
import type { DaySchedule } from '../../src/webcam/schedule.js';
import { daylightBar, sparkBars } from '../../src/webcam/view.js';

const H = 3_600_000;
const MIDNIGHT = Date.UTC(2026, 5, 15);
const at = (hours: number): Date => new Date(MIDNIGHT + hours * H);
/** A UTC day with daylight 06:00-18:00 and an hour of low light at each end. */
const DAY: DaySchedule = {
  date: '2026-06-15',
  timeZone: 'UTC',
  latitude: 0,
  longitude: 0,
  sunAltitude: -6,
  dayStart: at(0),
  dayEnd: at(24),
  windows: [{ start: at(6), end: at(18), startCrossing: true, endCrossing: true }],
  lowLight: [
    { start: at(6), end: at(7) },
    { start: at(17), end: at(18) },
  ],
  polar: undefined,
  maxAltitude: 60,
};

describe('daylightBar', () => {
  it('one cell per hour at width 24: dark, low light, day, low light, dark', () => {
    const { cells } = daylightBar(DAY, at(12), 24);
    const kinds = cells.map((k) => ({ dark: '░', low: '▒', day: '█' })[k]).join('');
    expect(kinds).toBe('░░░░░░▒██████████▒░░░░░░');
  });

  it.each([
    [0, 0],
    [0.99, 0],
    [12.5, 12],
    [23.99, 23],
  ])('now at %s h is in cell %s', (hours, cell) => {
    expect(daylightBar(DAY, at(hours), 24).now).toBe(cell);
  });

  it('scales to the width: noon is the middle cell of 72, 06:00 a quarter of the way', () => {
    expect(daylightBar(DAY, at(12), 72).now).toBe(36);
    expect(daylightBar(DAY, at(6), 72).now).toBe(18);
    expect(daylightBar(DAY, at(12), 72).cells).toHaveLength(72);
  });

  it('now outside the day (yesterday, or the next midnight) marks no cell', () => {
    expect(daylightBar(DAY, at(-0.01), 24).now).toBe(-1);
    expect(daylightBar(DAY, at(24), 24).now).toBe(-1);
  });

  it('a 25-hour day (DST ends) still fills the width, now placed by elapsed time', () => {
    const long: DaySchedule = { ...DAY, dayEnd: at(25), windows: [], lowLight: [] };
    const bar = daylightBar(long, at(12.5), 50);
    expect(bar.cells).toEqual(Array(50).fill('dark'));
    expect(bar.now).toBe(25);
  });
});

describe('sparkBars', () => {
  it('scales to the largest value; zero (or less) is a dot, so a dead day shows', () => {
    expect(sparkBars([0, 1, 4, 8])).toBe('·▁▄█');
    expect(sparkBars([3, -1, 3])).toBe('█·█');
  });

  it('a day with a single frame beside a busy one is still a bar, never blank', () => {
    expect(sparkBars([1, 200])).toBe('▁█');
  });

  it('all zeros are all dots, and no days is no bars', () => {
    expect(sparkBars([0, 0, 0])).toBe('···');
    expect(sparkBars([])).toBe('');
  });
});
