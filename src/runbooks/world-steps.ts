import { OpsError } from '../core/errors.js';
import { liveServers, setServerState, type LiveServer } from '../haproxy/runtime.js';
import type { SyncSettings } from '../haproxy/sandbox.js';
import { sandboxLiveServers, setSandboxServerState } from '../haproxy/sandbox-state.js';
import { emptyResult, type StepIO, type StepResult } from './executors.js';

/**
 * The `haproxy` step: the same on the sandbox and for real, through the Fleet
 * work's runtime API (or its sandbox record).
 */

function table(servers: LiveServer[]): string {
  return servers.map((s) => `${s.backend}/${s.name} ${s.address}${s.port ? `:${s.port}` : ''} ${s.admin} ${s.status}`).join('\n');
}

export async function haproxyStep(s: SyncSettings, action: 'drain' | 'maint' | 'ready' | 'show', server: string, io: StepIO): Promise<StepResult> {
  const list = async (): Promise<LiveServer[]> => (s.sandbox ? sandboxLiveServers(s) : liveServers(s.haproxy.runtimeSocket, s.haproxy.backends));
  const all = await list();
  const chosen = server === 'all' ? all : all.filter((x) => x.name === server || `${x.backend}/${x.name}` === server);
  if (chosen.length === 0 && s.sandbox && server === 'all') {
    // A rehearsal on a fresh sandbox: its haproxy.cfg has no servers until a sync fills it.
    const note = 'sandbox: the pool is empty (fill it with `opsdeck haproxy sync --sandbox --yes`): nothing to set\n';
    if (action !== 'show') io.output('stdout', note);
    return emptyResult({ stdout: note, fields: { servers: 0, ready: 0, drain: 0, maint: 0 } });
  }
  if (chosen.length === 0) {
    throw new OpsError('USAGE', server === 'all' ? `no servers in ${s.haproxy.backends.join(', ')}` : `no server ${server} in ${s.haproxy.backends.join(', ')}`, {
      hint: '`opsdeck haproxy status` lists the servers',
    });
  }
  if (action === 'show') {
    const rows = chosen.map((x) => ({ backend: x.backend, name: x.name, admin: x.admin, status: x.status }));
    const counts = { servers: chosen.length, ready: chosen.filter((x) => x.admin === 'ready').length, drain: chosen.filter((x) => x.admin === 'drain').length, maint: chosen.filter((x) => x.admin === 'maint').length };
    return emptyResult({ stdout: `${table(chosen)}\n`, rows, fields: counts });
  }
  for (const x of chosen) {
    io.signal.throwIfAborted();
    if (s.sandbox) await setSandboxServerState(s, x.backend, x.name, action);
    else await setServerState(s.haproxy.runtimeSocket, x.backend, x.name, action);
    io.output('stdout', `${x.backend}/${x.name}: ${x.admin} -> ${action}${s.sandbox ? ' (sandbox: simulated)' : ''}\n`);
  }
  return emptyResult({ fields: { servers: chosen.length } });
}
