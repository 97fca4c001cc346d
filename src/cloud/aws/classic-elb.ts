import {
  DeregisterInstancesFromLoadBalancerCommand,
  DescribeInstanceHealthCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  RegisterInstancesWithLoadBalancerCommand,
  type ElasticLoadBalancingClient,
  type LoadBalancerDescription,
} from '@aws-sdk/client-elastic-load-balancing';
import type { ClassicElbPort, ClassicInstanceHealth, ClassicLoadBalancer } from '../ports.js';
import { CloudError } from '../ports.js';
import { allPages, call as sdkCall } from './common.js';

/**
 * The SDK names the classic API's modeled errors after its own shapes
 * (AccessPointNotFoundException, InvalidEndPointException); the API
 * reference and a real answer's Code say LoadBalancerNotFound and
 * InvalidInstance. The port speaks the API's codes. DependencyThrottle is
 * the service being throttled by one it depends on: slow down and retry.
 */
const API_CODES: Readonly<Record<string, string>> = {
  AccessPointNotFoundException: 'LoadBalancerNotFound',
  InvalidEndPointException: 'InvalidInstance',
  DependencyThrottleException: 'DependencyThrottle',
  LoadBalancerAttributeNotFoundException: 'LoadBalancerAttributeNotFound',
};

async function call<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await sdkCall(action, fn);
  } catch (e) {
    const code = e instanceof CloudError ? API_CODES[e.code] : undefined;
    if (!(e instanceof CloudError) || code === undefined) throw e;
    const retryable = e.retryable || code === 'DependencyThrottle';
    throw new CloudError(code, e.message, { retryable, ...(e.status !== undefined ? { status: e.status } : {}), cause: e.cause });
  }
}

function base(d: LoadBalancerDescription): Omit<ClassicLoadBalancer, 'instances' | 'connectionDraining'> {
  return {
    name: d.LoadBalancerName ?? '',
    dnsName: d.DNSName,
    scheme: d.Scheme,
    availabilityZones: d.AvailabilityZones ?? [],
    healthCheckTarget: d.HealthCheck?.Target,
    listeners: (d.ListenerDescriptions ?? []).flatMap((l) =>
      l.Listener ? [`${l.Listener.Protocol} ${l.Listener.LoadBalancerPort} → ${l.Listener.InstanceProtocol ?? l.Listener.Protocol} ${l.Listener.InstancePort}`] : [],
    ),
  };
}

/** ClassicElbPort over the classic ELB API: one listing by name, then per ELB its instances' health and draining, in parallel. */
export function createClassicElb(client: ElasticLoadBalancingClient): ClassicElbPort {
  const health = async (name: string, signal: AbortSignal | undefined): Promise<ClassicInstanceHealth[]> => {
    // DescribeInstanceHealth has no pagination: without Instances it answers for every registered one
    const res = await call('DescribeInstanceHealth', () => client.send(new DescribeInstanceHealthCommand({ LoadBalancerName: name }), { abortSignal: signal }));
    return (res.InstanceStates ?? []).map((s) => ({
      instanceId: s.InstanceId ?? '',
      state: s.State ?? 'Unknown',
      reasonCode: s.ReasonCode,
      description: s.Description,
    }));
  };
  const draining = async (name: string, signal: AbortSignal | undefined): Promise<ClassicLoadBalancer['connectionDraining']> => {
    const res = await call('DescribeLoadBalancerAttributes', () => client.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerName: name }), { abortSignal: signal }));
    const cd = res.LoadBalancerAttributes?.ConnectionDraining;
    return cd ? { enabled: cd.Enabled ?? false, timeoutSeconds: cd.Timeout } : undefined;
  };
  return {
    async describeLoadBalancers(names, opts = {}) {
      // no names would list every classic ELB of the region: never what a group's view means
      if (names.length === 0) return [];
      const lbs = await allPages<Omit<ClassicLoadBalancer, 'instances' | 'connectionDraining'>>(async (marker) => {
        const res = await call('DescribeLoadBalancers', () =>
          client.send(new DescribeLoadBalancersCommand({ LoadBalancerNames: [...names], PageSize: 400, Marker: marker }), { abortSignal: opts.signal }),
        );
        return { items: (res.LoadBalancerDescriptions ?? []).map(base), next: res.NextMarker };
      }, opts);
      return Promise.all(
        lbs.map(async (lb): Promise<ClassicLoadBalancer> => {
          const [instances, connectionDraining] = await Promise.all([health(lb.name, opts.signal), draining(lb.name, opts.signal)]);
          return { ...lb, connectionDraining, instances };
        }),
      );
    },

    async registerInstances(name, ids, opts = {}) {
      await call('RegisterInstancesWithLoadBalancer', () =>
        client.send(new RegisterInstancesWithLoadBalancerCommand({ LoadBalancerName: name, Instances: ids.map((InstanceId) => ({ InstanceId })) }), { abortSignal: opts.signal }),
      );
    },

    async deregisterInstances(name, ids, opts = {}) {
      await call('DeregisterInstancesFromLoadBalancer', () =>
        client.send(new DeregisterInstancesFromLoadBalancerCommand({ LoadBalancerName: name, Instances: ids.map((InstanceId) => ({ InstanceId })) }), { abortSignal: opts.signal }),
      );
    },
  };
}
