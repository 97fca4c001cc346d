/**
 * Server names are instance ids (the sync writes them so); people think in
 * Name tags. These map one to the other for `haproxy status` and
 * `haproxy server NAME|ID`, from one describeInstances of the servers' ids.
 */
import { OpsError } from '../core/errors.js';
import type { ComputePort } from '../cloud/ports.js';
import type { LiveServer } from './runtime.js';

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

/** instance id -> Name tag, for the servers whose name is an instance id. */
export async function serverInstanceNames(compute: Pick<ComputePort, 'describeInstances'>, servers: readonly Pick<LiveServer, 'name'>[], signal?: AbortSignal): Promise<Map<string, string>> {
  const ids = [...new Set(servers.map((s) => s.name).filter((n) => INSTANCE_ID.test(n)))];
  const out = new Map<string, string>();
  if (ids.length === 0) return out;
  const found = await compute.describeInstances({ instanceIds: ids }, signal ? { signal } : {});
  for (const i of found) if (i.name) out.set(i.id, i.name);
  return out;
}

/**
 * The server `arg` names in `backend`: its server name (instance id) as is,
 * else the one whose instance carries that Name tag. undefined when none
 * does; a name two instances share is refused with both ids, since guessing
 * would drain the wrong one.
 */
export function resolveServer(servers: readonly Pick<LiveServer, 'backend' | 'name'>[], backend: string, arg: string, names: ReadonlyMap<string, string>): string | undefined {
  const inBackend = servers.filter((s) => s.backend === backend);
  if (inBackend.some((s) => s.name === arg)) return arg;
  const matches = inBackend.filter((s) => names.get(s.name) === arg).map((s) => s.name);
  if (matches.length > 1) {
    throw new OpsError('USAGE', `${matches.length} servers in ${backend} are named ${arg}: ${matches.join(', ')}`, { hint: 'name the server by its instance id' });
  }
  return matches[0];
}
