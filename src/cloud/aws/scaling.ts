import {
  DescribeAutoScalingGroupsCommand,
  DescribeLifecycleHooksCommand,
  DescribePoliciesCommand,
  DescribeScalingActivitiesCommand,
  DescribeScheduledActionsCommand,
  DescribeWarmPoolCommand,
  type AutoScalingGroup as SdkGroup,
  type ScalingPolicy as SdkPolicy,
} from '@aws-sdk/client-auto-scaling';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { AutoScalingGroup, ScalingActivity, ScalingPolicy, ScalingPort, ScheduledAction } from '../ports.js';
import { allPages, tagMap } from './common.js';
import { call, scalingWrites } from './scaling-writes.js';

export function toGroup(g: SdkGroup): AutoScalingGroup {
  const template = g.LaunchTemplate ?? g.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  return {
    name: g.AutoScalingGroupName ?? '',
    minSize: g.MinSize ?? 0,
    maxSize: g.MaxSize ?? 0,
    desiredCapacity: g.DesiredCapacity ?? 0,
    instances: (g.Instances ?? []).map((i) => ({
      id: i.InstanceId ?? '',
      lifecycleState: i.LifecycleState ?? 'unknown',
      healthStatus: i.HealthStatus ?? 'unknown',
      availabilityZone: i.AvailabilityZone,
      instanceType: i.InstanceType,
      launchTemplate: i.LaunchTemplate?.LaunchTemplateName ?? i.LaunchConfigurationName,
      launchTemplateVersion: i.LaunchTemplate?.Version,
      protectedFromScaleIn: i.ProtectedFromScaleIn,
    })),
    availabilityZones: g.AvailabilityZones ?? [],
    launchTemplate: template?.LaunchTemplateName ?? g.LaunchConfigurationName,
    launchTemplateVersion: template?.Version,
    launchConfigurationName: g.LaunchConfigurationName,
    tags: tagMap(g.Tags),
    createdTime: g.CreatedTime,
    suspendedProcesses: (g.SuspendedProcesses ?? []).map((p) => p.ProcessName ?? '').filter((p) => p !== ''),
    defaultCooldownSeconds: g.DefaultCooldown,
    status: g.Status,
    targetGroupArns: g.TargetGroupARNs ?? [],
    loadBalancerNames: g.LoadBalancerNames ?? [],
  };
}

function toPolicy(p: SdkPolicy): ScalingPolicy {
  const tt = p.TargetTrackingConfiguration;
  return {
    name: p.PolicyName ?? '',
    groupName: p.AutoScalingGroupName ?? '',
    kind: p.PolicyType ?? 'SimpleScaling',
    enabled: p.Enabled ?? true,
    targetTracking: tt
      ? { metric: tt.PredefinedMetricSpecification?.PredefinedMetricType ?? 'custom', targetValue: tt.TargetValue ?? 0, disableScaleIn: tt.DisableScaleIn ?? false }
      : undefined,
    adjustmentType: p.AdjustmentType,
    scalingAdjustment: p.ScalingAdjustment,
    stepAdjustments: p.StepAdjustments?.map((s) => ({ lower: s.MetricIntervalLowerBound, upper: s.MetricIntervalUpperBound, adjustment: s.ScalingAdjustment ?? 0 })),
    cooldownSeconds: p.Cooldown,
    estimatedInstanceWarmupSeconds: p.EstimatedInstanceWarmup,
    alarms: (p.Alarms ?? []).map((a) => a.AlarmName ?? '').filter((a) => a !== ''),
  };
}

