import {
  DeleteSnapshotCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
} from '@aws-sdk/client-ec2';
import type { EC2Client, Filter, Snapshot as SdkSnapshot, Volume as SdkVolume } from '@aws-sdk/client-ec2';
import { createEbsWrites } from './ebs.js';
import type { ComputePort, Image, Instance, Snapshot, Volume } from '../ports.js';
import { allPages, call, tagFilters, tagMap } from './common.js';

/** EC2's ceiling for MaxResults on DescribeInstances/DescribeSnapshots/DescribeImages. */
const PAGE = 1000;

export const toVolume = (v: SdkVolume): Volume => ({
  id: v.VolumeId ?? '',
  sizeGiB: v.Size,
  availabilityZone: v.AvailabilityZone,
  state: v.State,
  attachedInstanceId: v.Attachments?.[0]?.InstanceId,
  tags: tagMap(v.Tags),
});

export const toSnapshot = (s: SdkSnapshot): Snapshot => ({
  id: s.SnapshotId ?? '',
  volumeId: s.VolumeId ?? '',
  startTime: s.StartTime ?? new Date(0),
  state: s.State ?? 'unknown',
  progress: s.Progress,
  sizeGiB: s.VolumeSize,
  fullSizeBytes: s.FullSnapshotSizeInBytes,
  description: s.Description,
  tags: tagMap(s.Tags),
});

/** ComputePort over EC2: maps SDK shapes to port types and nothing else. */
export function createEc2Compute(client: EC2Client): ComputePort {
  return {
    ...createEbsWrites(client),
    describeInstances(filter, opts = {}) {
      const filters: Filter[] = [...tagFilters(filter.tags)];
      // Filters rather than InstanceIds: an unknown id then yields nothing instead of failing the whole call.
      if (filter.instanceIds) filters.push({ Name: 'instance-id', Values: [...filter.instanceIds] });
      if (filter.imageIds) filters.push({ Name: 'image-id', Values: [...filter.imageIds] });
      if (filter.states) filters.push({ Name: 'instance-state-name', Values: [...filter.states] });
      return allPages<Instance>(async (token) => {
        const res = await call('DescribeInstances', () =>
          client.send(
            new DescribeInstancesCommand({ Filters: filters.length ? filters : undefined, MaxResults: PAGE, NextToken: token }),
            { abortSignal: opts.signal },
          ),
        );
        // A page holds reservations; each reservation holds one or more instances.
        const items = (res.Reservations ?? []).flatMap((r) =>
          (r.Instances ?? []).map((i): Instance => {
            const tags = tagMap(i.Tags);
            return {
              id: i.InstanceId ?? '',
              name: tags['Name'],
              state: i.State?.Name ?? 'unknown',
              availabilityZone: i.Placement?.AvailabilityZone,
              instanceType: i.InstanceType,
              imageId: i.ImageId,
              privateIp: i.PrivateIpAddress || undefined,
              publicIp: i.PublicIpAddress || undefined,
              launchTime: i.LaunchTime,
              tags,
            };
          }),
        );
        return { items, next: res.NextToken };
      }, opts);
    },

    describeImages(opts = {}) {
      return allPages<Image>(async (token) => {
        const res = await call('DescribeImages', () =>
          client.send(new DescribeImagesCommand({ Owners: ['self'], MaxResults: PAGE, NextToken: token }), {
            abortSignal: opts.signal,
          }),
        );
        const items = (res.Images ?? []).map(
          (img): Image => ({
            id: img.ImageId ?? '',
            name: img.Name,
            state: img.State,
            creationDate: img.CreationDate ? new Date(img.CreationDate) : undefined,
            snapshotIds: (img.BlockDeviceMappings ?? [])
              .map((m) => m.Ebs?.SnapshotId)
              .filter((s): s is string => typeof s === 'string' && s.length > 0),
          }),
        );
        return { items, next: res.NextToken };
      }, opts);
    },

    describeVolumes(filter = {}, opts = {}) {
      const filters: Filter[] = filter.volumeIds ? [{ Name: 'volume-id', Values: [...filter.volumeIds] }] : [];
      return allPages<Volume>(async (token) => {
        const res = await call('DescribeVolumes', () =>
          client.send(
            new DescribeVolumesCommand({ Filters: filters.length ? filters : undefined, MaxResults: 500, NextToken: token }),
            { abortSignal: opts.signal },
          ),
        );
        const items = (res.Volumes ?? []).map(toVolume);
        return { items, next: res.NextToken };
      }, opts);
    },

    describeSnapshots(filter = {}, opts = {}) {
      const filters: Filter[] = [...tagFilters(filter.tags)];
      if (filter.volumeIds) filters.push({ Name: 'volume-id', Values: [...filter.volumeIds] });
      if (filter.snapshotIds) filters.push({ Name: 'snapshot-id', Values: [...filter.snapshotIds] });
      return allPages<Snapshot>(async (token) => {
        const res = await call('DescribeSnapshots', () =>
          client.send(
            new DescribeSnapshotsCommand({
              OwnerIds: ['self'],
              MaxResults: PAGE,
              NextToken: token,
              Filters: filters.length ? filters : undefined,
            }),
            { abortSignal: opts.signal },
          ),
        );
        const items = (res.Snapshots ?? []).map(toSnapshot);
        return { items, next: res.NextToken };
      }, opts);
    },

    async deleteSnapshot(snapshotId, opts = {}) {
      await call('DeleteSnapshot', () =>
        client.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }), { abortSignal: opts.signal }),
      );
    },
  };
}
