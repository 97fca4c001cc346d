import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import {
  DeleteSnapshotCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createEc2Compute } from '../../src/cloud/aws/compute.js';
import { createAwsCloud, createEc2Client, createS3Client, resolveAwsSettings } from '../../src/cloud/aws/index.js';
import { toCloudError } from '../../src/cloud/aws/common.js';
import { createAutoScaling } from '../../src/cloud/aws/scaling.js';
import { CloudError } from '../../src/cloud/ports.js';
import type { PageProgress } from '../../src/cloud/ports.js';
import { defaultConfig } from '../../src/config/schema.js';

const ec2 = mockClient(EC2Client);
const asg = mockClient(AutoScalingClient);
afterEach(() => {
  ec2.reset();
  asg.reset();
});

// Dummy static credentials: the mock intercepts send(), nothing leaves the process.
const creds = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'not-a-real-secret' };
const compute = () => createEc2Compute(new EC2Client({ region: 'us-east-1', credentials: creds }));

/** A DescribeInstances reservation as the EC2 API reference shapes it. */
function reservation(id: string, instances: { id: string; ip?: string; name?: string; state?: string }[]) {
  return {
    ReservationId: id,
    OwnerId: '123456789012',
    Instances: instances.map((i) => ({
      InstanceId: i.id,
      ImageId: 'ami-0a1b2c3d4e5f60718',
      InstanceType: 'm5.large' as const,
      State: { Code: 16, Name: (i.state ?? 'running') as 'running' },
      Placement: { AvailabilityZone: 'us-east-1b' },
      LaunchTime: new Date('2026-03-01T10:00:00Z'),
      ...(i.ip ? { PrivateIpAddress: i.ip } : {}),
      Tags: [
        ...(i.name ? [{ Key: 'Name', Value: i.name }] : []),
        { Key: 'aws:autoscaling:groupName', Value: 'web-asg' },
      ],
    })),
  };
}

