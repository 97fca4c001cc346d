import {
  DescribeAutoScalingGroupsCommand,
  SetDesiredCapacityCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { AutoScalingGroup, ScalingPort } from '../ports.js';
import { allPages, call, tagMap } from './common.js';

/** ScalingPort over EC2 Auto Scaling. */
export function createAutoScaling(client: AutoScalingClient): ScalingPort {
  return {
    describeGroups(names, opts = {}) {
      return allPages<AutoScalingGroup>(async (token) => {
        const res = await call('DescribeAutoScalingGroups', () =>
          client.send(
            new DescribeAutoScalingGroupsCommand({
              AutoScalingGroupNames: names ? [...names] : undefined,
              MaxRecords: 100,
              NextToken: token,
            }),
            { abortSignal: opts.signal },
          ),
        );
        const items = (res.AutoScalingGroups ?? []).map(
          (g): AutoScalingGroup => ({
            name: g.AutoScalingGroupName ?? '',
            minSize: g.MinSize ?? 0,
            maxSize: g.MaxSize ?? 0,
            desiredCapacity: g.DesiredCapacity ?? 0,
            instances: (g.Instances ?? []).map((i) => ({
              id: i.InstanceId ?? '',
              lifecycleState: i.LifecycleState ?? 'unknown',
              healthStatus: i.HealthStatus ?? 'unknown',
              availabilityZone: i.AvailabilityZone,
            })),
            availabilityZones: g.AvailabilityZones ?? [],
            launchTemplate:
              g.LaunchTemplate?.LaunchTemplateName ??
              g.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification?.LaunchTemplateName ??
              g.LaunchConfigurationName,
            tags: tagMap(g.Tags),
            createdTime: g.CreatedTime,
          }),
        );
        return { items, next: res.NextToken };
      }, opts);
    },

    async setDesiredCapacity(name, desired, opts = {}) {
      await call('SetDesiredCapacity', () =>
        client.send(
          new SetDesiredCapacityCommand({
            AutoScalingGroupName: name,
            DesiredCapacity: desired,
            HonorCooldown: opts.honorCooldown ?? false,
          }),
        ),
      );
    },

    async updateGroupSize(name, size) {
      await call('UpdateAutoScalingGroup', () =>
        client.send(
          new UpdateAutoScalingGroupCommand({
            AutoScalingGroupName: name,
            MinSize: size.min,
            MaxSize: size.max,
            DesiredCapacity: size.desired,
          }),
        ),
      );
    },
  };
}
