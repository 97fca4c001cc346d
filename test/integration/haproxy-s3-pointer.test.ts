import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createS3ObjectStore } from '../../src/cloud/aws/objects.js';
import { fleetConfigSchema } from '../../src/fleet/config.js';
import { discoverFleet } from '../../src/fleet/discover.js';
import { startS3Server, type S3ServerHandle } from '../services/s3.js';
import { FakeAws, fakeCloud, iid } from '../unit/fleet-fixtures.js';

let s3: S3ServerHandle;
let client: S3Client;
const aws = new FakeAws();
const fleet = fleetConfigSchema.parse({ discovery: { amiPointer: 's3://deploy/ami-application' } });
const put = (body: string) => client.send(new PutObjectCommand({ Bucket: 'deploy', Key: 'ami-application', Body: body }));

beforeAll(async () => {
  s3 = await startS3Server();
  await s3.bucket('deploy');
  client = new S3Client({ endpoint: s3.endpoint, region: s3.region, credentials: s3.credentials, forcePathStyle: true });
});
afterAll(async () => {
  aws.restore();
  client?.destroy();
  await s3?.stop();
});
beforeEach(() => {
  aws.instances = [
    { id: iid(1), privateIp: '127.0.1.1', ami: 'ami-0123456789abcdef0' },
    { id: iid(2), privateIp: '127.0.1.2', ami: 'ami-0fedcba9876543210' },
  ];
});

describe('AMI pointer object on a real S3 server', () => {
  it('reads the AMI id (trailing newline and all) and discovers the instances running it', async () => {
    await put('ami-0123456789abcdef0\n');
    const r = await discoverFleet(fakeCloud(createS3ObjectStore(client)), fleet);
    expect(r.members.map((m) => m.instanceId)).toEqual([iid(1)]);
    // The recipe's way to roll a new image: change the small file, the pool follows.
    await put('ami-0fedcba9876543210');
    const next = await discoverFleet(fakeCloud(createS3ObjectStore(client)), fleet);
    expect(next.members.map((m) => m.instanceId)).toEqual([iid(2)]);
  });

  it('a missing pointer or one holding garbage fails discovery instead of emptying the pool', async () => {
    const missing = fleetConfigSchema.parse({ discovery: { amiPointer: 's3://deploy/no-such-key' } });
    await expect(discoverFleet(fakeCloud(createS3ObjectStore(client)), missing)).rejects.toMatchObject({
      code: 'DISCOVERY_FAILED',
      message: expect.stringContaining('reading the AMI pointer s3://deploy/no-such-key failed'),
    });
    await put('ami-01234567\n    server evil 127.6.6.6:80');
    await expect(discoverFleet(fakeCloud(createS3ObjectStore(client)), fleet)).rejects.toMatchObject({ code: 'DISCOVERY_FAILED' });
  });
});
