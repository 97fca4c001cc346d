import { CloudError, type CloudPorts } from '../cloud/ports.js';
import { OpsError } from '../core/errors.js';
import { emptyResult, sleepFor, type StepIO, type StepResult } from './executors.js';

/**
 * The named AWS operations a runbook may use, through the cloud ports (AWS,
 * or the sandbox's simulated world). Each is one idea a person would say
 * ("delete the group's policies"), so a runbook reads like the procedure.
 * Group deletion never forces: a group that still has instances or
 * activities is waited on, as the seed's shutdown says to.
 */
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

const BUSY = new Set(['ScalingActivityInProgress', 'ResourceInUse', 'ResourceContention']);

/** AWS says "busy" while a group's activities finish: try again until the step's deadline. */
async function whileBusy(what: string, io: StepIO, call: () => Promise<void>, pollMs: number, sleep: AwsStepOptions['sleep']): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await call();
      return;
    } catch (e) {
      if (!(e instanceof CloudError) || !BUSY.has(e.code)) throw e;
      io.output('stdout', `${what}: ${e.code}, trying again (attempt ${attempt})\n`);
      await (sleep ?? sleepFor)(pollMs, io.signal);
    }
  }
}

/** Poll until done (EC2's waiters, with progress); the step's deadline bounds it. Returns a note on how long it took. */
async function until(io: StepIO, o: AwsStepOptions, what: string, check: () => Promise<{ done: boolean; pct?: number; detail: string }>): Promise<string> {
  for (let n = 1; ; n++) {
    const c = await check();
    io.progress({ phase: `waiting for ${what}`, done: c.pct ?? n, total: c.pct === undefined ? undefined : 100, detail: c.detail });
    if (c.done) return n > 1 ? ` after ${n} checks` : '';
    await (o.sleep ?? sleepFor)(o.pollMs ?? 5_000, io.signal);
  }
}

