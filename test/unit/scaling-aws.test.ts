/**
 * The scaling core through the real Auto Scaling adapter, with the API
 * answered by aws-sdk-client-mock in the response shapes of the API
 * reference: every page read, and every request sent exactly as planned.
 */
import {
  AutoScalingClient,
  AutoScalingServiceException,
  DeleteAutoScalingGroupCommand,
  DeleteLaunchConfigurationCommand,
  DeletePolicyCommand,
  DeleteScheduledActionCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeLifecycleHooksCommand,
  DescribePoliciesCommand,
  DescribeScalingActivitiesCommand,
  DescribeScheduledActionsCommand,
  DescribeWarmPoolCommand,
  DeleteWarmPoolCommand,
  PutScalingPolicyCommand,
  PutScheduledUpdateGroupActionCommand,
  SuspendProcessesCommand,
  ResourceInUseFault,
  ResumeProcessesCommand,
  ScalingActivityInProgressFault,
  SetDesiredCapacityCommand,
  SetInstanceProtectionCommand,
  UpdateAutoScalingGroupCommand,
  type AutoScalingGroup as SdkGroup,
} from '@aws-sdk/client-auto-scaling';
import { DeleteLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAutoScaling } from '../../src/cloud/aws/scaling.js';
import { memoryAuditLog } from '../../src/core/audit.js';
import { ManualClock } from '../../src/core/clock.js';
import { applyScalingPlan, type ScalingPlan } from '../../src/scaling/calls.js';
import { planSetCapacity } from '../../src/scaling/capacity.js';
import { planProcesses, planProtection, planTargetTracking } from '../../src/scaling/changes.js';
import { planPrescale } from '../../src/scaling/prescale.js';
import { applyShutdown, planShutdown } from '../../src/scaling/shutdown.js';
import { readGroupDetail, readStatus } from '../../src/scaling/status.js';

const NOW = new Date('2026-06-18T09:00:00Z');
const asg = mockClient(AutoScalingClient);
const ec2 = mockClient(EC2Client);
const creds = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'not-a-real-secret' };
// maxAttempts 1: retrying is the core's business here, not the SDK's own loop.
const port = () =>
  createAutoScaling(new AutoScalingClient({ region: 'us-east-1', credentials: creds, maxAttempts: 1 }), async () => new EC2Client({ region: 'us-east-1', credentials: creds, maxAttempts: 1 }));

function group(name: string, over: Partial<SdkGroup> = {}): SdkGroup {
  return {
    AutoScalingGroupName: name,
    AutoScalingGroupARN: `arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0d1e2f3a-0000-4000-8000-000000000000:autoScalingGroupName/${name}`,
    LaunchTemplate: { LaunchTemplateId: 'lt-0abcdef1234567890', LaunchTemplateName: `${name}-lt`, Version: '7' },
    MinSize: 2,
    MaxSize: 4,
    DesiredCapacity: 2,
    DefaultCooldown: 300,
    AvailabilityZones: ['us-east-1a', 'us-east-1b'],
    HealthCheckType: 'EC2',
    HealthCheckGracePeriod: 300,
    CreatedTime: new Date('2025-01-01T00:00:00Z'),
    SuspendedProcesses: [],
    Tags: [],
    Instances: [
      { InstanceId: 'i-0aaaaaaaaaaaaaaa1', InstanceType: 't3.small', AvailabilityZone: 'us-east-1a', LifecycleState: 'InService', HealthStatus: 'Healthy', LaunchTemplate: { LaunchTemplateName: `${name}-lt`, Version: '7' }, ProtectedFromScaleIn: false },
      { InstanceId: 'i-0aaaaaaaaaaaaaaa2', InstanceType: 't3.small', AvailabilityZone: 'us-east-1b', LifecycleState: 'InService', HealthStatus: 'Healthy', LaunchTemplate: { LaunchTemplateName: `${name}-lt`, Version: '6' }, ProtectedFromScaleIn: false },
    ],
    ...over,
  };
}

