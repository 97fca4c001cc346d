import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { readMyCnf } from '../../src/database/mycnf.js';
import { connectMysql, serverInfo } from '../../src/mysql/connection.js';
import { overrideProcessEnv } from '../services/env.js';
import { startMariaDbInstance, type MariaDbInstance } from '../services/mariadb.js';

/**
 * Drift: a my.cnf with includes, units and aliases against a real server, and
 * two real servers with different temp table sizes (the seed's RDS lesson).
 */
let a: MariaDbInstance;
let b: MariaDbInstance;
let cached: MariaDbInstance;
let dir: string;
let restore: (() => void) | undefined;

beforeAll(async () => {
  [a, b, cached] = await Promise.all([
    startMariaDbInstance({ serverId: 501, extraArgs: ['--tmp-table-size=64M', '--max-heap-table-size=64M'] }),
    startMariaDbInstance({ serverId: 502, extraArgs: ['--tmp-table-size=16M', '--max-heap-table-size=16M'] }),
    startMariaDbInstance({ serverId: 503, extraArgs: ['--query-cache-type=1', '--query-cache-size=16M'] }),
  ]);
  dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-drift-'));
  restore = overrideProcessEnv({ XDG_STATE_HOME: path.join(dir, 'state') });
  const db = (d: MariaDbInstance): string => `    host: 127.0.0.1\n    port: ${d.port}\n    user: ${d.user}\n    password: ${d.password}\n`;
  writeFileSync(path.join(dir, 'opsdeck.yaml'), `mysql:\n  old:\n${db(a)}  new:\n${db(b)}  cached:\n${db(cached)}`);
}, 90_000);
afterAll(async () => {
  restore?.();
  await Promise.all([a?.stop(), b?.stop(), cached?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

async function drift(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(['--config', path.join(dir, 'opsdeck.yaml'), 'db', 'drift', ...args, '--batch'], { stdout: (s) => (out += `${s}\n`), stderr: () => undefined, isTTY: false });
  return { code, out };
}

describe('db drift', () => {
  it('reads a my.cnf the way the server does: includes, server sections only, units, dashes, loose-, later wins', async () => {
    const etc = path.join(dir, 'etc');
    mkdirSync(path.join(etc, 'conf.d'), { recursive: true });
    writeFileSync(path.join(etc, 'my.cnf'), '[client]\nport = 1\n\n[mysqld]\ntmp-table-size = 32M   # raised for reports\nskip-name-resolve\n!includedir conf.d\n');
    writeFileSync(path.join(etc, 'conf.d', '50-server.cnf'), '[mariadb]\nmax_heap_table_size=16M\nloose-innodb-flush-log-at-trx-commit = 2\n');
    writeFileSync(path.join(etc, 'conf.d', '90-late.cnf'), '[server]\ntmp_table_size = 64M\n');
    writeFileSync(path.join(etc, 'conf.d', 'README'), 'not a cnf file\n');
    const cnf = await readMyCnf(path.join(etc, 'my.cnf'));
    expect(cnf.get('port')).toBeUndefined();
    expect(cnf.get('tmp_table_size')).toMatchObject({ value: String(64 * 1024 * 1024), file: path.join(etc, 'conf.d', '90-late.cnf'), line: 2 });
    expect(cnf.get('max_heap_table_size')?.value).toBe(String(16 * 1024 * 1024));
    expect(cnf.get('innodb_flush_log_at_trx_commit')?.value).toBe('2');
    expect(cnf.get('skip_name_resolve')?.value).toBe('1');

    // against server "old" (tmp 64M, heap 64M, flush 1): the file's heap and flush differ, and the file itself caps tmp at 16M
    const r = await drift('--target', 'old', '--cnf', path.join(etc, 'my.cnf'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`max_heap_table_size\\s+16M\\s+67108864\\s+${path.join(etc, 'conf.d', '50-server.cnf').replace(/[/.]/g, '\\$&')}:2`));
    expect(r.out).toMatch(/innodb_flush_log_at_trx_commit\s+2\s+1\s/);
    expect(r.out).not.toMatch(/^tmp_table_size/m);
    expect(r.out).toContain('warning: my.cnf: tmp_table_size 64M and max_heap_table_size 16M differ: in-memory temporary tables stop at the smaller, 16M');
    expect(r.out).toContain('innodb_flush_log_at_trx_commit: 1 flushes the redo log at every commit');
  });

  it('reads only the versioned sections of the server\'s own version, [client-server] on MariaDB, and follows !include FILE', async () => {
    const etc = path.join(dir, 'etc-versions');
    mkdirSync(etc, { recursive: true });
    const conn = await connectMysql(a);
    const version = (await serverInfo(conn)).version;
    await conn.end();
    const [major, minor] = version.split('.');
    writeFileSync(
      path.join(etc, 'my.cnf'),
      [
        '[mysqld]',
        'max_connections = 151',
        // a MySQL 8.0 line beside a MariaDB server: the drift the issue saw
        '[mysqld-8.0]',
        'sync_binlog = 1',
        '[mariadb-10.3]',
        'max_connections = 10',
        `[mariadb-${major}.${minor}]`,
        'max_connections = 200',
        '[client-server]',
        'socket = /run/mysqld/other.sock',
        '!include extra/late.cnf',
        '',
      ].join('\n'),
    );
    mkdirSync(path.join(etc, 'extra'));
    writeFileSync(path.join(etc, 'extra', 'late.cnf'), '[mysqld]\nmax_heap_table_size = 32M\n');
    const cnf = await readMyCnf(path.join(etc, 'my.cnf'), undefined, version);
    expect(cnf.get('sync_binlog')).toBeUndefined();
    expect(cnf.get('max_connections')).toMatchObject({ value: '200', line: 8 });
    expect(cnf.get('socket')).toMatchObject({ raw: '/run/mysqld/other.sock', line: 10 });
    expect(cnf.get('max_heap_table_size')).toMatchObject({ value: String(32 * 1024 * 1024), file: path.join(etc, 'extra', 'late.cnf'), line: 2 });
    // a MySQL 8.0 server reads [mysqld-8.0] and neither MariaDB section
    const mysql8 = await readMyCnf(path.join(etc, 'my.cnf'), undefined, '8.0.36');
    expect([mysql8.get('sync_binlog')?.value, mysql8.get('max_connections')?.value, mysql8.get('socket')]).toEqual(['1', '151', undefined]);

    const r = await drift('--target', 'old', '--cnf', path.join(etc, 'my.cnf'));
    expect(r.out).not.toMatch(/^sync_binlog/m);
    expect(r.out).toMatch(new RegExp(`^max_connections\\s+200\\s+151\\s+${path.join(etc, 'my.cnf').replace(/[/.]/g, '\\$&')}:8`, 'm'));
    expect(r.out).toMatch(/^max_heap_table_size\s+32M\s+67108864\s+\S+late\.cnf:2/m);
  });

  it('two servers: the temp table sizes that differ, first, with why they matter; exit 1', async () => {
    const r = await drift('--target', 'new', '--against', 'old');
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^VARIABLE\s+OLD\s+NEW\s+WHY IT MATTERS/);
    expect(lines.slice(1, 3).join('\n')).toMatch(/max_heap_table_size\s+67108864\s+16777216[\s\S]*tmp_table_size\s+67108864\s+16777216\s+in-memory temporary tables/);
    expect(r.out).not.toMatch(/^server_id/m);
    const same = await drift('--target', 'old', '--against', 'old');
    expect(same.code).toBe(0);
    expect(same.out.trim()).toBe('old: no drift against old');
  });

  it('a server that runs the query cache is flagged by a my.cnf check of that one server, though the file matches it', async () => {
    const cnf = path.join(dir, 'cached.cnf');
    writeFileSync(cnf, '[mysqld]\nquery_cache_type = 1\nquery-cache-size = 16M\n');
    const r = await drift('--target', 'cached', '--cnf', cnf);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^warning: cached: the query cache is on \(query_cache_type ON, query_cache_size 16M\): every write empties its table's cached results under one global lock/m);
    expect(r.out).not.toMatch(/^error:/m);
    // the same server with the cache off in its file: still flagged, for what it runs with now
    writeFileSync(cnf, '[mysqld]\nquery_cache_type = 0\n');
    const off = await drift('--target', 'cached', '--cnf', cnf);
    expect(off.out).toMatch(/query_cache_type\s+0\s+1\s/);
    expect(off.out).toMatch(/^warning: cached: the query cache is on/m);
  });
});
