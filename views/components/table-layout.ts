/**
 * Column widths for the Table, as a pure function so it can be tested
 * without rendering: natural widths from a sample of the rows; when they do
 * not fit, the least important columns shrink first (down to their minimum),
 * and when even the minimums do not fit, the lowest-priority columns are
 * hidden (rightmost first among equals). A `whole` column is cut only once
 * every less important column has been hidden.
 */

import { cellWidth } from '../format.js';

export interface Column<T> {
  key: string;
  title: string;
  get(row: T): string;
  /** never narrower than this (default: min(title length, 6)) */
  minWidth?: number;
  /** never wider than this */
  maxWidth?: number;
  align?: 'left' | 'right';
  /** higher stays longer on narrow terminals (default 0); identifiers deserve a high one */
  priority?: number;
  /**
   * cut only once every less important column is gone: a name people scan
   * for reads whole while a zone or a type can simply go (by default a column
   * shrinks to its minimum before lower ones are hidden)
   */
  whole?: boolean;
}

/** Cells between columns. */
export const GAP = 1;
/** The selection marker column ("› "). */
export const MARKER = 2;
/**
 * Up to this many rows are measured for natural widths (all of them below
 * it); beyond, an even stride plus the tail, where ids and counters are longest.
 */
export const SAMPLE = 5000;

function sampleRows<T>(rows: readonly T[]): readonly T[] {
  if (rows.length <= SAMPLE) return rows;
  const stride = rows.length / SAMPLE;
  const out: T[] = [];
  for (let i = 0; i < SAMPLE; i++) out.push(rows[Math.floor(i * stride)]!);
  return out.concat(rows.slice(-100));
}

export interface Fitted<T> {
  column: Column<T>;
  width: number;
}

interface Measured<T> {
  column: Column<T>;
  width: number;
  natural: number;
  min: number;
}

export function fitColumns<T>(columns: readonly Column<T>[], rows: readonly T[], width: number): Fitted<T>[] {
  const sample = sampleRows(rows);
  let measured: Measured<T>[] = columns.map((c) => {
    let natural = cellWidth(c.title);
    for (const r of sample) natural = Math.max(natural, cellWidth(c.get(r)));
    if (c.maxWidth !== undefined) natural = Math.min(natural, c.maxWidth);
    const min = Math.min(natural, c.minWidth ?? Math.min(c.title.length, 6));
    return { column: c, width: natural, natural, min };
  });
  for (;;) {
    const fitted = shrink(measured, width);
    const cut = fitted.find((f) => f.column.whole && f.width < f.natural);
    const p = (c: Measured<T>): number => c.column.priority ?? 0;
    // the least important column below the cut one goes (rightmost among equals), and the rest fit again
    const lower = cut ? fitted.reduce<Measured<T> | undefined>((d, c) => (p(c) < p(cut) && (!d || p(c) <= p(d)) ? c : d), undefined) : undefined;
    if (!cut || !lower) return fitted.map(({ column, width: w }) => ({ column, width: w }));
    measured = measured.filter((m) => m.column !== lower.column);
  }
}

function shrink<T>(measured: readonly Measured<T>[], width: number): Measured<T>[] {
  const cols = measured.map((m) => ({ ...m }));
  const avail = (n: number): number => width - MARKER - GAP * Math.max(0, n - 1);
  while (cols.length > 1 && cols.reduce((a, c) => a + c.min, 0) > avail(cols.length)) {
    let drop = cols.length - 1;
    for (let i = cols.length - 1; i >= 0; i--) {
      if ((cols[i]!.column.priority ?? 0) < (cols[drop]!.column.priority ?? 0)) drop = i;
    }
    cols.splice(drop, 1);
  }
  let over = cols.reduce((a, c) => a + c.width, 0) - avail(cols.length);
  while (over > 0) {
    // The least important column with room gives first; among equals, the widest.
    let giver: (typeof cols)[number] | undefined;
    for (const c of cols) {
      if (c.width <= c.min) continue;
      const p = c.column.priority ?? 0;
      const gp = giver?.column.priority ?? 0;
      if (!giver || p < gp || (p === gp && c.width > giver.width)) giver = c;
    }
    if (!giver) break;
    const step = Math.min(over, giver.width - giver.min);
    giver.width -= step;
    over -= step;
  }
  // A single column wider than the screen (tiny terminals) is simply cut.
  if (over > 0 && cols[0]) cols[0].width = Math.max(1, cols[0].width - over);
  return cols;
}