const fault = (Cls: typeof ResourceInUseFault | typeof ScalingActivityInProgressFault, message: string) => new Cls({ message, $metadata: { httpStatusCode: 400 } });
const throttled = () => new AutoScalingServiceException({ name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });

const sent = () => asg.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, ''));
const clock = () => new ManualClock(NOW);

beforeEach(() => {
  asg.reset();
  ec2.reset();
  asg.on(DescribePoliciesCommand).resolves({ ScalingPolicies: [] });
  asg.on(DescribeScheduledActionsCommand).resolves({ ScheduledUpdateGroupActions: [] });
  asg.on(DescribeScalingActivitiesCommand).resolves({ Activities: [] });
  asg.on(DescribeLifecycleHooksCommand).resolves({ LifecycleHooks: [] });
  asg.on(DescribeWarmPoolCommand).resolves({});
});
afterEach(() => asg.reset());

describe('reading Auto Scaling, every page', () => {
  it('status reads all pages of groups, policies and scheduled actions, and counts what a person looks at', async () => {
    const names = Array.from({ length: 150 }, (_, i) => `app-${String(i).padStart(3, '0')}`);
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce({ AutoScalingGroups: names.slice(0, 100).map((n) => group(n)), NextToken: 'g2' })
      .resolvesOnce({ AutoScalingGroups: names.slice(100).map((n) => group(n)) });
    asg
      .on(DescribePoliciesCommand)
      .resolvesOnce({ ScalingPolicies: [{ AutoScalingGroupName: 'app-000', PolicyName: 'cpu50', PolicyType: 'TargetTrackingScaling', Enabled: true, TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: 50 }, Alarms: [{ AlarmName: 'TargetTracking-a-AlarmHigh' }] }], NextToken: 'p2' })
      .resolvesOnce({ ScalingPolicies: [{ AutoScalingGroupName: 'app-149', PolicyName: 'out', PolicyType: 'SimpleScaling', AdjustmentType: 'ChangeInCapacity', ScalingAdjustment: 2, Cooldown: 120, Alarms: [] }] });
    asg.on(DescribeScheduledActionsCommand).resolves({
      ScheduledUpdateGroupActions: [
        { AutoScalingGroupName: 'app-000', ScheduledActionName: 'later', StartTime: new Date('2026-06-20T07:00:00Z'), MinSize: 4 },
        { AutoScalingGroupName: 'app-000', ScheduledActionName: 'sooner', StartTime: new Date('2026-06-19T07:00:00Z'), MinSize: 3, DesiredCapacity: 3 },
      ],
    });
    const s = await readStatus(port(), { now: NOW, source: 'aws' });
    expect(s.groups).toHaveLength(150);
    expect(asg.commandCalls(DescribeAutoScalingGroupsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'g2']);
    expect(asg.commandCalls(DescribePoliciesCommand)).toHaveLength(2);
    const first = s.groups[0];
    expect(first).toMatchObject({ name: 'app-000', min: 2, desired: 2, max: 4, policies: 1, counts: { inService: 2, outdated: 1 } });
    expect(first?.nextScheduled).toMatchObject({ name: 'sooner', change: 'min 3, desired 3' });
    expect(s.groups.at(-1)?.policies).toBe(1);
  });

  it('activities page until the newest N are in, not six weeks of history', async () => {
    const act = (i: number) => ({ ActivityId: `a-${i}`, AutoScalingGroupName: 'web', Description: `Launching a new EC2 instance: i-${i}`, Cause: 'At ... a user request', StartTime: new Date(NOW.getTime() - i * 60_000), StatusCode: 'Successful' as const, Progress: 100 });
    asg
      .on(DescribeScalingActivitiesCommand)
      .resolvesOnce({ Activities: Array.from({ length: 100 }, (_, i) => act(i)), NextToken: 'n2' })
      .resolvesOnce({ Activities: Array.from({ length: 100 }, (_, i) => act(100 + i)), NextToken: 'n3' });
    const out = await port().describeActivities('web', { maxItems: 150 });
    expect(out).toHaveLength(150);
    expect(asg.commandCalls(DescribeScalingActivitiesCommand).map((c) => c.args[0].input)).toEqual([
      { AutoScalingGroupName: 'web', MaxRecords: 100, NextToken: undefined },
      { AutoScalingGroupName: 'web', MaxRecords: 50, NextToken: 'n2' },
    ]);
  });

  it("a group's detail maps instances' versions and protection, hooks and suspended processes", async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [group('web', { SuspendedProcesses: [{ ProcessName: 'AZRebalance', SuspensionReason: 'User suspended at 2026-06-01' }] })],
    });
    asg.on(DescribeLifecycleHooksCommand).resolves({ LifecycleHooks: [{ LifecycleHookName: 'drain', AutoScalingGroupName: 'web', LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING', HeartbeatTimeout: 300, DefaultResult: 'CONTINUE' }] });
    const d = await readGroupDetail(port(), 'web', { now: NOW });
    expect(d.group.instances.map((i) => i.launchTemplateVersion)).toEqual(['7', '6']);
    expect(d.summary.suspended).toEqual(['AZRebalance']);
    expect(d.hooks[0]).toMatchObject({ name: 'drain', heartbeatTimeoutSeconds: 300 });
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    await expect(readGroupDetail(port(), 'nope', { now: NOW })).rejects.toMatchObject({ code: 'USAGE' });
  });
});