/** ScalingPort over EC2 Auto Scaling; launch templates are EC2's, so deleting one takes the EC2 client. */
export function createAutoScaling(client: AutoScalingClient, ec2?: () => Promise<EC2Client>): ScalingPort {
  return {
    describeGroups(names, opts = {}) {
      return allPages<AutoScalingGroup>(async (token) => {
        const res = await call('DescribeAutoScalingGroups', () =>
          client.send(
            new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: names ? [...names] : undefined, MaxRecords: 100, NextToken: token }),
            { abortSignal: opts.signal },
          ),
        );
        return { items: (res.AutoScalingGroups ?? []).map(toGroup), next: res.NextToken };
      }, opts);
    },

    async describeActivities(groupName, opts = {}) {
      const max = opts.maxItems ?? 100;
      const out: ScalingActivity[] = [];
      let token: string | undefined;
      let pages = 0;
      // The history runs six weeks back: stop paging once enough of the newest are in.
      do {
        opts.signal?.throwIfAborted();
        const res = await call('DescribeScalingActivities', () =>
          client.send(
            new DescribeScalingActivitiesCommand({ AutoScalingGroupName: groupName, MaxRecords: Math.min(100, max - out.length), NextToken: token }),
            { abortSignal: opts.signal },
          ),
        );
        for (const a of res.Activities ?? []) {
          out.push({
            id: a.ActivityId ?? '',
            groupName: a.AutoScalingGroupName ?? groupName,
            description: a.Description ?? '',
            cause: a.Cause ?? '',
            status: a.StatusCode ?? 'unknown',
            statusMessage: a.StatusMessage,
            progress: a.Progress,
            startTime: a.StartTime ?? new Date(0),
            endTime: a.EndTime,
          });
        }
        pages++;
        opts.onPage?.({ pages, items: out.length });
        token = res.NextToken || undefined;
      } while (token !== undefined && out.length < max);
      return out.slice(0, max);
    },

    describePolicies(groupName, opts = {}) {
      return allPages<ScalingPolicy>(async (token) => {
        const res = await call('DescribePolicies', () =>
          client.send(new DescribePoliciesCommand({ AutoScalingGroupName: groupName, MaxRecords: 50, NextToken: token }), { abortSignal: opts.signal }),
        );
        return { items: (res.ScalingPolicies ?? []).map(toPolicy), next: res.NextToken };
      }, opts);
    },

    describeScheduledActions(groupName, opts = {}) {
      return allPages<ScheduledAction>(async (token) => {
        const res = await call('DescribeScheduledActions', () =>
          client.send(new DescribeScheduledActionsCommand({ AutoScalingGroupName: groupName, MaxRecords: 100, NextToken: token }), { abortSignal: opts.signal }),
        );
        const items = (res.ScheduledUpdateGroupActions ?? []).map(
          (a): ScheduledAction => ({
            name: a.ScheduledActionName ?? '',
            groupName: a.AutoScalingGroupName ?? '',
            startTime: a.StartTime,
            endTime: a.EndTime,
            recurrence: a.Recurrence,
            timeZone: a.TimeZone,
            minSize: a.MinSize,
            maxSize: a.MaxSize,
            desiredCapacity: a.DesiredCapacity,
          }),
        );
        return { items, next: res.NextToken };
      }, opts);
    },

    async describeLifecycleHooks(groupName, opts = {}) {
      const res = await call('DescribeLifecycleHooks', () =>
        client.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: groupName }), { abortSignal: opts.signal }),
      );
      return (res.LifecycleHooks ?? []).map((h) => ({
        name: h.LifecycleHookName ?? '',
        groupName: h.AutoScalingGroupName ?? groupName,
        transition: h.LifecycleTransition ?? '',
        heartbeatTimeoutSeconds: h.HeartbeatTimeout,
        defaultResult: h.DefaultResult,
      }));
    },

    async describeWarmPool(groupName, opts = {}) {
      let instances = 0;
      let config: { MinSize?: number | undefined; MaxGroupPreparedCapacity?: number | undefined; PoolState?: string | undefined; Status?: string | undefined } | undefined;
      let token: string | undefined;
      do {
        const res = await call('DescribeWarmPool', () =>
          client.send(new DescribeWarmPoolCommand({ AutoScalingGroupName: groupName, MaxRecords: 100, NextToken: token }), { abortSignal: opts.signal }),
        );
        config ??= res.WarmPoolConfiguration;
        instances += res.Instances?.length ?? 0;
        token = res.NextToken || undefined;
      } while (token !== undefined);
      if (!config) return undefined;
      return { groupName, minSize: config.MinSize, maxPreparedCapacity: config.MaxGroupPreparedCapacity, poolState: config.PoolState, status: config.Status, instances };
    },

    ...scalingWrites(client, ec2),
  };
}
