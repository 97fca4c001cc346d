import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareData } from '../../src/database/checksum.js';
import { liveServers } from '../../src/haproxy/runtime.js';
import { connectMysql, type MysqlConnection } from '../../src/mysql/connection.js';
import { replicationStatus } from '../../src/mysql/replication.js';
import { startMariaDbInstances } from '../services/mariadb.js';
import { startSshd, type SshdHandle } from '../services/sshd.js';
import { startPoolRig, withMaintenancePage, type PoolRig } from './haproxy-pool-rig.js';
import { coldServer, fillShopAndWiki, type ColdServer } from './mysql-cold-rig.js';
import { breakReplication } from './mysql-pair.js';

/**
 * The shipped mysql-resync (cold copy, relay) and mysql-resync-dump run by
 * `opsdeck runbook run ... --batch --yes` as a child process, kill -9'd in the
 * middle of the copy, then `opsdeck runbook resume`: the job finishes (replication
 * runs, a new write arrives, the data is equal) and no finished step runs twice.
 * The receiving end of the copy is held (SIGSTOP) when the process is killed, so
 * the copy is in flight however fast the machine is. The config's MySQL
 * password is a ${env:} reference, as the config template suggests: the dump's
 * shell commands must get the secret, not the reference text.
 */
const repo = path.resolve(import.meta.dirname, '../..');
const entry = path.join(repo, 'views', 'main.ts');
const tsx = import.meta.resolve('tsx');
const PW_VAR = 'OPSDECK_RESYNC_CRASH_PW';

let root: string;
let sshd: SshdHandle;
let pool: PoolRig;
let a: ColdServer;
let b: ColdServer;
let password: string;

const connect = (s: ColdServer): Promise<MysqlConnection> => connectMysql({ host: s.inst.host, port: s.inst.port, user: s.inst.user, password });
async function q<T = Record<string, unknown>>(s: ColdServer, sql: string): Promise<T[]> {
  const c = await connect(s);
  try {
    return (await c.query(sql))[0] as T[];
  } finally {
    c.destroy();
  }
}
const admin = async (): Promise<string[]> => (await liveServers(pool.rig.adminSocket, ['www_farm'])).map((s) => s.admin);
const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-resync-crash-'));
  const [servers, d, p] = await Promise.all([startMariaDbInstances([821, 822]), startSshd(), startPoolRig({ initialConfig: withMaintenancePage })]);
  [sshd, pool] = [d, p];
  const [x, y] = servers;
  if (!x || !y) throw new Error('the rig started fewer than two MariaDB servers');
  [a, b] = [coldServer(x), coldServer(y)];
  password = x.password;
  writeFileSync(pool.rig.templatePath, withMaintenancePage(readFileSync(pool.rig.templatePath, 'utf8')));
  await pool.syncTo([0, 1, 2]);
  // one password on both: the cold copy brings A's accounts to B
  const cb = await connectMysql(y);
  await cb.query('SET SESSION sql_log_bin = 0');
  await cb.query("ALTER USER 'opsdeck'@'127.0.0.1' IDENTIFIED BY ?", [password]);
  await cb.query('CREATE DATABASE shop');
  await cb.query('CREATE TABLE shop.orders (id INT PRIMARY KEY, item VARCHAR(40), note TEXT) ENGINE=InnoDB');
  await cb.query("INSERT INTO shop.orders VALUES (1, 'stale on B', '')");
  cb.destroy();
  // A has the good data: some MB, so the copy and the dump outgrow every buffer between the hosts
  const ca = await connect(a);
  await fillShopAndWiki(ca, 60000, 8);
  ca.destroy();
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop(), sshd?.stop(), pool?.stop()]);
  if (root) rmSync(root, { recursive: true, force: true });
});

