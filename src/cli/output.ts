import { formatAmount, formatRate, type ProgressEvent, type ProgressSink } from '../core/progress.js';
import { formatDuration } from '../core/format.js';

/** Text output for batch commands: aligned tables, ages, colour only on a TTY. */

const CODES = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39] } as const;
export type Style = keyof typeof CODES;

export interface Painter {
  readonly enabled: boolean;
  paint(style: Style, text: string): string;
}

export function painter(enabled: boolean): Painter {
  return {
    enabled,
    paint: (style, text) => (enabled ? `\x1b[${CODES[style][0]}m${text}\x1b[${CODES[style][1]}m` : text),
  };
}

/** Colour for stdout: a TTY, not --json, and NO_COLOR unset (no-color.org). */
export function useColor(isTTY: boolean, json: boolean, env: NodeJS.ProcessEnv): boolean {
  return isTTY && !json && !env.NO_COLOR && env.TERM !== 'dumb';
}

/** For batch commands: colour on stdout only when it is a terminal and not --json. */
export function stdoutPainter(json: boolean): Painter {
  return painter(useColor(process.stdout.isTTY === true, json, process.env));
}

const ANSI = /\x1b\[[0-9;]*m/g;
const visibleWidth = (s: string): number => s.replace(ANSI, '').length;

export interface Column<R> {
  header: string;
  get: (row: R) => string;
  style?: (row: R) => Style | undefined;
  align?: 'left' | 'right';
}

/** Columns padded to the widest cell, two spaces apart; no trailing spaces. */
export function renderTable<R>(rows: readonly R[], columns: readonly Column<R>[], p: Painter): string {
  const cells = rows.map((r) => columns.map((c) => c.get(r)));
  const widths = columns.map((c, i) => Math.max(visibleWidth(c.header), ...cells.map((row) => visibleWidth(row[i] ?? ''))));
  const pad = (text: string, i: number, styled: string): string => {
    const gap = ' '.repeat((widths[i] ?? 0) - visibleWidth(text));
    return columns[i]?.align === 'right' ? gap + styled : styled + gap;
  };
  const lines = [columns.map((c, i) => pad(c.header, i, p.paint('bold', c.header))).join('  ').trimEnd()];
  rows.forEach((r, ri) => {
    const row = cells[ri] ?? [];
    const parts = columns.map((c, i) => {
      const text = row[i] ?? '';
      const style = c.style?.(r);
      return pad(text, i, style ? p.paint(style, text) : text);
    });
    lines.push(parts.join('  ').trimEnd());
  });
  return lines.join('\n');
}

export function progressLine(e: ProgressEvent): string {
  const parts: string[] = [];
  if (e.total !== undefined && e.total > 0) parts.push(`${Math.floor((e.done / e.total) * 100)}%`);
  // item counts stay plain digits in batch lines (log readers grep them); bytes read in binary units
  const amount = (n: number): string => (e.unit === 'bytes' ? formatAmount(n, e.unit) : String(n));
  if (e.rate !== undefined) parts.push(e.unit === 'bytes' ? formatRate(e.rate, e.unit) : `${e.rate >= 10 ? e.rate.toFixed(0) : e.rate.toFixed(1)}/s`);
  if (e.etaMs !== undefined && e.done !== e.total) parts.push(`ETA ${formatDuration(e.etaMs)}`);
  const count = e.total === undefined ? amount(e.done) : `${amount(e.done)}/${amount(e.total)}`;
  const extra = parts.length ? ` (${parts.join(', ')})` : '';
  return `${e.phase}: ${count}${extra}${e.detail ? ` ${e.detail}` : ''}`;
}

/**
 * Batch progress: lines on stderr, at most one per interval per phase, plus
 * the first and the last, so cron mail stays short and a person still sees motion.
 */
export function stderrProgress(write: (line: string) => void, intervalMs = 1000, nowMs: () => number = Date.now): ProgressSink {
  let lastPhase = '';
  let lastAt = -Infinity;
  return (e) => {
    const t = nowMs();
    const final = e.total !== undefined && e.done >= e.total;
    if (e.phase !== lastPhase || final || t - lastAt >= intervalMs) {
      lastPhase = e.phase;
      lastAt = t;
      write(progressLine(e));
    }
  };
}

/** Machine output: stable key order is the caller's; always ends with a newline. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
