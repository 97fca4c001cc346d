import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOpsError } from '../../src/core/errors.js';
import { connectMysql, serverInfo, type MysqlConnection } from '../../src/mysql/connection.js';
import { replicationStatus } from '../../src/mysql/replication.js';
import { ensureMariaDb, startMariaDbInstance, type MariaDbHandle } from '../services/mariadb.js';
import { freePort } from '../services/ports.js';

let db: MariaDbHandle;
let conn: MysqlConnection;

beforeAll(async () => {
  db = await ensureMariaDb();
  conn = await connectMysql(db);
});

afterAll(async () => {
  await conn?.end();
  await db?.stop();
});

describe('MariaDB test rig', () => {
  it('answers a query over TCP', async () => {
    const [rows] = await conn.query('SELECT 1+1 AS two');
    expect(rows).toEqual([{ two: 2 }]);
  });

  it('reports the flavor and that a plain server replicates from nothing', async () => {
    const info = await serverInfo(conn);
    expect(info.flavor).toBe('mariadb');
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(await replicationStatus(conn)).toBeNull();
  });

  it('names the server but never the password when login fails', async () => {
    const secret = 'not-the-Password-42';
    const e = await connectMysql({ ...db, password: secret }).then(
      (c) => c.end().then(() => null),
      (err: unknown) => err,
    );
    expect(isOpsError(e)).toBe(true);
    if (!isOpsError(e)) return;
    expect(e.message).toContain(`${db.user}@127.0.0.1:${db.port}`);
    expect(`${e.message}\n${e.hint ?? ''}`).not.toContain(secret);
    expect(e.hint).toMatch(/user and password/);
  });

  it('says nothing listens when the port is closed', async () => {
    const port = await freePort();
    await expect(connectMysql({ host: '127.0.0.1', port, user: 'root' })).rejects.toMatchObject({
      code: 'MYSQL',
      hint: expect.stringContaining('nothing listens'),
    });
  });
});

describe('an extra independent instance', () => {
  it('starts on its own port with its own server id and stops cleanly', async () => {
    const t0 = Date.now();
    const extra = await startMariaDbInstance({ serverId: 42 });
    let stopped = false;
    try {
      expect(extra.port).not.toBe(db.port);
      const c = await connectMysql(extra);
      const info = await serverInfo(c);
      expect(info).toMatchObject({ flavor: 'mariadb', serverId: 42, readOnly: false });
      await c.query('CREATE DATABASE only_here');
      await c.end();
      // The database exists on the extra instance only.
      const [dbs] = await conn.query("SHOW DATABASES LIKE 'only_here'");
      expect(dbs).toEqual([]);
      await extra.stop();
      stopped = true;
      await expect(connectMysql({ ...extra, connectTimeoutMs: 2000 })).rejects.toMatchObject({ code: 'MYSQL' });
    } finally {
      if (!stopped) await extra.stop();
    }
    // ~2 s on an idle 2-core box; a hung start or stop fails the test by its timeout.
    console.log(`extra MariaDB instance: start, use and stop in ${Date.now() - t0} ms`);
  }, 60_000);
});
