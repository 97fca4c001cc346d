import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareData } from '../../src/database/checksum.js';
import { fleetConfigSchema } from '../../src/fleet/config.js';
import { liveServers } from '../../src/haproxy/runtime.js';
import { connectMysql, type MysqlConnection } from '../../src/mysql/connection.js';
import { replicationStatus } from '../../src/mysql/replication.js';
import type { RunEvent } from '../../src/runbooks/engine.js';
import type { Inventory } from '../../src/runbooks/inputs.js';
import { readRun } from '../../src/runbooks/journal.js';
import { loadRunbookFile, shippedRunbookDir, type LoadedRunbook } from '../../src/runbooks/load.js';
import { resumable } from '../../src/runbooks/report.js';
import type { StepSpec } from '../../src/runbooks/schema.js';
import { startMariaDbInstances, type MariaDbInstance } from '../services/mariadb.js';
import { startSshd, type SshdHandle } from '../services/sshd.js';
import { startPoolRig, type PoolRig, withMaintenancePage } from './haproxy-pool-rig.js';
import { coldServer, fillShopAndWiki, type ColdServer } from './mysql-cold-rig.js';
import { breakReplication } from './mysql-pair.js';
import { RunbookRig } from './runbook-rig.js';

/**
 * The shipped mysql-resync (the seed's cold copy) on two real MariaDB servers
 * stopped and started over a real sshd, behind a real haproxy's maintenance
 * page. The source (A) took over after a failover and has the good data; the
 * target (B), the old primary, has a lost write and a row of its own that
 * stopped A's replication on a duplicate key. Each run is checked for what
 * a person would look at afterwards: who replicates from whom, whether a new
 * write arrives, whether the data is equal, what was copied, the page.
 */
let sshd: SshdHandle;
let pool: PoolRig;
let rig: RunbookRig;
let a: ColdServer;
let b: ColdServer;
let loaded: LoadedRunbook;

/** One account on both: a whole-datadir copy gives the target the source's accounts (set up below). */
const login = (s: ColdServer) => ({ host: s.inst.host, port: s.inst.port, user: s.inst.user, password: a.inst.password });
const connect = (s: ColdServer): Promise<MysqlConnection> => connectMysql(login(s));
async function q<T = Record<string, unknown>>(s: ColdServer, sql: string): Promise<T[]> {
  const c = await connect(s);
  try {
    return (await c.query(sql))[0] as T[];
  } finally {
    c.destroy();
  }
}


beforeAll(async () => {
  const [servers, d, p, r] = await Promise.all([startMariaDbInstances([711, 712]), startSshd(), startPoolRig({ initialConfig: withMaintenancePage }), RunbookRig.create()]);
  [sshd, pool, rig] = [d, p, r];
  const [x, y] = servers;
  if (!x || !y) throw new Error('the rig started fewer than two MariaDB servers');
  [a, b] = [coldServer(x), coldServer(y)];
  writeFileSync(pool.rig.templatePath, withMaintenancePage(readFileSync(pool.rig.templatePath, 'utf8')));
  await pool.syncTo([0, 1, 2]);
  loaded = await loadRunbookFile(path.join(shippedRunbookDir(), 'mysql-resync.yaml'), 'shipped');

  const first = await connectMysql(y);
  await first.query('SET SESSION sql_log_bin = 0');
  await first.query("ALTER USER 'opsdeck'@'127.0.0.1' IDENTIFIED BY ?", [x.password]);
  // an account only B has: a copy from A would lock it out
  await first.query("CREATE USER 'solo'@'127.0.0.1' IDENTIFIED BY 'solo-password'");
  await first.query("GRANT ALL PRIVILEGES ON *.* TO 'solo'@'127.0.0.1'");
  first.destroy();
  // B was the primary, A its replica (so A has relay logs and replication state files)
  const src = await connect(b);
  const rep = await connect(a);
  await rep.query(`CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${y.port}, MASTER_USER=?, MASTER_PASSWORD=?, MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1`, [y.user, x.password]);
  await rep.query('START SLAVE');
  // a few MB: enough for the copy to take a moment, little enough to stay quick
  await fillShopAndWiki(src, 20000, 6);
  for (let i = 0; i < 200; i++) {
    const n = (await rep.query('SELECT COUNT(*) AS n FROM wiki.pages').then(([rows]) => (rows as { n: string }[])[0]?.n, () => '0')) ?? '0';
    if (n === '3000') break;
    await new Promise((res) => setTimeout(res, 100));
  }
  // the failover: A takes writes, and B's own write of the same row stops A's replication on a duplicate key
  await breakReplication({ src, rep }, 'shop.orders', [20001, 'after failover', ''], [20001, 'written on B', '']);
  // and B keeps one that never reached A (a lost write)
  await src.query('SET SESSION sql_log_bin = 0');
  await src.query("UPDATE shop.orders SET item = 'lost write' WHERE id = 7");
  // A's binary log moves on a few files, and A has a server UUID file: none of it may reach B
  await rep.query('FLUSH BINARY LOGS');
  await rep.query('FLUSH BINARY LOGS');
  writeFileSync(path.join(x.dataDir, 'auto.cnf'), '[auto]\nserver-uuid=11111111-2222-3333-4444-555555555555\n');
  src.destroy();
  rep.destroy();
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop(), sshd?.stop(), pool?.stop(), rig?.stop()]);
});

