import type { CloudPorts, Instance, InstanceFilter, ListOptions } from '../cloud/ports.js';
import { OpsError } from '../core/errors.js';
import type { FleetConfig } from './config.js';
import { checkAmiId, checkInstanceId, checkIpv4, parsePort, showValue } from './validate.js';

/** One pool server-to-be: every field already validated for haproxy.cfg. */
export interface PoolMember {
  instanceId: string;
  address: string;
  port: number;
  /** the port came from the instance's fleet.portTag: it wins over a pool's port */
  portFromTag?: boolean;
}

export interface DiscoveryProblem {
  /** the instance id as received (may itself be the invalid part) */
  instanceId: string;
  reason: string;
}

export interface DiscoveryResult {
  /** every running instance the modes matched, valid or not (for the Fleet pane) */
  instances: Instance[];
  /** sorted by instance id: the stable order of the rendered server lines */
  members: PoolMember[];
  /** instances matched but left out of the pool, with why: never silently dropped */
  problems: DiscoveryProblem[];
  /** one line saying what was asked, e.g. "ami ami-0abc (s3://b/k) · asg web-asg" */
  source: string;
}

export interface DiscoverOptions extends ListOptions {}

/** EC2's limit on the values of one filter. */
export const ID_SLICE = 200;

function fail(message: string, cause?: unknown): OpsError {
  const detail = cause instanceof Error ? cause.message : cause === undefined ? undefined : String(cause);
  return new OpsError('DISCOVERY_FAILED', detail ? `${message}: ${detail}` : message, {
    hint: 'the pool was left unchanged; check credentials, region and the fleet: section of the config',
    cause,
  });
}

async function readAmiPointer(cloud: CloudPorts, pointer: string, opts: DiscoverOptions): Promise<string> {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(pointer);
  if (!m) throw fail(`AMI pointer ${showValue(pointer)} is not s3://bucket/key`);
  const [, bucket, key] = m as unknown as [string, string, string];
  let body: Buffer;
  try {
    body = await cloud.objects.getObject(bucket, key, opts.signal ? { signal: opts.signal } : {});
  } catch (e) {
    throw fail(`reading the AMI pointer ${pointer} failed`, e);
  }
  const ami = body.toString('utf8').trim();
  const check = checkAmiId(ami);
  if (!check.ok) throw fail(`the AMI pointer ${pointer} holds no AMI id (${check.reason})`);
  return ami;
}

/**
 * Finds the instances that belong in the pool. The configured modes narrow
 * each other (AND): AMI pointer, tag filters, Auto Scaling group (InService).
 * Any failure throws DISCOVERY_FAILED so the caller leaves the pool alone —
 * the recipe's script emptied the pool when the API call failed.
 */
export async function discoverFleet(cloud: CloudPorts, cfg: FleetConfig, opts: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const d = cfg.discovery;
  if (!d.amiPointer && !d.tags && !d.autoScalingGroup) {
    throw new OpsError('CONFIG_INVALID', 'fleet.discovery names no mode, so every running instance would join the pool', {
      hint: 'set fleet.discovery.amiPointer, fleet.discovery.tags and/or fleet.discovery.autoScalingGroup',
    });
  }
  const filter: { -readonly [K in keyof InstanceFilter]: InstanceFilter[K] } = { states: ['running'] };
  const source: string[] = [];

  if (d.amiPointer) {
    const ami = await readAmiPointer(cloud, d.amiPointer, opts);
    filter.imageIds = [ami];
    source.push(`ami ${ami} (${d.amiPointer})`);
  }
  if (d.tags) {
    const tags: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(d.tags)) tags[k] = Array.isArray(v) ? v : [v];
    filter.tags = tags;
    source.push(`tags ${Object.entries(tags).map(([k, v]) => `${k}=${v.join('|')}`).join(',')}`);
  }
  if (d.autoScalingGroup) {
    let groups;
    try {
      groups = await cloud.scaling.describeGroups([d.autoScalingGroup], opts);
    } catch (e) {
      throw fail(`describing Auto Scaling group ${d.autoScalingGroup} failed`, e);
    }
    const group = groups.find((g) => g.name === d.autoScalingGroup);
    if (!group) throw fail(`Auto Scaling group ${showValue(d.autoScalingGroup)} does not exist`);
    filter.instanceIds = group.instances.filter((i) => i.lifecycleState === 'InService').map((i) => i.id);
    source.push(`asg ${group.name}`);
  }

  let instances: Instance[];
  // An empty id list means "no filter" to EC2: with no InService members the answer is simply none.
  if (filter.instanceIds && filter.instanceIds.length === 0) {
    instances = [];
  } else {
    try {
      instances = [];
      // EC2 refuses more than 200 values in one filter (FilterLimitExceeded): a big group is asked for in slices.
      const ids = filter.instanceIds;
      const slices = ids ? Array.from({ length: Math.ceil(ids.length / ID_SLICE) }, (_, k) => ids.slice(k * ID_SLICE, (k + 1) * ID_SLICE)) : [undefined];
      for (const slice of slices) instances.push(...(await cloud.compute.describeInstances(slice ? { ...filter, instanceIds: slice } : filter, opts)));
    } catch (e) {
      throw fail('describing instances failed', e);
    }
  }
  // Belt and braces: an adapter or endpoint that ignores a filter must not widen the pool.
  instances = instances.filter((i) => i.state === 'running');
  return { ...toMembers(instances, cfg), instances, source: source.join(' · ') };
}

/** Validates and maps instances to pool members; exported for the bench and the sandbox. */
export function toMembers(instances: readonly Instance[], cfg: FleetConfig): Pick<DiscoveryResult, 'members' | 'problems'> {
  const members: PoolMember[] = [];
  const problems: DiscoveryProblem[] = [];
  const seen = new Set<string>();
  for (const inst of instances) {
    const id = checkInstanceId(inst.id);
    if (!id.ok) {
      problems.push({ instanceId: showValue(inst.id), reason: id.reason });
      continue;
    }
    if (seen.has(inst.id)) continue;
    seen.add(inst.id);
    const address = cfg.address === 'public' ? inst.publicIp : inst.privateIp;
    if (address === undefined || address === '') {
      problems.push({ instanceId: inst.id, reason: `has no ${cfg.address} IPv4 address` });
      continue;
    }
    const ip = checkIpv4(address);
    if (!ip.ok) {
      problems.push({ instanceId: inst.id, reason: ip.reason });
      continue;
    }
    let port = cfg.port;
    let portFromTag = false;
    const tagged = cfg.portTag ? inst.tags[cfg.portTag] : undefined;
    if (tagged !== undefined) {
      const p = parsePort(tagged);
      if (p === undefined) {
        problems.push({ instanceId: inst.id, reason: `tag ${cfg.portTag}=${showValue(tagged)} is not a port 1-65535` });
        continue;
      }
      port = p;
      portFromTag = true;
    }
    members.push(portFromTag ? { instanceId: inst.id, address, port, portFromTag } : { instanceId: inst.id, address, port });
  }
  members.sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0));
  return { members, problems };
}
