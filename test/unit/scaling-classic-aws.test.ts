/**
 * Classic ELBs through the real classic ELB adapter, answered by
 * aws-sdk-client-mock in the API reference's shapes (DescribeLoadBalancers
 * with Marker/NextMarker, DescribeInstanceHealth's InstanceStates,
 * DescribeLoadBalancerAttributes' ConnectionDraining): every page read,
 * health mapped as a person reads it, register/deregister sent exactly as
 * planned, throttling retried, the API's error codes.
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  AccessPointNotFoundException,
  DependencyThrottleException,
  DeregisterInstancesFromLoadBalancerCommand,
  DescribeInstanceHealthCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingClient,
  ElasticLoadBalancingServiceException,
  InvalidEndPointException,
  RegisterInstancesWithLoadBalancerCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createClassicElb } from '../../src/cloud/aws/classic-elb.js';
import { createElbv2Balancing } from '../../src/cloud/aws/balancing.js';
import { createAwsCloud, createClassicElbClient, resolveAwsSettings } from '../../src/cloud/aws/index.js';
import { createAutoScaling } from '../../src/cloud/aws/scaling.js';
import { defaultConfig } from '../../src/config/schema.js';
import { memoryAuditLog } from '../../src/core/audit.js';
import { ManualClock } from '../../src/core/clock.js';
import { applyScalingPlan, describeCall } from '../../src/scaling/calls.js';
import { classicStateText, countClassic } from '../../src/scaling/classic-elb.js';
import { planTargets, readTargets } from '../../src/scaling/targets.js';

const elb = mockClient(ElasticLoadBalancingClient);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const asg = mockClient(AutoScalingClient);
afterEach(() => {
  elb.reset();
  elbv2.reset();
  asg.reset();
});

const NOW = new Date('2026-06-18T09:00:00Z');
const I1 = 'i-0a1b2c3d4e5f60001';
const I2 = 'i-0a1b2c3d4e5f60002';
const I3 = 'i-0a1b2c3d4e5f60003';
const I4 = 'i-0a1b2c3d4e5f60004';
const TG_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/73e2d6bc24d8a067';
const classic = () => createClassicElb(new ElasticLoadBalancingClient({ region: 'us-east-1' }));
const scaling = () => createAutoScaling(new AutoScalingClient({ region: 'us-east-1' }));

/** Two ELBs on two pages; web-elb with one instance of each health the API reports. */
function mockElbs(): void {
  const web = {
    LoadBalancerName: 'web-elb',
    DNSName: 'web-elb-1234567890.us-east-1.elb.amazonaws.com',
    Scheme: 'internet-facing',
    AvailabilityZones: ['us-east-1a', 'us-east-1b'],
    HealthCheck: { Target: 'HTTP:80/health', Interval: 30, Timeout: 5, UnhealthyThreshold: 2, HealthyThreshold: 10 },
    ListenerDescriptions: [{ Listener: { Protocol: 'HTTP', LoadBalancerPort: 80, InstanceProtocol: 'HTTP', InstancePort: 8080 }, PolicyNames: [] }],
    Instances: [{ InstanceId: I1 }, { InstanceId: I2 }, { InstanceId: I3 }, { InstanceId: I4 }],
    CreatedTime: NOW,
  };
  const api = { LoadBalancerName: 'api-elb', AvailabilityZones: ['us-east-1a'], Instances: [] };
  // the named ones only, one per page, as a PageSize of 1 would answer
  elb.on(DescribeLoadBalancersCommand).callsFake((input: { LoadBalancerNames?: string[]; Marker?: string }) => {
    const named = [web, api].filter((l) => input.LoadBalancerNames?.includes(l.LoadBalancerName));
    const at = input.Marker === undefined ? 0 : Number(input.Marker.replace('page-', '')) - 1;
    return { LoadBalancerDescriptions: named.slice(at, at + 1), ...(at + 1 < named.length ? { NextMarker: `page-${at + 2}` } : {}) };
  });
  elb.on(DescribeInstanceHealthCommand, { LoadBalancerName: 'web-elb' }).resolves({
    InstanceStates: [
      { InstanceId: I1, State: 'InService', ReasonCode: 'N/A', Description: 'N/A' },
      { InstanceId: I2, State: 'OutOfService', ReasonCode: 'Instance', Description: 'Instance has failed at least the UnhealthyThreshold number of health checks consecutively.' },
      { InstanceId: I3, State: 'InService', ReasonCode: 'N/A', Description: 'Instance deregistration currently in progress.' },
      { InstanceId: I4, State: 'Unknown', ReasonCode: 'ELB', Description: 'A transient error occurred. Please try again later.' },
    ],
  });
  elb.on(DescribeInstanceHealthCommand, { LoadBalancerName: 'api-elb' }).resolves({ InstanceStates: [] });
  elb.on(DescribeLoadBalancerAttributesCommand, { LoadBalancerName: 'web-elb' }).resolves({
    LoadBalancerAttributes: { ConnectionDraining: { Enabled: true, Timeout: 300 }, CrossZoneLoadBalancing: { Enabled: true }, ConnectionSettings: { IdleTimeout: 60 } },
  });
  elb.on(DescribeLoadBalancerAttributesCommand, { LoadBalancerName: 'api-elb' }).resolves({ LoadBalancerAttributes: { ConnectionDraining: { Enabled: false, Timeout: 300 } } });
}

