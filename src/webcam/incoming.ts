/**
 * Where ingest takes frames from: the incoming folder (files quiet for
 * quiescenceSeconds, an uploader may still be writing) or an S3 incoming
 * prefix (a PUT is atomic: every listed object is complete). Both go
 * through the same ingest steps; only listing, reading, removing and
 * rejecting differ, and the frame leaves incoming only through remove()
 * (after objects, row and archive are confirmed) or reject().
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { CloudError, type ObjectStorePort } from '../cloud/ports.js';
import { systemClock, type Clock } from '../core/clock.js';
import { deadline, raceSignal } from '../core/deadline.js';
import { ensureDir } from '../core/dirs.js';
import { retry } from '../core/retry.js';
import { md5Base64 } from './images.js';
import { isPartial, type WebcamPaths } from './paths.js';

export interface IncomingFile {
  name: string;
  size: number;
  mtimeMs: number;
}

export type Fetched = { body: Buffer; mtimeMs: number } | { skip: string };

export interface FrameSource {
  /** for the plan and messages: a folder, or s3://bucket/prefix */
  where: string;
  /** frames appear whole (an S3 PUT): nothing waits for quiescence */
  atomic: boolean;
  list(opts?: { signal?: AbortSignal }): Promise<IncomingFile[]>;
  /** the frame's bytes, or why it is left alone (gone or changed since the plan) */
  fetch(f: IncomingFile, opts?: { signal?: AbortSignal }): Promise<Fetched>;
  /** the frame is done: called only after its objects, archive copy and row are confirmed */
  remove(f: IncomingFile, opts?: { signal?: AbortSignal }): Promise<void>;
  /** out of incoming into rejected, with the reason beside it */
  reject(f: IncomingFile, body: Buffer, reason: string, opts?: { signal?: AbortSignal }): Promise<void>;
  /** frames waiting and frames refused, for the status; absent: the status counts the folders itself */
  counts?(opts?: { signal?: AbortSignal }): Promise<{ incoming: number; rejected: number }>;
}

async function exists(file: string): Promise<boolean> {
  return fsp.stat(file).then(
    () => true,
    () => false,
  );
}

export function folderSource(paths: Pick<WebcamPaths, 'incoming' | 'rejected'>): FrameSource {
  const file = (f: IncomingFile): string => path.join(paths.incoming, f.name);
  return {
    where: paths.incoming,
    atomic: false,
    async list() {
      await ensureDir(paths.incoming, { what: 'the webcam incoming folder' });
      const out: IncomingFile[] = [];
      for (const name of await fsp.readdir(paths.incoming)) {
        if (isPartial(name)) continue;
        const st = await fsp.stat(path.join(paths.incoming, name)).catch(() => undefined);
        if (st?.isFile()) out.push({ name, size: st.size, mtimeMs: st.mtimeMs });
      }
      return out;
    },
    async fetch(f) {
      const st = await fsp.stat(file(f)).catch(() => undefined);
      if (!st) return { skip: 'gone since the plan' };
      if (st.size !== f.size || st.mtimeMs !== f.mtimeMs) return { skip: 'changed since the plan: still being written?' };
      return { body: await fsp.readFile(file(f)), mtimeMs: st.mtimeMs };
    },
    remove: (f) => fsp.unlink(file(f)),
    async reject(f, _body, reason) {
      await ensureDir(paths.rejected, { what: 'the webcam rejected folder' });
      let target = path.join(paths.rejected, f.name);
      for (let i = 1; await exists(target); i++) target = path.join(paths.rejected, `${path.parse(f.name).name}.${i}${path.extname(f.name)}`);
      await fsp.writeFile(`${target}.reason.txt`, `${reason}\n`);
      await fsp.rename(file(f), target);
    },
  };
}

