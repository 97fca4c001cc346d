import {
  DeleteAutoScalingGroupCommand,
  DeleteLaunchConfigurationCommand,
  DeletePolicyCommand,
  DeleteScheduledActionCommand,
  DeleteWarmPoolCommand,
  PutScalingPolicyCommand,
  PutScheduledUpdateGroupActionCommand,
  ResumeProcessesCommand,
  SetDesiredCapacityCommand,
  SetInstanceProtectionCommand,
  SuspendProcessesCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
  type MetricType,
} from '@aws-sdk/client-auto-scaling';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ScalingPort } from '../ports.js';
import { CloudError } from '../ports.js';
import { call as sdkCall } from './common.js';

/**
 * SDK v3 names Auto Scaling's modeled errors after their shapes
 * (ScalingActivityInProgressFault); the API reference and the CLI say
 * ScalingActivityInProgress. The port speaks the API's codes, so the
 * waits and retries above it do not depend on the SDK's spelling.
 */
const FAULTS: Record<string, { code: string; retryable: boolean }> = {
  ScalingActivityInProgressFault: { code: 'ScalingActivityInProgress', retryable: false },
  ResourceInUseFault: { code: 'ResourceInUse', retryable: false },
  // "a pending update to an Auto Scaling resource": the next try usually passes
  ResourceContentionFault: { code: 'ResourceContention', retryable: true },
  LimitExceededFault: { code: 'LimitExceeded', retryable: false },
  AlreadyExistsFault: { code: 'AlreadyExists', retryable: false },
};

export async function call<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await sdkCall(action, fn);
  } catch (e) {
    const fault = e instanceof CloudError ? FAULTS[e.code] : undefined;
    if (!fault || !(e instanceof CloudError)) throw e;
    throw new CloudError(fault.code, e.message, { retryable: fault.retryable || e.retryable, ...(e.status !== undefined ? { status: e.status } : {}), cause: e.cause });
  }
}

type Writes = Omit<ScalingPort, 'describeGroups' | 'describeActivities' | 'describePolicies' | 'describeScheduledActions' | 'describeLifecycleHooks' | 'describeWarmPool'>;

/**
 * The mutating half of the Auto Scaling port: one API call each, the request
 * built only from the arguments, so a test can hold what is sent against
 * what was planned.
 */
export function scalingWrites(client: AutoScalingClient, ec2?: () => Promise<EC2Client>): Writes {
  return {
    async setDesiredCapacity(name, desired, opts = {}) {
      await call('SetDesiredCapacity', () =>
        client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: name, DesiredCapacity: desired, HonorCooldown: opts.honorCooldown ?? false })),
      );
    },

    async updateGroupSize(name, size) {
      await call('UpdateAutoScalingGroup', () =>
        client.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: name, MinSize: size.min, MaxSize: size.max, DesiredCapacity: size.desired })),
      );
    },

    async putScheduledAction(a) {
      await call('PutScheduledUpdateGroupAction', () =>
        client.send(
          new PutScheduledUpdateGroupActionCommand({
            AutoScalingGroupName: a.groupName,
            ScheduledActionName: a.name,
            StartTime: a.startTime,
            MinSize: a.minSize,
            MaxSize: a.maxSize,
            DesiredCapacity: a.desiredCapacity,
          }),
        ),
      );
    },

    async deleteScheduledAction(groupName, name) {
      await call('DeleteScheduledAction', () => client.send(new DeleteScheduledActionCommand({ AutoScalingGroupName: groupName, ScheduledActionName: name })));
    },

    async putTargetTrackingPolicy(p) {
      await call('PutScalingPolicy', () =>
        client.send(
          new PutScalingPolicyCommand({
            AutoScalingGroupName: p.groupName,
            PolicyName: p.name,
            PolicyType: 'TargetTrackingScaling',
            EstimatedInstanceWarmup: p.estimatedInstanceWarmupSeconds,
            TargetTrackingConfiguration: {
              PredefinedMetricSpecification: { PredefinedMetricType: p.metric as MetricType },
              TargetValue: p.targetValue,
              DisableScaleIn: p.disableScaleIn ?? false,
            },
          }),
        ),
      );
    },

    async deletePolicy(groupName, policyName) {
      await call('DeletePolicy', () => client.send(new DeletePolicyCommand({ AutoScalingGroupName: groupName, PolicyName: policyName })));
    },

    async suspendProcesses(groupName, processes) {
      await call('SuspendProcesses', () =>
        client.send(new SuspendProcessesCommand({ AutoScalingGroupName: groupName, ScalingProcesses: processes ? [...processes] : undefined })),
      );
    },

    async resumeProcesses(groupName, processes) {
      await call('ResumeProcesses', () =>
        client.send(new ResumeProcessesCommand({ AutoScalingGroupName: groupName, ScalingProcesses: processes ? [...processes] : undefined })),
      );
    },

    async setInstanceProtection(groupName, instanceIds, protectedFromScaleIn) {
      await call('SetInstanceProtection', () =>
        client.send(new SetInstanceProtectionCommand({ AutoScalingGroupName: groupName, InstanceIds: [...instanceIds], ProtectedFromScaleIn: protectedFromScaleIn })),
      );
    },

    async terminateInstance(instanceId, decrement) {
      await call('TerminateInstanceInAutoScalingGroup', () =>
        client.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: instanceId, ShouldDecrementDesiredCapacity: decrement })),
      );
    },

    async deleteWarmPool(groupName, opts = {}) {
      await call('DeleteWarmPool', () => client.send(new DeleteWarmPoolCommand({ AutoScalingGroupName: groupName, ForceDelete: opts.force ?? false })));
    },

    async deleteGroup(groupName, opts = {}) {
      await call('DeleteAutoScalingGroup', () =>
        client.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: groupName, ForceDelete: opts.force ?? false })),
      );
    },

    async deleteLaunchTemplate(name) {
      if (!ec2) throw new CloudError('NotConfigured', 'DeleteLaunchTemplate: this scaling port was built without an EC2 client');
      const [{ DeleteLaunchTemplateCommand }, client2] = await Promise.all([import('@aws-sdk/client-ec2'), ec2()]);
      await call('DeleteLaunchTemplate', () => client2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateName: name })));
    },

    async deleteLaunchConfiguration(name) {
      await call('DeleteLaunchConfiguration', () => client.send(new DeleteLaunchConfigurationCommand({ LaunchConfigurationName: name })));
    },
  };
}
