/**
 * Shared by the webcam integration tests and the bench: camera-like JPEGs
 * (sharp, with EXIF capture times), and the real S3 and MySQL ends of an
 * ingest (s3rver on loopback, the rig's MariaDB).
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { createS3ObjectStore } from '../../src/cloud/aws/objects.js';
import { createS3Client, resolveAwsSettings } from '../../src/cloud/aws/index.js';
import type { ObjectStorePort } from '../../src/cloud/ports.js';
import { defaultConfig } from '../../src/config/defaults.js';
import { connectMysql } from '../../src/mysql/connection.js';
import { mysqlImageTable } from '../../src/webcam/table-mysql.js';
import type { ImageTable } from '../../src/webcam/table.js';
import { ensureMariaDb, type MariaDbHandle } from '../services/mariadb.js';
import { startS3Server, type S3ServerHandle } from '../services/s3.js';

/** A frame as a camera writes it: a gradient unique to `seed`, DateTimeOriginal in local time with its offset. */
export async function cameraJpeg(seed: number, at: Date, opts: { width?: number; height?: number; offset?: string | null } = {}): Promise<Buffer> {
  const width = opts.width ?? 800;
  const height = opts.height ?? 600;
  const offset = opts.offset === undefined ? '-07:00' : opts.offset;
  const offMin = offset ? (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) : 0;
  const wall = new Date(at.getTime() + offMin * 60_000).toISOString();
  const exifDate = `${wall.slice(0, 10).replace(/-/g, ':')} ${wall.slice(11, 19)}`;
  const hue = (seed * 47) % 360;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g"><stop offset="0" stop-color="hsl(${hue},70%,40%)"/><stop offset="1" stop-color="hsl(${(hue + 90) % 360},60%,70%)"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/><circle cx="${(seed * 37) % width}" cy="${(seed * 53) % height}" r="${20 + (seed % 30)}" fill="#fff"/></svg>`;
  return sharp(Buffer.from(svg))
    .withExif({ IFD0: { Make: 'Canon', Model: 'PowerShot A640' }, IFD2: { DateTimeOriginal: exifDate, ...(offset ? { OffsetTimeOriginal: offset } : {}) } })
    .jpeg({ quality: 92 })
    .toBuffer();
}

/** Writes a frame into a folder as delivered long enough ago to be taken (mtime in the past). */
export async function deliver(dir: string, name: string, body: Buffer, ageSeconds = 120): Promise<string> {
  await fsp.mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  await fsp.writeFile(file, body);
  const t = new Date(Date.now() - ageSeconds * 1000);
  await fsp.utimes(file, t, t);
  return file;
}

/** The production S3 adapter pointed at s3rver; the SDK's default chain reads the credentials, so set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY first. */
export async function s3Store(s3: Pick<S3ServerHandle, 'endpoint'>): Promise<ObjectStorePort> {
  const settings = resolveAwsSettings({ config: { ...defaultConfig(), aws: { region: 'us-east-1', endpoint: s3.endpoint } }, env: {} });
  return createS3ObjectStore(await createS3Client(settings));
}

/** A private database per test file on the rig's server, dropped by drop(). */
export async function mysqlTable(db: MariaDbHandle, database = `webcam_it_${randomBytes(4).toString('hex')}`): Promise<{ table: ImageTable; database: string; drop(): Promise<void> }> {
  const table = await mysqlImageTable(() => connectMysql(db), database, 'webcam_images');
  return {
    table,
    database,
    async drop() {
      await table.close();
      const conn = await connectMysql(db);
      try {
        await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
      } finally {
        await conn.end();
      }
    },
  };
}

/** Every regular file below `dir` (relative paths), skipping dot-files when asked. */
export function filesBelow(dir: string, opts: { dotFiles?: boolean } = {}): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = path.join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (opts.dotFiles || !n.startsWith('.')) out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

export interface WebcamRig {
  s3: S3ServerHandle;
  db: MariaDbHandle;
  objects: ObjectStorePort;
  table: ImageTable;
  /** the table's private database (a child process opens its own connection to it) */
  database: string;
  /** a fresh temp dir for the spool */
  dir: string;
  stop(): Promise<void>;
}

/**
 * s3rver with `bucket`, the rig's MariaDB with a private database, the SDK's
 * credentials pointed at s3rver (vi.stubEnv), and a temp spool: the world an
 * ingest or timelapse test runs in. Call stop() in afterAll.
 */
export async function startWebcamRig(bucket: string, stubEnv: (name: string, value: string) => void): Promise<WebcamRig> {
  const [s3, db] = await Promise.all([startS3Server(), ensureMariaDb()]);
  await s3.bucket(bucket);
  stubEnv('AWS_ACCESS_KEY_ID', s3.credentials.accessKeyId);
  stubEnv('AWS_SECRET_ACCESS_KEY', s3.credentials.secretAccessKey);
  stubEnv('AWS_PROFILE', '');
  const objects = await s3Store(s3);
  const { table, database, drop } = await mysqlTable(db);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-webcam-it-'));
  return {
    s3,
    db,
    objects,
    table,
    database,
    dir,
    async stop() {
      await drop();
      await Promise.all([s3.stop(), db.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