async function apply(plan: ScalingPlan, o: { confirmedForce?: string } = {}) {
  const audit = memoryAuditLog({ clock: clock() });
  const result = await applyScalingPlan(plan, { scaling: port(), audit, clock: clock(), pollMs: 10, ...o });
  return { result, audit };
}

describe('what is sent is what was planned', () => {
  it('set-capacity sends the one planned call, and a throttled call is retried', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group('web')] });
    const [g] = await port().describeGroups(['web']);
    const plan = planSetCapacity(g!, { desired: 4 }, { now: NOW, source: 'aws' });
    asg.on(SetDesiredCapacityCommand).rejectsOnce(throttled()).resolves({});
    const { audit } = await apply(plan);
    expect(asg.commandCalls(SetDesiredCapacityCommand).map((c) => c.args[0].input)).toEqual([
      { AutoScalingGroupName: 'web', DesiredCapacity: 4, HonorCooldown: false },
      { AutoScalingGroupName: 'web', DesiredCapacity: 4, HonorCooldown: false },
    ]);
    expect(audit.entries.map((e) => [e.action, e.result])).toEqual([['scaling.setDesiredCapacity', 'ok']]);

    const bounds = planSetCapacity(g!, { desired: 6, max: 6 }, { now: NOW, source: 'aws' });
    asg.on(UpdateAutoScalingGroupCommand).resolves({});
    await apply(bounds);
    expect(asg.commandCalls(UpdateAutoScalingGroupCommand)[0]?.args[0].input).toEqual({ AutoScalingGroupName: 'web', MaxSize: 6, DesiredCapacity: 6 });
    expect(() => planSetCapacity(g!, { desired: 9 }, { now: NOW, source: 'aws' })).toThrow(/outside web's bounds/);
  });

  it('prescale puts the raise and the restore exactly as planned', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group('web')] });
    asg.on(PutScheduledUpdateGroupActionCommand).resolves({});
    const [g] = await port().describeGroups(['web']);
    const plan = planPrescale(g!, [], { min: 6, at: new Date('2026-06-19T07:30:00Z'), until: new Date('2026-06-19T11:00:00Z') }, { now: NOW, source: 'aws' });
    await apply(plan);
    expect(asg.commandCalls(PutScheduledUpdateGroupActionCommand).map((c) => c.args[0].input)).toEqual([
      { AutoScalingGroupName: 'web', ScheduledActionName: 'opsdeck-prescale-20260619T0730Z-raise', StartTime: new Date('2026-06-19T07:30:00Z'), MinSize: 6, MaxSize: 6, DesiredCapacity: undefined },
      // no policy on this group: nothing else would bring desired back down
      { AutoScalingGroupName: 'web', ScheduledActionName: 'opsdeck-prescale-20260619T0730Z-restore', StartTime: new Date('2026-06-19T11:00:00Z'), MinSize: 2, MaxSize: 4, DesiredCapacity: 2 },
    ]);
  });

  it('prescale --at now raises at once (UpdateAutoScalingGroup) and schedules only the restore', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group('web')] });
    asg.on(UpdateAutoScalingGroupCommand).resolves({});
    asg.on(PutScheduledUpdateGroupActionCommand).resolves({});
    const [g] = await port().describeGroups(['web']);
    const policy = { name: 'cpu50', groupName: 'web', kind: 'TargetTrackingScaling', enabled: true, alarms: [] };
    const plan = planPrescale(g!, [policy], { min: 6, at: 'now', until: new Date('2026-06-18T12:00:00Z') }, { now: NOW, source: 'aws' });
    await apply(plan);
    expect(sent()).toEqual(['DescribeAutoScalingGroups', 'UpdateAutoScalingGroup', 'PutScheduledUpdateGroupAction']);
    expect(asg.commandCalls(UpdateAutoScalingGroupCommand).map((c) => c.args[0].input)).toEqual([{ AutoScalingGroupName: 'web', MinSize: 6, MaxSize: 6 }]);
    expect(asg.commandCalls(PutScheduledUpdateGroupActionCommand).map((c) => c.args[0].input)).toEqual([
      // a policy drives this group: the restore puts back the bounds and leaves desired to it
      { AutoScalingGroupName: 'web', ScheduledActionName: 'opsdeck-prescale-20260618T0900Z-restore', StartTime: new Date('2026-06-18T12:00:00Z'), MinSize: 2, MaxSize: 4, DesiredCapacity: undefined },
    ]);
  });

  it('a target tracking policy, suspended processes and protection send exactly their planned requests', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group('web')] });
    asg.on(PutScalingPolicyCommand).resolves({});
    asg.on(SuspendProcessesCommand).resolves({});
    asg.on(SetInstanceProtectionCommand).resolves({});
    const [g] = await port().describeGroups(['web']);
    const o = { now: NOW, source: 'aws' };
    await apply(planTargetTracking(g!, [], { name: 'cpu50', metric: 'ASGAverageCPUUtilization', target: 50, disableScaleIn: false }, o));
    await apply(planProcesses(g!, ['AZRebalance'], true, o));
    await apply(planProtection(g!, ['i-0aaaaaaaaaaaaaaa2'], true, o));
    expect(asg.commandCalls(PutScalingPolicyCommand)[0]?.args[0].input).toEqual({
      AutoScalingGroupName: 'web',
      PolicyName: 'cpu50',
      PolicyType: 'TargetTrackingScaling',
      EstimatedInstanceWarmup: undefined,
      TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: 50, DisableScaleIn: false },
    });
    expect(asg.commandCalls(SuspendProcessesCommand)[0]?.args[0].input).toEqual({ AutoScalingGroupName: 'web', ScalingProcesses: ['AZRebalance'] });
    expect(asg.commandCalls(SetInstanceProtectionCommand)[0]?.args[0].input).toEqual({ AutoScalingGroupName: 'web', InstanceIds: ['i-0aaaaaaaaaaaaaaa2'], ProtectedFromScaleIn: true });
    // already in that state: nothing to send
    expect(planProtection(g!, ['i-0aaaaaaaaaaaaaaa1'], false, o).calls).toEqual([]);
  });

  it('a scheduled action in the past is refused before any call, at plan time and at apply time', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group('web')] });
    const [g] = await port().describeGroups(['web']);
    asg.resetHistory();
    expect(() => planPrescale(g!, [], { min: 6, at: new Date('2026-06-18T08:00:00Z'), until: new Date('2026-06-19T11:00:00Z') }, { now: NOW, source: 'aws' })).toThrow(/in the past/);
    const plan = planPrescale(g!, [], { min: 6, at: new Date('2026-06-18T09:05:00Z'), until: new Date('2026-06-18T11:00:00Z') }, { now: NOW, source: 'aws' });
    // confirmed ten minutes later: the raise would start in the past
    const late = new ManualClock(new Date('2026-06-18T09:10:00Z'));
    await expect(applyScalingPlan(plan, { scaling: port(), audit: memoryAuditLog(), clock: late })).rejects.toMatchObject({ code: 'REFUSED' });
    expect(asg.calls()).toHaveLength(0);
  });
});

