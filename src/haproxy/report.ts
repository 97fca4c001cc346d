import type { ApplyResult } from './apply.js';
import type { SyncPlan } from './plan.js';

/** The --json schema of a sync: stable keys; the full new config is left out (it is the diff's right side). */
export function planJson(plan: SyncPlan, applied?: ApplyResult): Record<string, unknown> {
  return {
    kind: plan.kind,
    createdAt: plan.createdAt,
    configPath: plan.configPath,
    backends: plan.backends,
    source: plan.source,
    changed: plan.changed,
    allowed: plan.allowed,
    summary: plan.summary,
    otherLines: plan.otherLines,
    guards: plan.guards,
    validation: plan.validation,
    problems: plan.problems,
    members: plan.members,
    diff: plan.diff,
    applied: applied ?? null,
  };
}

export function summaryLine(plan: SyncPlan): string {
  const s = plan.summary;
  const parts = [`+${s.added.length} added`, `-${s.removed.length} removed`];
  if (s.changed.length) parts.push(`~${s.changed.length} changed`);
  parts.push(`${s.unchanged} unchanged`);
  // A sync rewrites the whole file from the template: a hand edit elsewhere is reverted, and that must show.
  const other = plan.otherLines > 0 ? ` + ${plan.otherLines} other line(s) differ from the template` : '';
  return `${parts.join(' / ')} (${s.before} -> ${s.after} servers)${other}`;
}

/** Plain lines of a plan, before the diff; the caller colours them. */
export function planHeader(plan: SyncPlan): { text: string; tone: 'ok' | 'bad' | 'dim' | 'plain' }[] {
  const out: { text: string; tone: 'ok' | 'bad' | 'dim' | 'plain' }[] = [
    { text: `HAProxy sync plan for ${plan.configPath} (backend ${plan.backends.join(', ')})`, tone: 'plain' },
  ];
  if (plan.source) out.push({ text: `source: ${plan.source}`, tone: 'dim' });
  out.push({ text: summaryLine(plan), tone: 'plain' });
  out.push({ text: `validation: ${plan.validation.message}`, tone: plan.validation.status === 'failed' ? 'bad' : 'dim' });
  for (const g of plan.guards) out.push({ text: `${g.ok ? 'ok  ' : 'REFUSED'} ${g.message}`, tone: g.ok ? 'ok' : 'bad' });
  for (const p of plan.problems) out.push({ text: `not in pool: ${p.instanceId}: ${p.reason}`, tone: 'bad' });
  return out;
}