function inventory(targetAccount?: { user: string; password: string }): Inventory {
  const host = { host: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.clientKeyPath, knownHosts: sshd.knownHostsPath };
  return { hosts: { alpha: { ...host, mysqld: a.mysqld }, beta: { ...host, mysqld: b.mysqld } }, mysql: { dbA: login(a), dbB: { ...login(b), ...targetAccount } } };
}

const settings = () => ({ fleet: fleetConfigSchema.parse({}), haproxy: pool.rig.config, sandbox: false });
const admin = async (): Promise<string[]> => (await liveServers(pool.rig.adminSocket, ['www_farm'])).map((s) => s.admin);

async function resync(inputs: Record<string, string>, onEvent?: (e: RunEvent) => void, inv = inventory()) {
  const asked: string[] = [];
  const r = await rig.run(loaded, inv, {
    haproxy: settings(),
    inputs: { source: 'dbA', target: 'dbB', sourceHost: 'alpha', targetHost: 'beta', sourceDatadir: a.inst.dataDir, targetDatadir: b.inst.dataDir, ...inputs },
    approve: (s: StepSpec) => {
      asked.push(s.id);
      return typeof s.confirm === 'object' ? { by: 'test', via: 'tui', typed: s.confirm.typed } : { by: 'test', via: 'yes' };
    },
    ...(onEvent ? { onEvent } : {}),
  });
  return { ...r, asked };
}

const binlogsIn = (dir: string): string[] => readdirSync(dir).filter((f) => /^mysql-bin\.\d+$/.test(f)).sort();
// (multi-master.info is not listed: MariaDB writes its own, empty, at start)
const relayIn = (dir: string): string[] => readdirSync(dir).filter((f) => /relay/.test(f) || f === 'master.info');
const waitFor = async (what: () => Promise<boolean>, ms = 10_000): Promise<boolean> => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((res) => setTimeout(res, 100))) if (await what()) return true;
  return what();
};

