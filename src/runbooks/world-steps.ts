import type { CloudPorts } from '../cloud/ports.js';
import { OpsError } from '../core/errors.js';
import { liveServers, setServerState, type LiveServer } from '../haproxy/runtime.js';
import type { SyncSettings } from '../haproxy/sandbox.js';
import { sandboxLiveServers, setSandboxServerState } from '../haproxy/sandbox-state.js';
import { emptyResult, type StepIO, type StepResult } from './executors.js';

/**
 * The `haproxy` and `aws` steps: the same on the sandbox and for real, since
 * both go through the Fleet work's runtime API (or its sandbox record) and
 * the cloud ports (AWS or the simulated world).
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

const int = (args: Record<string, string>, k: string): number | undefined => {
  const v = args[k];
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw new OpsError('USAGE', `aws argument ${k}: expected a whole number, got "${v}"`);
  return Number(v);
};
const need = (args: Record<string, string>, k: string, op: string): string => {
  const v = args[k];
  if (!v) throw new OpsError('USAGE', `aws ${op} needs the argument ${k}`);
  return v;
};

/** The named AWS operations a runbook may use; anything else is refused by the schema before a run. */
export async function awsStep(cloud: CloudPorts, op: string, args: Record<string, string>, io: StepIO): Promise<StepResult> {
  switch (op) {
    case 'setDesiredCapacity': {
      const group = need(args, 'group', op);
      const desired = int(args, 'desired');
      if (desired === undefined) throw new OpsError('USAGE', `aws ${op} needs the argument desired`);
      await cloud.scaling.setDesiredCapacity(group, desired);
      io.output('stdout', `${group}: desired capacity ${desired}\n`);
      return emptyResult({ fields: { group, desired } });
    }
    case 'updateGroupSize': {
      const group = need(args, 'group', op);
      const size = { min: int(args, 'min'), max: int(args, 'max'), desired: int(args, 'desired') };
      const given = Object.fromEntries(Object.entries(size).filter(([, v]) => v !== undefined)) as { min?: number; max?: number; desired?: number };
      if (Object.keys(given).length === 0) throw new OpsError('USAGE', `aws ${op} needs min, max or desired`);
      await cloud.scaling.updateGroupSize(group, given);
      io.output('stdout', `${group}: ${Object.entries(given).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
      return emptyResult({ fields: { group, ...given } });
    }
    case 'describeGroup': {
      const group = need(args, 'group', op);
      const [g] = await cloud.scaling.describeGroups([group], { signal: io.signal });
      if (!g) throw new OpsError('USAGE', `no Auto Scaling group ${group}`);
      const inService = g.instances.filter((i) => i.lifecycleState === 'InService').length;
      return emptyResult({
        stdout: `${g.name} min=${g.minSize} desired=${g.desiredCapacity} max=${g.maxSize} instances=${g.instances.length} inService=${inService}\n`,
        fields: { name: g.name, min: g.minSize, max: g.maxSize, desired: g.desiredCapacity, instances: g.instances.length, inService },
      });
    }
    case 'describeVolume': {
      const id = need(args, 'volume', op);
      const [v] = await cloud.compute.describeVolumes({ volumeIds: [id] }, { signal: io.signal });
      if (!v) throw new OpsError('USAGE', `no volume ${id}`);
      return emptyResult({ stdout: `${v.id} ${v.state ?? '?'} ${v.attachedInstanceId ?? ''}\n`, fields: { id: v.id, state: v.state, attachedTo: v.attachedInstanceId, sizeGiB: v.sizeGiB } });
    }
    case 'describeInstance': {
      const id = need(args, 'instance', op);
      const [i] = await cloud.compute.describeInstances({ instanceIds: [id] }, { signal: io.signal });
      if (!i) throw new OpsError('USAGE', `no instance ${id}`);
      return emptyResult({ stdout: `${i.id} ${i.state}\n`, fields: { id: i.id, state: i.state, name: i.name, privateIp: i.privateIp } });
    }
    default:
      throw new OpsError('USAGE', `unknown aws operation ${op}`);
  }
}
