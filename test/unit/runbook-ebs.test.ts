/**
 * The EBS steps of a runbook (the seed's EBS resync: snapshot the primary's
 * data volume, a volume from it in the replica's zone, attach, and the way
 * back) through the real EC2 adapter, the API answered by aws-sdk-client-mock;
 * and the same runbook rehearsed on the sandbox, whose EBS keeps time.
 */
import {
  AttachVolumeCommand,
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DeleteVolumeCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  DetachVolumeCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEc2Compute } from '../../src/cloud/aws/compute.js';
import type { CloudPorts } from '../../src/cloud/ports.js';
import { createSandboxWorld } from '../../src/cloud/sandbox/index.js';
import { ManualClock } from '../../src/core/clock.js';
import { RunbookRig } from '../integration/runbook-rig.js';

const ec2 = mockClient(EC2Client);
const creds = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'not-a-real-secret' };
const awsCloud = (): CloudPorts => ({ kind: 'aws', compute: createEc2Compute(new EC2Client({ region: 'us-east-1', credentials: creds, maxAttempts: 1 })) }) as unknown as CloudPorts; // only compute is used

const RUNBOOK = `name: ebs-copy
title: Copy a data volume to another instance
description: test
inputs:
  volume:
    type: volume
    help: the source
  instance:
    type: instance
    help: where the copy goes
steps:
  - id: where
    title: The instance's zone
    kind: check
    assert:
      probe: { kind: aws, operation: describeInstance, args: { instance: '{{ inputs.instance }}' } }
    captures:
      zone: { field: zone }
  - id: snap
    title: Snapshot the volume
    kind: aws
    operation: createSnapshot
    args: { volume: '{{ inputs.volume }}', description: 'opsdeck resync {{ run.id }}' }
    captures:
      id: { field: snapshotId }
  - id: vol
    title: A volume from it in the instance's zone
    kind: aws
    operation: createVolume
    args: { zone: '{{ steps.where.outputs.zone }}', snapshot: '{{ steps.snap.outputs.id }}', type: gp3 }
    captures:
      id: { field: volumeId }
  - id: attach
    title: Attach it
    kind: aws
    operation: attachVolume
    args: { volume: '{{ steps.vol.outputs.id }}', instance: '{{ inputs.instance }}', device: /dev/sdf }
  - id: detach
    title: Detach it again
    kind: aws
    operation: detachVolume
    args: { volume: '{{ steps.vol.outputs.id }}' }
  - id: drop
    title: Delete it
    kind: aws
    operation: deleteVolume
    args: { volume: '{{ steps.vol.outputs.id }}' }
`;

let rig: RunbookRig;
beforeAll(async () => {
  rig = await RunbookRig.create();
});
afterAll(async () => {
  await rig.stop();
});
beforeEach(() => ec2.reset());

