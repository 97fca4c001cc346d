/**
 * Which pool backends list each server in the live haproxy.cfg the sync
 * wrote: the one answer the Fleet pane, the Scaling pane's POOL column and
 * the drain before a terminate all read.
 */
import { readOptional } from './plan.js';
import { serversIn } from './render.js';
import type { SyncSettings } from './sandbox.js';

export interface PoolMembers {
  /** server (instance id) -> the pool backends whose live config lists it */
  members: Map<string, string[]>;
  /** why the live config could not be read here; then `members` is empty and knows nothing */
  unreadable: string | undefined;
}

export async function poolMembers(settings: Pick<SyncSettings, 'haproxy'>): Promise<PoolMembers> {
  const members = new Map<string, string[]>();
  const path = settings.haproxy.configPath;
  let text: string | undefined;
  try {
    text = await readOptional(path);
  } catch (e) {
    return { members, unreadable: `${path}: ${e instanceof Error ? e.message : String(e)}` };
  }
  // run away from the load balancer (a laptop): "not in the pool" would be a guess
  if (text === undefined) return { members, unreadable: `${path} does not exist here` };
  for (const [backend, servers] of serversIn(text, settings.haproxy.backends)) {
    for (const name of servers.keys()) members.set(name, [...(members.get(name) ?? []), backend]);
  }
  return { members, unreadable: undefined };
}
