import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MysqlConnection } from '../../src/mysql/connection.js';
import { replicationStatus } from '../../src/mysql/replication.js';
import type { RunEvent } from '../../src/runbooks/engine.js';
import { loadRunbookFile, shippedRunbookDir } from '../../src/runbooks/load.js';
import type { MariaDbInstance } from '../services/mariadb.js';
import { startSshd, type SshdHandle } from '../services/sshd.js';
import { breakReplication, startReplicaPair, waitInStep, type ReplicaPair } from './mysql-pair.js';
import { RunbookRig } from './runbook-rig.js';

/**
 * The shipped mysql-resync-dump runbook on two real MariaDB servers through a
 * real sshd: the target, a replica broken by a write of its own (its SQL
 * thread stopped on a duplicate key), ends up with the source's data and
 * replicating from it with no error, and a write on the source arrives on the
 * target; a row that differs on the target fails the run's checksum step.
 */
const items = async (c: MysqlConnection): Promise<string[]> => ((await c.query('SELECT item FROM shop.orders ORDER BY id'))[0] as { item: string }[]).map((r) => r.item);

let pair: ReplicaPair;
let source: MariaDbInstance;
let target: MariaDbInstance;
let sshd: SshdHandle;
let rig: RunbookRig;
let src: MysqlConnection;
let tgt: MysqlConnection;

beforeAll(async () => {
  const [p, d, r] = await Promise.all([startReplicaPair([301, 302]), startSshd(), RunbookRig.create()]);
  [pair, sshd, rig] = [p, d, r];
  ({ source, replica: target, src, rep: tgt } = pair);
  await src.query('CREATE DATABASE shop');
  await src.query('CREATE TABLE shop.orders (id INT PRIMARY KEY, item VARCHAR(40)) ENGINE=InnoDB');
  await src.query("INSERT INTO shop.orders VALUES (1, 'kettle'), (2, 'teapot')");
  await waitInStep(pair);
  // the broken replica: a row written on it, then the source's own row 3 stops its SQL thread
  await breakReplication(pair, 'shop.orders', [3, 'written on the replica'], [3, 'cups']);
  expect(await items(tgt)).toEqual(['kettle', 'teapot', 'written on the replica']);
}, 90_000);
afterAll(async () => {
  await Promise.all([pair?.stop(), sshd?.stop(), rig?.stop()]);
});

async function resync(onEvent?: (e: RunEvent) => void) {
  const host = { host: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.clientKeyPath, knownHosts: sshd.knownHostsPath };
  const db = (d: MariaDbInstance) => ({ host: d.host, port: d.port, user: d.user, password: d.password });
  const inv = { hosts: { alpha: host, beta: host }, mysql: { src: db(source), tgt: db(target) } };
  const loaded = await loadRunbookFile(path.join(shippedRunbookDir(), 'mysql-resync-dump.yaml'), 'shipped');
  const asked: string[] = [];
  const r = await rig.run(loaded, inv, {
    inputs: { source: 'src', target: 'tgt', sourceHost: 'alpha', targetHost: 'beta' },
    approve: (s) => {
      asked.push(s.id);
      return typeof s.confirm === 'object' ? { by: 'test', via: 'tui', typed: s.confirm.typed } : { by: 'test', via: 'yes' };
    },
    ...(onEvent ? { onEvent } : {}),
  });
  return { ...r, asked };
}

describe('mysql-resync-dump on real MariaDB servers', () => {
  it('rebuilds the target from the source and leaves it replicating', async () => {
    const r = await resync();
    const asked = r.asked;
    expect(r.outcome.status, `${r.outcome.message}\n${r.output.slice(-2000)}`).toBe('done');
    expect(asked).toEqual(['copy']);
    expect(Object.fromEntries(r.outcome.steps)).toMatchObject({ stop: 'done', forget: 'done', copy: 'done', point: 'done', start: 'done', replicating: 'done', heartbeat: 'done', 'heartbeat-arrived': 'done', 'heartbeat-clean': 'done', 'count-target': 'done', checksums: 'done' });
    // the runbook itself compared every table's rows, not only counted the tables
    expect(r.output).toMatch(/[1-9]\d* tables?, [1-9]\d* chunks? compared/);
    // the heartbeat went away on both sides again (on the target once the drop has replicated)
    const gone = async (c: MysqlConnection): Promise<boolean> => ((await c.query("SHOW DATABASES LIKE 'opsdeck_heartbeat'"))[0] as unknown[]).length === 0;
    expect(await gone(src)).toBe(true);
    for (let i = 0; i < 100 && !(await gone(tgt)); i++) await new Promise((res) => setTimeout(res, 100));
    expect(await gone(tgt)).toBe(true);
    // named operations went out in MariaDB's words
    expect(r.output).toContain('STOP REPLICA: ok');
    expect(r.output).toContain('CHANGE MASTER TO MASTER_HOST=?, MASTER_PORT=?, MASTER_USER=?, MASTER_PASSWORD=?: ok');
    expect(await items(tgt)).toEqual(['kettle', 'teapot', 'cups']);
    // the password never reached the journal or the screen in clear
    expect(r.events.flatMap((e) => (e.t === 'step' ? (e.shown ?? []) : [])).join('\n')).not.toContain(source.password);
    const s = await replicationStatus(tgt);
    expect(s).toMatchObject({ ioRunning: true, sqlRunning: true, sourcePort: source.port, lastSqlErrno: 0, lastIoErrno: 0 });
    await src.query("INSERT INTO shop.orders VALUES (4, 'saucers')");
    for (let i = 0; i < 100 && (await items(tgt)).length < 4; i++) await new Promise((res) => setTimeout(res, 100));
    expect(await items(tgt)).toEqual(['kettle', 'teapot', 'cups', 'saucers']);
  }, 120_000);

  it('fails, naming the table, when a row on the target differs from the source though replication runs', async () => {
    const r = await resync((e) => {
      // a write on the target only, on a connection already open: it lands before the checksums run
      if (e.t === 'step' && e.id === 'replicating' && e.status === 'done') void tgt.query("UPDATE shop.orders SET item = 'written on the target' WHERE id = 2");
    });
    expect(r.outcome.status).toBe('failed');
    expect(r.outcome.message).toMatch(/^checksums: data differs between src and tgt in shop\.orders .*\(the steps from heartbeat-clean on ran to clean up\)$/);
    expect(r.output).toMatch(/shop\.orders.*: src \d+ rows, crc \d+, tgt \d+ rows, crc \d+/);
    expect(Object.fromEntries(r.outcome.steps)).toMatchObject({ 'count-target': 'done', checksums: 'failed', 'heartbeat-clean': 'done' });
  }, 120_000);
});