describe('EC2 compute adapter', () => {
  it('follows NextToken through 3 pages and flattens every reservation', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce({
        Reservations: [
          reservation('r-1', [{ id: 'i-01', ip: '127.0.1.5', name: 'web-1' }, { id: 'i-02', ip: '127.0.1.6' }]),
          reservation('r-2', [{ id: 'i-03', ip: '127.0.2.7' }]),
        ],
        NextToken: 'tok-1',
      })
      .resolvesOnce({ Reservations: [reservation('r-3', [{ id: 'i-04' }, { id: 'i-05', ip: '127.0.3.9' }, { id: 'i-06', ip: '127.0.3.10' }])], NextToken: 'tok-2' })
      .resolvesOnce({ Reservations: [reservation('r-4', [{ id: 'i-07', ip: '127.0.1.11', state: 'stopped' }])] });

    const pages: PageProgress[] = [];
    const out = await compute().describeInstances(
      { imageIds: ['ami-0a1b2c3d4e5f60718'], tags: { Role: ['web', 'app'] }, states: ['running'] },
      { onPage: (p) => pages.push(p) },
    );

    expect(out.map((i) => i.id)).toEqual(['i-01', 'i-02', 'i-03', 'i-04', 'i-05', 'i-06', 'i-07']);
    expect(pages).toEqual([{ pages: 1, items: 3 }, { pages: 2, items: 6 }, { pages: 3, items: 7 }]);
    const calls = ec2.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.NextToken)).toEqual([undefined, 'tok-1', 'tok-2']);
    expect(calls[0]?.Filters).toEqual([
      { Name: 'tag:Role', Values: ['web', 'app'] },
      { Name: 'image-id', Values: ['ami-0a1b2c3d4e5f60718'] },
      { Name: 'instance-state-name', Values: ['running'] },
    ]);
    const first = out[0];
    expect(first).toMatchObject({ name: 'web-1', privateIp: '127.0.1.5', state: 'running', availabilityZone: 'us-east-1b' });
    expect(first?.tags).toEqual({ Name: 'web-1', 'aws:autoscaling:groupName': 'web-asg' });
    const noIp = out.find((i) => i.id === 'i-04');
    expect(noIp?.privateIp).toBeUndefined();
    expect(noIp?.name).toBeUndefined();
  });

  it('collects snapshot ids from image block device mappings (owner self)', async () => {
    ec2.on(DescribeImagesCommand).resolves({
      Images: [
        {
          ImageId: 'ami-0a1b2c3d4e5f60718',
          Name: 'application-2026-03',
          State: 'available',
          CreationDate: '2026-03-01T10:00:00.000Z',
          BlockDeviceMappings: [
            { DeviceName: '/dev/xvda', Ebs: { SnapshotId: 'snap-0aaa', VolumeSize: 8 } },
            { DeviceName: '/dev/sdb', VirtualName: 'ephemeral0' },
            { DeviceName: '/dev/sdf', Ebs: { SnapshotId: 'snap-0bbb', VolumeSize: 100 } },
          ],
        },
      ],
    });
    const [img] = await compute().describeImages();
    expect(img).toEqual({
      id: 'ami-0a1b2c3d4e5f60718',
      name: 'application-2026-03',
      state: 'available',
      creationDate: new Date('2026-03-01T10:00:00.000Z'),
      snapshotIds: ['snap-0aaa', 'snap-0bbb'],
    });
    expect(ec2.commandCalls(DescribeImagesCommand)[0]?.args[0].input.Owners).toEqual(['self']);
  });

  it('pages DescribeSnapshots (owner self, 1000 a page) and reports each page', async () => {
    const page = (from: number, n: number) =>
      Array.from({ length: n }, (_, k) => ({
        SnapshotId: `snap-${String(from + k).padStart(17, '0')}`,
        VolumeId: 'vol-0123456789abcdef0',
        StartTime: new Date(Date.UTC(2026, 0, 1, from + k)),
        State: 'completed' as const,
        Progress: '100%',
        VolumeSize: 500,
        Tags: from + k === 0 ? [{ Key: 'retain', Value: 'forever' }] : undefined,
      }));
    ec2
      .on(DescribeSnapshotsCommand)
      .resolvesOnce({ Snapshots: page(0, 1000), NextToken: 'a' })
      .resolvesOnce({ Snapshots: page(1000, 1000), NextToken: 'b' })
      .resolvesOnce({ Snapshots: page(2000, 250) });
    const pages: PageProgress[] = [];
    const out = await compute().describeSnapshots({ volumeIds: ['vol-0123456789abcdef0'] }, { onPage: (p) => pages.push(p) });
    expect(out).toHaveLength(2250);
    expect(pages).toEqual([{ pages: 1, items: 1000 }, { pages: 2, items: 2000 }, { pages: 3, items: 2250 }]);
    const input = ec2.commandCalls(DescribeSnapshotsCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ OwnerIds: ['self'], MaxResults: 1000, Filters: [{ Name: 'volume-id', Values: ['vol-0123456789abcdef0'] }] });
    expect(out[0]?.tags).toEqual({ retain: 'forever' });
    expect(out[2249]).toMatchObject({ state: 'completed', sizeGiB: 500, volumeId: 'vol-0123456789abcdef0' });
  });

  it('maps an EC2 ServiceException to a CloudError carrying the AWS code', async () => {
    ec2.on(DeleteSnapshotCommand).rejects(
      new EC2ServiceException({
        name: 'InvalidSnapshot.InUse',
        $fault: 'client',
        $metadata: { httpStatusCode: 400, requestId: 'req-1' },
        message: 'The snapshot snap-0aaa is currently in use by ami-0a1b2c3d4e5f60718',
      }),
    );
    const err = await compute().deleteSnapshot('snap-0aaa').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudError);
    expect(err).toMatchObject({ code: 'InvalidSnapshot.InUse', retryable: false, status: 400 });
    expect((err as Error).message).toContain('in use by ami-0a1b2c3d4e5f60718');
  });

  it('marks throttling as retryable so the executor backs off', async () => {
    ec2.on(DeleteSnapshotCommand).rejects(
      new EC2ServiceException({ name: 'RequestLimitExceeded', $fault: 'client', $metadata: { httpStatusCode: 503 }, message: 'Request limit exceeded.' }),
    );
    await expect(compute().deleteSnapshot('snap-0aaa')).rejects.toMatchObject({ code: 'RequestLimitExceeded', retryable: true });
  });
});

