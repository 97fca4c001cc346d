import React from 'react';
import { Box, Text } from 'ink';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfirmDialog } from '../../views/components/ConfirmDialog.js';
import { ErrorPanel } from '../../views/components/ErrorPanel.js';
import { OpsError } from '../../src/core/errors.js';
import { DiffView } from '../../views/components/DiffView.js';
import { fitHints } from '../../views/components/KeyHints.js';
import { ProgressBar, progressStats } from '../../views/components/ProgressBar.js';
import { Table, type Column } from '../../views/components/Table.js';
import { fitColumns } from '../../views/components/table-layout.js';
import stringWidth from 'string-width';
import { cellWidth, fit, formatAge, wrapMessage, wrapWords } from '../../views/format.js';
import { useProgress } from '../../views/hooks.js';
import type { ProgressSink } from '../../src/core/progress.js';
import { lines, selectedRow, waitFor } from './helpers.js';

const mounted: { unmount(): void }[] = [];
afterEach(() => {
  while (mounted.length) mounted.pop()?.unmount();
});
function show(el: React.ReactElement) {
  const r = render(el);
  mounted.push(r);
  return r;
}

interface Row {
  id: string;
  name: string;
  note: string;
}
const rows: Row[] = Array.from({ length: 10_000 }, (_, i) => ({ id: `r${i}`, name: `row-${i}`, note: i === 5 ? 'x'.repeat(300) : 'short' }));
const cols: Column<Row>[] = [
  { key: 'id', title: 'ID', get: (r) => r.id, priority: 9 },
  { key: 'name', title: 'NAME', get: (r) => r.name, priority: 5 },
  { key: 'note', title: 'NOTE', get: (r) => r.note },
];
const rowId = (r: Row): string => r.id;

describe('Table', () => {
  it('renders only the visible window of 10,000 rows', () => {
    const { lastFrame } = show(<Table rows={rows} columns={cols} rowId={rowId} selectedId={undefined} width={80} height={10} />);
    const ls = lines(lastFrame());
    expect(ls).toHaveLength(10);
    expect(ls[0]).toMatch(/^\s+ID\s+NAME\s+NOTE/);
    expect(selectedRow(lastFrame())).toContain('row-0');
    expect(lastFrame()).toContain('row-8');
    expect(lastFrame()).not.toContain('row-9 ');
  });

  it('scrolls to keep the selected row (by id) visible', () => {
    const { lastFrame, rerender } = show(<Table rows={rows} columns={cols} rowId={rowId} selectedId="r5000" width={80} height={10} />);
    expect(selectedRow(lastFrame())).toContain('row-5000');
    expect(lastFrame()).not.toContain('row-0 ');
    // Same id after the rows are reordered: still selected.
    const reversed = [...rows].reverse();
    rerender(<Table rows={reversed} columns={cols} rowId={rowId} selectedId="r5000" width={80} height={10} />);
    expect(selectedRow(lastFrame())).toContain('row-5000');
  });

  it('cuts long cells with an ellipsis so no line is wider than the table', () => {
    const { lastFrame } = show(<Table rows={rows.slice(0, 8)} columns={cols} rowId={rowId} selectedId="r5" width={50} height={9} />);
    for (const l of lines(lastFrame())) expect(l.length).toBeLessThanOrEqual(50);
    expect(selectedRow(lastFrame())).toMatch(/x…$/);
  });

  it('keeps columns aligned when a name holds wide (CJK, emoji) characters', () => {
    const wide: Row[] = [
      { id: 'r1', name: 'web-東京-01', note: 'tokyo' },
      { id: 'r2', name: 'web-ascii', note: 'plain' },
      { id: 'r3', name: '🚀-canary', note: 'rocket' },
    ];
    const { lastFrame } = show(<Table rows={wide} columns={cols} rowId={rowId} selectedId="r1" width={60} height={5} />);
    const body = lines(lastFrame()).slice(1, 4);
    // the NOTE column starts at the same terminal cell on every row
    const noteAt = body.map((l) => stringWidth(l.slice(0, l.search(/tokyo|plain|rocket/))));
    expect(new Set(noteAt).size).toBe(1);
    // measured in cells, the column is wide enough for the whole name
    expect(lastFrame()).toContain('web-東京-01 ');
    for (const l of lines(lastFrame())) expect(stringWidth(l)).toBeLessThanOrEqual(60);
  });

  it('says so when there are no rows', () => {
    const { lastFrame } = show(<Table rows={[]} columns={cols} rowId={rowId} selectedId={undefined} width={40} height={5} emptyText="no instances" />);
    expect(lastFrame()).toContain('no instances');
  });
});

