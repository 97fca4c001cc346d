/**
 * `opsdeck scaling policy|suspend|resume|protect|unprotect|register|deregister`
 * in batch, through main() and the real AWS adapters, with Auto Scaling and
 * ELBv2 answered by aws-sdk-client-mock: without --yes the plan is printed
 * and nothing is written; with --yes exactly the planned request is sent.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AutoScalingClient,
  DeletePolicyCommand,
  DescribeAutoScalingGroupsCommand,
  DescribePoliciesCommand,
  PutScalingPolicyCommand,
  ResumeProcessesCommand,
  SetInstanceProtectionCommand,
  SuspendProcessesCommand,
  type AutoScalingGroup as SdkGroup,
} from '@aws-sdk/client-auto-scaling';
import {
  DeregisterTargetsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { overrideProcessEnv } from '../services/env.js';

const asg = mockClient(AutoScalingClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const GROUP = 'web-asg';
const I1 = 'i-0a1b2c3d4e5f60001';
const I2 = 'i-0a1b2c3d4e5f60002';
const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/73e2d6bc24d8a067';

let dir: string;
let restoreEnv: (() => void) | undefined;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-scalingcli-aws-'));
  writeFileSync(path.join(dir, 'opsdeck.yaml'), 'aws:\n  region: us-east-1\n');
  // the group's lock lives under the state dir
  restoreEnv = overrideProcessEnv({ XDG_STATE_HOME: dir, XDG_RUNTIME_DIR: dir });
});
afterAll(() => {
  restoreEnv?.();
  rmSync(dir, { recursive: true, force: true });
});

function sdkGroup(over: Partial<SdkGroup> = {}): SdkGroup {
  return {
    AutoScalingGroupName: GROUP,
    LaunchTemplate: { LaunchTemplateName: 'web-lt', Version: '3' },
    MinSize: 1,
    MaxSize: 6,
    DesiredCapacity: 2,
    DefaultCooldown: 300,
    AvailabilityZones: ['us-east-1a', 'us-east-1b'],
    HealthCheckType: 'ELB',
    CreatedTime: new Date('2026-01-01T00:00:00Z'),
    TargetGroupARNs: [TG],
    SuspendedProcesses: [{ ProcessName: 'AZRebalance', SuspensionReason: 'User suspended at 2026-06-01' }],
    Instances: [I1, I2].map((InstanceId, k) => ({ InstanceId, LifecycleState: 'InService', HealthStatus: 'Healthy', AvailabilityZone: k ? 'us-east-1b' : 'us-east-1a', ProtectedFromScaleIn: k === 1 })),
    ...over,
  };
}

beforeEach(() => {
  asg.reset();
  elb.reset();
  asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [sdkGroup()] });
  asg.on(DescribePoliciesCommand).resolves({
    ScalingPolicies: [{ AutoScalingGroupName: GROUP, PolicyName: 'seed-scale-out', PolicyType: 'SimpleScaling', AdjustmentType: 'ChangeInCapacity', ScalingAdjustment: 2, Enabled: true, Alarms: [] }],
  });
  for (const C of [PutScalingPolicyCommand, DeletePolicyCommand, SuspendProcessesCommand, ResumeProcessesCommand, SetInstanceProtectionCommand] as const) asg.on(C as typeof DeletePolicyCommand).resolves({});
  elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn: TG, TargetGroupName: 'web-tg', Protocol: 'HTTP', Port: 80, TargetType: 'instance' }] });
  elb.on(DescribeTargetHealthCommand).resolves({
    TargetHealthDescriptions: [I1, I2].map((Id) => ({ Target: { Id, Port: 80 }, TargetHealth: { State: 'healthy' as const } })),
  });
  elb.on(DescribeTargetGroupAttributesCommand).resolves({ Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }] });
  elb.on(RegisterTargetsCommand).resolves({});
  elb.on(DeregisterTargetsCommand).resolves({});
});
afterEach(() => {
  asg.reset();
  elb.reset();
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['--config', path.join(dir, 'opsdeck.yaml'), 'scaling', ...args, '--batch'], {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    isTTY: false,
    cwd: dir,
    env: { HOME: dir, XDG_CONFIG_HOME: dir, XDG_STATE_HOME: dir, XDG_RUNTIME_DIR: dir, AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'not-a-real-secret', AWS_MAX_ATTEMPTS: '1' },
  });
  return { code, out, err };
}

/** Every request that changes something, Auto Scaling and ELBv2 together, by API name. */
const writes = (): string[] =>
  [...asg.calls(), ...elb.calls()].map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, '')).filter((n) => !n.startsWith('Describe'));

