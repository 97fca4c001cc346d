/**
 * A dropped MySQL link in the middle of an ingest: the server kills the
 * table's connection (KILL from another session, as a failover, a restart or
 * wait_timeout would) between two images. The ingest connects again and
 * retries, and every image ends up recorded exactly once.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { defaultConfig } from '../../src/config/defaults.js';
import { connectMysql, type MysqlConnection } from '../../src/mysql/connection.js';
import type { WebcamConfig } from '../../src/webcam/config.js';
import { applyIngest, planIngest } from '../../src/webcam/ingest.js';
import { webcamPaths } from '../../src/webcam/paths.js';
import { mysqlImageTable } from '../../src/webcam/table-mysql.js';
import type { ImageTable } from '../../src/webcam/table.js';
import { cameraJpeg, deliver, filesBelow, startWebcamRig, type WebcamRig } from './webcam-rig.js';

const BUCKET = 'webcam-reconnect-it';
const config: WebcamConfig = { ...defaultConfig().webcam, sizes: [160], bucket: BUCKET };
const T = (h: number, m: number): Date => new Date(Date.UTC(2026, 5, 15, h + 7, m)); // local PDT wall time
let rig: WebcamRig;
let admin: MysqlConnection;

beforeAll(async () => {
  rig = await startWebcamRig(BUCKET, vi.stubEnv);
  await rig.table.ensure();
  admin = await connectMysql(rig.db);
}, 120_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await admin?.end();
  await rig?.stop();
});

/** The rig's database through its own connections, each one's server thread id noted so the test can kill it. */
async function trackedTable(onConnect: (c: MysqlConnection) => void = () => {}): Promise<{ table: ImageTable; threads: number[] }> {
  const threads: number[] = [];
  const table = await mysqlImageTable(
    async () => {
      const c = await connectMysql(rig.db);
      threads.push(c.threadId);
      onConnect(c);
      return c;
    },
    rig.database,
    'webcam_images',
  );
  return { table, threads };
}

describe('ingest when the MySQL connection is killed', () => {
  it('reconnects and retries after a kill mid-statement and a kill while idle, and records every image once', async () => {
    const paths = webcamPaths({}, path.join(rig.dir, 'killed'));
    const frames = await Promise.all([0, 1, 2].map((i) => cameraJpeg(500 + i, T(13, i * 5))));
    for (const [i, b] of frames.entries()) await deliver(paths.incoming, `IMG_${5000 + i}.JPG`, b);
    const { table, threads } = await trackedTable();
    const locker = await connectMysql(rig.db);
    let upserts = 0;
    let killedInFlight: Promise<void> | undefined;
    const killing: ImageTable = {
      ...table,
      async upsert(row) {
        const r = await table.upsert(row);
        upserts++;
        const thread = threads.at(-1)!;
        if (upserts === 1) {
          // the next image's lookup waits behind a write lock and is killed while it waits: that statement fails
          await locker.query(`LOCK TABLES \`${rig.database}\`.webcam_images WRITE`);
          killedInFlight = (async () => {
            await waitFor(() => runningOn(thread, 'SELECT * FROM'));
            await admin.query(`KILL ${thread}`);
            await locker.query('UNLOCK TABLES');
          })();
        } else if (upserts === 2) {
          await admin.query(`KILL ${thread}`);
        }
        return r;
      },
    };
    const before = await rig.table.count();
    try {
      const plan = await planIngest(paths, config, new Date());
      const r = await applyIngest(plan, { config, paths, objects: rig.objects, bucket: BUCKET, table: killing, clock: systemClock });
      await killedInFlight;
      expect(r.failed).toEqual([]);
      expect(r.ingested.map((i) => [i.name, i.existing])).toEqual([0, 1, 2].map((i) => [`IMG_${5000 + i}.JPG`, false]));
      // one connection to start and one after each kill
      expect(threads).toHaveLength(3);
      expect(filesBelow(paths.incoming)).toEqual([]);
      const rows = (await rig.table.latest(1000)).filter((x) => /^IMG_500\d\.JPG$/.test(x.sourceName));
      expect(rows.map((x) => x.sourceName).sort()).toEqual(['IMG_5000.JPG', 'IMG_5001.JPG', 'IMG_5002.JPG']);
      expect(await rig.table.count()).toBe(before + 3);
    } finally {
      await locker.end();
      await table.close().catch(() => {});
    }
  }, 60_000);

  it('a connection the server closed while idle is replaced before the next statement, without an error', async () => {
    const conns: MysqlConnection[] = [];
    const { table, threads } = await trackedTable((c) => conns.push(c));
    try {
      const ended = new Promise<void>((resolve) => conns[0]!.once('end', resolve));
      await admin.query(`KILL ${threads[0]!}`);
      await ended;
      expect(await table.count()).toBe(await rig.table.count());
      expect(threads).toHaveLength(2);
    } finally {
      await table.close();
    }
  });

  it('a statement whose connection is killed under it fails as retryable, and the next one runs on a new connection', async () => {
    const { table, threads } = await trackedTable();
    const locker = await connectMysql(rig.db);
    try {
      // the table's read waits behind a write lock, so the kill lands while it is in flight
      await locker.query(`LOCK TABLES \`${rig.database}\`.webcam_images WRITE`);
      // settled into a value at once: the rejection lands while this test still awaits the KILL
      const reading = table.count().then(() => 'answered', (e: unknown) => e);
      await waitFor(() => runningOn(threads[0]!, 'SELECT COUNT(*)'));
      await admin.query(`KILL ${threads[0]!}`);
      expect(await reading).toMatchObject({ code: 'MYSQL', retryable: true });
      await locker.query('UNLOCK TABLES');
      expect(await table.count()).toBe(await rig.table.count());
      expect(threads).toHaveLength(2);
    } finally {
      await locker.end();
      await table.close();
    }
  });
});

/** Whether the server thread is running a statement that starts so. */
async function runningOn(thread: number, start: string): Promise<boolean> {
  const [rows] = await admin.query('SELECT INFO FROM information_schema.PROCESSLIST WHERE ID = ?', [thread]);
  return String((rows as { INFO: unknown }[])[0]?.INFO ?? '').startsWith(start);
}

async function waitFor(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting for the statement to block');
    await new Promise((r) => setTimeout(r, 20));
  }
}