describe('fitColumns', () => {
  it('keeps natural widths when they fit; when not, the least important column gives way first', () => {
    const few = rows.slice(10, 20);
    expect(fitColumns(cols, few, 80).map((f) => f.width)).toEqual([3, 6, 5]);
    const withLong = rows.slice(0, 6);
    const fitted = fitColumns(cols, withLong, 40);
    expect(fitted.reduce((a, f) => a + f.width, 0) + 2 + 2).toBeLessThanOrEqual(40);
    expect(fitted.map((f) => f.width)).toEqual([2, 5, 40 - 2 - 2 - 2 - 5]);
  });

  it('hides the lowest-priority columns first on a narrow terminal', () => {
    const wide: Column<Row>[] = [
      { key: 'id', title: 'ID', get: (r) => `i-${r.id.padStart(10, '0')}`, minWidth: 12, priority: 9 },
      { key: 'az', title: 'AZ', get: () => 'us-east-1a', minWidth: 10, priority: 1 },
      { key: 'name', title: 'NAME', get: (r) => `${r.name}-web-frontend`, minWidth: 10, priority: 5 },
    ];
    expect(fitColumns(wide, rows.slice(0, 3), 30).map((f) => f.column.key)).toEqual(['id', 'name']);
    expect(fitColumns(wide, rows.slice(0, 3), 18).map((f) => f.column.key)).toEqual(['id']);
  });

  it('a whole column is cut only once the less important columns are gone', () => {
    const named = (whole: boolean): Column<Row>[] => [
      { key: 'id', title: 'ID', get: (r) => `i-${r.id.padStart(10, '0')}`, minWidth: 12, priority: 9 },
      { key: 'name', title: 'NAME', get: (r) => `${r.name}-web-frontend`, minWidth: 8, priority: 10, whole },
      { key: 'type', title: 'TYPE', get: () => 'm5.large', minWidth: 6, priority: 2 },
      { key: 'az', title: 'AZ', get: () => 'us-east-1a', minWidth: 6, priority: 1 },
    ];
    const sample = rows.slice(0, 3);
    const name = sample.map((r) => `${r.name}-web-frontend`.length).reduce((a, b) => Math.max(a, b));
    // without `whole` the name is cut to make room for the zone and the type
    const cut = fitColumns(named(false), sample, 45);
    expect(cut.map((f) => f.column.key)).toEqual(['id', 'name', 'type', 'az']);
    expect(cut.find((f) => f.column.key === 'name')!.width).toBeLessThan(name);
    // with it the zone goes, then the type, and the name stays whole
    const kept = fitColumns(named(true), sample, 45);
    expect(kept.find((f) => f.column.key === 'name')!.width).toBe(name);
    expect(kept.map((f) => f.column.key)).not.toContain('az');
    // the id is less important than the name here: it goes before the name is cut
    expect(fitColumns(named(true), sample, 24).map((f) => [f.column.key, f.width])).toEqual([['name', name]]);
    // when nothing less important is left, it is cut like any other
    expect(fitColumns(named(true), sample, 12).map((f) => [f.column.key, f.width])).toEqual([['name', 10]]);
  });
});

describe('ProgressBar', () => {
  it('shows count, rate and ETA', () => {
    const e = { phase: 'deleting snapshots', done: 120, total: 412, rate: 35.2, etaMs: 8300 };
    expect(progressStats(e)).toBe('120/412  35/s  ETA 8.3s');
    const { lastFrame } = show(<ProgressBar event={e} width={80} />);
    const l = lines(lastFrame())[0] ?? '';
    expect(l).toContain('deleting snapshots');
    expect(l).toContain('120/412');
    expect(l.length).toBeLessThanOrEqual(80);
    const filled = (l.match(/█/g) ?? []).length;
    const empty = (l.match(/░/g) ?? []).length;
    expect(filled / (filled + empty)).toBeCloseTo(120 / 412, 1);
  });

  it('works without a known total', () => {
    expect(progressStats({ phase: 'listing', done: 2500, total: undefined, rate: 4.25 })).toBe('2,500  4.3/s');
  });
});

