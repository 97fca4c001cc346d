import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMysql, type MysqlConnection } from '../../src/mysql/connection.js';
import type { Inventory } from '../../src/runbooks/inputs.js';
import { startMariaDbInstances, type MariaDbInstance } from '../services/mariadb.js';
import { startSshd, type SshdHandle } from '../services/sshd.js';
import { coldServer, type ColdServer } from './mysql-cold-rig.js';
import { RunbookRig } from './runbook-rig.js';

/**
 * The inventory's per-host mysqld commands and the mysql operations a cold
 * copy needs, on a real MariaDB stopped and started over a real sshd: a stop
 * is confirmed only once the server no longer answers (a command that does
 * not stop it is caught), a read lock's session is forgotten after its
 * server went away, and per-table checksums name the table that differs.
 */
let sshd: SshdHandle;
let rig: RunbookRig;
let a: ColdServer;
let other: MariaDbInstance;
let conn: MysqlConnection;
let bConn: MysqlConnection;

beforeAll(async () => {
  const [servers, d, r] = await Promise.all([startMariaDbInstances([611, 612]), startSshd(), RunbookRig.create()]);
  [sshd, rig] = [d, r];
  const [x, y] = servers;
  if (!x || !y) throw new Error('the rig started fewer than two MariaDB servers');
  a = coldServer(x);
  other = y;
  conn = await connectMysql(x);
  bConn = await connectMysql(y);
  for (const c of [conn, bConn]) {
    await c.query('CREATE DATABASE shop');
    await c.query('CREATE TABLE shop.orders (id INT PRIMARY KEY, item VARCHAR(40)) ENGINE=InnoDB');
    await c.query("INSERT INTO shop.orders VALUES (1, 'kettle'), (2, 'teapot')");
    await c.query('CREATE TABLE shop.notes (txt VARCHAR(40)) ENGINE=MyISAM');
    await c.query("INSERT INTO shop.notes VALUES ('a'), ('b')");
  }
}, 90_000);
afterAll(async () => {
  conn?.destroy();
  await bConn?.end().catch(() => undefined);
  await Promise.all([a?.stop(), other?.stop(), sshd?.stop(), rig?.stop()]);
});

const BOUNCE = `name: bounce
title: Stop and start a server, then compare it with another
description: the cold copy's moves without the copy
inputs:
  db: { type: mysql, help: the server to bounce }
  host: { type: host, help: where its mysqld runs }
  other: { type: mysql, help: the server to compare with }
steps:
  - id: lock
    title: Hold a read lock in a session
    kind: sql
    target: '{{ inputs.db }}'
    session: held
    statements: ['FLUSH TABLES WITH READ LOCK']
  - id: before
    title: It answers
    kind: check
    assert:
      probe: { kind: mysql, target: '{{ inputs.db }}', operation: alive }
      captures: { alive: { field: alive } }
      expect: outputs.alive == 'true'
  - id: stop
    title: Stop it
    kind: ssh
    host: '{{ inputs.host }}'
    command: sh -c {{ inputs.host.mysqldStop }}
  - id: down
    title: It no longer answers
    kind: mysql
    target: '{{ inputs.db }}'
    operation: waitDown
    timeout: 3s
  - id: forget
    title: The lock ended with the server
    kind: sql
    target: '{{ inputs.db }}'
    session: held
    closeSession: true
    statements: []
  - id: start
    title: Start it
    kind: ssh
    host: '{{ inputs.host }}'
    command: sh -c {{ inputs.host.mysqldStart }}
  - id: up
    title: It answers again
    kind: mysql
    target: '{{ inputs.db }}'
    operation: waitUp
    timeout: 60s
  - id: same
    title: Its data is the other's
    kind: mysql
    target: '{{ inputs.db }}'
    operation: checksumsEqual
    args: { against: '{{ inputs.other.name }}' }
`;