/** Plan only, then --yes: the plan printed, nothing written without --yes, exactly `expected` with it. */
async function planThenApply(args: string[], planLine: string): Promise<void> {
  const plan = await cli(...args);
  expect(plan.code, plan.err).toBe(0);
  expect(plan.out).toContain(planLine);
  expect(plan.err).toContain('plan only: run again with --yes to apply');
  expect(writes()).toEqual([]);
  const yes = await cli(...args, '--yes');
  expect(yes.code, yes.err).toBe(0);
  expect(yes.out).toContain(planLine);
  expect(yes.out).toContain('applied: 1 call(s)');
}

describe('opsdeck scaling (batch, AWS adapters under aws-sdk-client-mock)', () => {
  it('policy --target-cpu puts exactly the planned target tracking policy', async () => {
    await planThenApply(['policy', GROUP, '--target-cpu', '55', '--disable-scale-in'], `PutScalingPolicy ${GROUP} cpu-target: target tracking ASGAverageCPUUtilization at 55`);
    expect(writes()).toEqual(['PutScalingPolicy']);
    expect(asg.commandCalls(PutScalingPolicyCommand)[0]?.args[0].input).toEqual({
      AutoScalingGroupName: GROUP,
      PolicyName: 'cpu-target',
      PolicyType: 'TargetTrackingScaling',
      EstimatedInstanceWarmup: undefined,
      TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: 55, DisableScaleIn: true },
    });
  });

  it('policy --delete deletes exactly that policy; an unknown one is a usage error with nothing sent', async () => {
    await planThenApply(['policy', GROUP, '--delete', 'seed-scale-out'], `DeletePolicy ${GROUP} seed-scale-out`);
    expect(asg.commandCalls(DeletePolicyCommand).map((c) => c.args[0].input)).toEqual([{ AutoScalingGroupName: GROUP, PolicyName: 'seed-scale-out' }]);
    asg.resetHistory();
    const missing = await cli('policy', GROUP, '--delete', 'nope', '--yes');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`${GROUP} has no policy nope`);
    expect(writes()).toEqual([]);
  });

  it('suspend names exactly the processes not suspended yet; resume without names resumes all', async () => {
    await planThenApply(['suspend', GROUP, 'Launch', 'AZRebalance'], `SuspendProcesses ${GROUP}: Launch`);
    expect(asg.commandCalls(SuspendProcessesCommand).map((c) => c.args[0].input)).toEqual([{ AutoScalingGroupName: GROUP, ScalingProcesses: ['Launch'] }]);
    asg.resetHistory();
    await planThenApply(['resume', GROUP], `ResumeProcesses ${GROUP}`);
    expect(asg.commandCalls(ResumeProcessesCommand).map((c) => c.args[0].input)).toEqual([{ AutoScalingGroupName: GROUP }]);
    asg.resetHistory();
    const bad = await cli('suspend', GROUP, 'Lunch', '--yes');
    expect(bad.code).toBe(2);
    expect(writes()).toEqual([]);
  });

  it('protect and unprotect send SetInstanceProtection for exactly the instances that change', async () => {
    // I2 is protected already: only I1 changes
    await planThenApply(['protect', GROUP, I1, I2], `SetInstanceProtection ${GROUP}: protect ${I1}`);
    expect(asg.commandCalls(SetInstanceProtectionCommand).map((c) => c.args[0].input)).toEqual([{ AutoScalingGroupName: GROUP, InstanceIds: [I1], ProtectedFromScaleIn: true }]);
    asg.resetHistory();
    await planThenApply(['unprotect', GROUP, I2], `SetInstanceProtection ${GROUP}: unprotect ${I2}`);
    expect(asg.commandCalls(SetInstanceProtectionCommand).map((c) => c.args[0].input)).toEqual([{ AutoScalingGroupName: GROUP, InstanceIds: [I2], ProtectedFromScaleIn: false }]);
    asg.resetHistory();
    const stranger = await cli('protect', GROUP, 'i-0ffffffffffffffff', '--yes');
    expect(stranger.code).toBe(2);
    expect(writes()).toEqual([]);
  });

  it('deregister and register send exactly the planned DeregisterTargets / RegisterTargets', async () => {
    await planThenApply(['deregister', GROUP, I2, '--target-group', 'web-tg'], `DeregisterTargets web-tg: ${I2}`);
    expect(elb.commandCalls(DeregisterTargetsCommand).map((c) => c.args[0].input)).toEqual([{ TargetGroupArn: TG, Targets: [{ Id: I2 }] }]);
    expect(elb.commandCalls(RegisterTargetsCommand)).toHaveLength(0);
    elb.resetHistory();
    // I2 out of the target group now: register puts it back
    elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [{ Target: { Id: I1, Port: 80 }, TargetHealth: { State: 'healthy' } }] });
    await planThenApply(['register', GROUP, I2], `RegisterTargets web-tg: ${I2}`);
    expect(elb.commandCalls(RegisterTargetsCommand).map((c) => c.args[0].input)).toEqual([{ TargetGroupArn: TG, Targets: [{ Id: I2 }] }]);
    expect(elb.commandCalls(DeregisterTargetsCommand)).toHaveLength(0);
  });
});
