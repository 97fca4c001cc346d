import React from 'react';
import { Box, Text } from 'ink';
import type { AlarmState, AsgInstance, AutoScalingGroup, ClassicLoadBalancer, ScalingActivity, ScalingPolicy, ScheduledAction, TargetGroup } from '../../src/cloud/ports.js';
import { classicStateText, isClassicDraining, isClassicServing } from '../../src/scaling/classic-elb.js';
import { TARGET_COLOUR } from './scaling-colours.js';
import { targetStateText } from '../../src/scaling/targets.js';
import { changeText, policyAlarmText, runsCurrent, type GroupSummary } from '../../src/scaling/status.js';
import type { Column } from '../components/Table.js';
import { formatAge, fit } from '../format.js';

/** Sub-views of the Scaling pane: column sets, the capacity bar and sparkline, the adjust form. */

export interface GroupRow extends GroupSummary {
  history: string;
}

const BAR = 10;
/** min ▕███░░░▏ max: the filled part is desired's place between the group's bounds. */
export function capacityBar(min: number, desired: number, max: number): string {
  const span = Math.max(1, max - min);
  const filled = max === min ? BAR : Math.round(((desired - min) / span) * BAR);
  return `${'█'.repeat(Math.max(0, Math.min(BAR, filled)))}${'░'.repeat(BAR - Math.max(0, Math.min(BAR, filled)))}`;
}

const TICKS = '▁▂▃▄▅▆▇█';
/** The desired capacities seen this session, scaled to the group's max. */
export function sparkline(values: readonly number[], max: number): string {
  return values.map((v) => TICKS[Math.min(TICKS.length - 1, Math.round((v / Math.max(1, max)) * (TICKS.length - 1)))] ?? ' ').join('');
}

export function nextCell(g: GroupSummary): string {
  const n = g.nextScheduled;
  if (!n) return '-';
  return `${n.at ? n.at.slice(5, 16).replace('T', ' ') : (n.recurrence ?? '')} ${n.change}`;
}

export const groupColumns: Column<GroupRow>[] = [
  { key: 'name', title: 'GROUP', get: (g) => g.name, minWidth: 12, priority: 9 },
  { key: 'size', title: 'MIN/DES/MAX', get: (g) => `${g.min}/${g.desired}/${g.max}`, align: 'right', minWidth: 8, priority: 8 },
  { key: 'bar', title: 'CAPACITY', get: (g) => capacityBar(g.min, g.desired, g.max), minWidth: BAR, maxWidth: BAR, priority: 3 },
  { key: 'svc', title: 'IN SVC', get: (g) => String(g.counts.inService), align: 'right', minWidth: 4, priority: 7 },
  { key: 'pend', title: 'PEND', get: (g) => String(g.counts.pending), align: 'right', minWidth: 4, priority: 5 },
  { key: 'term', title: 'TERM', get: (g) => String(g.counts.terminating), align: 'right', minWidth: 4, priority: 5 },
  { key: 'health', title: 'HEALTH', get: (g) => (g.counts.unhealthy ? `${g.counts.unhealthy} bad` : 'ok'), minWidth: 5, priority: 6 },
  { key: 'pol', title: 'POL', get: (g) => String(g.policies), align: 'right', minWidth: 3, priority: 4 },
  { key: 'next', title: 'NEXT SCHEDULED', get: nextCell, minWidth: 10, priority: 2 },
  { key: 'history', title: 'DESIRED (session)', get: (g) => g.history, minWidth: 6, maxWidth: 20, priority: 1 },
];