describe('mysql-resync (cold copy) on real MariaDB servers', () => {
  it('refuses before anything changes when the target\'s account would be locked out by the copy', async () => {
    const r = await resync({}, undefined, inventory({ user: 'solo', password: 'solo-password' }));
    expect(r.outcome.status).toBe('failed');
    expect(r.outcome.message).toMatch(/^accounts: dbA does not let dbB's account \(solo\) in: .*Access denied/);
    expect(r.outcome.steps.get('drain')).toBe('pending');
    expect(r.asked).toEqual([]);
    expect(a.running() && b.running()).toBe(true);
  }, 60_000);

  it('relay mode: B rebuilt from A through opsdeck, made primary again (the seed), A replicating from it', async () => {
    expect(relayIn(a.inst.dataDir).length).toBeGreaterThan(0);
    expect(binlogsIn(a.inst.dataDir).length).toBeGreaterThanOrEqual(3);
    let pageDuringCopy: Promise<string[]> | undefined;
    const r = await resync({ primaryAfter: 'target' }, (e) => {
      if (e.t === 'step' && e.id === 'copy' && e.status === 'running') pageDuringCopy = admin();
    });
    expect(r.outcome.status, `${r.outcome.message}\n${r.output.slice(-3000)}`).toBe('done');
    expect(r.asked).toEqual(['drain']);
    expect(Object.fromEntries(r.outcome.steps)).toMatchObject({ copy: 'done', 'copy-direct': 'skipped', 'point-source': 'done', 'point-target': 'skipped', checksums: 'done', 'page-off': 'done', 'rollback-datadir': 'skipped' });
    expect(await pageDuringCopy).toEqual(['maint', 'maint', 'maint']);
    expect(await admin()).toEqual(['ready', 'ready', 'ready']);
    expect(r.output).toMatch(/\d+ bytes streamed alpha → beta/);
    expect(r.output).toMatch(/\d+ bytes free beside \S+ for \d+/);
    expect(r.output).toMatch(/the server does not answer/);

    // B has A's data: the lost write is gone, the write made after the failover is there
    expect(await q(b, 'SELECT item FROM shop.orders WHERE id IN (7, 20001) ORDER BY id')).toEqual([{ item: 'item 7' }, { item: 'after failover' }]);
    // nothing of A's logs, replication state or identity was copied; B's old datadir is kept
    expect(existsSync(path.join(b.inst.dataDir, 'auto.cnf'))).toBe(false);
    expect(binlogsIn(b.inst.dataDir)).toEqual(['mysql-bin.000001']);
    expect(relayIn(b.inst.dataDir)).toEqual([]);
    expect(existsSync(`${b.inst.dataDir}.opsdeck-old-${r.outcome.runId}`)).toBe(true);

    // A replicates from B, and a new write on B arrives on A
    const ca = await connect(a);
    expect(await replicationStatus(ca)).toMatchObject({ ioRunning: true, sqlRunning: true, sourcePort: b.inst.port, lastSqlErrno: 0, lastIoErrno: 0 });
    const cb = await connect(b);
    await cb.query("INSERT INTO shop.orders VALUES (20002, 'after the resync', '')");
    expect(await waitFor(async () => (await q(a, 'SELECT COUNT(*) AS n FROM shop.orders WHERE id = 20002'))[0]?.['n'] === '1')).toBe(true);
    expect((await compareData(cb, ca)).mismatches).toEqual([]);
    // the heartbeat came and went
    expect(await q(b, "SHOW DATABASES LIKE 'opsdeck_heartbeat'")).toEqual([]);
    ca.destroy();
    cb.destroy();
  }, 240_000);

  it('direct mode: tar | ssh from the source host, A primary, B replicating from it', async () => {
    const opts = `-i ${sshd.clientKeyPath} -o UserKnownHostsFile=${sshd.knownHostsPath} -o IdentitiesOnly=yes`;
    const r = await resync({ primaryAfter: 'source', transfer: 'direct', directSshOptions: opts });
    expect(r.outcome.status, `${r.outcome.message}\n${r.output.slice(-3000)}`).toBe('done');
    expect(Object.fromEntries(r.outcome.steps)).toMatchObject({ copy: 'skipped', 'copy-direct': 'done', 'point-target': 'done', 'point-source': 'skipped', checksums: 'done' });
    expect(r.output).not.toMatch(/bytes streamed/);
    expect(r.output).toMatch(/Total bytes written: \d+/);
    // tar's checkpoints are the bar: bytes against the size step's measure, growing, and not in the output
    const size = Number((await readRun(r.outcome.journal)).finished.get('size')?.outputs['bytes']);
    const bar = r.events.flatMap((e) => (e.t === 'progress' && e.id === 'copy-direct' ? [e.event] : []));
    expect(size).toBeGreaterThan(0);
    expect(bar.length).toBeGreaterThanOrEqual(2);
    expect(bar.every((e) => e.total === size && e.done <= size)).toBe(true);
    expect(bar.map((e) => e.done)).toEqual(bar.map((e) => e.done).sort((x, y) => x - y));
    expect(bar.filter((e) => e.done < size).length).toBeGreaterThanOrEqual(1);
    expect(bar[bar.length - 1]?.done).toBe(size);
    expect(r.output).not.toMatch(/opsdeck-copied/);
    const cb = await connect(b);
    expect(await replicationStatus(cb)).toMatchObject({ ioRunning: true, sqlRunning: true, sourcePort: a.inst.port, lastSqlErrno: 0, lastIoErrno: 0 });
    const ca = await connect(a);
    await ca.query("INSERT INTO wiki.pages VALUES ('after direct', 'x')");
    expect(await waitFor(async () => (await q(b, "SELECT COUNT(*) AS n FROM wiki.pages WHERE title = 'after direct'"))[0]?.['n'] === '1')).toBe(true);
    expect((await compareData(ca, cb)).mismatches).toEqual([]);
    ca.destroy();
    cb.destroy();
  }, 240_000);

  it('a run cancelled in the middle of the copy resumes there and finishes; no finished step runs twice', async () => {
    const ac = new AbortController();
    const first = await rig.run(loaded, inventory(), {
      haproxy: settings(),
      signal: ac.signal,
      inputs: { source: 'dbA', target: 'dbB', sourceHost: 'alpha', targetHost: 'beta', sourceDatadir: a.inst.dataDir, targetDatadir: b.inst.dataDir, primaryAfter: 'source' },
      approve: (s: StepSpec) => (typeof s.confirm === 'object' ? { by: 'test', via: 'tui', typed: s.confirm.typed } : { by: 'test', via: 'yes' }),
      onEvent: (e) => {
        if (e.t === 'step' && e.id === 'copy' && e.status === 'running') setTimeout(() => ac.abort(new Error('operator cancelled')), 60);
      },
    });
    expect(first.outcome.status, first.outcome.message).toBe('cancelled');
    expect(first.outcome.message).toMatch(/^cancelled during copy/);
    // stopped where it was: the page still on, both servers still down, nothing rolled back
    expect(await admin()).toEqual(['maint', 'maint', 'maint']);
    expect(a.running() || b.running()).toBe(false);

    const rec = await readRun(first.outcome.journal);
    expect(resumable(rec)).toBe(true);
    const again = await rig.run(loaded, inventory(), { haproxy: settings(), resume: rec });
    expect(again.outcome.status, `${again.outcome.message}\n${again.output.slice(-3000)}`).toBe('done');
    const started = readFileSync(first.outcome.journal, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { t: string; step?: string })
      .filter((l) => l.t === 'started')
      .map((l) => l.step ?? '');
    const twice = started.filter((id, i) => started.indexOf(id) !== i);
    expect(twice).toEqual(['copy']);
    expect(started.slice(0, started.indexOf('copy'))).toEqual(expect.arrayContaining(['stop-target', 'stop-source', 'aside']));
    expect(Object.fromEntries(again.outcome.steps)).toMatchObject({ copy: 'done', checksums: 'done', 'page-off': 'done' });
    const cb = await connect(b);
    expect(await replicationStatus(cb)).toMatchObject({ ioRunning: true, sqlRunning: true, sourcePort: a.inst.port, lastSqlErrno: 0, lastIoErrno: 0 });
    cb.destroy();
  }, 240_000);

  it('a copy that dies halfway rolls back: B\'s old datadir back, both servers up, the page off, the run failed and resumable', async () => {
    writeFileSync(path.join(b.inst.dataDir, 'opsdeck-test-marker'), 'the datadir before the run\n');
    let killed: number | undefined;
    let watching = false;
    const r = await resync({ primaryAfter: 'source' }, (e) => {
      if (e.t !== 'step' || e.id !== 'copy' || e.status !== 'running' || watching) return;
      watching = true;
      // the receiving tar is ours (started over our sshd for this run): found by its exact datadir argument
      void (async () => {
        for (let i = 0; i < 500 && killed === undefined; i++) {
          for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
            const argv = (() => {
              try {
                return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
              } catch {
                return [];
              }
            })();
            if (/(^|\/)tar$/.test(argv[0] ?? '') && argv.includes(b.inst.dataDir) && argv.includes('-xf')) {
              process.kill(Number(pid), 'SIGKILL');
              killed = Number(pid);
              break;
            }
          }
          await new Promise((res) => setTimeout(res, 5));
        }
      })();
    });
    expect(killed, 'the receiving tar was found and killed').toBeDefined();
    expect(r.outcome.status).toBe('failed');
    expect(r.outcome.message).toMatch(/^copy: stream alpha → beta failed: .* \(the steps from rollback-release on ran to clean up\)/);
    expect(Object.fromEntries(r.outcome.steps)).toMatchObject({ copy: 'failed', 'start-source': 'pending', 'rollback-datadir': 'done', 'rollback-start-source': 'done', 'rollback-start-target': 'done', 'rollback-page-off': 'done' });
    // B is as it was: its own datadir (the marker), its replication from A (that datadir's state), running
    expect(readFileSync(path.join(b.inst.dataDir, 'opsdeck-test-marker'), 'utf8')).toBe('the datadir before the run\n');
    expect(existsSync(`${b.inst.dataDir}.opsdeck-old-${r.outcome.runId}`)).toBe(false);
    expect(a.running() && b.running()).toBe(true);
    expect(await q(a, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    expect((await q(b, 'SELECT COUNT(*) AS n FROM shop.orders'))[0]?.['n']).toBe('20002');
    expect(await admin()).toEqual(['ready', 'ready', 'ready']);
    const rec = await readRun(r.outcome.journal);
    expect(rec.status).toBe('failed');
    expect(resumable(rec)).toBe(true);
  }, 240_000);

  it('a replica whose data differs is caught by the checksums, named, and the run rolled back', async () => {
    const r = await resync({ primaryAfter: 'source' }, (e) => {
      if (e.t === 'step' && e.id === 'replicating' && e.status === 'done') {
        // a write on the replica only: replication stays healthy, the data does not
        void connect(b).then(async (c) => {
          await c.query('SET SESSION sql_log_bin = 0');
          await c.query("UPDATE shop.orders SET item = 'written on the replica' WHERE id = 42");
          c.destroy();
        });
      }
    });
    expect(r.outcome.status).toBe('failed');
    expect(r.outcome.message).toMatch(/^checksums: data differs between dbA and dbB in shop\.orders .*\(the steps from rollback-release on ran to clean up\)/);
    expect(r.output).toMatch(/shop\.orders \(keys …-\d+\): dbA \d+ rows, crc \d+, dbB \d+ rows, crc \d+/);
    expect(Object.fromEntries(r.outcome.steps)).toMatchObject({ heartbeat: 'done', 'heartbeat-arrived': 'done', checksums: 'failed', 'page-off': 'pending', 'rollback-datadir': 'done', 'rollback-page-off': 'done' });
    expect(readFileSync(path.join(b.inst.dataDir, 'opsdeck-test-marker'), 'utf8')).toBe('the datadir before the run\n');
    expect(a.running() && b.running()).toBe(true);
    expect(await admin()).toEqual(['ready', 'ready', 'ready']);
  }, 240_000);
});
