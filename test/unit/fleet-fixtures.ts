/**
 * A small EC2 + Auto Scaling world behind aws-sdk-client-mock: DescribeInstances
 * honours the filters discovery sends and pages by reservations (2 instances
 * per reservation, 2 reservations per page), so the real adapters run.
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client, type DescribeInstancesCommandInput } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { createEc2Compute } from '../../src/cloud/aws/compute.js';
import { createAutoScaling } from '../../src/cloud/aws/scaling.js';
import type { CloudPorts, ObjectStorePort } from '../../src/cloud/ports.js';

export interface FakeInstance {
  id: string;
  privateIp?: string;
  publicIp?: string;
  state?: string;
  ami?: string;
  tags?: Record<string, string>;
  /** Auto Scaling lifecycle state when the instance is in the group */
  asg?: 'InService' | 'Pending' | 'Terminating';
}

export const creds = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'not-a-real-secret' };

export class FakeAws {
  instances: FakeInstance[] = [];
  /** set to make the next DescribeInstances calls fail */
  failWith: Error | undefined;
  describeCalls = 0;
  readonly ec2 = mockClient(EC2Client);
  readonly asg = mockClient(AutoScalingClient);

  constructor(readonly groupName = 'web-asg') {
    this.install();
  }

  install(): void {
    this.ec2.on(DescribeInstancesCommand).callsFake((input: DescribeInstancesCommandInput) => this.describe(input));
    this.asg.on(DescribeAutoScalingGroupsCommand).callsFake(() => ({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: this.groupName,
          MinSize: 0,
          MaxSize: 10,
          DesiredCapacity: this.instances.filter((i) => i.asg).length,
          AvailabilityZones: ['us-east-1a'],
          CreatedTime: new Date('2026-01-01T00:00:00Z'),
          HealthCheckType: 'EC2',
          DefaultCooldown: 300,
          Instances: this.instances
            .filter((i) => i.asg)
            .map((i) => ({ InstanceId: i.id, LifecycleState: i.asg, HealthStatus: 'Healthy', AvailabilityZone: 'us-east-1a', ProtectedFromScaleIn: false })),
        },
      ],
    }));
  }

  private describe(input: DescribeInstancesCommandInput): unknown {
    this.describeCalls++;
    if (this.failWith) throw this.failWith;
    const filters = input.Filters ?? [];
    // What EC2 answers to an over-long filter; a big Auto Scaling group must be asked for in slices.
    if (filters.some((f) => (f.Values ?? []).length > 200)) {
      throw Object.assign(new Error('The maximum number of filter values specified on a single call is 200'), { name: 'FilterLimitExceeded', $fault: 'client' });
    }
    const match = (i: FakeInstance): boolean =>
      filters.every((f) => {
        const values = f.Values ?? [];
        if (f.Name === 'instance-state-name') return values.includes(i.state ?? 'running');
        if (f.Name === 'image-id') return values.includes(i.ami ?? 'ami-0a1b2c3d4e5f60718');
        if (f.Name === 'instance-id') return values.includes(i.id);
        if (f.Name?.startsWith('tag:')) return values.includes(i.tags?.[f.Name.slice(4)] ?? '\0');
        throw new Error(`FakeAws: unexpected filter ${f.Name}`);
      });
    const found = this.instances.filter(match);
    const reservations = [];
    for (let k = 0; k < found.length; k += 2) {
      reservations.push({
        ReservationId: `r-${k}`,
        OwnerId: '123456789012',
        Instances: found.slice(k, k + 2).map((i) => ({
          InstanceId: i.id,
          ImageId: i.ami ?? 'ami-0a1b2c3d4e5f60718',
          InstanceType: 't3.small',
          State: { Code: 16, Name: i.state ?? 'running' },
          Placement: { AvailabilityZone: 'us-east-1a' },
          LaunchTime: new Date('2026-03-01T10:00:00Z'),
          ...(i.privateIp ? { PrivateIpAddress: i.privateIp } : {}),
          ...(i.publicIp ? { PublicIpAddress: i.publicIp } : {}),
          Tags: Object.entries(i.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
        })),
      });
    }
    // Two reservations per page: the caller must follow NextToken.
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const page = reservations.slice(start, start + 2);
    const next = start + 2 < reservations.length ? String(start + 2) : undefined;
    return { Reservations: page, ...(next ? { NextToken: next } : {}) };
  }

  restore(): void {
    this.ec2.restore();
    this.asg.restore();
  }
}

const noObjects: ObjectStorePort = {
  getObject: () => Promise.reject(new Error('no object store in this test')),
  putObject: () => Promise.reject(new Error('no object store in this test')),
  listObjects: () => Promise.reject(new Error('no object store in this test')),
  deleteObject: () => Promise.reject(new Error('no object store in this test')),
};

/** CloudPorts over the real AWS adapters, talking to the mocked clients. */
export function fakeCloud(objects: ObjectStorePort = noObjects): CloudPorts {
  return {
    kind: 'aws',
    compute: createEc2Compute(new EC2Client({ region: 'us-east-1', credentials: creds })),
    scaling: createAutoScaling(new AutoScalingClient({ region: 'us-east-1', credentials: creds })),
    objects,
  };
}

/** Instance ids that pass validation: i- and 17 hex digits. */
export const iid = (n: number): string => `i-${n.toString(16).padStart(17, '0')}`;
