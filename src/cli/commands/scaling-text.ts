/** Text output of `opsdeck scaling status|show`: aligned tables, colour on a TTY only. */
import { formatAge } from '../../core/format.js';
import type { TargetGroup } from '../../cloud/ports.js';
import type { GroupDetail, GroupSummary, ScalingStatus } from '../../scaling/status.js';
import { changeText, runsCurrent } from '../../scaling/status.js';
import type { ClassicLoadBalancer } from '../../cloud/ports.js';
import { classicColour, classicStateText, countClassic, drainingText } from '../../scaling/classic-elb.js';
import { countTargets, targetStateText, type GroupTargets } from '../../scaling/targets.js';
import { renderTable, type Painter } from '../output.js';

export function nextText(s: GroupSummary): string {
  const n = s.nextScheduled;
  if (!n) return '-';
  return `${n.at ? n.at.slice(0, 16).replace('T', ' ') : (n.recurrence ?? '')} ${n.change}`;
}

export function renderStatusText(s: ScalingStatus, p: Painter): string {
  const rows = s.groups;
  return [
    p.paint('bold', `Auto Scaling groups (${s.source}) at ${s.at}`),
    renderTable(
      rows,
      [
        { header: 'GROUP', get: (g) => g.name },
        { header: 'MIN/DES/MAX', get: (g) => `${g.min}/${g.desired}/${g.max}`, align: 'right' },
        { header: 'IN SERVICE', get: (g) => String(g.counts.inService), align: 'right', style: (g) => (g.counts.inService < g.desired ? 'yellow' : 'green') },
        { header: 'PENDING', get: (g) => String(g.counts.pending), align: 'right' },
        { header: 'TERMINATING', get: (g) => String(g.counts.terminating), align: 'right' },
        { header: 'UNHEALTHY', get: (g) => String(g.counts.unhealthy), align: 'right', style: (g) => (g.counts.unhealthy ? 'red' : undefined) },
        { header: 'POLICIES', get: (g) => String(g.policies), align: 'right' },
        { header: 'NEXT SCHEDULED', get: nextText },
        { header: 'SUSPENDED', get: (g) => (g.suspended.length ? g.suspended.join(',') : '-'), style: (g) => (g.suspended.length ? 'yellow' : undefined) },
      ],
      p,
    ),
  ].join('\n');
}

export function renderDetailText(d: GroupDetail, now: Date, p: Painter): string {
  const g = d.group;
  const s = d.summary;
  const lines = [
    p.paint('bold', `${g.name}: min ${g.minSize} / desired ${g.desiredCapacity} / max ${g.maxSize}`),
    `launch template: ${g.launchTemplate ?? '-'}${g.launchTemplateVersion ? ` (version ${g.launchTemplateVersion})` : ''} · zones: ${g.availabilityZones.join(', ')}${s.suspended.length ? ` · suspended: ${s.suspended.join(', ')}` : ''}`,
    '',
    p.paint('bold', `Instances (${g.instances.length})`),
    renderTable(
      g.instances,
      [
        { header: 'INSTANCE', get: (i) => i.id },
        { header: 'LIFECYCLE', get: (i) => i.lifecycleState, style: (i) => (i.lifecycleState === 'InService' ? 'green' : 'yellow') },
        { header: 'HEALTH', get: (i) => i.healthStatus, style: (i) => (i.healthStatus === 'Healthy' ? undefined : 'red') },
        { header: 'AZ', get: (i) => i.availabilityZone ?? '-' },
        { header: 'TYPE', get: (i) => i.instanceType ?? '-' },
        { header: 'VERSION', get: (i) => `${i.launchTemplateVersion ?? '-'}${runsCurrent(g, i) === false ? ' (old)' : ''}` },
        { header: 'PROTECTED', get: (i) => (i.protectedFromScaleIn ? 'yes' : '-') },
      ],
      p,
    ),
    '',
    p.paint('bold', `Policies (${d.policies.length})`),
    ...d.policies.map((x) => `  ${x.name}: ${x.kind}${x.targetTracking ? ` ${x.targetTracking.metric} at ${x.targetTracking.targetValue}` : ''}${x.scalingAdjustment !== undefined ? ` ${x.scalingAdjustment > 0 ? '+' : ''}${x.scalingAdjustment} (${x.adjustmentType ?? ''})` : ''}${x.alarms.length ? ` · alarms ${d.alarms ? x.alarms.map((a) => `${a} ${d.alarms?.[a]?.state ?? 'missing'}`).join(', ') : x.alarms.join(', ')}` : ''}${x.enabled ? '' : ' · disabled'}`),
    '',
    p.paint('bold', `Scheduled actions (${d.scheduled.length})`),
    ...d.scheduled.map((a) => `  ${a.name}: ${a.recurrence ? `${a.recurrence}${a.timeZone ? ` (${a.timeZone})` : ''}` : (a.startTime?.toISOString() ?? '-')} → ${changeText(a)}`),
    '',
    p.paint('bold', `Lifecycle hooks (${d.hooks.length})`),
    ...d.hooks.map((h) => `  ${h.name}: ${h.transition.replace('autoscaling:EC2_INSTANCE_', '')} · heartbeat ${h.heartbeatTimeoutSeconds ?? '?'} s · then ${h.defaultResult ?? '-'}`),
    ...(d.targetGroups ? ['', ...targetGroupsText(d.targetGroups, p)] : []),
    ...(d.classicElbs?.length ? ['', ...classicElbsText(d.classicElbs, p)] : []),
    ...[...(d.extrasErrors ?? []), ...(d.warmPoolError !== undefined ? [`warm pool: ${d.warmPoolError}`] : [])].map((e) => p.paint('yellow', `not shown: ${e}`)),
    ...(d.warmPool ? ['', `Warm pool: ${d.warmPool.instances} instance(s), ${d.warmPool.poolState ?? '-'}${d.warmPool.status ? ` (${d.warmPool.status})` : ''}`] : []),
    '',
    p.paint('bold', `Recent activities (${d.activities.length})`),
    ...d.activities.map((a) => `  ${formatAge(now.getTime() - a.startTime.getTime()).padStart(4)} ago  ${a.status.padEnd(11)} ${a.description}`),
  ];
  return lines.join('\n');
}