describe('error mapping for setup failures', () => {
  it('turns a missing region or credentials into codes with a fix, and lets aborts through', () => {
    expect(toCloudError(new Error('Region is missing'), 'DescribeInstances')).toMatchObject({
      code: 'RegionMissing',
      message: expect.stringContaining('--region'),
    });
    const noCreds = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    expect(toCloudError(noCreds, 'DescribeInstances')).toMatchObject({ code: 'CredentialsMissing', message: expect.stringContaining('--profile') });
    // Someone who already passed --profile must be told to check that profile, not only to pass one.
    expect((toCloudError(noCreds, 'DescribeInstances') as Error).message).toMatch(/list-profiles/);
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(toCloudError(abort, 'DeleteSnapshot')).toBe(abort);
  });
});

describe('Auto Scaling adapter', () => {
  it('pages groups and maps members and launch template', async () => {
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce({
        AutoScalingGroups: [
          {
            AutoScalingGroupName: 'web-asg',
            MinSize: 2,
            MaxSize: 12,
            DesiredCapacity: 3,
            DefaultCooldown: 300,
            AvailabilityZones: ['us-east-1a', 'us-east-1b'],
            HealthCheckType: 'EC2',
            CreatedTime: new Date('2025-01-01T00:00:00Z'),
            LaunchTemplate: { LaunchTemplateId: 'lt-0123', LaunchTemplateName: 'web-lt', Version: '$Latest' },
            Instances: [
              { InstanceId: 'i-01', AvailabilityZone: 'us-east-1a', LifecycleState: 'InService', HealthStatus: 'Healthy', ProtectedFromScaleIn: false },
              { InstanceId: 'i-02', AvailabilityZone: 'us-east-1b', LifecycleState: 'Pending', HealthStatus: 'Healthy', ProtectedFromScaleIn: false },
            ],
            Tags: [{ Key: 'Role', Value: 'web', ResourceId: 'web-asg', ResourceType: 'auto-scaling-group', PropagateAtLaunch: true }],
          },
        ],
        NextToken: 'n1',
      })
      .resolvesOnce({
        AutoScalingGroups: [
          { AutoScalingGroupName: 'batch', MinSize: 0, MaxSize: 1, DesiredCapacity: 0, DefaultCooldown: 300, AvailabilityZones: ['us-east-1a'], HealthCheckType: 'EC2', CreatedTime: new Date(), LaunchConfigurationName: 'batch-lc' },
        ],
      });
    const groups = await createAutoScaling(new AutoScalingClient({ region: 'us-east-1', credentials: creds })).describeGroups();
    expect(groups.map((g) => [g.name, g.launchTemplate])).toEqual([['web-asg', 'web-lt'], ['batch', 'batch-lc']]);
    expect(groups[0]?.instances.map((i) => `${i.id}:${i.lifecycleState}`)).toEqual(['i-01:InService', 'i-02:Pending']);
    expect(groups[0]?.tags).toEqual({ Role: 'web' });
    expect(asg.commandCalls(DescribeAutoScalingGroupsCommand)[1]?.args[0].input.NextToken).toBe('n1');
  });

  it('sends SetDesiredCapacity with the cooldown choice', async () => {
    asg.on(SetDesiredCapacityCommand).resolves({});
    await createAutoScaling(new AutoScalingClient({ region: 'us-east-1', credentials: creds })).setDesiredCapacity('web-asg', 4, { honorCooldown: true });
    expect(asg.commandCalls(SetDesiredCapacityCommand)[0]?.args[0].input).toEqual({ AutoScalingGroupName: 'web-asg', DesiredCapacity: 4, HonorCooldown: true });
  });
});

