/**
 * The Fleet tab's mark without the pane: the pool's DOWN servers, read from
 * the runtime API alone (no discovery, no plan), so a server that fails its
 * checks while someone is on another pane shows on the Fleet tab within one
 * refresh interval.
 */
import type { Attention } from '../core/attention.js';
import type { CommandContext } from '../core/context.js';
import { serverHealth } from './health.js';
import { liveServers, type LiveServer } from './runtime.js';
import { syncSettings } from './sandbox.js';

/** Servers failing their health checks, each counted once (the first backend that lists it, as the Fleet rows read it). */
export function downServers(live: Iterable<LiveServer>): number {
  const first = new Map<string, LiveServer>();
  for (const s of live) if (!first.has(s.name)) first.set(s.name, s);
  return [...first.values()].filter((s) => serverHealth(s) === 'DOWN').length;
}

export function fleetAttentionOf(down: number): Attention | undefined {
  return down > 0 ? { level: 'bad', text: `${down} DOWN` } : undefined;
}

/** The sandbox runs no health checks (its servers are never DOWN): nothing to read there. */
export async function fleetAttention(ctx: CommandContext): Promise<Attention | undefined> {
  if (ctx.options.sandbox) return undefined;
  const settings = await syncSettings(ctx.config, ctx.sandboxDir);
  return fleetAttentionOf(downServers(await liveServers(settings.haproxy.runtimeSocket, settings.haproxy.backends)));
}
