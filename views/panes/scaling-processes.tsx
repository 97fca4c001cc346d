import React from 'react';
import { Box, Text } from 'ink';
import { PROCESSES } from '../../src/scaling/changes.js';

/**
 * The Scaling pane's process checklist (`s`): the nine Auto Scaling
 * processes, the suspended ones checked as the group has them; space
 * toggles, Enter plans exactly the toggled ones (suspend the newly checked,
 * resume the newly unchecked).
 */
export interface Checklist {
  /** suspended when the list opened */
  initial: readonly string[];
  /** suspended as the person wants it */
  checked: readonly string[];
  index: number;
}

const WHAT: Record<string, string> = {
  Launch: 'adds instances (scale-out, replacements)',
  Terminate: 'removes instances (scale-in, replacements)',
  AddToLoadBalancer: 'registers launched instances with the load balancers',
  AlarmNotification: 'acts on the policies’ CloudWatch alarms',
  AZRebalance: 'balances instances across zones',
  HealthCheck: 'marks instances unhealthy from EC2/ELB checks',
  InstanceRefresh: 'runs instance refreshes',
  ReplaceUnhealthy: 'replaces unhealthy instances',
  ScheduledActions: 'runs scheduled actions (pre-scaling)',
};

export function openChecklist(suspended: readonly string[] | undefined): Checklist {
  const now = PROCESSES.filter((p) => (suspended ?? []).includes(p));
  return { initial: now, checked: now, index: 0 };
}

export function toggleChecked(c: Checklist): Checklist {
  const p = PROCESSES[c.index];
  if (!p) return c;
  const checked = c.checked.includes(p) ? c.checked.filter((x) => x !== p) : PROCESSES.filter((x) => x === p || c.checked.includes(x));
  return { ...c, checked };
}

export const moveChecklist = (c: Checklist, by: number): Checklist => ({ ...c, index: Math.max(0, Math.min(PROCESSES.length - 1, c.index + by)) });

/** What Enter plans: only what changed. */
export function checklistChanges(c: Checklist): { suspend: string[]; resume: string[] } {
  return { suspend: c.checked.filter((p) => !c.initial.includes(p)), resume: c.initial.filter((p) => !c.checked.includes(p)) };
}

export function ChecklistView({ group, list, width, height }: { group: string; list: Checklist; width: number; height: number }): React.ReactElement {
  const ch = checklistChanges(list);
  const changed = ch.suspend.length + ch.resume.length;
  // a short terminal (60x16) shows a window of the nine that keeps the selected one and the hint line in view
  const room = Math.max(1, Math.min(PROCESSES.length, height - 2));
  const first = Math.max(0, Math.min(list.index - room + 1, PROCESSES.length - room));
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Text bold wrap="truncate">
        Scaling processes of {group}: [x] suspended
      </Text>
      {PROCESSES.slice(first, first + room).map((p, k) => {
        const i = first + k;
        const on = list.checked.includes(p);
        const moved = on !== list.initial.includes(p);
        return (
          <Text key={p} wrap="truncate" inverse={i === list.index} {...(moved ? { color: 'yellow' } : {})}>
            {i === list.index ? '› ' : '  '}[{on ? 'x' : ' '}] {p.padEnd(18)} {moved ? (on ? 'suspend ' : 'resume  ') : '        '}
            <Text dimColor>{WHAT[p]}</Text>
          </Text>
        );
      })}
      <Text dimColor wrap="truncate">
        space toggles · ↑/↓ move · Enter: show the plan ({changed} change{changed === 1 ? '' : 's'}) · Esc: back
      </Text>
    </Box>
  );
}
