import React, { memo } from 'react';
import { Box, Text } from 'ink';
import { serverStateText } from '../../src/haproxy/health.js';
import { summaryLine } from '../../src/haproxy/report.js';
import { poolStateCounts, SIMULATED, type PoolView } from '../../src/haproxy/pool.js';
import { describeError } from '../components/ErrorPanel.js';
import { DiffView } from '../components/DiffView.js';
import { fit } from '../format.js';

/** The "in pool?" cell: now, and what the pending sync would do. */
export function poolCell(view: PoolView | undefined, id: string): string {
  if (!view) return '…';
  const now = view.inPool.has(id);
  const s = view.plan?.summary;
  if (s?.added.includes(id)) return '+join';
  if (s?.removed.includes(id)) return '-leave';
  if (s?.changed.includes(id)) return '~yes';
  if (now) return 'yes';
  const problem = view.plan?.problems.find((p) => p.instanceId === id);
  return problem ? '!skip' : 'no';
}

/** The POOL cell spelled out for the details view, with discovery's reason when the instance is left out. */
export function poolDetail(view: PoolView, id: string): string {
  const problem = view.plan?.problems.find((p) => p.instanceId === id);
  if (problem) return `left out: ${problem.reason}`;
  const backends = view.inPool.get(id)?.join(', ');
  const cell = poolCell(view, id);
  const next = cell === '+join' ? 'joins with the pending sync' : cell === '-leave' ? 'leaves with the pending sync' : cell === '~yes' ? 'its server line changes with the pending sync' : undefined;
  return [backends ? `server in ${backends}` : 'not a server', next].filter(Boolean).join('; ');
}

/** The live server cell: admin state and health (`DRAIN·DOWN`); "sim …" on the sandbox, where nothing checks health. */
export function serverCell(view: PoolView | undefined, id: string): string {
  const s = view?.live.get(id);
  return s ? serverStateText(s) : '-';
}

/** The details view's last check: HAProxy's status and check result as reported. */
export function serverCheckDetail(view: PoolView | undefined, id: string): string {
  const s = view?.live.get(id);
  if (!s) return '-';
  if (s.check === SIMULATED) return 'none: nothing checks health on the sandbox';
  return [s.status && `status ${s.status}`, s.check && `check ${s.check}`].filter(Boolean).join(', ') || 'not reported';
}

/** The ---/+++ lines repeat the path the panel already names: the room goes to the changes. */
function withoutHeader(diff: string): string {
  return diff.startsWith('--- ') ? diff.slice(diff.indexOf('\n', diff.indexOf('\n') + 1) + 1) : diff;
}

/**
 * Server lines name their instance too (`# web-003`): ids alone mean nothing
 * at 3 a.m. Display only, as a haproxy comment; the applied file is the plan's.
 */
export function namedDiff(diff: string, names: ReadonlyMap<string, string>): string {
  if (names.size === 0) return diff;
  return diff.replace(/^([-+ ]\s*server (i-[0-9a-f]+)\b.*)$/gm, (line: string, _all: string, id: string) => {
    const name = names.get(id);
    return name ? `${line}  # ${name}` : line;
  });
}

/** Pool panel under the table: summary, guard verdicts, the coloured diff. */
export const PoolPanel = memo(function PoolPanel({
  view,
  error,
  loading,
  width,
  height,
  diffOffset,
  readOnly,
  names,
}: {
  view: PoolView | undefined;
  error: unknown;
  loading: boolean;
  width: number;
  height: number;
  diffOffset: number;
  /** a read-only session previews the change but cannot apply it: the panel must not say "a applies" */
  readOnly: boolean;
  /** instance id -> Name tag, to name the servers in the diff */
  names: ReadonlyMap<string, string>;
}): React.ReactElement {
  const lines: React.ReactElement[] = [];
  const plan = view?.plan;
  const backends = view?.settings.haproxy.backends.join(', ') ?? '';
  if (!view && loading) lines.push(<Text key="l" color="yellow">pool: loading plan…</Text>);
  else if (error !== undefined || view?.planError !== undefined) {
    const d = describeError(error ?? view?.planError);
    lines.push(<Text key="e" color="red" wrap="truncate">{fit(`pool: ${d.message}`, width)}</Text>);
    if (d.hint) lines.push(<Text key="h" color="yellow" wrap="truncate">{fit(`hint: ${d.hint}`, width)}</Text>);
  } else if (plan) {
    // A failed discovery knows nothing about the fleet: "in sync" would be a guess.
    const blind = plan.guards.some((g) => g.guard === 'discovery' && !g.ok);
    // how the servers are now, whatever the plan would change: a DOWN one must show while a join is pending
    const live = view && view.live.size > 0 ? poolStateCounts(view.live) : undefined;
    const head = blind
      ? `pool ${backends}: unknown, discovery failed; live config left as is (${plan.summary.after} servers)`
      : plan.changed
        ? `pool ${backends}: ${live ? `now ${live} · ` : ''}${summaryLine(plan)}`
        : `pool ${backends}: in sync (${plan.summary.after} servers${live ? `: ${live}` : ''})`;
    lines.push(
      <Text key="s" wrap="truncate">
        <Text bold>{fit(head, Math.max(1, width - 1))}</Text>
      </Text>,
    );
    const bad = plan.guards.filter((g) => !g.ok);
    const info = bad.length
      ? // The key first: at 80 columns the guard's message is cut, the way out must not be.
        { text: `REFUSED${bad.every((g) => g.guard === 'removal' || g.guard === 'empty') ? ' (F reviews an override)' : ''}: ${bad.map((g) => g.message).join('; ')}`, color: 'red' }
      : // What can be done comes first, for the same reason: the sandbox note is long.
        { text: `${plan.changed ? (readOnly ? 'read-only · ' : 'a applies · ') : ''}${plan.validation.message}${plan.problems.length ? ` · ${plan.problems.length} left out (see !skip)` : ''}${view?.liveNote ? ` · ${view.liveNote}` : ''}`, color: 'gray' };
    lines.push(<Text key="g" color={info.color} wrap="truncate">{fit(info.text, width)}</Text>);
  }
  const diffHeight = height - lines.length;
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      {lines}
      {plan?.changed && diffHeight >= 2 ? <DiffView diff={namedDiff(withoutHeader(plan.diff), names)} offset={diffOffset} width={width} height={diffHeight} /> : null}
    </Box>
  );
});
