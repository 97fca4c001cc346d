import React, { memo } from 'react';
import { Box, Text } from 'ink';
import type { LiveRun, LiveStep } from '../../src/runbooks/live.js';
import type { InputSpec } from '../../src/runbooks/schema.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { fit, formatDuration, wrapMessage } from '../format.js';
import type { LegendEntry } from './types.js';

/** Pieces of the Runbooks pane: the input form, the step list with live output, the summary line. */

/** Each step status's mark, colour and meaning: the step lines and the `?` legend read this one table. */
export const STATUS_MARK: Record<LiveStep['status'], { mark: string; colour: string | undefined; meaning: string }> = {
  pending: { mark: '·', colour: undefined, meaning: 'pending: not reached yet' },
  running: { mark: '▶', colour: 'cyan', meaning: 'running now (its output and progress below)' },
  done: { mark: '✓', colour: 'green', meaning: 'done: ran and passed its checks; never runs again on resume' },
  failed: { mark: '✗', colour: 'red', meaning: 'failed: its error is in the output; onFailure steps may follow' },
  skipped: { mark: '–', colour: 'gray', meaning: 'skipped: its when condition was false, or skipped when resuming' },
  unknown: { mark: '?', colour: 'yellow', meaning: 'unknown: in flight when the run stopped; its verify probe or you settle it' },
  cancelled: { mark: '■', colour: 'yellow', meaning: 'cancelled: stopped by c or Ctrl-C; the run can be resumed' },
  declined: { mark: '■', colour: 'yellow', meaning: 'declined: its confirmation was refused; the step did not run' },
};

export const RUNBOOKS_LEGEND: readonly LegendEntry[] = Object.values(STATUS_MARK).map((s) => ({ mark: s.mark, ...(s.colour ? { color: s.colour } : {}), meaning: s.meaning }));

export interface FormField {
  name: string;
  spec: InputSpec;
  value: string;
  problem: string | undefined;
}

export function FormView({ title, fields, index, width, height }: { title: string; fields: readonly FormField[]; index: number; width: number; height: number }): React.ReactElement {
  const nameW = Math.min(20, Math.max(6, ...fields.map((f) => f.name.length)));
  const rows = fields.map((f, i) => {
    const value = f.spec.secret && f.value ? '***' : f.value || '(empty)';
    const line = `${fit(f.name, nameW)} ${fit(f.spec.type, 8)} ${fit(value, 28)} ${f.problem ?? 'ok'}`;
    return { key: f.name, line, selected: i === index, bad: f.problem !== undefined };
  });
  const reviewSelected = index === fields.length;
  const help = fields[index]?.spec.help;
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Text bold wrap="truncate">
        {title}: inputs
      </Text>
      <Text dimColor wrap="truncate">
        Enter edits a field; on the last line it shows the plan.
      </Text>
      {rows.map((r) => (
        <Text key={r.key} inverse={r.selected} color={r.bad ? 'red' : undefined} wrap="truncate">
          {r.selected ? '› ' : '  '}
          {r.line}
        </Text>
      ))}
      <Text inverse={reviewSelected} bold wrap="truncate">
        {reviewSelected ? '› ' : '  '}→ review the plan
      </Text>
      {help
        ? wrapMessage(help, Math.max(10, width - 2), Math.max(1, height - rows.length - 4)).map((l, i) => (
            <Text key={`help${i}`} dimColor wrap="truncate">
              {'  '}
              {l}
            </Text>
          ))
        : null}
    </Box>
  );
}

const StepLine = memo(function StepLine({ step, n, selected, width, now }: { step: LiveStep; n: number; selected: boolean; width: number; now: number }) {
  const m = STATUS_MARK[step.status];
  const took = step.status === 'running' && step.startedAt ? formatDuration(now - step.startedAt) : step.durationMs !== undefined ? formatDuration(step.durationMs) : '';
  const label = `${m.mark} ${String(n).padStart(2)} ${step.title}`;
  const tail = `${step.status}${took ? ` ${took}` : ''}`;
  return (
    <Text inverse={selected} {...(m.colour ? { color: m.colour } : {})} wrap="truncate">
      {selected ? '› ' : '  '}
      {fit(label, Math.max(10, width - tail.length - 4))} {tail}
    </Text>
  );
});

/** The run: one line per step, then the chosen step's command and output tail, then progress. */
export function RunView(props: { run: LiveRun; selected: string | undefined; output: readonly string[]; dropped: number; scroll: number; width: number; height: number; now: number }): React.ReactElement {
  const { run, selected, output, dropped, scroll, width, height, now } = props;
  const status = run.error ? `error: ${run.error}` : run.outcome ? `${run.outcome.status}${run.outcome.message ? `: ${run.outcome.message}` : ''}` : run.cancelling ? 'cancelling…' : run.question ? 'waiting for you' : 'running';
  const colour = run.error || run.outcome?.status === 'failed' ? 'red' : run.outcome?.status === 'done' ? 'green' : run.outcome ? 'yellow' : 'cyan';
  const stepRows = Math.min(run.steps.length, Math.max(3, Math.floor((height - 4) / 2)));
  const selIndex = Math.max(0, run.steps.findIndex((s) => s.id === selected));
  const first = Math.max(0, Math.min(run.steps.length - stepRows, selIndex - Math.floor(stepRows / 2)));
  const step = run.steps[selIndex];
  const progress = run.progress && run.progress.id === step?.id && step.status === 'running' ? run.progress.event : undefined;
  const shownRows = Math.min(step?.shown.length ?? 0, 2);
  const outRows = Math.max(1, height - 2 - stepRows - 1 - shownRows - (progress ? 2 : 0));
  // scroll counts lines up from the tail: 0 follows new output as it arrives
  const end = Math.max(0, output.length - scroll);
  const visible = output.slice(Math.max(0, end - outRows), end);
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Text bold wrap="truncate">
        {run.title}
        {run.rehearsal ? <Text color="magenta"> (rehearsal)</Text> : null}
        <Text dimColor>{run.runId ? `  run ${run.runId}` : ''}</Text>
      </Text>
      <Text color={colour} wrap="truncate">
        {status}
      </Text>
      {run.steps.slice(first, first + stepRows).map((s, i) => (
        <StepLine key={s.id} step={s} n={first + i + 1} selected={s.id === step?.id} width={width} now={now} />
      ))}
      <Text dimColor wrap="truncate">
        {fit(`── ${step ? `${step.id}` : ''} output${dropped > 0 ? ` (last ${output.length} lines; ${dropped} earlier not kept)` : ''}${scroll > 0 ? ` · ${scroll} lines up` : ''} `, width).replace(/ +$/, (sp) => '─'.repeat(sp.length))}
      </Text>
      {step?.shown.slice(0, shownRows).map((l, i) => (
        <Text key={`cmd${i}`} color="cyan" wrap="truncate">
          {l}
        </Text>
      ))}
      {visible.map((l, i) => (
        <Text key={i} wrap="truncate">
          {l === '' ? ' ' : l}
        </Text>
      ))}
      {progress ? <ProgressBar event={progress} width={width} /> : null}
    </Box>
  );
}
