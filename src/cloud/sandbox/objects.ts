import { createHash } from 'node:crypto';
import { ensureDirSync } from '../../core/dirs.js';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ListOptions, ObjectInfo, ObjectStorePort, PutObjectOptions } from '../ports.js';
import { CloudError } from '../ports.js';

interface Stored {
  body: Buffer;
  lastModified: Date;
}

/**
 * An in-memory S3 stand-in with S3's error codes (NoSuchBucket, NoSuchKey).
 * With `dir`, objects are also written to `dir/<bucket>/<encoded key>` and
 * read back on start, so a sandbox session keeps its webcam frames.
 */
export class SandboxObjectStore implements ObjectStorePort {
  private readonly buckets = new Map<string, Map<string, Stored>>();

  constructor(
    private readonly nowMs: () => number,
    private readonly dir?: string,
  ) {
    if (dir) this.load(dir);
  }

  private load(dir: string): void {
    ensureDirSync(dir, { what: 'the sandbox object store' });
    for (const bucket of readdirSync(dir)) {
      const bdir = join(dir, bucket);
      if (!statSync(bdir).isDirectory()) continue;
      const objects = this.bucketOrCreate(bucket);
      for (const file of readdirSync(bdir)) {
        const path = join(bdir, file);
        objects.set(decodeURIComponent(file), { body: readFileSync(path), lastModified: statSync(path).mtime });
      }
    }
  }

  private bucketOrCreate(name: string): Map<string, Stored> {
    let b = this.buckets.get(name);
    if (!b) this.buckets.set(name, (b = new Map()));
    return b;
  }

  createBucket(name: string): void {
    this.bucketOrCreate(name);
    if (this.dir) ensureDirSync(join(this.dir, name));
  }

  private bucket(name: string): Map<string, Stored> {
    const b = this.buckets.get(name);
    if (!b) throw new CloudError('NoSuchBucket', `The specified bucket does not exist: ${name}`, { status: 404 });
    return b;
  }

  async getObject(bucket: string, key: string): Promise<Buffer> {
    const o = this.bucket(bucket).get(key);
    if (!o) throw new CloudError('NoSuchKey', `The specified key does not exist: s3://${bucket}/${key}`, { status: 404 });
    return Buffer.from(o.body);
  }

  async putObject(bucket: string, key: string, body: Buffer | string, opts: PutObjectOptions = {}): Promise<void> {
    const objects = this.bucket(bucket);
    const buf = Buffer.from(body);
    if (opts.contentMd5 !== undefined && createHash('md5').update(buf).digest('base64') !== opts.contentMd5) {
      throw new CloudError('BadDigest', `The Content-MD5 you specified did not match what we received: s3://${bucket}/${key}`, { status: 400 });
    }
    objects.set(key, { body: buf, lastModified: new Date(this.nowMs()) });
    if (this.dir) {
      ensureDirSync(join(this.dir, bucket));
      writeFileSync(join(this.dir, bucket, encodeURIComponent(key)), buf);
    }
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    // like S3: deleting a missing key succeeds, a missing bucket does not
    this.bucket(bucket).delete(key);
    if (this.dir) rmSync(join(this.dir, bucket, encodeURIComponent(key)), { force: true });
  }

  async listObjects(bucket: string, prefix = '', opts: ListOptions = {}): Promise<ObjectInfo[]> {
    const out: ObjectInfo[] = [];
    for (const [key, o] of this.bucket(bucket)) {
      if (key.startsWith(prefix)) out.push({ key, size: o.body.length, lastModified: o.lastModified });
    }
    // S3 lists in UTF-8 binary key order.
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    opts.onPage?.({ pages: 1, items: out.length });
    return out;
  }
}