export interface AwsStepOptions {
  /** how long to wait between checks of a snapshot, volume or attachment */
  pollMs?: number;
  /** how long to wait between tries while AWS says the group is busy */
  busyPollMs?: number;
  /** the executors' pause (simulated time on a rehearsal) */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export async function awsStep(cloud: CloudPorts, op: string, args: Record<string, string>, io: StepIO, o: AwsStepOptions = {}): Promise<StepResult> {
  const say = (text: string): void => io.output('stdout', `${text}\n`);
  const poll = o.busyPollMs ?? 10_000;
  switch (op) {
    case 'setDesiredCapacity': {
      const group = need(args, 'group', op);
      const desired = int(args, 'desired');
      if (desired === undefined) throw new OpsError('USAGE', `aws ${op} needs the argument desired`);
      await cloud.scaling.setDesiredCapacity(group, desired);
      say(`${group}: desired capacity ${desired}`);
      return emptyResult({ fields: { group, desired } });
    }
    case 'updateGroupSize': {
      const group = need(args, 'group', op);
      const size = { min: int(args, 'min'), max: int(args, 'max'), desired: int(args, 'desired') };
      const given = Object.fromEntries(Object.entries(size).filter(([, v]) => v !== undefined)) as { min?: number; max?: number; desired?: number };
      if (Object.keys(given).length === 0) throw new OpsError('USAGE', `aws ${op} needs min, max or desired`);
      await cloud.scaling.updateGroupSize(group, given);
      say(`${group}: ${Object.entries(given).map(([k, v]) => `${k}=${v}`).join(' ')}`);
      return emptyResult({ fields: { group, ...given } });
    }
    case 'deleteScheduledActions': {
      const group = need(args, 'group', op);
      const actions = await cloud.scaling.describeScheduledActions(group, { signal: io.signal });
      for (const a of actions) {
        io.signal.throwIfAborted();
        await cloud.scaling.deleteScheduledAction(group, a.name);
        say(`deleted scheduled action ${a.name}`);
      }
      if (actions.length === 0) say(`${group} has no scheduled actions`);
      return emptyResult({ fields: { deleted: actions.length } });
    }
    case 'deletePolicies': {
      const group = need(args, 'group', op);
      const policies = await cloud.scaling.describePolicies(group, { signal: io.signal });
      for (const p of policies) {
        io.signal.throwIfAborted();
        await cloud.scaling.deletePolicy(group, p.name);
        say(`deleted scaling policy ${p.name}`);
      }
      if (policies.length === 0) say(`${group} has no scaling policies`);
      return emptyResult({ fields: { deleted: policies.length } });
    }
    case 'resumeTerminate': {
      const group = need(args, 'group', op);
      // A suspended Terminate would leave min = desired = 0 with the instances still running.
      await cloud.scaling.resumeProcesses(group, ['Terminate']);
      say(`${group}: Terminate resumed`);
      return emptyResult();
    }
    case 'clearProtection': {
      const group = need(args, 'group', op);
      const [g] = await cloud.scaling.describeGroups([group], { signal: io.signal });
      if (!g) throw new OpsError('USAGE', `no Auto Scaling group ${group}`);
      const ids = g.instances.filter((i) => i.protectedFromScaleIn).map((i) => i.id);
      // SetInstanceProtection takes at most 50 instances per call.
      for (let k = 0; k < ids.length; k += 50) await cloud.scaling.setInstanceProtection(group, ids.slice(k, k + 50), false);
      say(ids.length ? `scale-in protection cleared on ${ids.length} instance(s)` : 'no instance is protected from scale-in');
      return emptyResult({ fields: { cleared: ids.length } });
    }
    case 'deleteWarmPool': {
      const group = need(args, 'group', op);
      const pool = await cloud.scaling.describeWarmPool(group, { signal: io.signal });
      if (!pool) {
        say(`${group} has no warm pool`);
        return emptyResult({ fields: { deleted: 0 } });
      }
      // a warm pool's instances keep the group from being deleted; its own deletion finishes in the background
      await whileBusy(`delete the warm pool of ${group}`, io, () => cloud.scaling.deleteWarmPool(group), poll, o.sleep);
      say(`warm pool of ${group} deleted (${pool.instances} instance(s) in it)`);
      return emptyResult({ fields: { deleted: 1 } });
    }
    case 'deleteGroup': {
      const group = need(args, 'group', op);
      await whileBusy(`delete ${group}`, io, () => cloud.scaling.deleteGroup(group, { force: false }), poll, o.sleep);
      say(`deleted Auto Scaling group ${group}`);
      return emptyResult();
    }
    case 'deleteLaunchTemplate':
    case 'deleteLaunchConfiguration': {
      const name = need(args, 'name', op);
      const users = (await cloud.scaling.describeGroups(undefined, { signal: io.signal })).filter((g) => (op === 'deleteLaunchTemplate' ? g.launchTemplate : g.launchConfigurationName) === name);
      if (users.length > 0) {
        say(`kept ${name}: still used by ${users.map((g) => g.name).join(', ')}`);
        return emptyResult({ fields: { deleted: 0 } });
      }
      if (op === 'deleteLaunchTemplate') await cloud.scaling.deleteLaunchTemplate(name);
      else await cloud.scaling.deleteLaunchConfiguration(name);
      say(`deleted ${op === 'deleteLaunchTemplate' ? 'launch template' : 'launch configuration'} ${name}`);
      return emptyResult({ fields: { deleted: 1 } });
    }
    case 'describeGroup': {
      const group = need(args, 'group', op);
      const [g] = await cloud.scaling.describeGroups([group], { signal: io.signal });
      if (!g) {
        // "gone" is an answer a probe can test (exists == false), not a failure
        return emptyResult({ exit: 1, stdout: `no Auto Scaling group ${group}\n`, fields: { exists: false, instances: 0 } });
      }
      const inService = g.instances.filter((i) => i.lifecycleState === 'InService').length;
      const states = [...new Set(g.instances.map((i) => i.lifecycleState))].map((s) => `${g.instances.filter((i) => i.lifecycleState === s).length} ${s}`).join(', ');
      return emptyResult({
        stdout: `${g.name} min=${g.minSize} desired=${g.desiredCapacity} max=${g.maxSize} instances=${g.instances.length}${states ? ` (${states})` : ''}\n`,
        fields: {
          exists: true,
          name: g.name,
          min: g.minSize,
          max: g.maxSize,
          desired: g.desiredCapacity,
          instances: g.instances.length,
          inService,
          protected: g.instances.filter((i) => i.protectedFromScaleIn).length,
          // the instances still serving, space-separated: a haproxy step drains exactly these
          serving: g.instances.filter((i) => !/^Terminat/.test(i.lifecycleState)).map((i) => i.id).join(' '),
          launchTemplate: g.launchTemplate ?? '',
          launchConfiguration: g.launchConfigurationName ?? '',
        },
      });
    }
    case 'createSnapshot': {
      const volume = need(args, 'volume', op);
      const snap = await cloud.compute.createSnapshot(volume, { ...(args['description'] ? { description: args['description'] } : {}), tags: { 'opsdeck:runbook': 'true' }, signal: io.signal });
      say(`started ${snap.id} of ${volume}`);
      // wait: 'false' returns once started: an EBS snapshot is a point in time from its start, so a
      // write freeze (read lock) may end then, and a later wait step polls for completion
      if (args['wait'] === 'false') return emptyResult({ fields: { snapshotId: snap.id, volumeId: volume } });
      const done = await until(io, o, `snapshot ${snap.id}`, async () => {
        const [cur] = await cloud.compute.describeSnapshots({ snapshotIds: [snap.id] }, { signal: io.signal });
        if (cur?.state === 'error') throw new OpsError('CLOUD', `snapshot ${snap.id} failed (state error)`);
        const pct = Number.parseInt(cur?.progress ?? '0', 10) || 0;
        return { done: cur?.state === 'completed', pct, detail: `${cur?.state ?? 'not listed yet'} ${cur?.progress ?? ''}`.trim() };
      });
      say(`${snap.id} completed${done}`);
      return emptyResult({ fields: { snapshotId: snap.id, volumeId: volume } });
    }
    case 'createVolume': {
      const zone = need(args, 'zone', op);
      const v = await cloud.compute.createVolume({
        availabilityZone: zone,
        ...(args['snapshot'] ? { snapshotId: args['snapshot'] } : {}),
        ...(int(args, 'sizeGiB') === undefined ? {} : { sizeGiB: int(args, 'sizeGiB') as number }),
        ...(args['type'] ? { volumeType: args['type'] } : {}),
        tags: { 'opsdeck:runbook': 'true' },
        signal: io.signal,
      });
      say(`created ${v.id} in ${zone}${args['snapshot'] ? ` from ${args['snapshot']}` : ''}`);
      await until(io, o, `volume ${v.id}`, async () => {
        const [cur] = await cloud.compute.describeVolumes({ volumeIds: [v.id] }, { signal: io.signal });
        return { done: cur?.state === 'available', detail: cur?.state ?? 'not listed yet' };
      });
      say(`${v.id} available`);
      return emptyResult({ fields: { volumeId: v.id, zone } });
    }
    case 'attachVolume': {
      const volume = need(args, 'volume', op);
      const instance = need(args, 'instance', op);
      const device = need(args, 'device', op);
      await cloud.compute.attachVolume(volume, instance, device, { signal: io.signal });
      await until(io, o, `attach ${volume}`, async () => {
        const [cur] = await cloud.compute.describeVolumes({ volumeIds: [volume] }, { signal: io.signal });
        return { done: cur?.state === 'in-use' && cur.attachedInstanceId === instance, detail: cur?.state ?? 'not listed' };
      });
      say(`${volume} attached to ${instance} as ${device}`);
      return emptyResult({ fields: { volumeId: volume, instanceId: instance, device } });
    }
    case 'detachVolume': {
      const volume = need(args, 'volume', op);
      await cloud.compute.detachVolume(volume, { force: args['force'] === 'true', signal: io.signal });
      await until(io, o, `detach ${volume}`, async () => {
        const [cur] = await cloud.compute.describeVolumes({ volumeIds: [volume] }, { signal: io.signal });
        return { done: cur?.state === 'available', detail: cur?.state ?? 'not listed' };
      });
      say(`${volume} detached`);
      return emptyResult({ fields: { volumeId: volume } });
    }
    case 'deleteVolume': {
      const volume = need(args, 'volume', op);
      await cloud.compute.deleteVolume(volume, { signal: io.signal });
      say(`deleted ${volume}`);
      return emptyResult({ fields: { volumeId: volume } });
    }
    case 'describeSnapshot': {
      const id = need(args, 'snapshot', op);
      const [snap] = await cloud.compute.describeSnapshots({ snapshotIds: [id] }, { signal: io.signal });
      if (!snap) return emptyResult({ exit: 1, stdout: `no snapshot ${id}\n`, fields: { exists: false } });
      return emptyResult({ stdout: `${snap.id} ${snap.state} ${snap.progress ?? ''}\n`, fields: { exists: true, id: snap.id, state: snap.state, progress: snap.progress, volumeId: snap.volumeId } });
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
      return emptyResult({ stdout: `${i.id} ${i.state}\n`, fields: { id: i.id, state: i.state, name: i.name, privateIp: i.privateIp, zone: i.availabilityZone } });
    }
    default:
      throw new OpsError('USAGE', `unknown aws operation ${op}`);
  }
}
