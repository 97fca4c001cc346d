/**
 * The sandbox's stand-in for HAProxy's runtime state. No haproxy runs on the
 * sandbox, so drain / maint / ready are recorded in a small JSON file next to
 * the sandbox haproxy.cfg: the Fleet pane and `opsdeck haproxy server|status
 * --batch --sandbox` see the same states, and a rehearsal survives a restart.
 * Every state read here is labelled simulated; nothing was health-checked.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OpsError } from '../core/errors.js';
import { readOptional } from './plan.js';
import { serversIn } from './render.js';
import type { LiveServer, ServerAdminState } from './runtime.js';
import type { SyncSettings } from './sandbox.js';

/** The `check` of a sandbox server: its admin state is recorded, nothing was checked. */
export const SIMULATED = 'simulated';

const STATES: readonly ServerAdminState[] = ['ready', 'drain', 'maint'];

function statePath(s: SyncSettings): string {
  return path.join(path.dirname(s.haproxy.configPath), 'server-states.json');
}

async function readStates(s: SyncSettings): Promise<Record<string, ServerAdminState>> {
  let text: string;
  try {
    text = await readFile(statePath(s), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  // A hand-edited or torn file must not stop the pane: unknown entries read as ready.
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return {};
  }
  const out: Record<string, ServerAdminState> = {};
  if (raw && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw)) if (STATES.includes(v as ServerAdminState)) out[k] = v as ServerAdminState;
  }
  return out;
}

/** The servers of the sandbox's live config with their recorded admin states. */
export async function sandboxLiveServers(s: SyncSettings): Promise<LiveServer[]> {
  const text = (await readOptional(s.haproxy.configPath)) ?? '';
  const states = await readStates(s);
  const out: LiveServer[] = [];
  for (const [backend, servers] of serversIn(text, s.haproxy.backends)) {
    for (const [name, line] of servers) {
      const [address = '', port] = (line.split(/\s+/)[2] ?? '').split(':');
      // No health check runs on the sandbox: the status says so instead of a made-up UP.
      out.push({ backend, name, address, port: port ? Number(port) : undefined, admin: states[`${backend}/${name}`] ?? 'ready', status: 'no runtime API', check: SIMULATED });
    }
  }
  return out;
}

/**
 * Records a server's admin state, refusing a server the sandbox config does
 * not list, as HAProxy would ("No such server."). Written by rename, so a
 * reader never sees half a file.
 */
export async function setSandboxServerState(s: SyncSettings, backend: string, name: string, state: ServerAdminState): Promise<void> {
  const live = await sandboxLiveServers(s);
  if (!live.some((x) => x.backend === backend && x.name === name)) {
    throw new OpsError('USAGE', `no server ${backend}/${name} in the sandbox haproxy.cfg`, { hint: 'opsdeck haproxy status --sandbox lists the servers' });
  }
  const states = await readStates(s);
  if (state === 'ready') delete states[`${backend}/${name}`];
  else states[`${backend}/${name}`] = state;
  const file = statePath(s);
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, `${JSON.stringify(states, null, 2)}\n`);
  await rename(tmp, file);
}