describe('useProgress', () => {
  it('redraws a few times for a thousand events, and the last frame has the final count', async () => {
    let sink: ProgressSink = () => {};
    function Job(): React.ReactElement {
      const p = useProgress(50);
      sink = p.sink;
      return p.event ? <ProgressBar event={p.event} width={70} /> : <Text>idle</Text>;
    }
    const app = show(<Job />);
    const before = app.frames.length;
    for (let i = 1; i <= 1000; i++) sink({ phase: 'deleting', done: i, total: 1000 });
    // the throttle timer only queues the render: wait for the frame, not a fixed time
    await waitFor(() => app.lastFrame()?.includes('1,000/1,000'), 'the final count', app.lastFrame);
    expect(app.frames.length - before).toBeLessThan(5);
  });

  it('shows the latest event once the interval passes when the work pauses midway', async () => {
    let sink: ProgressSink = () => {};
    function Job(): React.ReactElement {
      const p = useProgress(40);
      sink = p.sink;
      return p.event ? <ProgressBar event={p.event} width={70} /> : <Text>idle</Text>;
    }
    const app = show(<Job />);
    for (let i = 1; i <= 300; i++) sink({ phase: 'deleting', done: i, total: 1000 });
    await waitFor(() => app.lastFrame()?.includes('300/1,000'), 'the latest event after the pause', app.lastFrame);
  });
});

describe('DiffView', () => {
  const diff = ['--- a/haproxy.cfg', '+++ b/haproxy.cfg', '@@ -1,3 +1,3 @@', ' backend app', '-  server web-1 127.0.1.5:80 check', '+  server web-2 127.0.1.6:80 check', ...Array.from({ length: 30 }, (_, i) => ` ctx ${i}`)].join('\n');

  it('shows a window of the diff and where it is', () => {
    const { lastFrame } = show(<DiffView diff={diff} offset={0} width={60} height={8} />);
    const ls = lines(lastFrame());
    expect(ls).toHaveLength(8);
    expect(ls[4]).toContain('-  server web-1');
    expect(ls[5]).toContain('+  server web-2');
    expect(ls[7]).toBe('lines 1-7 of 36');
  });

  it('scrolls and never past the last full page', () => {
    const { lastFrame } = show(<DiffView diff={diff} offset={1000} width={60} height={8} />);
    expect(lines(lastFrame())[7]).toBe('lines 30-36 of 36');
    expect(lastFrame()).toContain('ctx 29');
  });
});

describe('ConfirmDialog', () => {
  it('keeps the buttons and the typed prompt on screen when the plan is long', () => {
    const body = Array.from({ length: 50 }, (_, i) => `delete snap-${i}`);
    const { lastFrame } = show(
      <ConfirmDialog request={{ title: 'Delete 50 snapshots?', body, typed: '50', destructive: true }} focus="cancel" input="5" width={60} height={12} />,
    );
    const ls = lines(lastFrame());
    expect(ls).toHaveLength(12);
    expect(lastFrame()).toContain('Delete 50 snapshots?');
    expect(lastFrame()).toContain('delete snap-0');
    expect(lastFrame()).toMatch(/lines 1-\d of 50/);
    expect(lastFrame()).toContain('Type 50 to confirm: 5');
    expect(lastFrame()).toMatch(/›\[ Cancel \]\s+\[ Confirm \]/);
  });
});

describe('format', () => {
  it('fits text to a width', () => {
    expect(fit('abcdef', 4)).toBe('abc…');
    expect(fit('ab', 4)).toBe('ab  ');
    expect(fit('ab', 4, 'right')).toBe('  ab');
    expect(fit('a\x1b[2Jb', 6)).toBe('a [2Jb');
    expect(fit('a\u009b2Jb', 5)).toBe('a 2Jb');
  });

  it('measures and cuts in terminal cells, never splitting a wide character', () => {
    expect(cellWidth('東京')).toBe(4);
    expect(fit('東京', 4)).toBe('東京');
    expect(fit('東京', 6)).toBe('東京  ');
    // 3 cells: one wide character and the ellipsis; the second would not fit
    expect(fit('東京大阪', 4)).toBe('東… ');
    expect(stringWidth(fit('東京大阪', 4))).toBe(4);
    expect(stringWidth(fit('👩‍💻 dev box', 6, 'right'))).toBe(6);
    expect(fit('e\u0301te', 3)).toBe('e\u0301te');
  });

  it('wraps words; a word wider than a line fills the current line and goes on, nothing lost', () => {
    expect(wrapWords('one two three', 7)).toEqual(['one two', 'three']);
    const path = '/tmp/opsdeck-sandbox-0/haproxy-backups/haproxy.cfg.2026-11-22T00-32-10Z';
    const rows = wrapWords(`applied; backup ${path}`, 30);
    expect(rows[0]).toBe(`applied; backup ${path.slice(0, 14)}`);
    for (const r of rows) expect(cellWidth(r)).toBeLessThanOrEqual(30);
    expect(rows.join('').replace('applied; backup ', '')).toBe(path);
    // wide characters are never split, and a column narrower than one still moves on
    expect(wrapWords('東京大阪', 3)).toEqual(['東', '京', '大', '阪']);
    expect(wrapWords('東京', 1)).toEqual(['東', '京']);
  });

  it('a message keeps its end within its rows, or says it was cut', () => {
    expect(wrapMessage('plan refused (hint: use --force)', 12, 3)).toEqual(['plan refused', '(hint: use', '--force)']);
    expect(wrapMessage('a b c d e f g h', 3, 2)).toEqual(['a b', 'c …']);
  });

  it('formats ages coarsely', () => {
    expect(formatAge(12_000)).toBe('12s');
    expect(formatAge(3 * 3600_000 + 5 * 60_000)).toBe('3h5m');
    expect(formatAge(50 * 3600_000)).toBe('2d2h');
    expect(formatAge((23 * 60 + 59) * 60_000)).toBe('23h');
    expect(formatAge(380 * 86_400_000)).toBe('380d');
    for (let h = 0; h < 24 * 400; h += 7) expect(formatAge(h * 3_600_000 + 3_540_000).length).toBeLessThanOrEqual(5);
  });

  it('footer hints keep help and quit when space runs out', () => {
    const hints = [
      { keys: 'j/k', label: 'move' },
      { keys: 'Enter', label: 'details' },
      { keys: 'r', label: 'refresh' },
    ];
    const pinned = [{ keys: '?', label: 'help' }];
    expect(fitHints(hints, 34, pinned).map((h) => h.keys)).toEqual(['j/k', 'Enter', '?']);
  });
});

