/**
 * The Scaling tab's mark without the pane: an Auto Scaling group with
 * instances it reports unhealthy is about to replace them (or cannot), which
 * is worth a look but not an outage: a warning, not red.
 */
import type { Attention } from '../core/attention.js';
import type { CommandContext } from '../core/context.js';
import { readStatus, type GroupSummary } from './status.js';

export function scalingAttentionOf(groups: readonly GroupSummary[]): Attention | undefined {
  const unhealthy = groups.reduce((n, g) => n + g.counts.unhealthy, 0);
  return unhealthy > 0 ? { level: 'warn', text: `${unhealthy} unhealthy` } : undefined;
}

export async function scalingAttention(ctx: CommandContext, signal: AbortSignal): Promise<Attention | undefined> {
  const cloud = await ctx.cloud();
  const status = await readStatus(cloud.scaling, { now: ctx.clock.now(), source: cloud.kind, groups: ctx.config.scaling.groups, signal });
  return scalingAttentionOf(status.groups);
}