/** A home with the config opsdeck reads: two hosts on the loopback sshd, two MySQL targets whose password is a reference, the pool's haproxy. */
function home(name: string): string {
  const dir = path.join(root, name);
  mkdirSync(path.join(dir, 'config'), { recursive: true });
  const ssh = `    host: ${sshd.host}\n    port: ${sshd.port}\n    user: ${sshd.user}\n    identityFile: ${sshd.clientKeyPath}\n    knownHosts: ${sshd.knownHostsPath}\n`;
  const mysqld = (s: ColdServer): string => `    mysqld:\n      stop: ${JSON.stringify(s.mysqld.stop)}\n      start: ${JSON.stringify(s.mysqld.start)}\n`;
  const db = (s: ColdServer): string => `    host: ${s.inst.host}\n    port: ${s.inst.port}\n    user: ${s.inst.user}\n    password: "\${env:${PW_VAR}}"\n`;
  writeFileSync(
    path.join(dir, 'opsdeck.yaml'),
    `hosts:\n  alpha:\n${ssh}${mysqld(a)}  beta:\n${ssh}${mysqld(b)}mysql:\n  dbA:\n${db(a)}  dbB:\n${db(b)}` +
      `haproxy:\n  configPath: ${pool.rig.configPath}\n  runtimeSocket: ${pool.rig.adminSocket}\n  backends: [www_farm]\n`,
  );
  return dir;
}

interface Proc {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `opsdeck ARGS --batch` as a child; `killAfter` resolving kills it with SIGKILL. */
function opsdeck(dir: string, args: string[], killAfter?: (stderr: () => string) => Promise<void>): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', tsx, entry, '--config', path.join(dir, 'opsdeck.yaml'), ...args, '--batch'], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_STATE_HOME: path.join(dir, 'state'), TMPDIR: dir, [PW_VAR]: password },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  let exited = false;
  const done = new Promise<Proc>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal, stdout, stderr });
    });
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), 75_000);
  void done.then(() => clearTimeout(guard));
  if (killAfter) {
    void killAfter(() => stderr).then(
      () => {
        if (!exited) child.kill('SIGKILL');
      },
      (e: unknown) => {
        stderr += `\n(test) the watcher failed: ${String(e)}`;
        child.kill('SIGKILL');
      },
    );
  }
  return done;
}

const argvOf = (pid: string): string[] => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
};
/** Our process matching `match` (its argument list names this test's datadir or port), polled until found. */
async function findProcess(match: (argv: string[]) => boolean, what: string, ms = 40_000): Promise<number> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(5)) {
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) if (match(argvOf(pid))) return Number(pid);
  }
  throw new Error(`no ${what} within ${ms} ms`);
}
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
async function gone(pid: number): Promise<void> {
  for (let i = 0; i < 200 && alive(pid); i++) await sleep(50);
  expect(alive(pid), `process ${pid} still runs`).toBe(false);
}

interface Line {
  t: string;
  step?: string;
  status?: string;
  shown?: string[];
}
function journal(dir: string): { file: string; lines: Line[]; text: string } {
  const runs = path.join(dir, 'state', 'opsdeck', 'runs');
  const f = readdirSync(runs).find((n) => n.endsWith('.jsonl'));
  if (!f) throw new Error(`no journal in ${runs}`);
  const text = readFileSync(path.join(runs, f), 'utf8');
  return { file: path.join(runs, f), text, lines: text.trim().split('\n').map((l) => JSON.parse(l) as Line) };
}
const startedIds = (lines: Line[]): string[] => lines.filter((l) => l.t === 'started').map((l) => l.step ?? '');
const repeated = (ids: string[]): string[] => ids.filter((id, i) => ids.indexOf(id) !== i);
const finishedIds = (lines: Line[]): string[] => lines.filter((l) => l.t === 'finished').map((l) => l.step ?? '');

/** What a person checks afterwards: B replicates from A, B has A's row `id` (not its own stale one), a new write on A arrives, the data is equal. */
async function inSync(id: number, fresh: number): Promise<void> {
  const ca = await connect(a);
  const cb = await connect(b);
  try {
    expect(await replicationStatus(cb)).toMatchObject({ ioRunning: true, sqlRunning: true, sourcePort: a.inst.port, lastSqlErrno: 0, lastIoErrno: 0 });
    expect(await q(b, `SELECT item FROM shop.orders WHERE id = ${id}`)).toEqual([{ item: `item ${id}` }]);
    await ca.query("INSERT INTO shop.orders VALUES (?, 'after the resync', '')", [fresh]);
    let n = '0';
    for (let i = 0; i < 100 && n !== '1'; i++, await sleep(100)) n = String((await q(b, `SELECT COUNT(*) AS n FROM shop.orders WHERE id = ${fresh}`))[0]?.['n']);
    expect(n, 'the new write on A arrived on B').toBe('1');
    expect((await compareData(ca, cb)).mismatches).toEqual([]);
  } finally {
    ca.destroy();
    cb.destroy();
  }
}