/** `pool`: each instance's server state in HAProxy (the Fleet pane's words), when it could be read. */
export function instanceColumns(group: AutoScalingGroup, pool?: { of(id: string): string | undefined }): Column<AsgInstance>[] {
  return [
    { key: 'id', title: 'INSTANCE', get: (i) => i.id, minWidth: 19, priority: 9 },
    { key: 'state', title: 'LIFECYCLE', get: (i) => i.lifecycleState, minWidth: 9, priority: 8 },
    { key: 'health', title: 'HEALTH', get: (i) => i.healthStatus, minWidth: 7, priority: 7 },
    // DRAIN·DOWN and 'sim DRAIN' whole: cut, DRAIN and DOWN read alike
    { key: 'pool', title: 'POOL', get: (i) => pool?.of(i.id) ?? '?', minWidth: 10, priority: 6 },
    { key: 'az', title: 'AZ', get: (i) => i.availabilityZone ?? '-', minWidth: 10, priority: 3 },
    { key: 'type', title: 'TYPE', get: (i) => i.instanceType ?? '-', minWidth: 8, priority: 2 },
    { key: 'version', title: 'TEMPLATE', get: (i) => `${i.launchTemplateVersion ?? '-'}${runsCurrent(group, i) === false ? ' old' : ''}`, minWidth: 6, priority: 5 },
    { key: 'protected', title: 'PROTECTED', get: (i) => (i.protectedFromScaleIn ? 'yes' : '-'), minWidth: 4, priority: 4 },
  ];
}

export function activityColumns(nowMs: number): Column<ScalingActivity>[] {
  return [
    { key: 'age', title: 'AGO', get: (a) => formatAge(nowMs - a.startTime.getTime()), align: 'right', minWidth: 5, priority: 8 },
    { key: 'status', title: 'STATUS', get: (a) => a.status, minWidth: 10, priority: 9 },
    { key: 'what', title: 'ACTIVITY', get: (a) => a.description, minWidth: 20, priority: 9 },
    { key: 'cause', title: 'CAUSE', get: (a) => a.cause, minWidth: 10, priority: 1 },
  ];
}

function policyText(p: ScalingPolicy): string {
  if (p.targetTracking) return `${p.targetTracking.metric} at ${p.targetTracking.targetValue}${p.targetTracking.disableScaleIn ? ', no scale-in' : ''}`;
  if (p.scalingAdjustment !== undefined) return `${p.scalingAdjustment > 0 ? '+' : ''}${p.scalingAdjustment} ${p.adjustmentType ?? ''}${p.cooldownSeconds ? `, cooldown ${p.cooldownSeconds}s` : ''}`;
  if (p.stepAdjustments) return p.stepAdjustments.map((s) => `${s.lower ?? '-∞'}..${s.upper ?? '∞'}: ${s.adjustment > 0 ? '+' : ''}${s.adjustment}`).join(' ');
  return '-';
}

/** With alarm states when CloudWatch answered: "AlarmHigh OK, AlarmLow ALARM". */
export function policyColumns(alarms: Record<string, AlarmState> | undefined): Column<ScalingPolicy>[] {
  return [
    { key: 'name', title: 'POLICY', get: (p) => p.name, minWidth: 12, priority: 9 },
    { key: 'kind', title: 'KIND', get: (p) => p.kind.replace('Scaling', ''), minWidth: 6, priority: 7 },
    { key: 'what', title: 'RULE', get: policyText, minWidth: 12, priority: 8 },
    { key: 'alarms', title: 'ALARMS', get: (p) => (alarms ? policyAlarmText(p, alarms) : p.alarms.join(', ') || '-'), minWidth: 6, priority: 6 },
  ];
}

/** One row per instance of each load balancer: the target groups' targets, then the classic ELBs' instances. */
export interface TargetRow {
  key: string;
  kind: 'targetGroup' | 'classicElb';
  /** the target group's or the classic ELB's name */
  lb: string;
  id: string;
  port?: number | undefined;
  az?: string | undefined;
  health: string;
  detail: string;
  draining: boolean;
  colour: string | undefined;
}

