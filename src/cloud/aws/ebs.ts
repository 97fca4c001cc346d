import { AttachVolumeCommand, CreateSnapshotCommand, CreateVolumeCommand, DeleteVolumeCommand, DetachVolumeCommand, type EC2Client, type VolumeType } from '@aws-sdk/client-ec2';
import type { ComputePort, Tags } from '../ports.js';
import { call } from './common.js';
import { toSnapshot, toVolume } from './compute.js';

/** The EBS writes a runbook makes (snapshot, volume, attach, detach, delete): one SDK call each, no waiting here. */
type EbsWrites = Pick<ComputePort, 'createSnapshot' | 'createVolume' | 'attachVolume' | 'detachVolume' | 'deleteVolume'>;

const tagSpec = (resource: 'snapshot' | 'volume', tags: Tags | undefined) =>
  tags && Object.keys(tags).length > 0 ? [{ ResourceType: resource, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }] : undefined;

export function createEbsWrites(client: EC2Client): EbsWrites {
  return {
    async createSnapshot(volumeId, o = {}) {
      const res = await call('CreateSnapshot', () =>
        client.send(new CreateSnapshotCommand({ VolumeId: volumeId, Description: o.description, TagSpecifications: tagSpec('snapshot', o.tags) }), { abortSignal: o.signal }),
      );
      return toSnapshot(res);
    },
    async createVolume(o) {
      const res = await call('CreateVolume', () =>
        client.send(
          new CreateVolumeCommand({
            AvailabilityZone: o.availabilityZone,
            SnapshotId: o.snapshotId,
            Size: o.sizeGiB,
            VolumeType: o.volumeType as VolumeType | undefined,
            TagSpecifications: tagSpec('volume', o.tags),
          }),
          { abortSignal: o.signal },
        ),
      );
      return toVolume(res);
    },
    async attachVolume(volumeId, instanceId, device, o = {}) {
      await call('AttachVolume', () => client.send(new AttachVolumeCommand({ VolumeId: volumeId, InstanceId: instanceId, Device: device }), { abortSignal: o.signal }));
    },
    async detachVolume(volumeId, o = {}) {
      await call('DetachVolume', () => client.send(new DetachVolumeCommand({ VolumeId: volumeId, Force: o.force }), { abortSignal: o.signal }));
    },
    async deleteVolume(volumeId, o = {}) {
      await call('DeleteVolume', () => client.send(new DeleteVolumeCommand({ VolumeId: volumeId }), { abortSignal: o.signal }));
    },
  };
}
