/**
 * runbooks/asg-shutdown.yaml through the engine and the real Auto Scaling
 * adapter, the API answered by aws-sdk-client-mock: the calls go out in
 * exactly the safe order, a protected instance and a terminating hook do not
 * stall it, a busy delete is waited on, nothing is ever force deleted, and
 * the typed confirmation gates min = desired = 0.
 */
import {
  AutoScalingClient,
  DeleteAutoScalingGroupCommand,
  DeletePolicyCommand,
  DeleteScheduledActionCommand,
  DeleteWarmPoolCommand,
  DescribeAutoScalingGroupsCommand,
  DescribePoliciesCommand,
  DescribeScheduledActionsCommand,
  DescribeWarmPoolCommand,
  ResourceInUseFault,
  ResumeProcessesCommand,
  ScalingActivityInProgressFault,
  SetInstanceProtectionCommand,
  UpdateAutoScalingGroupCommand,
  type AutoScalingGroup as SdkGroup,
} from '@aws-sdk/client-auto-scaling';
import { DeleteLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAutoScaling } from '../../src/cloud/aws/scaling.js';
import type { CloudPorts } from '../../src/cloud/ports.js';
import { loadRunbookFile, shippedRunbookDir } from '../../src/runbooks/load.js';
import { RunbookRig } from '../integration/runbook-rig.js';

const asg = mockClient(AutoScalingClient);
const ec2 = mockClient(EC2Client);
const creds = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'not-a-real-secret' };
const cloud = (): CloudPorts =>
  ({
    kind: 'aws',
    scaling: createAutoScaling(new AutoScalingClient({ region: 'us-east-1', credentials: creds, maxAttempts: 1 }), async () => new EC2Client({ region: 'us-east-1', credentials: creds, maxAttempts: 1 })),
  }) as unknown as CloudPorts; // only the scaling port is used by this runbook

function group(over: Partial<SdkGroup> = {}): SdkGroup {
  return {
    AutoScalingGroupName: 'web',
    LaunchTemplate: { LaunchTemplateId: 'lt-0abcdef1234567890', LaunchTemplateName: 'web-lt', Version: '7' },
    MinSize: 2,
    MaxSize: 4,
    DesiredCapacity: 2,
    DefaultCooldown: 300,
    AvailabilityZones: ['us-east-1a', 'us-east-1b'],
    HealthCheckType: 'EC2',
    CreatedTime: new Date('2025-01-01T00:00:00Z'),
    SuspendedProcesses: [{ ProcessName: 'Terminate' }],
    Instances: [
      { InstanceId: 'i-0aaaaaaaaaaaaaaa1', AvailabilityZone: 'us-east-1a', LifecycleState: 'InService', HealthStatus: 'Healthy', ProtectedFromScaleIn: true },
      { InstanceId: 'i-0aaaaaaaaaaaaaaa2', AvailabilityZone: 'us-east-1b', LifecycleState: 'InService', HealthStatus: 'Healthy', ProtectedFromScaleIn: false },
    ],
    ...over,
  };
}
const fault = (Cls: typeof ResourceInUseFault | typeof ScalingActivityInProgressFault, message: string) => new Cls({ message, $metadata: { httpStatusCode: 400 } });
const writes = (): string[] =>
  [...asg.calls(), ...ec2.calls()].map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, '')).filter((n) => !n.startsWith('Describe'));

let rig: RunbookRig;
beforeAll(async () => {
  rig = await RunbookRig.create();
});
afterAll(async () => {
  await rig.stop();
});
beforeEach(() => {
  asg.reset();
  ec2.reset();
});