export function targetRows(groups: readonly TargetGroup[] | undefined, elbs?: readonly ClassicLoadBalancer[], instances: readonly AsgInstance[] = []): TargetRow[] {
  // the classic API does not say an instance's zone; the group does
  const az = new Map(instances.map((i) => [i.id, i.availabilityZone]));
  return [
    ...(groups ?? []).flatMap((tg) =>
      tg.targets.map((t): TargetRow => ({
        key: `${tg.name}/${t.id}`, kind: 'targetGroup', lb: tg.name, id: t.id, port: t.port, az: t.availabilityZone, health: targetStateText(t, tg), detail: t.description ?? '-',
        draining: t.state === 'draining', colour: TARGET_COLOUR[t.state === 'healthy' ? 'serving' : t.state.startsWith('unhealthy') ? 'out' : 'between'].color,
      })),
    ),
    ...(elbs ?? []).flatMap((lb) =>
      lb.instances.map((h): TargetRow => ({
        key: `elb:${lb.name}/${h.instanceId}`, kind: 'classicElb', lb: `${lb.name} (classic)`, id: h.instanceId, az: az.get(h.instanceId),
        health: isClassicDraining(h) ? classicStateText(h, lb) : `${h.state}${h.reasonCode && h.reasonCode !== 'N/A' ? ` (${h.reasonCode})` : ''}`,
        detail: h.description && h.description !== 'N/A' ? h.description : '-', draining: isClassicDraining(h), colour: TARGET_COLOUR[isClassicServing(h) ? 'serving' : h.state === 'OutOfService' ? 'out' : 'between'].color,
      })),
    ),
  ];
}

/** The load balancer's own name, for a plan: "web-elb (classic)" is how the row shows it. */
export const targetLbName = (r: TargetRow): string => (r.kind === 'classicElb' ? r.lb.replace(/ \(classic\)$/, '') : r.lb);

export const targetColumns: Column<TargetRow>[] = [
  { key: 'id', title: 'TARGET', get: (r) => r.id, minWidth: 19, priority: 9 },
  { key: 'tg', title: 'LOAD BALANCER', get: (r) => r.lb, minWidth: 8, priority: 6 },
  { key: 'port', title: 'PORT', get: (r) => String(r.port ?? '-'), align: 'right', minWidth: 4, priority: 3 },
  { key: 'az', title: 'AZ', get: (r) => r.az ?? '-', minWidth: 10, priority: 4 },
  { key: 'health', title: 'HEALTH', get: (r) => r.health, minWidth: 8, priority: 8 },
  { key: 'detail', title: 'DETAIL', get: (r) => r.detail, minWidth: 10, priority: 1 },
];

export const targetColour = (r: TargetRow): string | undefined => r.colour;

export const scheduledColumns: Column<ScheduledAction>[] = [
  { key: 'name', title: 'ACTION', get: (a) => a.name, minWidth: 12, priority: 9 },
  { key: 'when', title: 'WHEN (UTC)', get: (a) => a.recurrence ?? (a.startTime ? a.startTime.toISOString().slice(0, 16).replace('T', ' ') : '-'), minWidth: 10, priority: 8 },
  { key: 'change', title: 'CHANGE', get: changeText, minWidth: 8, priority: 7 },
];

/** A number field of the adjust form: ↑/↓ pick the field, +/- or ←/→ change it. */
export interface FormField {
  key: string;
  label: string;
  value: number;
  min: number;
  max: number;
  step: number;
  show(value: number): string;
  /** keys of fields this one stays at or above / at or below (min <= desired <= max) */
  atLeast?: string;
  atMost?: string;
}

export function FormView({ title, fields, index, hint, width, height }: { title: string; fields: readonly FormField[]; index: number; hint: string; width: number; height: number }): React.ReactElement {
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Text bold wrap="truncate">
        {title}
      </Text>
      {fields.map((f, i) => (
        <Text key={f.key} wrap="truncate" inverse={i === index}>
          {i === index ? '› ' : '  '}
          {fit(f.label, 18)} {f.show(f.value)}
        </Text>
      ))}
      <Text dimColor wrap="truncate">
        {hint}
      </Text>
    </Box>
  );
}