describe('resync runbooks killed with SIGKILL mid-copy and resumed in batch', () => {
  it('mysql-resync (cold, relay): the page stays on over the crash; resume re-runs only the copy and finishes in sync', async () => {
    const dir = home('cold');
    const inputs = ['--input', 'source=dbA', '--input', 'target=dbB', '--input', 'sourceHost=alpha', '--input', 'targetHost=beta', '--input', `sourceDatadir=${a.inst.dataDir}`, '--input', `targetDatadir=${b.inst.dataDir}`, '--input', 'primaryAfter=source', '--input', 'transfer=relay'];
    let held: number | undefined;
    const first = await opsdeck(dir, ['runbook', 'run', 'mysql-resync', ...inputs, '--yes', '--confirm', 'drain=REBUILD'], async () => {
      // the receiving tar on the target (its argv names B's datadir), held once files arrive
      const tar = await findProcess((argv) => /(^|\/)tar$/.test(argv[0] ?? '') && argv.includes(b.inst.dataDir) && argv.includes('-xf'), 'receiving tar');
      for (let i = 0; i < 2000 && readdirSync(b.inst.dataDir).length === 0; i++) await sleep(5);
      process.kill(tar, 'SIGSTOP');
      held = tar;
      await sleep(300);
    });
    expect(first.signal, first.stderr.slice(-3000)).toBe('SIGKILL');
    expect(held).toBeDefined();
    const heldTar = held ?? 0;
    const j1 = journal(dir);
    const runId = path.basename(j1.file, '.jsonl');
    // killed inside the copy: it started, it did not finish, everything before it did
    expect(startedIds(j1.lines)).toContain('copy');
    expect(finishedIds(j1.lines)).not.toContain('copy');
    expect(finishedIds(j1.lines)).toEqual(expect.arrayContaining(['maint', 'stop-target', 'stop-source', 'aside']));
    expect(readdirSync(b.inst.dataDir).length).toBeGreaterThan(0);
    // the orphaned receiver ends on its own once it may read again (its sender is gone)
    process.kill(heldTar, 'SIGCONT');
    await gone(heldTar);

    // nothing half-done is exposed: the page is on, both servers are down (B's datadir holds a partial copy)
    expect(await admin()).toEqual(['maint', 'maint', 'maint']);
    await expect(pool.rig.request()).rejects.toThrow(/HTTP 503: down for maintenance/);
    expect(a.running() || b.running()).toBe(false);
    const listed = JSON.parse((await opsdeck(dir, ['runbook', 'runs', '--json'])).stdout) as { runs: { id: string; status: string; resumable: boolean }[] };
    expect(listed.runs).toEqual([expect.objectContaining({ id: runId, status: 'interrupted', resumable: true })]);

    // batch does not guess about the step that was in flight; told to retry it, it finishes
    const undecided = await opsdeck(dir, ['runbook', 'resume', runId, '--yes', '--confirm', 'drain=REBUILD']);
    expect(undecided.code, undecided.stderr.slice(-2000)).toBe(3);
    expect(undecided.stderr).toMatch(/step copy was running when the run stopped and it has no verify probe/);
    const last = await opsdeck(dir, ['runbook', 'resume', runId, '--yes', '--confirm', 'drain=REBUILD', '--retry-unknown']);
    expect(last.code, `${last.stdout}\n${last.stderr.slice(-3000)}`).toBe(0);
    expect(last.stdout).toContain(`done: mysql-resync (run ${runId})`);

    const j2 = journal(dir);
    // only the step that was in flight ran again
    expect(repeated(startedIds(j2.lines))).toEqual(['copy']);
    expect(j2.lines.filter((l) => l.t === 'finished' && l.status === 'done').map((l) => l.step)).toEqual(expect.arrayContaining(['copy', 'replicating', 'heartbeat-arrived', 'checksums', 'page-off']));
    expect(j2.text).not.toContain(password);

    // the site is back; B replicates from A; a new write on A arrives on B; the data is equal
    expect(await admin()).toEqual(['ready', 'ready', 'ready']);
    await inSync(1, 60001);
  }, 150_000);

  it('mysql-resync-dump: killed while the dump streams into B, resumed, B replicates A with equal data; the ${env:} password reaches the shell commands', async () => {
    const dir = home('dump');
    // B drifts: a write of its own, then one that A writes too stops its replication on a duplicate key
    const cb0 = await connect(b);
    const ca0 = await connect(a);
    await cb0.query('SET SESSION sql_log_bin = 0');
    await cb0.query("UPDATE shop.orders SET item = 'drifted on B' WHERE id = 2");
    await breakReplication({ src: ca0, rep: cb0 }, 'shop.orders', [60100, 'written on B', ''], [60100, 'item 60100', '']);
    cb0.destroy();
    ca0.destroy();
    const inputs = ['--input', 'source=dbA', '--input', 'target=dbB', '--input', 'sourceHost=alpha', '--input', 'targetHost=beta'];
    let held: number | undefined;
    const first = await opsdeck(dir, ['runbook', 'run', 'mysql-resync-dump', ...inputs, '--yes', '--confirm', 'copy=REPLACE'], async () => {
      // the mysql client loading into B (its argv names B's port), held once the dump is flowing
      const client = await findProcess((argv) => /(^|\/)(mysql|mariadb)$/.test(argv[0] ?? '') && argv.includes(`--port=${b.inst.port}`), 'loading mysql client');
      await findProcess((argv) => /(^|\/)(mysqldump|mariadb-dump)$/.test(argv[0] ?? '') && argv.includes(`--port=${a.inst.port}`), 'mysqldump', 5_000).catch(() => 0);
      process.kill(client, 'SIGSTOP');
      held = client;
      await sleep(300);
    });
    expect(first.signal, first.stderr.slice(-3000)).toBe('SIGKILL');
    expect(held).toBeDefined();
    const heldClient = held ?? 0;
    const j1 = journal(dir);
    const runId = path.basename(j1.file, '.jsonl');
    expect(startedIds(j1.lines)).toContain('copy');
    expect(finishedIds(j1.lines)).toEqual(['about-source', 'about-target', 'databases', 'stop', 'forget', 'point']);
    process.kill(heldClient, 'SIGCONT');
    await gone(heldClient);
    // the half-loaded B does not replicate meanwhile (pointed at A, its threads stopped)
    const held0 = await connect(b);
    try {
      expect(await replicationStatus(held0)).toMatchObject({ ioRunning: false, sqlRunning: false });
    } finally {
      held0.destroy();
    }

    const last = await opsdeck(dir, ['runbook', 'resume', runId, '--yes', '--confirm', 'copy=REPLACE', '--retry-unknown']);
    expect(last.code, `${last.stdout}\n${last.stderr.slice(-3000)}`).toBe(0);
    expect(last.stdout).toContain(`done: mysql-resync-dump (run ${runId})`);
    const j2 = journal(dir);
    expect(repeated(startedIds(j2.lines))).toEqual(['copy']);
    expect(j2.lines.filter((l) => l.t === 'finished' && l.status === 'done').map((l) => l.step)).toEqual(expect.arrayContaining(['copy', 'point', 'replicating', 'heartbeat-arrived', 'count-target']));
    // the secret went to the commands, never to the journal: it shows as ***
    const copyShown = j2.lines.filter((l) => l.t === 'started' && l.step === 'copy').flatMap((l) => l.shown ?? []).join('\n');
    expect(copyShown).toContain('MYSQL_PWD=***');
    expect(j2.text).not.toContain(password);

    await inSync(2, 60002);
  }, 150_000);
});
