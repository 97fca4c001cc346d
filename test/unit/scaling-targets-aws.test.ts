/**
 * Target groups and alarm states through the real ELBv2 and CloudWatch
 * adapters, answered by aws-sdk-client-mock in the API reference's shapes:
 * every page read, per-target health and the deregistration delay, and a
 * registration sent exactly as planned (throttling retried).
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DeregisterTargetsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ElasticLoadBalancingV2ServiceException,
  RegisterTargetsCommand,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createCloudWatchAlarms } from '../../src/cloud/aws/alarms.js';
import { createElbv2Balancing } from '../../src/cloud/aws/balancing.js';
import { createAutoScaling } from '../../src/cloud/aws/scaling.js';
import { memoryAuditLog } from '../../src/core/audit.js';
import { ManualClock } from '../../src/core/clock.js';
import { applyScalingPlan } from '../../src/scaling/calls.js';
import { readAlarmStates } from '../../src/scaling/status.js';
import { planTargets, readTargets } from '../../src/scaling/targets.js';

const elb = mockClient(ElasticLoadBalancingV2Client);
const cw = mockClient(CloudWatchClient);
const asg = mockClient(AutoScalingClient);
afterEach(() => {
  elb.reset();
  cw.reset();
  asg.reset();
});

const NOW = new Date('2026-06-18T09:00:00Z');
const ARN = (n: string) => `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${n}/73e2d6bc24d8a067`;
const I1 = 'i-0a1b2c3d4e5f60001';
const I2 = 'i-0a1b2c3d4e5f60002';
const balancing = () => createElbv2Balancing(new ElasticLoadBalancingV2Client({ region: 'us-east-1' }));
const scaling = () => createAutoScaling(new AutoScalingClient({ region: 'us-east-1' }));

function mockTargets(): void {
  elb
    .on(DescribeTargetGroupsCommand)
    .resolvesOnce({ TargetGroups: [{ TargetGroupArn: ARN('web-tg'), TargetGroupName: 'web-tg', Protocol: 'HTTP', Port: 80, TargetType: 'instance', HealthCheckPath: '/health', LoadBalancerArns: ['arn:lb'] }], NextMarker: 'page-2' })
    .resolvesOnce({ TargetGroups: [{ TargetGroupArn: ARN('api-tg'), TargetGroupName: 'api-tg', Protocol: 'HTTP', Port: 8080 }] });
  elb.on(DescribeTargetHealthCommand, { TargetGroupArn: ARN('web-tg') }).resolves({
    TargetHealthDescriptions: [
      { Target: { Id: I1, Port: 80, AvailabilityZone: 'us-east-1a' }, TargetHealth: { State: 'healthy' } },
      { Target: { Id: I2, Port: 80, AvailabilityZone: 'us-east-1b' }, TargetHealth: { State: 'draining', Reason: 'Target.DeregistrationInProgress', Description: 'Target deregistration is in progress' } },
    ],
  });
  elb.on(DescribeTargetHealthCommand, { TargetGroupArn: ARN('api-tg') }).resolves({ TargetHealthDescriptions: [] });
  elb.on(DescribeTargetGroupAttributesCommand, { TargetGroupArn: ARN('web-tg') }).resolves({ Attributes: [{ Key: 'stickiness.enabled', Value: 'false' }, { Key: 'deregistration_delay.timeout_seconds', Value: '300' }] });
  elb.on(DescribeTargetGroupAttributesCommand, { TargetGroupArn: ARN('api-tg') }).resolves({ Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }] });
}

describe('ELBv2 adapter', () => {
  it('reads every page of target groups, each with its targets and deregistration delay', async () => {
    mockTargets();
    const pages: number[] = [];
    const tgs = await balancing().describeTargetGroups([ARN('web-tg'), ARN('api-tg')], { onPage: (p) => pages.push(p.pages) });
    expect(pages).toEqual([1, 2]);
    const sent = elb.commandCalls(DescribeTargetGroupsCommand).map((c) => c.args[0].input);
    expect(sent).toEqual([
      { TargetGroupArns: [ARN('web-tg'), ARN('api-tg')], PageSize: 400, Marker: undefined },
      { TargetGroupArns: [ARN('web-tg'), ARN('api-tg')], PageSize: 400, Marker: 'page-2' },
    ]);
    expect(tgs.map((t) => [t.name, t.deregistrationDelaySeconds, t.targets.length])).toEqual([
      ['web-tg', 300, 2],
      ['api-tg', 30, 0],
    ]);
    expect(tgs[0]?.targets[1]).toEqual({ id: I2, port: 80, availabilityZone: 'us-east-1b', state: 'draining', reason: 'Target.DeregistrationInProgress', description: 'Target deregistration is in progress' });
    // no ARNs: no call (an empty list would read every target group of the region)
    elb.resetHistory();
    expect(await balancing().describeTargetGroups([])).toEqual([]);
    expect(elb.calls()).toHaveLength(0);
  });

  it("reports the API's code for a target group that is gone", async () => {
    elb.on(DescribeTargetGroupsCommand).rejects(new TargetGroupNotFoundException({ $metadata: { httpStatusCode: 400 }, message: 'One or more target groups not found' }));
    await expect(balancing().describeTargetGroups([ARN('gone')])).rejects.toMatchObject({ code: 'TargetGroupNotFound' });
  });

  it('plans from the group and its targets, and sends exactly the planned DeregisterTargets, retrying throttling', async () => {
    mockTargets();
    elb.on(DescribeTargetHealthCommand, { TargetGroupArn: ARN('web-tg') }).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: I1, Port: 80 }, TargetHealth: { State: 'healthy' } },
        { Target: { Id: I2, Port: 80 }, TargetHealth: { State: 'healthy' } },
      ],
    });
    asg.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'web-asg', MinSize: 2, MaxSize: 6, DesiredCapacity: 2, DefaultCooldown: 300, HealthCheckType: 'ELB', CreatedTime: NOW, AvailabilityZones: ['us-east-1a'],
          TargetGroupARNs: [ARN('web-tg')],
          Instances: [I1, I2].map((InstanceId) => ({ InstanceId, LifecycleState: 'InService', HealthStatus: 'Healthy', AvailabilityZone: 'us-east-1a', ProtectedFromScaleIn: false })),
        },
      ],
    });
    const ports = { scaling: scaling(), balancing: balancing() };
    const t = await readTargets(ports, 'web-asg');
    const plan = planTargets(t, { instanceId: I2, register: false, targetGroup: 'web-tg' }, { now: NOW, source: 'aws' });
    expect(plan.notes.join('\n')).toMatch(/drains for up to 300 s/);
    const throttled = new ElasticLoadBalancingV2ServiceException({ name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });
    elb.on(DeregisterTargetsCommand).rejectsOnce(throttled).resolves({});
    const audit = memoryAuditLog();
    await applyScalingPlan(plan, { scaling: ports.scaling, balancing: ports.balancing, audit, clock: new ManualClock(NOW), pollMs: 10 });
    const sent = elb.commandCalls(DeregisterTargetsCommand).map((c) => c.args[0].input);
    expect(sent).toEqual([
      { TargetGroupArn: ARN('web-tg'), Targets: [{ Id: I2 }] },
      { TargetGroupArn: ARN('web-tg'), Targets: [{ Id: I2 }] },
    ]);
    expect(elb.commandCalls(RegisterTargetsCommand)).toHaveLength(0);
    expect(audit.entries.map((e) => [e.action, e.result])).toEqual([['scaling.deregisterTargets', 'ok']]);
  });

  it('a group with several target groups needs one named', async () => {
    mockTargets();
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [{ AutoScalingGroupName: 'web-asg', MinSize: 1, MaxSize: 2, DesiredCapacity: 1, DefaultCooldown: 300, HealthCheckType: 'ELB', CreatedTime: NOW, AvailabilityZones: ['us-east-1a'], TargetGroupARNs: [ARN('web-tg'), ARN('api-tg')], Instances: [] }] });
    const t = await readTargets({ scaling: scaling(), balancing: balancing() }, 'web-asg');
    expect(() => planTargets(t, { instanceId: I1, register: true }, { now: NOW, source: 'aws' })).toThrow(/2 target groups: name one with --target-group/);
    const plan = planTargets(t, { instanceId: I1, register: true, targetGroup: 'api-tg' }, { now: NOW, source: 'aws' });
    expect(plan.calls).toEqual([{ op: 'registerTargets', group: 'web-asg', targetGroupArn: ARN('api-tg'), targetGroup: 'api-tg', instanceIds: [I1] }]);
  });
});

describe('CloudWatch adapter', () => {
  it("asks for the policies' alarms in one DescribeAlarms (per hundred names), every page", async () => {
    cw.on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'web-cpu-above-60', StateValue: 'ALARM', StateReason: 'Threshold Crossed', StateUpdatedTimestamp: NOW }], NextToken: 't2' })
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'web-cpu-below-30', StateValue: 'OK' }] });
    const policies = [
      { name: 'out', groupName: 'web-asg', kind: 'SimpleScaling', enabled: true, alarms: ['web-cpu-above-60'] },
      { name: 'in', groupName: 'web-asg', kind: 'SimpleScaling', enabled: true, alarms: ['web-cpu-below-30', 'web-cpu-above-60'] },
    ];
    const states = await readAlarmStates(createCloudWatchAlarms(new CloudWatchClient({ region: 'us-east-1' })), policies);
    expect(cw.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input)).toEqual([
      { AlarmNames: ['web-cpu-above-60', 'web-cpu-below-30'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: 100, NextToken: undefined },
      { AlarmNames: ['web-cpu-above-60', 'web-cpu-below-30'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: 100, NextToken: 't2' },
    ]);
    expect(states['web-cpu-above-60']?.state).toBe('ALARM');
    expect(states['web-cpu-below-30']?.state).toBe('OK');

    cw.reset();
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    const many = Array.from({ length: 150 }, (_, i) => `alarm-${i}`);
    await createCloudWatchAlarms(new CloudWatchClient({ region: 'us-east-1' })).describeAlarms(many);
    expect(cw.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input.AlarmNames?.length)).toEqual([100, 50]);
    // no policy alarms: no call at all
    cw.resetHistory();
    expect(await readAlarmStates(createCloudWatchAlarms(new CloudWatchClient({ region: 'us-east-1' })), [])).toEqual({});
    expect(cw.calls()).toHaveLength(0);
  });
});