function mockGroup(o: { elbs: string[]; tgs?: string[]; members?: string[] }): void {
  asg.on(DescribeAutoScalingGroupsCommand).resolves({
    AutoScalingGroups: [
      {
        AutoScalingGroupName: 'web-asg', MinSize: 2, MaxSize: 6, DesiredCapacity: 2, DefaultCooldown: 300, HealthCheckType: 'ELB', CreatedTime: NOW, AvailabilityZones: ['us-east-1a', 'us-east-1b'],
        LoadBalancerNames: o.elbs,
        TargetGroupARNs: o.tgs ?? [],
        Instances: (o.members ?? [I1, I2]).map((InstanceId) => ({ InstanceId, LifecycleState: 'InService', HealthStatus: 'Healthy', AvailabilityZone: 'us-east-1a', ProtectedFromScaleIn: false })),
      },
    ],
  });
}

describe('classic ELB adapter', () => {
  it('reads every page of the named ELBs, each with its instances’ health and connection draining', async () => {
    mockElbs();
    const pages: number[] = [];
    const lbs = await classic().describeLoadBalancers(['web-elb', 'api-elb'], { onPage: (p) => pages.push(p.pages) });
    expect(pages).toEqual([1, 2]);
    expect(elb.commandCalls(DescribeLoadBalancersCommand).map((c) => c.args[0].input)).toEqual([
      { LoadBalancerNames: ['web-elb', 'api-elb'], PageSize: 400, Marker: undefined },
      { LoadBalancerNames: ['web-elb', 'api-elb'], PageSize: 400, Marker: 'page-2' },
    ]);
    expect(lbs.map((l) => [l.name, l.connectionDraining, l.instances.length])).toEqual([
      ['web-elb', { enabled: true, timeoutSeconds: 300 }, 4],
      ['api-elb', { enabled: false, timeoutSeconds: 300 }, 0],
    ]);
    const web = lbs[0]!;
    expect(web.healthCheckTarget).toBe('HTTP:80/health');
    expect(web.listeners).toEqual(['HTTP 80 → HTTP 8080']);
    expect(web.instances[1]).toEqual({ instanceId: I2, state: 'OutOfService', reasonCode: 'Instance', description: 'Instance has failed at least the UnhealthyThreshold number of health checks consecutively.' });
    // no names: no call (an empty list would describe every classic ELB of the region)
    elb.resetHistory();
    expect(await classic().describeLoadBalancers([])).toEqual([]);
    expect(elb.calls()).toHaveLength(0);
  });

  it('maps health as a person reads it: InService, OutOfService with its reason, Unknown, draining with the timeout', async () => {
    mockElbs();
    const [web] = await classic().describeLoadBalancers(['web-elb']);
    expect(web!.instances.map((h) => classicStateText(h, web!))).toEqual([
      'InService',
      'OutOfService (Instance: Instance has failed at least the UnhealthyThreshold number of health checks consecutively.)',
      'draining (up to 300 s)',
      'Unknown (ELB: A transient error occurred. Please try again later.)',
    ]);
    expect(countClassic(web!.instances)).toEqual({ inService: 1, outOfService: 1, unknown: 1, draining: 1 });
  });

  it("reports the API's codes: LoadBalancerNotFound, InvalidInstance; DependencyThrottle is retryable", async () => {
    elb.on(DescribeLoadBalancersCommand).rejects(new AccessPointNotFoundException({ $metadata: { httpStatusCode: 400 }, message: 'There is no ACTIVE Load Balancer named \'gone\'' }));
    await expect(classic().describeLoadBalancers(['gone'])).rejects.toMatchObject({ code: 'LoadBalancerNotFound', retryable: false });
    elb.on(RegisterInstancesWithLoadBalancerCommand).rejects(new InvalidEndPointException({ $metadata: { httpStatusCode: 400 }, message: 'The requested instance is not valid' }));
    await expect(classic().registerInstances('web-elb', [I1])).rejects.toMatchObject({ code: 'InvalidInstance' });
    elb.on(DeregisterInstancesFromLoadBalancerCommand).rejects(new DependencyThrottleException({ $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' }));
    await expect(classic().deregisterInstances('web-elb', [I1])).rejects.toMatchObject({ code: 'DependencyThrottle', retryable: true });
  });

  it('is a lazy port of the AWS cloud, its client built with the same retry and deadlines as the others', async () => {
    elb.on(DescribeLoadBalancersCommand).resolves({ LoadBalancerDescriptions: [] });
    const settings = resolveAwsSettings({ config: { ...defaultConfig(), aws: { region: 'us-east-1', endpoint: 'http://127.0.0.1:4566' } }, env: {} });
    const cloud = createAwsCloud(settings);
    expect(await cloud.classicElb?.describeLoadBalancers(['web-elb'])).toEqual([]);
    expect(elb.commandCalls(DescribeLoadBalancersCommand)).toHaveLength(1);
    const client = await createClassicElbClient(settings);
    expect(await client.config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
    expect(await client.config.endpoint?.()).toMatchObject({ hostname: '127.0.0.1', port: 4566 });
    const handler = client.config.requestHandler as unknown as { configProvider: Promise<{ connectionTimeout?: number; socketTimeout?: number }> };
    expect(await handler.configProvider).toMatchObject({ connectionTimeout: settings.connectTimeoutMs, socketTimeout: settings.readTimeoutMs });
  });
});

describe('classic ELB registration: plan → apply', () => {
  it('sends exactly the planned DeregisterInstancesFromLoadBalancer, retrying throttling, audited; the plan shows connection draining', async () => {
    mockElbs();
    elb.on(DescribeInstanceHealthCommand, { LoadBalancerName: 'web-elb' }).resolves({
      InstanceStates: [
        { InstanceId: I1, State: 'InService', ReasonCode: 'N/A', Description: 'N/A' },
        { InstanceId: I2, State: 'InService', ReasonCode: 'N/A', Description: 'N/A' },
      ],
    });
    mockGroup({ elbs: ['web-elb'] });
    const ports = { scaling: scaling(), classicElb: classic() };
    const t = await readTargets(ports, 'web-asg');
    // the only load balancer: no flag needed
    const plan = planTargets(t, { instanceId: I2, register: false }, { now: NOW, source: 'aws' });
    expect(plan.calls).toEqual([{ op: 'deregisterInstances', group: 'web-asg', loadBalancer: 'web-elb', instanceIds: [I2] }]);
    expect(describeCall(plan.calls[0]!)).toBe(`DeregisterInstancesFromLoadBalancer web-elb (classic ELB): ${I2}`);
    expect(plan.notes.join('\n')).toMatch(/connection draining is on: it finishes its open requests for up to 300 s/);
    const throttled = new ElasticLoadBalancingServiceException({ name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });
    elb.on(DeregisterInstancesFromLoadBalancerCommand).rejectsOnce(throttled).resolves({ Instances: [{ InstanceId: I1 }] });
    const audit = memoryAuditLog();
    const steps: string[] = [];
    await applyScalingPlan(plan, { scaling: ports.scaling, classicElb: ports.classicElb, audit, clock: new ManualClock(NOW), pollMs: 10, onStep: (l) => steps.push(l) });
    expect(elb.commandCalls(DeregisterInstancesFromLoadBalancerCommand).map((c) => c.args[0].input)).toEqual([
      { LoadBalancerName: 'web-elb', Instances: [{ InstanceId: I2 }] },
      { LoadBalancerName: 'web-elb', Instances: [{ InstanceId: I2 }] },
    ]);
    expect(steps.join('\n')).toMatch(/Throttling: trying again/);
    expect(elb.commandCalls(RegisterInstancesWithLoadBalancerCommand)).toHaveLength(0);
    expect(audit.entries.map((e) => [e.action, e.result])).toEqual([['scaling.deregisterInstances', 'ok']]);
  });

  it('sends exactly the planned RegisterInstancesWithLoadBalancer for an instance not registered yet', async () => {
    mockElbs();
    mockGroup({ elbs: ['web-elb'], members: [I1, I2, 'i-0a1b2c3d4e5f60009'] });
    const ports = { scaling: scaling(), classicElb: classic() };
    const t = await readTargets(ports, 'web-asg');
    // already registered (even OutOfService): nothing to do
    expect(planTargets(t, { instanceId: I2, register: true }, { now: NOW, source: 'aws' }).calls).toEqual([]);
    const plan = planTargets(t, { instanceId: 'i-0a1b2c3d4e5f60009', register: true, elb: 'web-elb' }, { now: NOW, source: 'aws' });
    expect(plan.notes.join('\n')).toMatch(/health check \(HTTP:80\/health\); OutOfService until then/);
    elb.on(RegisterInstancesWithLoadBalancerCommand).resolves({ Instances: [{ InstanceId: 'i-0a1b2c3d4e5f60009' }] });
    await applyScalingPlan(plan, { scaling: ports.scaling, classicElb: ports.classicElb, audit: memoryAuditLog(), clock: new ManualClock(NOW), pollMs: 10 });
    expect(elb.commandCalls(RegisterInstancesWithLoadBalancerCommand).map((c) => c.args[0].input)).toEqual([{ LoadBalancerName: 'web-elb', Instances: [{ InstanceId: 'i-0a1b2c3d4e5f60009' }] }]);
  });

  it('refuses the last InService instance without --force; a draining one is already on its way out', async () => {
    mockElbs();
    mockGroup({ elbs: ['web-elb'] });
    const t = await readTargets({ scaling: scaling(), classicElb: classic() }, 'web-asg');
    // I1 is the only InService one not draining (I2 OutOfService, I3 draining, I4 Unknown)
    expect(() => planTargets(t, { instanceId: I1, register: false }, { now: NOW, source: 'aws' })).toThrow(/last InService instance of web-elb/);
    expect(planTargets(t, { instanceId: I1, register: false, force: true }, { now: NOW, source: 'aws' }).calls).toHaveLength(1);
    expect(planTargets(t, { instanceId: I3, register: false }, { now: NOW, source: 'aws' })).toMatchObject({ calls: [], notes: [expect.stringMatching(/already deregistering/)] });
    // a draining one can be registered again
    expect(planTargets(t, { instanceId: I3, register: true }, { now: NOW, source: 'aws' }).calls).toEqual([{ op: 'registerInstances', group: 'web-asg', loadBalancer: 'web-elb', instanceIds: [I3] }]);
  });

  it('a group behind a target group and a classic ELB: the load balancer is named, and the plan says where the instance still takes traffic', async () => {
    mockElbs();
    mockGroup({ elbs: ['web-elb', 'api-elb'], tgs: [TG_ARN] });
    elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn: TG_ARN, TargetGroupName: 'web-tg', Protocol: 'HTTP', Port: 80, TargetType: 'instance' }] });
    elbv2.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [I1, I2].map((Id) => ({ Target: { Id, Port: 80 }, TargetHealth: { State: 'healthy' } })) });
    elbv2.on(DescribeTargetGroupAttributesCommand).resolves({ Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '300' }] });
    const t = await readTargets({ scaling: scaling(), classicElb: classic(), balancing: createElbv2Balancing(new ElasticLoadBalancingV2Client({ region: 'us-east-1' })) }, 'web-asg');
    expect(t.targetGroups.map((g) => g.name)).toEqual(['web-tg']);
    expect(t.classicElbs.map((l) => l.name)).toEqual(['web-elb', 'api-elb']);
    const o = { now: NOW, source: 'aws' };
    expect(() => planTargets(t, { instanceId: I1, register: false }, o)).toThrow(/3 load balancers: name one with --target-group NAME or --elb NAME/);
    expect(() => planTargets(t, { instanceId: I1, register: false, elb: 'nope' }, o)).toThrow(/names no classic ELB nope/);
    expect(() => planTargets(t, { instanceId: I1, register: false, elb: 'web-elb', targetGroup: 'web-tg' }, o)).toThrow(/not both/);
    const fromTg = planTargets(t, { instanceId: I1, register: false, targetGroup: 'web-tg' }, o);
    expect(fromTg.calls[0]).toMatchObject({ op: 'deregisterTargets', targetGroup: 'web-tg' });
    expect(fromTg.notes.join('\n')).toContain(`${I1} stays registered with classic ELB web-elb (--elb web-elb) and keeps taking traffic there`);
    const fromElb = planTargets(t, { instanceId: I1, register: false, elb: 'web-elb', force: true }, o);
    expect(fromElb.notes.join('\n')).toContain(`${I1} stays registered with target group web-tg (--target-group web-tg)`);
  });
});
