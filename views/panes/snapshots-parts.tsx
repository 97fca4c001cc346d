import React from 'react';
import { Box, Text } from 'ink';
import type { ProgressEvent } from '../../src/core/progress.js';
import type { ApplySummary } from '../../src/snapshots/execute.js';
import type { PlannedDecision, SnapshotPlan, VolumeSummary } from '../../src/snapshots/plan.js';
import { describeDeleteSize, groupDeletions } from '../../src/snapshots/summary.js';
import { decisionClass } from '../../src/snapshots/view.js';
import { ProgressBar } from '../components/ProgressBar.js';
import type { Column } from '../components/Table.js';
import { fit, formatCount, wrapHanging } from '../format.js';
import type { LegendEntry } from './types.js';

/** Sub-views of the Snapshots pane: column sets, the plan, progress and the summary. */

export interface VolumeRow extends VolumeSummary {
  timeline: string;
}

export const TIMELINE_WIDTH = 24;

export const volumeColumns: Column<VolumeRow>[] = [
  { key: 'volume', title: 'VOLUME', get: (v) => v.volumeId, minWidth: 21, priority: 9 },
  { key: 'total', title: 'TOTAL', get: (v) => formatCount(v.total), align: 'right', minWidth: 6, priority: 7 },
  { key: 'keep', title: 'KEEP', get: (v) => formatCount(v.keep), align: 'right', minWidth: 5, priority: 8 },
  { key: 'delete', title: 'DELETE', get: (v) => formatCount(v.delete), align: 'right', minWidth: 6, priority: 8 },
  { key: 'gib', title: 'VOL GiB', get: (v) => (v.volumeSizeGiB === undefined ? '-' : formatCount(v.volumeSizeGiB)), align: 'right', minWidth: 5, priority: 4 },
  { key: 'ami', title: 'AMI', get: (v) => formatCount(v.usedByImage), align: 'right', minWidth: 3, priority: 2 },
  // newest on the left, log scale: see timelineStrip
  { key: 'timeline', title: 'KEPT now→14mo', get: (v) => v.timeline, minWidth: 12, maxWidth: TIMELINE_WIDTH, priority: 1 },
];

export const decisionColumns: Column<PlannedDecision>[] = [
  { key: 'id', title: 'SNAPSHOT', get: (d) => d.snapshotId, minWidth: 22, priority: 9 },
  { key: 'start', title: 'STARTED (UTC)', get: (d) => d.startTime.slice(0, 16).replace('T', ' '), minWidth: 16, priority: 8 },
  { key: 'action', title: 'ACTION', get: (d) => d.action, minWidth: 6, priority: 7 },
  { key: 'reason', title: 'REASON', get: (d) => d.reason, minWidth: 12, priority: 6 },
  { key: 'size', title: 'VOL GiB', get: (d) => (d.sizeGiB === undefined ? '-' : String(d.sizeGiB)), align: 'right', minWidth: 4, priority: 1 },
];

const CLASS_COLOURS = { keep: 'green', delete: 'red', pinned: 'cyan', unfinished: 'yellow' } as const;
export const decisionColour = (d: PlannedDecision): string => CLASS_COLOURS[decisionClass(d)];

const CLASS_MEANINGS: Record<keyof typeof CLASS_COLOURS, string> = {
  keep: 'row: kept by a retention rule',
  delete: 'row: deleted by the plan',
  pinned: 'row: kept because an AMI uses it or its keep tag',
  unfinished: 'row: not completed, never deleted',
};

/** The `?` legend, from the colour table the rows use and the timeline's own marks. */
export const SNAPSHOTS_LEGEND: readonly LegendEntry[] = [
  ...(Object.keys(CLASS_COLOURS) as (keyof typeof CLASS_COLOURS)[]).map((k) => ({ mark: k, color: CLASS_COLOURS[k], meaning: CLASS_MEANINGS[k] })),
  { mark: '█', meaning: 'timeline: a kept snapshot in that slice of age' },
  { mark: '·', meaning: 'timeline: only deletions in that slice' },
  { mark: 'scale', meaning: 'timeline: newest on the left, log scale from 1 hour to 14 months' },
];