describe('client settings', () => {
  const withAws = (aws: Record<string, string>) => ({ ...defaultConfig(), aws });

  it('points clients at the configured endpoint, S3 path-style', async () => {
    const s = resolveAwsSettings({ config: withAws({ endpoint: 'http://127.0.0.1:4566', region: 'eu-west-1' }), env: {} });
    const client = await createEc2Client(s);
    expect(await client.config.endpoint?.()).toMatchObject({ hostname: '127.0.0.1', port: 4566, protocol: 'http:' });
    expect(await client.config.region()).toBe('eu-west-1');
    expect(await client.config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
    const s3 = await createS3Client(s);
    expect(s3.config.forcePathStyle).toBe(true);
  });

  it('honours AWS_ENDPOINT_URL; flags win over the config file', async () => {
    const s = resolveAwsSettings({
      config: withAws({ region: 'eu-west-1', profile: 'ops' }),
      region: 'us-west-2',
      profile: 'incident',
      maxAttempts: 7,
      env: { AWS_ENDPOINT_URL: 'http://localhost:9000' },
    });
    expect(s).toEqual({ region: 'us-west-2', profile: 'incident', endpoint: 'http://localhost:9000', maxAttempts: 7, connectTimeoutMs: 60_000, readTimeoutMs: 60_000 });
    const client = await createEc2Client(s);
    expect(await client.config.endpoint?.()).toMatchObject({ hostname: 'localhost', port: 9000 });
    expect(await client.config.maxAttempts()).toBe(7);
    const plain = resolveAwsSettings({ config: defaultConfig(), env: {} });
    expect((await createS3Client(plain)).config.forcePathStyle).toBe(false);
  });

  it('builds lazy ports: the AWS cloud says kind aws and reaches the mocked client on first use', async () => {
    ec2.on(DescribeImagesCommand).resolves({ Images: [] });
    const cloud = createAwsCloud(resolveAwsSettings({ config: withAws({ region: 'us-east-1' }), env: {} }));
    expect(cloud.kind).toBe('aws');
    expect(await cloud.compute.describeImages()).toEqual([]);
    expect(ec2.commandCalls(DescribeImagesCommand)).toHaveLength(1);
  });
});

describe('lazy SDK loading', () => {
  it('never resolves an @aws-sdk module for a sandbox cloud, and does for an AWS one', async () => {
    // A resolve hook that refuses @aws-sdk/* runs in a fresh process: the sandbox
    // path must work under it, the AWS path must trip it (proof the hook sees imports).
    const hook = encodeURIComponent(
      "export async function resolve(s, c, next) { if (s.startsWith('@aws-sdk/')) throw new Error('SDK_LOADED ' + s); return next(s, c); }",
    );
    const script = `
      import { register } from 'node:module';
      register(${JSON.stringify(`data:text/javascript,${hook}`)});
      const { createCloud } = await import('./src/cloud/index.ts');
      const { defaultConfig } = await import('./src/config/schema.ts');
      const { ManualClock } = await import('./src/core/clock.ts');
      const clock = new ManualClock('2026-06-15T12:00:00Z');
      const sb = await createCloud({ sandbox: true, config: defaultConfig(), clock });
      const ami = (await sb.objects.getObject('opsdeck-sandbox', 'ami-application')).toString().trim();
      const n = (await sb.compute.describeInstances({ imageIds: [ami], states: ['running'] })).length;
      console.log('sandbox ok', sb.kind, n > 0);
      const aws = await createCloud({ sandbox: false, config: defaultConfig(), clock, env: { AWS_REGION: 'us-east-1' } });
      try { await aws.compute.describeImages(); console.log('aws not blocked'); }
      catch (e) { console.log(String(e.message).includes('SDK_LOADED') ? 'aws blocked' : 'aws other ' + e.message); }
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: process.cwd(),
      timeout: 60_000,
    });
    expect(stdout.trim().split('\n')).toEqual(['sandbox ok sandbox true', 'aws blocked']);
  });
});