describe('EBS steps', () => {
  it('send exactly the planned requests and wait for each state as EC2 reports it', async () => {
    const VOL = 'vol-0123456789abcdef0';
    const INST = 'i-0fedcba9876543210';
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: INST, State: { Name: 'running' }, Placement: { AvailabilityZone: 'us-east-1b' } }] }] });
    ec2.on(CreateSnapshotCommand).resolves({ SnapshotId: 'snap-0aaaaaaaaaaaaaaa1', VolumeId: VOL, State: 'pending', Progress: '0%', VolumeSize: 500 });
    ec2
      .on(DescribeSnapshotsCommand)
      .resolvesOnce({ Snapshots: [{ SnapshotId: 'snap-0aaaaaaaaaaaaaaa1', VolumeId: VOL, State: 'pending', Progress: '41%' }] })
      .resolves({ Snapshots: [{ SnapshotId: 'snap-0aaaaaaaaaaaaaaa1', VolumeId: VOL, State: 'completed', Progress: '100%' }] });
    ec2.on(CreateVolumeCommand).resolves({ VolumeId: 'vol-0bbbbbbbbbbbbbbb2', State: 'creating', AvailabilityZone: 'us-east-1b', Size: 500 });
    const states = [
      { State: 'creating' },
      { State: 'available' }, // created
      { State: 'available' }, // attaching
      { State: 'in-use', Attachments: [{ InstanceId: INST, State: 'attached' }] },
      { State: 'in-use', Attachments: [{ InstanceId: INST, State: 'detaching' }] },
      { State: 'available' }, // detached
    ];
    ec2.on(DescribeVolumesCommand).callsFake(() => ({ Volumes: [{ VolumeId: 'vol-0bbbbbbbbbbbbbbb2', AvailabilityZone: 'us-east-1b', Size: 500, ...(states.shift() ?? { State: 'available' }) }] }));
    ec2.on(AttachVolumeCommand).resolves({});
    ec2.on(DetachVolumeCommand).resolves({});
    ec2.on(DeleteVolumeCommand).resolves({});

    const loaded = await rig.load(RUNBOOK);
    const r = await rig.run(loaded, { hosts: {}, mysql: {} }, { cloud: awsCloud(), inputs: { volume: VOL, instance: INST } });
    expect(r.outcome.status, r.outcome.message).toBe('done');
    const writes = ec2.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, '')).filter((n) => !n.startsWith('Describe'));
    expect(writes).toEqual(['CreateSnapshot', 'CreateVolume', 'AttachVolume', 'DetachVolume', 'DeleteVolume']);
    expect(ec2.commandCalls(CreateSnapshotCommand)[0]?.args[0].input).toMatchObject({ VolumeId: VOL, Description: `opsdeck resync ${r.outcome.runId}` });
    expect(ec2.commandCalls(CreateVolumeCommand)[0]?.args[0].input).toMatchObject({ AvailabilityZone: 'us-east-1b', SnapshotId: 'snap-0aaaaaaaaaaaaaaa1', VolumeType: 'gp3' });
    expect(ec2.commandCalls(AttachVolumeCommand)[0]?.args[0].input).toEqual({ VolumeId: 'vol-0bbbbbbbbbbbbbbb2', InstanceId: INST, Device: '/dev/sdf' });
    expect(ec2.commandCalls(DetachVolumeCommand)[0]?.args[0].input).toMatchObject({ VolumeId: 'vol-0bbbbbbbbbbbbbbb2' });
    // the snapshot was polled until completed, with its progress shown
    expect(r.events.some((e) => e.t === 'progress' && e.event.done === 41 && e.event.total === 100)).toBe(true);
    expect(r.output).toContain('snap-0aaaaaaaaaaaaaaa1 completed after 2 checks');
  });

  it('rehearse on the sandbox: the snapshot takes simulated minutes, the new volume is attachable only in its zone', async () => {
    const clock = new ManualClock('2026-11-18T16:00:00Z');
    const world = createSandboxWorld({ now: clock });
    const loaded = await rig.load(RUNBOOK);
    // the rig's pauses are milliseconds of real time; the sandbox needs simulated time to pass
    const tick = setInterval(() => world.advance(20_000), 2);
    try {
      const r = await rig.run(loaded, { hosts: {}, mysql: {} }, { cloud: world, inputs: { volume: world.ids.volumes.mysqlData, instance: world.ids.dbReplica } });
      expect(r.outcome.status, r.outcome.message).toBe('done');
      const snapId = r.events.flatMap((e) => (e.t === 'output' ? [e.text] : [])).join('').match(/started (snap-\S+)/)?.[1] ?? '';
      const [snap] = await world.compute.describeSnapshots({ snapshotIds: [snapId] });
      expect(snap).toMatchObject({ state: 'completed', volumeId: world.ids.volumes.mysqlData });
    } finally {
      clearInterval(tick);
    }
    // A volume in us-east-1a does not attach to an instance in us-east-1b, as EC2 refuses.
    const v = await world.compute.createVolume({ availabilityZone: 'us-east-1a', sizeGiB: 10 });
    world.advance(60_000);
    await expect(world.compute.attachVolume(v.id, world.ids.dbReplica, '/dev/sdg')).rejects.toMatchObject({ code: 'InvalidVolume.ZoneMismatch' });
  });
});
