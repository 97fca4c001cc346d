/**
 * The Database tab's mark without the pane: the same probe and the same
 * verdicts the pane shows (needsAttention), so the tab and the pane's
 * "need attention" count agree whichever of them looked last.
 */
import type { Attention } from '../core/attention.js';
import type { CommandContext } from '../core/context.js';
import { needsAttention, type ServerHealth } from './health.js';
import { databaseFleet } from './index.js';

/** "1 broken" when a server is broken or unreachable; undefined when none is. */
export function databaseAttentionOf(servers: readonly ServerHealth[]): Attention | undefined {
  const n = servers.filter(needsAttention).length;
  return n > 0 ? { level: 'bad', text: `${n} broken` } : undefined;
}

/** No MySQL servers in the config: nothing to watch, no mark (the pane says how to add them). */
export async function databaseAttention(ctx: CommandContext): Promise<Attention | undefined> {
  if (!ctx.options.sandbox && Object.keys(ctx.config.mysql).length === 0) return undefined;
  return databaseAttentionOf(await (await databaseFleet(ctx)).probeAll());
}
