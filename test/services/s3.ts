import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startDaemon } from './daemon.js';
import { freePort } from './ports.js';

export interface S3ServerHandle {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  /** s3rver accepts only its own dummy key pair; SigV4 signatures are still checked. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: 'us-east-1';
  dir: string;
  /** Creates a bucket (idempotent). */
  bucket(name: string): Promise<void>;
  /** What s3rver logged (errors only): read it when a test fails. */
  logs(): string;
  stop(): Promise<void>;
}

const FIX = 'the s3rver dev dependency is missing or broken: run `npm ci` in the repo (s3rver is in devDependencies)';

/**
 * s3rver on 127.0.0.1, a spare port and a temp data dir: the real S3 REST
 * protocol (SigV4, XML errors, ListObjectsV2 continuation tokens).
 *
 * It runs in a child node with --openssl-legacy-provider rather than in the
 * test process: s3rver 3.7 encrypts continuation tokens with DES, which
 * OpenSSL 3 (Node >= 17) only offers from the legacy provider, and without it
 * every paged listing answers 500 InternalError.
 */
export async function startS3Server(): Promise<S3ServerHandle> {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('s3rver');
  } catch (e) {
    throw new Error(`s3rver did not start: ${(e as Error).message}\nfix: ${FIX}`);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-s3rver-'));
  const port = await freePort();
  const script = `
    const S3rver = require(${JSON.stringify(entry)});
    new S3rver({ address: '127.0.0.1', port: ${port}, silent: true, directory: ${JSON.stringify(dir)} })
      .run()
      .catch((e) => { console.error('s3rver:', e.message); process.exit(1); });
  `;
  let daemon;
  try {
    daemon = await startDaemon({
      name: 's3rver',
      command: process.execPath,
      args: ['--openssl-legacy-provider', '-e', script],
      port,
      timeoutMs: 15_000,
      fix: `${FIX}; check that loopback is up (ip addr show lo)`,
    });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  return {
    endpoint,
    credentials,
    region: 'us-east-1',
    dir,
    async bucket(name) {
      // Through the S3 API like any client would, not s3rver internals.
      const client = new S3Client({ endpoint, region: 'us-east-1', credentials, forcePathStyle: true });
      try {
        await client.send(new CreateBucketCommand({ Bucket: name }));
      } catch (e) {
        if ((e as Error).name !== 'BucketAlreadyOwnedByYou' && (e as Error).name !== 'BucketAlreadyExists') throw e;
      } finally {
        client.destroy();
      }
    },
    logs: () => daemon.output(),
    async stop() {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