describe('ErrorPanel', () => {
  it('keeps every line readable in a pane short of rows (the pane clips, lines never overlap)', () => {
    const error = new OpsError('CLOUD', 'no AWS credentials found (Could not load credentials from any providers): pass --profile', {
      hint: 'Check the AWS profile and region in the header, and that its credentials are valid.',
    });
    const app = render(
      <Box flexDirection="column" width={60} height={16} overflowY="hidden">
        <Text>Fleet 0 instances</Text>
        <ErrorPanel title="Could not list instances" error={error} width={60} />
        <Box height={10} flexShrink={1}>
          <Text>table</Text>
        </Box>
      </Box>,
    );
    const text = lines(app.lastFrame()).map((l) => l.replace(/^│ ?|\s*│$/g, '').trimEnd());
    expect(text.slice(1, 10)).toEqual([
      '╭──────────────────────────────────────────────────────────╮',
      'Could not list instances',
      'no AWS credentials found (Could not load credentials',
      'from any providers): pass --profile',
      'hint: Check the AWS profile and region in the header,',
      'and that its credentials are valid.',
      'press r to retry',
      '╰──────────────────────────────────────────────────────────╯',
      'table',
    ]);
  });
});


describe('Tabs', () => {
  const six = ['Fleet', 'Snapshots', 'Runbooks', 'Webcam', 'Scaling', 'Database'];
  it('at 60 columns every number stays, the active title is whole and the others shorten with an ellipsis', async () => {
    const { tabLabels } = await import('../../views/components/Header.js');
    const tabs = six.map((title) => ({ title, mark: title === 'Database' ? ' !1 broken' : '', active: title === 'Snapshots' }));
    const { titles, marks } = tabLabels(tabs, 60);
    expect(titles[1]).toBe('Snapshots');
    titles.forEach((t, i) => expect(t === six[i] || (t.endsWith('…') && (six[i] ?? '').startsWith(t.slice(0, -1)))).toBe(true));
    const width = titles.reduce((a, t, i) => a + `${i + 1} ${t}${marks[i]}`.length + 3, -1);
    expect(width).toBeLessThanOrEqual(60);
    expect(marks[5]).toMatch(/^ !1/);
    // wide enough: nothing shortened
    expect(tabLabels(tabs, 120).titles).toEqual(six);
    expect(tabLabels(tabs, 120).marks[5]).toBe(' !1 broken');
  });
  it('marks a pane that needs attention, from any pane, and drops the mark when it is cleared', async () => {
    const { createSessionStore } = await import('../../src/store/session.js');
    const { Tabs } = await import('../../views/components/Header.js');
    const store = createSessionStore({ panes: [{ id: 'fleet', title: 'Fleet', filterable: true }, { id: 'snapshots', title: 'Snapshots', filterable: true }], initialPane: 'snapshots' });
    store.getState().setAttention('fleet', { level: 'bad', text: '1 DOWN' });
    const { lastFrame, rerender } = show(<Tabs store={store} width={80} />);
    expect(lastFrame()).toContain('1 Fleet !1 DOWN');
    expect(lastFrame()).toContain('[2 Snapshots]');
    store.getState().setAttention('fleet', undefined);
    rerender(<Tabs store={store} width={80} />);
    await waitFor(() => !lastFrame()?.includes('DOWN'), 'the mark gone', lastFrame);
  });
});
