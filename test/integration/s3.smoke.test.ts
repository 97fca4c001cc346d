import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAwsCloud, createS3Client, resolveAwsSettings } from '../../src/cloud/aws/index.js';
import { createS3ObjectStore } from '../../src/cloud/aws/objects.js';
import { CloudError } from '../../src/cloud/ports.js';
import type { ObjectStorePort, PageProgress } from '../../src/cloud/ports.js';
import { defaultConfig } from '../../src/config/schema.js';
import { startS3Server } from '../services/s3.js';
import type { S3ServerHandle } from '../services/s3.js';

let s3: S3ServerHandle;
let store: ObjectStorePort;
const BUCKET = 'opsdeck-it';

beforeAll(async () => {
  s3 = await startS3Server();
  await s3.bucket(BUCKET);
  // Credentials reach the SDK the production way: its default chain reads the environment.
  vi.stubEnv('AWS_ACCESS_KEY_ID', s3.credentials.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', s3.credentials.secretAccessKey);
  vi.stubEnv('AWS_PROFILE', '');
  const settings = resolveAwsSettings({
    config: { ...defaultConfig(), aws: { region: 'us-east-1', endpoint: s3.endpoint } },
    env: {},
  });
  store = createS3ObjectStore(await createS3Client(settings), { pageSize: 7 });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await s3?.stop();
});

describe('S3 object store adapter against s3rver', () => {
  it('round-trips bytes exactly (binary, not only text)', async () => {
    const body = Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 13, 0x80, ...Buffer.from('ami-0a1b2c3d4e5f60718\n')]);
    await store.putObject(BUCKET, 'pointer/ami-application', body, { contentType: 'application/octet-stream' });
    const back = await store.getObject(BUCKET, 'pointer/ami-application');
    expect(back.equals(body)).toBe(true);
  });

  it('lists every object across pages, in key order, with sizes', async () => {
    const keys = Array.from({ length: 23 }, (_, i) => `frames/2026-06-15/${String(i).padStart(3, '0')}.jpg`);
    for (const k of keys) await store.putObject(BUCKET, k, `frame ${k}`);
    await store.putObject(BUCKET, 'other/skip.txt', 'not under the prefix');
    const pages: PageProgress[] = [];
    const listed = await store.listObjects(BUCKET, 'frames/', { onPage: (p) => pages.push(p) });
    expect(listed.map((o) => o.key)).toEqual(keys);
    expect(listed[0]?.size).toBe(Buffer.byteLength(`frame ${keys[0]}`));
    // 23 keys at 7 a page: 4 pages, the continuation token followed to the end.
    expect(pages).toEqual([
      { pages: 1, items: 7 },
      { pages: 2, items: 14 },
      { pages: 3, items: 21 },
      { pages: 4, items: 23 },
    ]);
  });

  it('reports a missing key as CloudError NoSuchKey (404)', async () => {
    const err = await store.getObject(BUCKET, 'no/such/key').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudError);
    expect(err).toMatchObject({ code: 'NoSuchKey', status: 404, retryable: false });
  });

  it('reports a missing bucket as NoSuchBucket through the lazy AWS cloud (AWS_ENDPOINT_URL)', async () => {
    const cloud = createAwsCloud(
      resolveAwsSettings({ config: { ...defaultConfig(), aws: { region: 'us-east-1' } }, env: { AWS_ENDPOINT_URL: s3.endpoint } }),
    );
    await expect(cloud.objects.getObject('opsdeck-missing-bucket', 'x')).rejects.toMatchObject({ code: 'NoSuchBucket' });
    await cloud.objects.putObject(BUCKET, 'via-cloud', 'hello');
    expect((await cloud.objects.getObject(BUCKET, 'via-cloud')).toString()).toBe('hello');
  });
});