/** The plan a person confirms: counts and deletions grouped by volume and reason, with totals. */
export function planLines(plan: SnapshotPlan): string[] {
  const groups = groupDeletions(plan.deletions);
  const known = plan.deletions.filter((d) => d.fullSizeBytes !== undefined);
  const size = describeDeleteSize({ delete: plan.deletions.length, deleteFullBytes: known.reduce((a, d) => a + (d.fullSizeBytes ?? 0), 0), fullSizeUnknown: plan.deletions.length - known.length }, true);
  const volumes = new Set(plan.deletions.map((d) => d.volumeId));
  const only = volumes.size === 1 ? [...volumes][0] : undefined;
  const lines = [
    `${formatCount(plan.deletions.length)} snapshots to delete on ${only ?? `${formatCount(volumes.size)} volumes`}`,
    // Never a freed amount: the blocks a deletion releases (snapshots are incremental) are not reported anywhere.
    size,
    `kept: ${formatCount(plan.totals.snapshots - plan.deletions.length)} (AMI-pinned, unfinished and each volume's newest are never deleted)`,
  ];
  // fits 80 columns with the date range (one volume: its id is in the line above, not on every group)
  for (const g of groups) {
    const head = only ? '' : `${g.volumeId} `;
    lines.push(`${head}${fit(g.kind, 26)} ${formatCount(g.count).padStart(6)} ${g.oldest.slice(0, 10)} … ${g.newest.slice(0, 10)}`);
  }
  return lines;
}

/** Rows of the plan view that show plan lines (one is its title, one the scroll position when it scrolls). */
export function planRoom(height: number, lines: number): number {
  const room = Math.max(1, height - 1);
  return lines > room ? Math.max(1, room - 1) : room;
}

/** The plan's lines as the plan view draws them at `width`: wrapped, never cut (a group's date range is what a person checks). */
export function planRows(plan: SnapshotPlan, width: number): { text: string; head: boolean }[] {
  return planLines(plan).flatMap((l, i) => wrapHanging(l, width).map((text) => ({ text, head: i === 0 })));
}

/** The plan, every group reachable: j/k, PgUp/PgDn, g/G scroll it when it is taller than the pane. */
export function PlanView({ plan, width, height, offset = 0 }: { plan: SnapshotPlan; width: number; height: number; offset?: number }): React.ReactElement {
  const rows = planRows(plan, width);
  const room = planRoom(height, rows.length);
  const from = Math.max(0, Math.min(offset, rows.length - room));
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Text bold color="red" wrap="truncate">
        Plan: delete {formatCount(plan.deletions.length)} snapshots{' '}
        <Text dimColor>(Enter: confirm… · Esc: back)</Text>
      </Text>
      {rows.slice(from, from + room).map((r, i) => (
        <Text key={from + i} wrap="truncate" bold={r.head}>
          {r.text}
        </Text>
      ))}
      {rows.length > room ? (
        <Text dimColor wrap="truncate">
          {`lines ${from + 1}-${from + room} of ${rows.length} (j/k scroll)`}
        </Text>
      ) : null}
    </Box>
  );
}

export function DeletingView({ event, total, width, cancelling }: { event: ProgressEvent | undefined; total: number; width: number; cancelling: boolean }): React.ReactElement {
  return (
    <Box flexDirection="column" width={width}>
      <Text bold wrap="truncate">
        Deleting {formatCount(total)} snapshots <Text dimColor>{cancelling ? '(cancelling: finishing the deletions in flight…)' : '(c twice: cancel · Esc: back, it keeps running)'}</Text>
      </Text>
      <ProgressBar event={event ?? { phase: 'deleting snapshots', done: 0, total }} width={width} />
    </Box>
  );
}

export function SummaryView({ summary, width, height }: { summary: ApplySummary; width: number; height: number }): React.ReactElement {
  const rows: [string, number, string | undefined][] = [
    ['deleted', summary.deleted.length, 'green'],
    ['skipped, in use', summary.skippedInUse.length, 'yellow'],
    ['already gone', summary.alreadyGone.length, undefined],
    ['failed', summary.failed.length, summary.failed.length ? 'red' : undefined],
  ];
  if (summary.cancelled) rows.push(['not attempted (cancelled)', summary.notAttempted, 'yellow']);
  const problems = [
    ...summary.skippedInUse.map((id) => `in use: ${id}`),
    ...summary.failed.map((f) => `failed: ${f.id} ${f.code} ${f.message}`),
  ];
  const room = Math.max(0, height - rows.length - 2);
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Text bold wrap="truncate">
        {summary.cancelled ? 'Rotation cancelled' : 'Rotation done'} <Text dimColor>(Enter/Esc: back to volumes)</Text>
      </Text>
      {rows.map(([label, n, colour]) => (
        <Text key={label} wrap="truncate" {...(colour ? { color: colour } : {})}>
          {fit(label, 26)} {formatCount(n).padStart(7)}
        </Text>
      ))}
      {problems.slice(0, room).map((p) => (
        <Text key={p} wrap="truncate" dimColor>
          {p}
        </Text>
      ))}
    </Box>
  );
}

