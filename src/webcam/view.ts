/**
 * Text shapes for the Webcam pane (and anyone else drawing the status):
 * today's daylight as a bar with now marked, and small per-day bars. Pure.
 */
import type { DaySchedule } from './schedule.js';

export type BarKind = 'dark' | 'low' | 'day';

/** One kind per cell across the local day; `now` is the index of the cell holding now (or -1). */
export function daylightBar(s: DaySchedule, now: Date, width: number): { cells: BarKind[]; now: number } {
  const start = s.dayStart.getTime();
  const span = s.dayEnd.getTime() - start;
  const cells: BarKind[] = [];
  for (let i = 0; i < width; i++) {
    const t = start + ((i + 0.5) / width) * span;
    const inside = (a: { start: Date; end: Date }): boolean => t >= a.start.getTime() && t < a.end.getTime();
    cells.push(s.lowLight.some(inside) ? 'low' : s.windows.some(inside) ? 'day' : 'dark');
  }
  const n = now.getTime();
  return { cells, now: n >= start && n < start + span ? Math.floor(((n - start) / span) * width) : -1 };
}

const LEVELS = ' ▁▂▃▄▅▆▇█';

/** One block per value, scaled to the largest; a zero stays blank so a dead day shows. */
export function sparkBars(values: readonly number[]): string {
  const max = Math.max(1, ...values);
  return values.map((v) => (v <= 0 ? '·' : LEVELS[Math.max(1, Math.round((v / max) * 8))])).join('');
}
