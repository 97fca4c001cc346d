import {
  DeregisterTargetsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
  type ElasticLoadBalancingV2Client,
  type TargetGroup as SdkTargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { BalancingPort, TargetGroup, TargetHealth } from '../ports.js';
import { CloudError } from '../ports.js';
import { allPages, call as sdkCall } from './common.js';

/**
 * The SDK names ELBv2's modeled errors TargetGroupNotFoundException; the API
 * reference (and a real answer's Code) says TargetGroupNotFound. The port
 * speaks the API's codes whichever way the error arrived.
 */
async function call<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await sdkCall(action, fn);
  } catch (e) {
    if (!(e instanceof CloudError) || !/^(TargetGroupNotFound|InvalidTarget|TooManyTargets|TooManyRegistrationsForTarget)Exception$/.test(e.code)) throw e;
    throw new CloudError(e.code.replace(/Exception$/, ''), e.message, { retryable: e.retryable, ...(e.status !== undefined ? { status: e.status } : {}), cause: e.cause });
  }
}

function base(g: SdkTargetGroup): Omit<TargetGroup, 'targets' | 'deregistrationDelaySeconds'> {
  return {
    arn: g.TargetGroupArn ?? '',
    name: g.TargetGroupName ?? '',
    protocol: g.Protocol,
    port: g.Port,
    targetType: g.TargetType,
    loadBalancerArns: g.LoadBalancerArns ?? [],
    healthCheckPath: g.HealthCheckPath,
  };
}

/** BalancingPort over ELBv2: one listing for the groups, then per group its health and attributes, in parallel. */
export function createElbv2Balancing(client: ElasticLoadBalancingV2Client): BalancingPort {
  const health = async (arn: string, signal: AbortSignal | undefined): Promise<TargetHealth[]> => {
    // DescribeTargetHealth has no pagination: one answer holds every target
    const res = await call('DescribeTargetHealth', () => client.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }), { abortSignal: signal }));
    return (res.TargetHealthDescriptions ?? []).map((d) => ({
      id: d.Target?.Id ?? '',
      port: d.Target?.Port,
      availabilityZone: d.Target?.AvailabilityZone,
      state: d.TargetHealth?.State ?? 'unknown',
      reason: d.TargetHealth?.Reason,
      description: d.TargetHealth?.Description,
    }));
  };
  const delay = async (arn: string, signal: AbortSignal | undefined): Promise<number | undefined> => {
    const res = await call('DescribeTargetGroupAttributes', () => client.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }), { abortSignal: signal }));
    const v = res.Attributes?.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value;
    return v === undefined || !/^\d+$/.test(v) ? undefined : Number(v);
  };
  return {
    async describeTargetGroups(arns, opts = {}) {
      // no ARNs would list every target group of the region: never what a group's view means
      if (arns.length === 0) return [];
      const groups = await allPages<Omit<TargetGroup, 'targets' | 'deregistrationDelaySeconds'>>(async (marker) => {
        const res = await call('DescribeTargetGroups', () =>
          client.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [...arns], PageSize: 400, Marker: marker }), { abortSignal: opts.signal }),
        );
        return { items: (res.TargetGroups ?? []).map(base), next: res.NextMarker };
      }, opts);
      return Promise.all(
        groups.map(async (g): Promise<TargetGroup> => {
          const [targets, seconds] = await Promise.all([health(g.arn, opts.signal), delay(g.arn, opts.signal)]);
          return { ...g, targets, deregistrationDelaySeconds: seconds };
        }),
      );
    },

    async registerTargets(arn, ids, opts = {}) {
      await call('RegisterTargets', () => client.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: ids.map((Id) => ({ Id })) }), { abortSignal: opts.signal }));
    },

    async deregisterTargets(arn, ids, opts = {}) {
      await call('DeregisterTargets', () => client.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: ids.map((Id) => ({ Id })) }), { abortSignal: opts.signal }));
    },
  };
}
