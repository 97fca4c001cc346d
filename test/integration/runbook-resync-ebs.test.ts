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
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEc2Compute } from '../../src/cloud/aws/compute.js';
import type { CloudPorts } from '../../src/cloud/ports.js';
import { connectMysql } from '../../src/mysql/connection.js';
import { loadRunbookFile, shippedRunbookDir } from '../../src/runbooks/load.js';
import { startMariaDbInstance, type MariaDbInstance } from '../services/mariadb.js';
import { RunbookRig } from './runbook-rig.js';

/**
 * mysql-resync-ebs against mocked EC2 and a real MariaDB source: the read
 * lock is held only until the snapshot has started, and when attaching the
 * temporary volume fails, the volume is still deleted and the run ends failed.
 */
const ec2 = mockClient(EC2Client);
const creds = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'not-a-real-secret' };
let source: MariaDbInstance;
let rig: RunbookRig;

beforeAll(async () => {
  [source, rig] = await Promise.all([startMariaDbInstance({ serverId: 801 }), RunbookRig.create()]);
}, 60_000);
afterAll(async () => {
  ec2.restore();
  await Promise.all([source?.stop(), rig?.stop()]);
});

describe('mysql-resync-ebs', () => {
  it('unfreezes the source once the snapshot started; a failed attach still deletes the temporary volume and fails the run', async () => {
    const VOL = 'vol-0123456789abcdef0';
    const INST = 'i-0fedcba9876543210';
    const probe = await connectMysql(source);
    let lockedWhenSnapshotStarted: boolean | undefined;
    const writable = async (): Promise<boolean> => {
      await probe.query('SET SESSION lock_wait_timeout = 1');
      return probe.query('CREATE DATABASE IF NOT EXISTS probe_db').then(() => true, () => false);
    };
    ec2.on(CreateSnapshotCommand).callsFake(async () => {
      lockedWhenSnapshotStarted = !(await writable());
      return { SnapshotId: 'snap-0aaaaaaaaaaaaaaa1', VolumeId: VOL, State: 'pending', Progress: '0%', VolumeSize: 50 };
    });
    ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-0aaaaaaaaaaaaaaa1', VolumeId: VOL, State: 'completed', Progress: '100%' }] });
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: INST, State: { Name: 'running' }, Placement: { AvailabilityZone: 'us-east-1b' } }] }] });
    ec2.on(CreateVolumeCommand).resolves({ VolumeId: 'vol-0bbbbbbbbbbbbbbb2', State: 'creating', AvailabilityZone: 'us-east-1b', Size: 50 });
    ec2.on(DescribeVolumesCommand).resolves({ Volumes: [{ VolumeId: 'vol-0bbbbbbbbbbbbbbb2', State: 'available', AvailabilityZone: 'us-east-1b', Size: 50 }] });
    ec2.on(AttachVolumeCommand).rejects(new EC2ServiceException({ name: 'InvalidVolume.ZoneMismatch', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'The volume is not in the same availability zone as the instance' }));
    ec2.on(DetachVolumeCommand).resolves({});
    ec2.on(DeleteVolumeCommand).resolves({});

    const loaded = await loadRunbookFile(path.join(shippedRunbookDir(), 'mysql-resync-ebs.yaml'), 'shipped');
    const db = { host: source.host, port: source.port, user: source.user, password: source.password };
    const r = await rig.run(loaded, { hosts: { tgt: { host: '127.0.0.1', port: 1, user: 'nobody' } }, mysql: { src: db, tgt: db } }, {
      cloud: { kind: 'aws', compute: createEc2Compute(new EC2Client({ region: 'us-east-1', credentials: creds, maxAttempts: 1 })) } as unknown as CloudPorts, // only compute is used
      inputs: { source: 'src', target: 'tgt', sourceVolume: VOL, targetInstance: INST, targetHost: 'tgt' },
    });
    expect(lockedWhenSnapshotStarted).toBe(true);
    expect(await writable()).toBe(true);
    probe.destroy();
    expect(r.outcome.status).toBe('failed');
    expect(r.outcome.message).toMatch(/^attach: AttachVolume: The volume is not in the same availability zone as the instance.* \(the steps from delete-volume on ran to clean up\)$/);
    const writes = ec2.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, '')).filter((n) => !n.startsWith('Describe'));
    expect(writes).toEqual(['CreateSnapshot', 'CreateVolume', 'AttachVolume', 'DeleteVolume']);
    expect(ec2.commandCalls(DeleteVolumeCommand)[0]?.args[0].input).toEqual({ VolumeId: 'vol-0bbbbbbbbbbbbbbb2' });
    // nothing touched the target host: its mysqld was never stopped
    expect(r.outcome.steps.get('stop-target')).toBe('pending');
  });
});