describe('asg-shutdown', () => {
  it('sends the calls in the safe order, waits out the terminating hook and a busy delete, deletes the warm pool, never forces', async () => {
    const draining = group({ MinSize: 0, MaxSize: 0, DesiredCapacity: 0, Instances: [{ InstanceId: 'i-0aaaaaaaaaaaaaaa1', AvailabilityZone: 'us-east-1a', LifecycleState: 'Terminating:Wait', HealthStatus: 'Healthy', ProtectedFromScaleIn: false }] });
    const empty = group({ MinSize: 0, MaxSize: 0, DesiredCapacity: 0, Instances: [] });
    // precondition, record, clear protection (who is protected), wait (the hook holds one), wait (gone);
    // then the group is deleted; asking for every group (who else uses the template) finds none.
    const answers = [[group()], [group()], [group()], [draining], [empty]];
    asg.on(DescribeAutoScalingGroupsCommand).callsFake((input: { AutoScalingGroupNames?: string[] }) => ({ AutoScalingGroups: input.AutoScalingGroupNames ? (answers.shift() ?? []) : [] }));
    asg.on(DescribeScheduledActionsCommand).resolves({ ScheduledUpdateGroupActions: [{ AutoScalingGroupName: 'web', ScheduledActionName: 'weekday-morning', Recurrence: '0 7 * * 1-5', MinSize: 4 }] });
    asg.on(DescribePoliciesCommand).resolves({ ScalingPolicies: [{ AutoScalingGroupName: 'web', PolicyName: 'cpu50', PolicyType: 'TargetTrackingScaling' }] });
    asg.on(DeleteScheduledActionCommand).resolves({});
    asg.on(DeletePolicyCommand).resolves({});
    asg.on(ResumeProcessesCommand).resolves({});
    asg.on(SetInstanceProtectionCommand).resolves({});
    asg.on(UpdateAutoScalingGroupCommand).resolves({});
    asg.on(DescribeWarmPoolCommand).resolves({ WarmPoolConfiguration: { MinSize: 1, PoolState: 'Stopped', Status: undefined }, Instances: [{ InstanceId: 'i-0aaaaaaaaaaaaaaa9', AvailabilityZone: 'us-east-1a', LifecycleState: 'Warmed:Stopped', InstanceType: 'm5.large', HealthStatus: 'Healthy', ProtectedFromScaleIn: false }] });
    asg.on(DeleteWarmPoolCommand).rejectsOnce(fault(ScalingActivityInProgressFault, 'An activity is in progress for this group.')).resolves({});
    asg
      .on(DeleteAutoScalingGroupCommand)
      .rejectsOnce(fault(ScalingActivityInProgressFault, 'You cannot delete an AutoScalingGroup while there are scaling activities in progress for that group.'))
      .rejectsOnce(fault(ResourceInUseFault, 'You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.'))
      .resolves({});
    ec2.on(DeleteLaunchTemplateCommand).resolves({});

    const loaded = await loadRunbookFile(path.join(shippedRunbookDir(), 'asg-shutdown.yaml'), 'shipped');
    const asked: string[] = [];
    const r = await rig.run(loaded, { hosts: {}, mysql: {} }, {
      cloud: cloud(),
      inputs: { group: 'web' },
      approve: (s) => {
        asked.push(s.id);
        return typeof s.confirm === 'object' ? { by: 'test', via: 'tui', typed: s.confirm.typed } : { by: 'test', via: 'yes' };
      },
    });
    expect(r.outcome.status, r.outcome.message).toBe('done');
    expect(asked).toEqual(['zero']);
    expect(writes()).toEqual([
      'DeleteScheduledAction',
      'DeletePolicy',
      'ResumeProcesses',
      'SetInstanceProtection',
      'UpdateAutoScalingGroup',
      'DeleteWarmPool',
      'DeleteWarmPool',
      'DeleteAutoScalingGroup',
      'DeleteAutoScalingGroup',
      'DeleteAutoScalingGroup',
      'DeleteLaunchTemplate',
    ]);
    expect(asg.commandCalls(ResumeProcessesCommand)[0]?.args[0].input).toEqual({ AutoScalingGroupName: 'web', ScalingProcesses: ['Terminate'] });
    expect(asg.commandCalls(SetInstanceProtectionCommand)[0]?.args[0].input).toEqual({ AutoScalingGroupName: 'web', InstanceIds: ['i-0aaaaaaaaaaaaaaa1'], ProtectedFromScaleIn: false });
    expect(asg.commandCalls(UpdateAutoScalingGroupCommand)[0]?.args[0].input).toEqual({ AutoScalingGroupName: 'web', MinSize: 0, MaxSize: 0, DesiredCapacity: 0 });
    expect(asg.commandCalls(DeleteAutoScalingGroupCommand).every((c) => c.args[0].input.ForceDelete !== true)).toBe(true);
    expect(ec2.commandCalls(DeleteLaunchTemplateCommand)[0]?.args[0].input).toEqual({ LaunchTemplateName: 'web-lt' });
    expect(asg.commandCalls(DeleteWarmPoolCommand).every((c) => c.args[0].input.ForceDelete !== true)).toBe(true);
    expect(r.output).toContain('warm pool of web deleted (1 instance(s) in it)');
    // no HAProxy here: the drain says so and the shutdown goes on, as `scaling shutdown` plans without a drain step
    expect(r.output).toContain('HAProxy pool not read (no haproxy in this test): nothing set');
    expect(r.output).toContain('delete web: ScalingActivityInProgress, trying again (attempt 1)');
    expect(r.output).toContain('delete web: ResourceInUse, trying again (attempt 2)');
    expect(r.events.some((e) => e.t === 'progress' && /left=1/.test(e.event.detail ?? ''))).toBe(true);
  });

  it('stops before min = desired = 0 when the typed confirmation is not given', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group({ SuspendedProcesses: [] })] });
    asg.on(DescribeScheduledActionsCommand).resolves({ ScheduledUpdateGroupActions: [] });
    asg.on(DescribePoliciesCommand).resolves({ ScalingPolicies: [] });
    asg.on(ResumeProcessesCommand).resolves({});
    asg.on(SetInstanceProtectionCommand).resolves({});
    const loaded = await loadRunbookFile(path.join(shippedRunbookDir(), 'asg-shutdown.yaml'), 'shipped');
    const r = await rig.run(loaded, { hosts: {}, mysql: {} }, { cloud: cloud(), inputs: { group: 'web' }, approve: () => undefined });
    expect(r.outcome.status).toBe('stopped');
    expect(r.outcome.message).toContain('zero was not confirmed');
    expect(writes()).not.toContain('UpdateAutoScalingGroup');
    expect(writes()).not.toContain('DeleteAutoScalingGroup');
  });
});
