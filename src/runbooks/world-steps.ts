import { OpsError } from '../core/errors.js';
import { liveServers, setServerState, type LiveServer } from '../haproxy/runtime.js';
import type { SyncSettings } from '../haproxy/sandbox.js';
import { sandboxLiveServers, setSandboxServerState } from '../haproxy/sandbox-state.js';
import { emptyResult, type StepIO, type StepResult } from './executors.js';

/**
 * The `haproxy` step: the same on the sandbox and for real, through the Fleet
 * work's runtime API (or its sandbox record).
 */

function table(servers: readonly LiveServer[]): string {
  return servers.map((s) => `${s.backend}/${s.name} ${s.address}${s.port ? `:${s.port}` : ''} ${s.admin} ${s.status}`).join('\n');
}

/**
 * `server` is `all`, one server, or a list (names separated by spaces or
 * commas, often a capture such as a group's instance ids): a list means
 * "those of these the pool holds", so an instance that is not a server is
 * no error, and a pool that cannot be read is said, not fatal: the steps that
 * follow (an Auto Scaling shutdown) do not need HAProxy to be safe, as
 * `opsdeck scaling shutdown` plans without a drain step then.
 */
export async function haproxyStep(settings: () => Promise<SyncSettings>, action: 'drain' | 'maint' | 'ready' | 'show', server: string, io: StepIO): Promise<StepResult> {
  const listed = server !== 'all' && (server.trim() === '' || /[\s,]/.test(server.trim()));
  if (listed) return listStep(settings, action, server.split(/[\s,]+/).filter(Boolean), io);
  return oneOrAll(await settings(), action, server, io);
}

const list = (s: SyncSettings): Promise<LiveServer[]> => (s.sandbox ? sandboxLiveServers(s) : liveServers(s.haproxy.runtimeSocket, s.haproxy.backends));

function counts(chosen: readonly LiveServer[]) {
  return {
    servers: chosen.length,
    ready: chosen.filter((x) => x.admin === 'ready').length,
    drain: chosen.filter((x) => x.admin === 'drain').length,
    maint: chosen.filter((x) => x.admin === 'maint').length,
    sessions: chosen.reduce((n, x) => n + (x.sessions ?? 0), 0),
  };
}

/** The probe's answer: a table, a row per server, and counts by state and of open sessions. */
function shown(chosen: readonly LiveServer[], extra: Record<string, number> = {}): StepResult {
  const rows = chosen.map((x) => ({ backend: x.backend, name: x.name, admin: x.admin, status: x.status, sessions: x.sessions ?? 0 }));
  return emptyResult({ stdout: `${table(chosen)}\n`, rows, fields: { ...counts(chosen), ...extra } });
}

async function setAll(s: SyncSettings, action: 'drain' | 'maint' | 'ready', chosen: readonly LiveServer[], io: StepIO): Promise<void> {
  for (const x of chosen) {
    io.signal.throwIfAborted();
    if (s.sandbox) await setSandboxServerState(s, x.backend, x.name, action);
    else await setServerState(s.haproxy.runtimeSocket, x.backend, x.name, action);
    io.output('stdout', `${x.backend}/${x.name}: ${x.admin} -> ${action}${s.sandbox ? ' (sandbox: simulated)' : ''}\n`);
  }
}

async function listStep(settings: () => Promise<SyncSettings>, action: 'drain' | 'maint' | 'ready' | 'show', names: readonly string[], io: StepIO): Promise<StepResult> {
  const say = (text: string): StepResult => {
    if (action !== 'show') io.output('stdout', `${text}\n`);
    return emptyResult({ stdout: `${text}\n`, fields: { ...counts([]), unread: 0 } });
  };
  if (names.length === 0) return say('no servers named: nothing to set');
  let s: SyncSettings;
  let all: LiveServer[];
  try {
    s = await settings();
    all = await list(s);
  } catch (e) {
    const r = say(`HAProxy pool not read (${e instanceof Error ? e.message : String(e)}): nothing ${action === 'show' ? 'shown' : 'set'}`);
    return { ...r, fields: { ...r.fields, unread: 1 } };
  }
  const chosen = all.filter((x) => names.includes(x.name));
  const outside = names.filter((n) => !all.some((x) => x.name === n));
  if (action === 'show') return shown(chosen, { unread: 0 });
  if (outside.length) io.output('stdout', `not servers of the pool (nothing to do for them): ${outside.join(' ')}\n`);
  // MAINT already takes no traffic; DRAIN from there would let checks and persistent clients back in
  const moved = action === 'drain' ? chosen.filter((x) => x.admin !== 'maint') : chosen;
  for (const x of chosen.filter((c) => !moved.includes(c))) io.output('stdout', `${x.backend}/${x.name}: in maint already, left there\n`);
  await setAll(s, action, moved, io);
  return emptyResult({ fields: { ...counts(chosen), unread: 0 } });
}

async function oneOrAll(s: SyncSettings, action: 'drain' | 'maint' | 'ready' | 'show', server: string, io: StepIO): Promise<StepResult> {
  const all = await list(s);
  const chosen = server === 'all' ? all : all.filter((x) => x.name === server || `${x.backend}/${x.name}` === server);
  if (chosen.length === 0 && s.sandbox && server === 'all') {
    // A rehearsal on a fresh sandbox: its haproxy.cfg has no servers until a sync fills it.
    const note = 'sandbox: the pool is empty (fill it with `opsdeck haproxy sync --sandbox --yes`): nothing to set\n';
    if (action !== 'show') io.output('stdout', note);
    return emptyResult({ stdout: note, fields: { servers: 0, ready: 0, drain: 0, maint: 0, sessions: 0 } });
  }
  if (chosen.length === 0) {
    throw new OpsError('USAGE', server === 'all' ? `no servers in ${s.haproxy.backends.join(', ')}` : `no server ${server} in ${s.haproxy.backends.join(', ')}`, {
      hint: '`opsdeck haproxy status` lists the servers',
    });
  }
  if (action === 'show') return shown(chosen);
  await setAll(s, action, chosen, io);
  return emptyResult({ fields: { servers: chosen.length } });
}