function targetGroupsText(groups: readonly TargetGroup[], p: Painter): string[] {
  if (groups.length === 0) return [p.paint('bold', 'Target groups (0)')];
  return groups.flatMap((tg) => {
    const c = countTargets(tg.targets);
    return [
      p.paint('bold', `Target group ${tg.name}: ${c.healthy} healthy, ${c.initial} initial, ${c.unhealthy} unhealthy, ${c.draining} draining · deregistration delay ${tg.deregistrationDelaySeconds ?? '?'} s`),
      renderTable(
        tg.targets,
        [
          { header: 'TARGET', get: (t) => t.id },
          { header: 'PORT', get: (t) => String(t.port ?? '-'), align: 'right' },
          { header: 'AZ', get: (t) => t.availabilityZone ?? '-' },
          { header: 'HEALTH', get: (t) => targetStateText(t, tg), style: (t) => (t.state === 'healthy' ? 'green' : t.state.startsWith('unhealthy') ? 'red' : 'yellow') },
          { header: 'DETAIL', get: (t) => t.description ?? '-' },
        ],
        p,
      ),
    ];
  });
}

function classicElbsText(lbs: readonly ClassicLoadBalancer[], p: Painter): string[] {
  return lbs.flatMap((lb) => {
    const c = countClassic(lb.instances);
    return [
      p.paint('bold', `Classic ELB ${lb.name}: ${c.inService} InService, ${c.outOfService} OutOfService, ${c.unknown} Unknown, ${c.draining} draining · ${drainingText(lb)}${lb.healthCheckTarget ? ` · health check ${lb.healthCheckTarget}` : ''}`),
      renderTable(
        lb.instances,
        [
          { header: 'INSTANCE', get: (h) => h.instanceId },
          { header: 'HEALTH', get: (h) => classicStateText(h, lb), style: (h) => classicColour(h) },
        ],
        p,
      ),
    ];
  });
}

export function renderTargetsText(t: GroupTargets, p: Painter): string {
  const lines = [
    p.paint('bold', `${t.group.name}: ${t.targetGroups.length} target group(s), ${t.classicElbs.length} classic ELB(s)`),
    ...targetGroupsText(t.targetGroups, p).slice(t.targetGroups.length ? 0 : 1),
    ...classicElbsText(t.classicElbs, p),
  ];
  return lines.join('\n');
}
