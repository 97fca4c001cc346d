import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { compareData } from '../../src/database/checksum.js';
import type { MysqlConnection } from '../../src/mysql/connection.js';
import { replicationStatus } from '../../src/mysql/replication.js';
import { overrideProcessEnv } from '../services/env.js';
import type { MariaDbInstance } from '../services/mariadb.js';
import { startReplicaPair, type ReplicaPair } from './mysql-pair.js';

/** Checksums on a real source and replica: equal data says so; a row changed on the replica alone is named with its key range. */
let source: MariaDbInstance;
let replica: MariaDbInstance;
let src: MysqlConnection;
let rep: MysqlConnection;
let dir: string;
let restore: (() => void) | undefined;

const caughtUp = async (): Promise<void> => {
  for (let i = 0; i < 200; i++) {
    const s = await replicationStatus(rep);
    if (s?.sqlRunning && s.secondsBehind === 0 && Number(await rep.query('SELECT COUNT(*) AS n FROM shop.orders').then(([r]) => (r as { n: string }[])[0]?.n).catch(() => 0)) === 300) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the replica did not catch up');
};

let pair: ReplicaPair;

beforeAll(async () => {
  pair = await startReplicaPair([601, 602]);
  ({ source, replica, src, rep } = pair);
  await src.query('CREATE DATABASE shop');
  await src.query('CREATE TABLE shop.orders (id INT PRIMARY KEY, item VARCHAR(40), note VARCHAR(40) NULL) ENGINE=InnoDB');
  await src.query('CREATE TABLE shop.log (line VARCHAR(80)) ENGINE=MyISAM');
  const values = Array.from({ length: 300 }, (_, i) => `(${i * 3 + 1}, 'item ${i}', ${i % 7 === 0 ? 'NULL' : `'n${i}'`})`).join(',');
  await src.query(`INSERT INTO shop.orders VALUES ${values}`);
  await src.query("INSERT INTO shop.log VALUES ('started'), ('done')");
  await caughtUp();
  dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-checksum-'));
  restore = overrideProcessEnv({ XDG_STATE_HOME: path.join(dir, 'state') });
  writeFileSync(path.join(dir, 'opsdeck.yaml'), pair.configYaml());
}, 90_000);
afterAll(async () => {
  restore?.();
  await pair?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function cli(): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(['--config', path.join(dir, 'opsdeck.yaml'), 'db', 'checksum', '--source', 'db1', '--replica', 'db2', '--batch'], { stdout: (s) => (out += `${s}\n`), stderr: () => undefined, isTTY: false });
  return { code, out };
}

describe('db checksum', () => {
  it('equal data: every chunk and the key-less MyISAM table agree', async () => {
    const r = await compareData(src, rep, { chunkRows: 50 });
    expect(r).toMatchObject({ tables: 2, mismatches: [] });
    expect(r.chunks).toBe(7); // 300 keyed rows in chunks of 50, plus one whole-table checksum
    const c = await cli();
    expect(c.code).toBe(0);
    expect(c.out).toContain("db2 has db1's data");
  });

  it('a row changed on the replica alone is named with its key range, and stays a difference after the replica settles', async () => {
    await rep.query("UPDATE shop.orders SET note = 'edited on the replica' WHERE id = 301");
    await rep.query('CREATE TABLE shop.stray (id INT PRIMARY KEY)');
    let settled = 0;
    const r = await compareData(src, rep, { chunkRows: 50, settle: async () => void settled++ });
    expect(settled).toBe(2);
    expect(r.mismatches).toEqual([
      expect.objectContaining({ table: 'shop.orders', range: ['299', '448'] }),
      { table: 'shop.stray', range: undefined, source: 'missing', replica: 'present' },
    ]);
    expect(r.mismatches[0]?.source).toMatch(/^50 rows, crc \d+$/);
    const c = await cli();
    expect(c.code).toBe(1);
    expect(c.out).toMatch(/differs: shop\.orders keys …-…: db1 300 rows, crc \d+, db2 300 rows, crc \d+/);
  });

  it('BIGINT UNSIGNED keys above 2^53 keep every digit: all rows are compared, and a difference names its exact keys', async () => {
    const keys = ['9007199254740993', '9007199254740995', '9007199254740997', '18446744073709551614', '18446744073709551615'];
    await src.query('CREATE DATABASE big');
    await src.query('CREATE TABLE big.ids (id BIGINT UNSIGNED PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB');
    await src.query(`INSERT INTO big.ids VALUES ${keys.map((k, i) => `(${k}, 'v${i}')`).join(', ')}`);
    for (let i = 0; i < 200; i++) {
      const [r] = await rep.query('SELECT COUNT(*) AS n FROM big.ids').catch(() => [[{ n: 0 }]]);
      if (Number((r as { n: string }[])[0]?.n) === keys.length) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const big = async (): Promise<unknown[]> => (await compareData(src, rep, { chunkRows: 2 })).mismatches.filter((m) => m.table === 'big.ids');
    expect(await big()).toEqual([]);
    // two keys that one Number would read as the same 9007199254740996; and rows past 2^53 that an end at MAX_SAFE_INTEGER never saw
    await rep.query("UPDATE big.ids SET v = 'edited' WHERE id = 9007199254740997");
    expect(await big()).toEqual([expect.objectContaining({ range: ['9007199254740996', '18446744073709551614'] })]);
    await rep.query("UPDATE big.ids SET v = 'v2' WHERE id = 9007199254740997");
    await rep.query("UPDATE big.ids SET v = 'edited' WHERE id = 18446744073709551615");
    expect(await big()).toEqual([expect.objectContaining({ range: ['18446744073709551615', null] })]);
  });
});