describe('the safe shutdown', () => {
  it('calls in exactly the safe order; a protected instance and a terminating hook; busy deletes are waited on', async () => {
    const protectedGroup = group('web', {
      SuspendedProcesses: [{ ProcessName: 'Terminate' }],
      Instances: [
        { InstanceId: 'i-0aaaaaaaaaaaaaaa1', AvailabilityZone: 'us-east-1a', LifecycleState: 'InService', HealthStatus: 'Healthy', ProtectedFromScaleIn: true, LaunchTemplate: { LaunchTemplateName: 'web-lt', Version: '7' } },
        { InstanceId: 'i-0aaaaaaaaaaaaaaa2', AvailabilityZone: 'us-east-1b', LifecycleState: 'InService', HealthStatus: 'Healthy', ProtectedFromScaleIn: false, LaunchTemplate: { LaunchTemplateName: 'web-lt', Version: '7' } },
      ],
    });
    const draining = group('web', { MinSize: 0, MaxSize: 0, DesiredCapacity: 0, Instances: [{ InstanceId: 'i-0aaaaaaaaaaaaaaa1', AvailabilityZone: 'us-east-1a', LifecycleState: 'Terminating:Wait', HealthStatus: 'Healthy', ProtectedFromScaleIn: false }] });
    const empty = group('web', { MinSize: 0, MaxSize: 0, DesiredCapacity: 0, Instances: [] });
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce({ AutoScalingGroups: [protectedGroup] }) // planShutdown: the detail
      .resolvesOnce({ AutoScalingGroups: [protectedGroup] }) // planShutdown: who else uses the template
      .resolvesOnce({ AutoScalingGroups: [draining] }) // waiting: the hook holds one
      .resolves({ AutoScalingGroups: [empty] });
    asg.on(DescribeScheduledActionsCommand).resolves({ ScheduledUpdateGroupActions: [{ AutoScalingGroupName: 'web', ScheduledActionName: 'weekday-morning', Recurrence: '0 7 * * 1-5', MinSize: 4 }] });
    asg.on(DescribePoliciesCommand).resolves({ ScalingPolicies: [{ AutoScalingGroupName: 'web', PolicyName: 'cpu50', PolicyType: 'TargetTrackingScaling', Enabled: true, Alarms: [] }] });
    asg.on(DescribeLifecycleHooksCommand).resolves({ LifecycleHooks: [{ LifecycleHookName: 'drain', AutoScalingGroupName: 'web', LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING', HeartbeatTimeout: 60, DefaultResult: 'CONTINUE' }] });
    asg.on(DeleteScheduledActionCommand).resolves({});
    asg.on(DeletePolicyCommand).resolves({});
    asg.on(ResumeProcessesCommand).resolves({});
    asg.on(SetInstanceProtectionCommand).resolves({});
    asg.on(UpdateAutoScalingGroupCommand).resolves({});
    asg
      .on(DeleteAutoScalingGroupCommand)
      .rejectsOnce(fault(ScalingActivityInProgressFault, 'You cannot delete an AutoScalingGroup while there are scaling activities in progress for that group.'))
      .rejectsOnce(fault(ResourceInUseFault, 'You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.'))
      .resolves({});
    ec2.on(DeleteLaunchTemplateCommand).resolves({});

    const plan = await planShutdown(port(), 'web', { now: NOW, source: 'aws' });
    expect(plan.notes.join('\n')).toMatch(/drain \(60 s, then CONTINUE\)/);
    asg.resetHistory();
    const lines: string[] = [];
    await applyShutdown(plan, { scaling: port(), audit: memoryAuditLog(), clock: clock(), pollMs: 10, onStep: (l) => lines.push(l) });
    const writes = sent().filter((n) => !n.startsWith('Describe'));
    expect(writes).toEqual([
      'DeleteScheduledAction',
      'DeletePolicy',
      'ResumeProcesses',
      'SetInstanceProtection',
      'UpdateAutoScalingGroup',
      'DeleteAutoScalingGroup',
      'DeleteAutoScalingGroup',
      'DeleteAutoScalingGroup',
    ]);
    expect(asg.commandCalls(ResumeProcessesCommand)[0]?.args[0].input).toEqual({ AutoScalingGroupName: 'web', ScalingProcesses: ['Terminate'] });
    expect(asg.commandCalls(SetInstanceProtectionCommand)[0]?.args[0].input).toEqual({ AutoScalingGroupName: 'web', InstanceIds: ['i-0aaaaaaaaaaaaaaa1'], ProtectedFromScaleIn: false });
    expect(asg.commandCalls(UpdateAutoScalingGroupCommand)[0]?.args[0].input).toEqual({ AutoScalingGroupName: 'web', MinSize: 0, MaxSize: 0, DesiredCapacity: 0 });
    expect(asg.commandCalls(DeleteAutoScalingGroupCommand).every((c) => c.args[0].input.ForceDelete === false)).toBe(true);
    expect(ec2.commandCalls(DeleteLaunchTemplateCommand)[0]?.args[0].input).toEqual({ LaunchTemplateName: 'web-lt' });
    expect(lines.some((l) => /1 Terminating:Wait/.test(l))).toBe(true);
    expect(lines.some((l) => /ScalingActivityInProgress: trying again/.test(l))).toBe(true);
  });

  it('a group with a warm pool and a launch configuration: the pool goes after the wait, the configuration after the group', async () => {
    const { LaunchTemplate: _lt, ...withoutTemplate } = group('legacy');
    const lcInstances = (withoutTemplate.Instances ?? []).map(({ LaunchTemplate: _t, ...i }) => ({ ...i, LaunchConfigurationName: 'legacy-lc-2019' }));
    const legacy: SdkGroup = { ...withoutTemplate, LaunchConfigurationName: 'legacy-lc-2019', Instances: lcInstances };
    const empty: SdkGroup = { ...legacy, MinSize: 0, MaxSize: 0, DesiredCapacity: 0, Instances: [] };
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce({ AutoScalingGroups: [legacy] }) // planShutdown: the detail
      .resolvesOnce({ AutoScalingGroups: [legacy, group('other')] }) // planShutdown: who else uses the configuration
      .resolves({ AutoScalingGroups: [empty] });
    asg.on(DescribeScheduledActionsCommand).resolves({ ScheduledUpdateGroupActions: [{ AutoScalingGroupName: 'legacy', ScheduledActionName: 'nightly', Recurrence: '0 22 * * *', MinSize: 1 }] });
    asg.on(DescribeWarmPoolCommand).resolves({
      WarmPoolConfiguration: { MinSize: 1, MaxGroupPreparedCapacity: 3, PoolState: 'Stopped' },
      Instances: [{ InstanceId: 'i-0bbbbbbbbbbbbbbb1', AvailabilityZone: 'us-east-1a', LifecycleState: 'Warmed:Stopped', HealthStatus: 'Healthy', LaunchConfigurationName: 'legacy-lc-2019', ProtectedFromScaleIn: false }],
    });
    for (const C of [DeleteScheduledActionCommand, UpdateAutoScalingGroupCommand, DeleteWarmPoolCommand, DeleteAutoScalingGroupCommand, DeleteLaunchConfigurationCommand] as const) asg.on(C as typeof DeleteWarmPoolCommand).resolves({});

    const plan = await planShutdown(port(), 'legacy', { now: NOW, source: 'aws' });
    expect(plan.calls.map((c) => c.op)).toEqual(['deleteScheduledAction', 'updateGroupSize', 'waitForEmpty', 'deleteWarmPool', 'deleteGroup', 'deleteLaunchConfiguration']);
    // not resetHistory: it would restart the answers above at the first one
    const planned = asg.calls().length;
    await applyShutdown(plan, { scaling: port(), audit: memoryAuditLog(), clock: clock(), pollMs: 10 });
    // the wait reads the group (and its activities) after the resize and before anything is deleted
    expect(sent().slice(planned)).toEqual([
      'DeleteScheduledAction',
      'UpdateAutoScalingGroup',
      'DescribeAutoScalingGroups',
      'DescribeScalingActivities',
      'DeleteWarmPool',
      'DeleteAutoScalingGroup',
      'DeleteLaunchConfiguration',
    ]);
    expect(asg.commandCalls(DeleteWarmPoolCommand)[0]?.args[0].input).toEqual({ AutoScalingGroupName: 'legacy', ForceDelete: false });
    expect(asg.commandCalls(DeleteAutoScalingGroupCommand)[0]?.args[0].input).toEqual({ AutoScalingGroupName: 'legacy', ForceDelete: false });
    expect(asg.commandCalls(DeleteLaunchConfigurationCommand)[0]?.args[0].input).toEqual({ LaunchConfigurationName: 'legacy-lc-2019' });
    expect(ec2.calls()).toHaveLength(0);
  });

  it('a warm pool that cannot be read is a note in the plan, not a silent skip of DeleteWarmPool', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group('web')] });
    asg.on(DescribeWarmPoolCommand).rejects(new AutoScalingServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'User is not authorized to perform: autoscaling:DescribeWarmPool' }));
    const plan = await planShutdown(port(), 'web', { now: NOW, source: 'aws' });
    expect(plan.calls.map((c) => c.op)).not.toContain('deleteWarmPool');
    expect(plan.notes).toContainEqual(expect.stringMatching(/^warm pool not read: .*not authorized to perform: autoscaling:DescribeWarmPool; if the group has one, its delete will fail/));
    // none: no note
    asg.on(DescribeWarmPoolCommand).resolves({});
    expect((await planShutdown(port(), 'web', { now: NOW, source: 'aws' })).notes.join('\n')).not.toMatch(/warm pool/);
  });

  it('nothing is force deleted without the typed name', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group('web')] });
    asg.on(DeleteAutoScalingGroupCommand).resolves({});
    const plan = await planShutdown(port(), 'web', { now: NOW, source: 'aws', force: true });
    expect(plan.calls).toEqual([{ op: 'deleteGroup', group: 'web', force: true }]);
    await expect(apply(plan)).rejects.toMatchObject({ code: 'REFUSED' });
    await expect(apply(plan, { confirmedForce: 'wbe' })).rejects.toMatchObject({ code: 'REFUSED' });
    expect(asg.commandCalls(DeleteAutoScalingGroupCommand)).toHaveLength(0);
    await apply(plan, { confirmedForce: 'web' });
    expect(asg.commandCalls(DeleteAutoScalingGroupCommand)[0]?.args[0].input).toEqual({ AutoScalingGroupName: 'web', ForceDelete: true });
  });
});
