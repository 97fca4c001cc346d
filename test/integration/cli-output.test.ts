import { describe, expect, it } from 'vitest';
import { painter, progressLine, renderTable, stderrProgress, useColor, type Column } from '../../src/cli/output.js';
import { formatAge } from '../../src/core/format.js';

describe('batch output helpers', () => {
  it('formats ages short enough for a column, as the TUI does', () => {
    const ago = formatAge;
    expect(ago(45_000)).toBe('45s');
    expect(ago(12 * 60_000)).toBe('12m');
    expect(ago(5 * 3_600_000)).toBe('5h');
    expect(ago(5 * 3_600_000 + 12 * 60_000)).toBe('5h12m');
    expect(ago(3 * 86_400_000 + 4 * 3_600_000)).toBe('3d4h');
    expect(ago(400 * 86_400_000)).toBe('400d');
    expect(ago(-5_000)).toBe('0s'); // clock skew: never negative
  });

  it('aligns coloured cells by their visible width', () => {
    type Row = { a: string; b: string };
    const cols: Column<Row>[] = [
      { header: 'A', get: (r) => r.a, style: () => 'green' },
      { header: 'B', get: (r) => r.b, align: 'right' },
    ];
    const rows = [{ a: 'x', b: '1' }, { a: 'longer', b: '100' }];
    const plain = renderTable(rows, cols, painter(false));
    expect(plain).toBe(['A         B', 'x         1', 'longer  100'].join('\n'));
    const coloured = renderTable(rows, cols, painter(true));
    expect(coloured).toContain('\x1b[32mx\x1b[39m');
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(plain);
  });

  it('uses colour only on a terminal, not for --json, not with NO_COLOR', () => {
    expect(useColor(true, false, {})).toBe(true);
    expect(useColor(false, false, {})).toBe(false);
    expect(useColor(true, true, {})).toBe(false);
    expect(useColor(true, false, { NO_COLOR: '1' })).toBe(false);
  });

  it('describes progress with count, percentage, rate and ETA', () => {
    expect(progressLine({ phase: 'deleting snapshots', done: 120, total: 480, rate: 24, etaMs: 15_000 })).toBe(
      'deleting snapshots: 120/480 (25%, 24/s, ETA 15s)',
    );
    expect(progressLine({ phase: 'listing snapshots', done: 3000, total: undefined })).toBe('listing snapshots: 3000');
  });

  it('throttles progress lines but always shows a new phase and the end', () => {
    let t = 0;
    const lines: string[] = [];
    const sink = stderrProgress((l) => lines.push(l), 1000, () => t);
    for (let i = 1; i <= 100; i++) {
      t += 50; // 100 events over 5 s
      sink({ phase: 'deleting', done: i, total: 100 });
    }
    sink({ phase: 'verifying', done: 1, total: 2 });
    expect(lines[0]).toBe('deleting: 1/100 (1%)');
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(lines.length).toBeLessThanOrEqual(8);
    expect(lines).toContain('deleting: 100/100 (100%)');
    expect(lines.at(-1)).toBe('verifying: 1/2 (50%)');
  });
});