describe('mysqld inventory commands and the cold-copy mysql operations', () => {
  const db = (d: MariaDbInstance) => ({ host: d.host, port: d.port, user: d.user, password: d.password });
  const inventory = (mysqld: { stop: string; start: string }): Inventory => ({
    hosts: { h: { host: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.clientKeyPath, knownHosts: sshd.knownHostsPath, mysqld } },
    mysql: { a: db(a.inst), other: db(other) },
  });

  it('stops the server with the host\'s command, confirms it down, starts it, confirms it up, checksums equal', async () => {
    const loaded = await rig.load(BOUNCE);
    let downWhileStopped: boolean | undefined;
    const r = await rig.run(loaded, inventory(a.mysqld), {
      inputs: { db: 'a', host: 'h', other: 'other' },
      onEvent: (e) => {
        if (e.t === 'step' && e.id === 'down' && e.status === 'done') downWhileStopped = !a.running();
      },
    });
    expect(r.outcome.status, `${r.outcome.message}\n${r.output.slice(-2000)}`).toBe('done');
    expect(downWhileStopped).toBe(true);
    expect(r.output).toMatch(/the server does not answer \(after \d+ checks?/);
    expect(r.output).toMatch(/the server answers \(after \d+ checks?/);
    expect(r.output).toContain('2 tables, 2 chunks compared');
    // the stop command ran as written in the inventory, one shell word for sh -c
    const shown = r.events.flatMap((e) => (e.t === 'step' && e.id === 'stop' ? (e.shown ?? []) : []));
    expect(shown.join('\n')).toContain("sh -c '[ -f ");
    expect(a.running()).toBe(true);
    const after = await connectMysql(a.inst);
    expect(((await after.query('SELECT COUNT(*) AS n FROM shop.orders'))[0] as { n: string }[])[0]?.n).toBe('2');
    after.destroy();
  }, 120_000);

  it('a stop command that does not stop the server fails the confirmation; a row that differs is named', async () => {
    const loaded = await rig.load(BOUNCE);
    const r = await rig.run(loaded, inventory({ stop: 'true', start: 'true' }), { inputs: { db: 'a', host: 'h', other: 'other' } });
    expect(r.outcome.status).toBe('failed');
    expect(r.outcome.message).toMatch(/^down: timed out after 3s/);
    expect(a.running()).toBe(true);

    await bConn.query("UPDATE shop.orders SET item = 'kettle (dented)' WHERE id = 1");
    const noStop = BOUNCE.replace(/ {2}- id: stop[\s\S]*?(?= {2}- id: same)/, '');
    const diff = await rig.run(await rig.load(noStop.replace('name: bounce', 'name: compare')), inventory(a.mysqld), { inputs: { db: 'a', host: 'h', other: 'other' } });
    expect(diff.outcome.status).toBe('failed');
    expect(diff.outcome.message).toMatch(/^same: data differs between a and other in shop\.orders /);
    expect(diff.output).toMatch(/shop\.orders \(keys …-…\): a 2 rows, crc \d+, other 2 rows, crc \d+/);
  }, 120_000);
});

describe('a password argument given as a secret reference', () => {
  it('is resolved at use: a replica pointed at the source with ${env:...} logs in', async () => {
    const loaded = await rig.load(`name: point
title: Point one server at another
description: the password comes from the inventory, where it is a reference
inputs:
  replica: { type: mysql, help: the replica }
  source: { type: mysql, help: the source }
steps:
  - id: point
    title: Point it
    kind: mysql
    target: '{{ inputs.replica }}'
    operation: changeSource
    args: { host: '{{ inputs.source.host }}', port: '{{ inputs.source.port }}', user: '{{ inputs.source.user }}', password: '{{ inputs.source.password }}', logFile: mysql-bin.000001, logPos: '4' }
  - id: start
    title: Start it
    kind: mysql
    target: '{{ inputs.replica }}'
    operation: startReplica
  - id: connected
    title: The IO thread logged in
    kind: wait
    until:
      probe: { kind: mysql, target: '{{ inputs.replica }}', operation: replicaStatus }
      captures: { io: { field: io } }
      expect: outputs.io == 'Yes'
    interval: 1s
    timeout: 30s
`);
    process.env['OPSDECK_TEST_SOURCE_PW'] = a.inst.password;
    const db = (d: MariaDbInstance) => ({ host: d.host, port: d.port, user: d.user, password: d.password });
    const inv: Inventory = { hosts: {}, mysql: { rep: db(other), src: { ...db(a.inst), password: '\${env:OPSDECK_TEST_SOURCE_PW}' } } };
    try {
      const r = await rig.run(loaded, inv, { inputs: { replica: 'rep', source: 'src' } });
      expect(r.outcome.status, `${r.outcome.message}\n${r.output.slice(-1500)}`).toBe('done');
      expect(r.events.flatMap((e) => (e.t === 'step' ? (e.shown ?? []) : [])).join('\n')).not.toContain(a.inst.password);
    } finally {
      delete process.env['OPSDECK_TEST_SOURCE_PW'];
      await bConn.query('STOP SLAVE').catch(() => undefined);
      await bConn.query('RESET SLAVE ALL').catch(() => undefined);
    }
  }, 60_000);
});

describe('mysqld commands by default', () => {
  it('are systemctl, mariadb\'s unit or else mysql\'s, unless the host says otherwise', async () => {
    const { mysqldCommands } = await import('../../src/runbooks/inputs.js');
    expect(mysqldCommands({ host: 'db1', port: 22, user: 'ops' })).toEqual({ stop: 'systemctl stop mariadb || systemctl stop mysql', start: 'systemctl start mariadb || systemctl start mysql' });
    expect(mysqldCommands({ host: 'db1', port: 22, user: 'ops', mysqld: { stop: 'sudo service mysql stop' } }).stop).toBe('sudo service mysql stop');
  });
});