export interface S3SourceOptions {
  objects: ObjectStorePort;
  bucket: string;
  /** ends in /; frames are the objects directly under it */
  prefix: string;
  /** per call attempt: a stalled endpoint fails the run instead of holding the ingest lock */
  timeoutMs: number;
  /** retries after the first attempt (default 4, jittered backoff) */
  retries?: number;
  clock?: Clock;
}

/** Refused objects go here, beside the frames (not directly under the prefix, so never listed as frames). */
export const rejectedPrefix = (prefix: string): string => `${prefix}rejected/`;

export function s3Source(o: S3SourceOptions): FrameSource {
  const url = (key: string): string => `s3://${o.bucket}/${key}`;
  /** One call: a deadline per attempt, retried with backoff when the error says it may pass. */
  const call = <T>(what: string, fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> =>
    retry(
      async () => {
        const limit = deadline(o.timeoutMs, what, 'S3 may be stalled; the frames stay in the incoming prefix for the next run (webcam.source.timeoutSeconds)');
        const both = signal ? AbortSignal.any([signal, limit.signal]) : limit.signal;
        try {
          return await raceSignal(fn(both), both);
        } finally {
          limit.dispose();
        }
      },
      { retries: o.retries ?? 4, baseMs: 250, clock: o.clock ?? systemClock, ...(signal ? { signal } : {}) },
    );
  const key = (f: IncomingFile): string => `${o.prefix}${f.name}`;
  const frameName = (k: string): string | undefined => {
    const name = k.slice(o.prefix.length);
    // rejected/ and any other "folder" below the prefix are not frames
    return !name || name.includes('/') || isPartial(name) ? undefined : name;
  };
  return {
    where: url(o.prefix),
    atomic: true,
    async list(opts = {}) {
      const listed = await call(`listing ${url(o.prefix)}`, (signal) => o.objects.listObjects(o.bucket, o.prefix, { signal }), opts.signal);
      const out: IncomingFile[] = [];
      for (const x of listed) {
        const name = frameName(x.key);
        if (name !== undefined) out.push({ name, size: x.size, mtimeMs: x.lastModified?.getTime() ?? 0 });
      }
      return out;
    },
    async counts(opts = {}) {
      // one listing answers both: rejected/ is below the prefix
      const keys = (await call(`listing ${url(o.prefix)}`, (signal) => o.objects.listObjects(o.bucket, o.prefix, { signal }), opts.signal)).map((x) => x.key);
      const rejected = rejectedPrefix(o.prefix);
      return { incoming: keys.filter((k) => frameName(k) !== undefined).length, rejected: keys.filter((k) => k.startsWith(rejected) && !k.endsWith('.reason.txt')).length };
    },
    async fetch(f, opts = {}) {
      try {
        const body = await call(`download of ${url(key(f))}`, (signal) => o.objects.getObject(o.bucket, key(f), { signal }), opts.signal);
        // a re-delivery replaces the object whole (same name, the same frame): whatever is there now is complete
        return { body, mtimeMs: f.mtimeMs };
      } catch (e) {
        if (e instanceof CloudError && e.code === 'NoSuchKey') return { skip: 'gone since the plan' };
        throw e;
      }
    },
    async remove(f, opts = {}) {
      await call(`deletion of ${url(key(f))}`, (signal) => o.objects.deleteObject(o.bucket, key(f), { signal }), opts.signal);
    },
    async reject(f, body, reason, opts = {}) {
      // reason and copy first, the incoming object last: a crash in between rejects it again (same keys) next run
      const target = `${rejectedPrefix(o.prefix)}${f.name}`;
      await call(`upload of ${url(`${target}.reason.txt`)}`, (signal) => o.objects.putObject(o.bucket, `${target}.reason.txt`, `${reason}\n`, { contentType: 'text/plain; charset=utf-8', signal }), opts.signal);
      await call(`upload of ${url(target)}`, (signal) => o.objects.putObject(o.bucket, target, body, { contentType: 'application/octet-stream', contentMd5: md5Base64(body), signal }), opts.signal);
      await this.remove(f, opts);
    },
  };
}
