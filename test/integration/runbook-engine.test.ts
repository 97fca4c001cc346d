import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMysql } from '../../src/mysql/connection.js';
import { readRun } from '../../src/runbooks/journal.js';
import { startMariaDbInstance, type MariaDbInstance } from '../services/mariadb.js';
import { startSshd, type SshdHandle } from '../services/sshd.js';
import { rigInventory, RunbookRig } from './runbook-rig.js';

/** The engine against a real sshd and a real MariaDB: what a person running a runbook would see happen. */
let sshd: SshdHandle;
let db: MariaDbInstance;
let rig: RunbookRig;

beforeAll(async () => {
  // A private server: FLUSH TABLES WITH READ LOCK is global, and must not stall other test files.
  [sshd, db, rig] = await Promise.all([startSshd(), startMariaDbInstance({ serverId: 71 }), RunbookRig.create()]);
  const c = await connectMysql(db);
  await c.query('CREATE DATABASE IF NOT EXISTS rb');
  await c.query('CREATE TABLE IF NOT EXISTS rb.t (v VARCHAR(200))');
  c.destroy();
}, 60_000);
afterAll(async () => {
  await Promise.all([sshd?.stop(), db?.stop(), rig?.stop()]);
});

const header = (name: string, inputs = ''): string => `name: ${name}\ntitle: ${name}\ndescription: test\n${inputs}steps:\n`;

describe('runbook engine on a real sshd and MariaDB', () => {
  it('passes captures from an ssh step and a sql step into later steps', async () => {
    const out = path.join(rig.dir, 'captured.txt');
    const loaded = await rig.load(`${header('captures')}
  - id: one
    title: print a position
    kind: ssh
    host: alpha
    command: echo "File mysql-bin.000007 pos=4711"
    captures:
      file: { regex: 'File (\\S+)' }
      pos: { regex: 'pos=(\\d+)' }
  - id: two
    title: ask the database
    kind: sql
    target: db
    statements: ['SELECT {{ steps.one.outputs.pos }} + 1 AS next, {{ steps.one.outputs.file }} AS f']
    captures:
      next: { column: next }
  - id: three
    title: use both
    kind: ssh
    host: beta
    command: echo {{ steps.one.outputs.file }} {{ steps.two.outputs.next }} > ${out}
`);
    const r = await rig.run(loaded, rigInventory(sshd, db));
    expect(r.outcome.status).toBe('done');
    expect(readFileSync(out, 'utf8')).toBe('mysql-bin.000007 4712\n');
    // The journal has the outputs, and the audit log one entry per step that ran.
    const rec = await readRun(r.outcome.journal);
    expect(rec.finished.get('two')?.outputs).toEqual({ next: '4712' });
    expect(r.audit.entries.map((e) => e.target)).toEqual(['captures/one', 'captures/two', 'captures/three']);
  });

  it('keeps a SQL session open across steps: FLUSH TABLES WITH READ LOCK holds until UNLOCK TABLES', async () => {
    const other = await connectMysql(db);
    const blocked = async (): Promise<boolean> => {
      await other.query('SET SESSION lock_wait_timeout = 1');
      try {
        await other.query("INSERT INTO rb.t VALUES ('probe')");
        return false;
      } catch (e) {
        return /lock wait timeout|read lock/i.test((e as Error).message);
      }
    };
    const seen: boolean[] = [];
    const loaded = await rig.load(`${header('hold-lock')}
  - id: lock
    title: lock
    kind: sql
    target: db
    session: lock
    statements: ['FLUSH TABLES WITH READ LOCK']
  - id: look
    title: look from elsewhere
    kind: manual
    instruction: check the lock
  - id: unlock
    title: unlock
    kind: sql
    target: db
    session: lock
    closeSession: true
    statements: ['UNLOCK TABLES']
`);
    const r = await rig.run(loaded, rigInventory(sshd, db), {
      approve: async (s) => {
        if (s.id === 'look') seen.push(await blocked());
        return { by: 'test', via: 'yes' };
      },
    });
    expect(r.outcome.status).toBe('done');
    expect(seen).toEqual([true]);
    expect(await blocked()).toBe(false);
    other.destroy();
  });

  it('releases a held session loudly when the run aborts', async () => {
    const loaded = await rig.load(`${header('abort-lock')}
  - id: lock
    title: lock
    kind: sql
    target: db
    session: lock
    statements: ['FLUSH TABLES WITH READ LOCK']
  - id: boom
    title: a step that fails
    kind: ssh
    host: alpha
    command: echo 'no space left' >&2; exit 3
`);
    const r = await rig.run(loaded, rigInventory(sshd, db));
    expect(r.outcome.status).toBe('failed');
    expect(r.outcome.message).toContain('boom: alpha: the command exited 3: no space left');
    expect(r.outcome.message).toMatch(/released SQL session "lock" on db .*FLUSH TABLES WITH READ LOCK/);
    expect(r.events.some((e) => e.t === 'notice' && /released SQL session/.test(e.text))).toBe(true);
    const other = await connectMysql(db);
    await other.query('SET SESSION lock_wait_timeout = 2');
    await other.query("INSERT INTO rb.t VALUES ('after abort')");
    other.destroy();
  });

  it('follows onFailure: retries, continue, goto', async () => {
    const count = path.join(rig.dir, 'count');
    writeFileSync(count, '');
    const loaded = await rig.load(`${header('failures')}
  - id: flaky
    title: fails twice then works
    kind: ssh
    host: alpha
    command: echo x >> ${count}; test $(wc -l < ${count}) -ge 3
    retries: 2
  - id: shrug
    title: fails, run goes on
    kind: ssh
    host: alpha
    command: exit 1
    onFailure: continue
  - id: jump
    title: fails, jumps
    kind: ssh
    host: alpha
    command: exit 1
    onFailure: { goto: cleanup }
  - id: skipped-by-goto
    title: never runs
    kind: ssh
    host: alpha
    command: echo never >> ${count}
  - id: cleanup
    title: cleanup
    kind: ssh
    host: alpha
    command: echo cleanup >> ${count}
`);
    const r = await rig.run(loaded, rigInventory(sshd, db));
    // the cleanup ran, and the run still says it failed, and where
    expect(r.outcome.status).toBe('failed');
    expect(r.outcome.message).toBe('jump: alpha: the command exited 1 (the steps from cleanup on ran to clean up)');
    expect(readFileSync(count, 'utf8')).toBe('x\nx\nx\ncleanup\n');
    expect(Object.fromEntries(r.outcome.steps)).toMatchObject({ flaky: 'done', shrug: 'failed', jump: 'failed', 'skipped-by-goto': 'pending', cleanup: 'done' });
  });

  it('hands hostile input to the remote shell and to SQL as data only', async () => {
    const hostile = `x'; touch ${rig.dir}/pwned; echo '$(touch ${rig.dir}/pwned2) \`id\` "q" \\ ;|&\nsecond line`;
    const out = path.join(rig.dir, 'hostile.txt');
    const loaded = await rig.load(`${header('hostile', 'inputs:\n  evil:\n    type: string\n    help: anything\n')}
  - id: shell
    title: shell
    kind: ssh
    host: alpha
    command: printf '%s' {{ inputs.evil }} > ${out}
  - id: sql
    title: sql
    kind: sql
    target: db
    statements: ['INSERT INTO rb.t VALUES ({{ inputs.evil }})', 'SELECT v FROM rb.t WHERE v = {{ inputs.evil }}']
    captures:
      back: { column: v }
`);
    const r = await rig.run(loaded, rigInventory(sshd, db), { inputs: { evil: hostile } });
    expect(r.outcome.status).toBe('done');
    expect(readFileSync(out, 'utf8')).toBe(hostile);
    expect(existsSync(path.join(rig.dir, 'pwned'))).toBe(false);
    expect(existsSync(path.join(rig.dir, 'pwned2'))).toBe(false);
    expect((await readRun(r.outcome.journal)).finished.get('sql')?.outputs['back']).toBe(hostile);
  });

  it('refuses a SQL name that is not a plain identifier before it reaches the server', async () => {
    const loaded = await rig.load(`${header('ident', 'inputs:\n  database:\n    type: string\n    help: db\n')}
  - id: use
    title: use
    kind: sql
    target: db
    statements: ['SELECT COUNT(*) AS n FROM {{ inputs.database | identifier }}.t']
`);
    const bad = await rig.run(loaded, rigInventory(sshd, db), { inputs: { database: 'rb.t; DROP DATABASE rb' } });
    expect(bad.outcome.status).toBe('failed');
    expect(bad.outcome.message).toContain('is not a plain SQL name');
    const good = await rig.run(loaded, rigInventory(sshd, db), { inputs: { database: 'rb' } });
    expect(good.outcome.status).toBe('done');
  });

  it('a dropped SSH connection fails the step cleanly and is journaled, without hanging', async () => {
    const loaded = await rig.load(`${header('dropped')}
  - id: drop
    title: the connection drops mid-step
    kind: ssh
    host: alpha
    command: echo started; sleep 0.3; kill -9 $PPID; sleep 30
`);
    const t0 = Date.now();
    const r = await rig.run(loaded, rigInventory(sshd, db));
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.outcome.status).toBe('failed');
    expect(r.outcome.message).toMatch(/SSH connection to alpha dropped/);
    const fin = (await readRun(r.outcome.journal)).finished.get('drop');
    expect(fin).toMatchObject({ status: 'failed', exit: null });
    expect(fin?.tail).toContain('started');
  });

  it('a changed host key stops the step with the fingerprint and the fix, journaled', async () => {
    const inv = rigInventory(sshd, db);
    const wrong = path.join(rig.dir, 'known_hosts_wrong');
    // A different ed25519 key recorded for the same [host]:port: the host was rebuilt, or someone is in the middle.
    writeFileSync(wrong, `[127.0.0.1]:${sshd.port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n`);
    const alpha = inv.hosts['alpha'];
    if (!alpha) throw new Error('rig');
    const moved = { ...inv, hosts: { alpha: { ...alpha, knownHosts: wrong } } };
    const loaded = await rig.load(`${header('hostkey')}
  - id: one
    title: one
    kind: ssh
    host: alpha
    command: echo should not run
`);
    const r = await rig.run(loaded, moved);
    expect(r.outcome.status).toBe('failed');
    expect(r.outcome.message).toMatch(/host key of \[127\.0\.0\.1\]:\d+ does not match/);
    expect(r.outcome.message).toContain('ssh-keygen -R');
    expect((await readRun(r.outcome.journal)).finished.get('one')?.status).toBe('failed');
  });

  it('cancelling stops the running command, journals it, and resume runs only what is left', async () => {
    const count = path.join(rig.dir, 'cancel-count');
    writeFileSync(count, '');
    const loaded = await rig.load(`${header('cancel')}
  - id: first
    title: first
    kind: ssh
    host: alpha
    command: echo first >> ${count}
  - id: long
    title: long
    kind: ssh
    host: alpha
    command: echo long-start >> ${count}; sleep 2; echo long-end >> ${count}
  - id: last
    title: last
    kind: ssh
    host: alpha
    command: echo last >> ${count}
`);
    const ac = new AbortController();
    const r = await rig.run(loaded, rigInventory(sshd, db), {
      signal: ac.signal,
      onEvent: (e) => {
        if (e.t === 'step' && e.id === 'long' && e.status === 'running') setTimeout(() => ac.abort(new Error('Ctrl-C')), 300);
      },
    });
    expect(r.outcome.status).toBe('cancelled');
    expect(r.outcome.steps.get('long')).toBe('cancelled');
    const rec = await readRun(r.outcome.journal);
    expect(rec.status).toBe('cancelled');
    const again = await rig.run(loaded, rigInventory(sshd, db), { resume: rec });
    expect(again.outcome.status).toBe('done');
    expect(again.outcome.runId).toBe(r.outcome.runId);
    const lines = readFileSync(count, 'utf8').trim().split('\n');
    expect(lines.filter((l) => l === 'first')).toHaveLength(1);
    expect(lines.filter((l) => l === 'last')).toHaveLength(1);
    expect(lines.filter((l) => l === 'long-end')).toHaveLength(1);
  });

  it('a cancel the moment a step starts still stops the command on the host', async () => {
    const marker = path.join(rig.dir, 'instant-cancel-marker');
    const loaded = await rig.load(`${header('instant')}
  - id: sleepy
    title: sleepy
    kind: ssh
    host: alpha
    command: sleep 30 && echo ${marker}
`);
    for (const delay of [0, 5, 40]) {
      const ac = new AbortController();
      const r = await rig.run(loaded, rigInventory(sshd, db), {
        signal: ac.signal,
        onEvent: (e) => {
          if (e.t === 'step' && e.status === 'running') setTimeout(() => ac.abort(new Error('Ctrl-C')), delay);
        },
      });
      expect(r.outcome.status).toBe('cancelled');
      const alive = (): boolean => execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).includes(marker);
      for (let i = 0; i < 100 && alive(); i++) await new Promise((res) => setTimeout(res, 50));
      expect(alive(), `the command cancelled after ${delay} ms is still running`).toBe(false);
    }
  });

  it('refuses to resume a run whose remaining steps changed; an edit to a finished step is fine', async () => {
    const count = path.join(rig.dir, 'edit-count');
    writeFileSync(count, '');
    const text = (first: string, last: string): string => `${header('edited')}
  - id: one
    title: one
    kind: ssh
    host: alpha
    command: echo ${first} >> ${count}
  - id: two
    title: fails the first time
    kind: ssh
    host: alpha
    command: test -e ${count}.ok
  - id: three
    title: three
    kind: ssh
    host: alpha
    command: echo ${last} >> ${count}
`;
    const first = await rig.run(await rig.load(text('one', 'three')), rigInventory(sshd, db));
    expect(first.outcome.status).toBe('failed');
    const rec = await readRun(first.outcome.journal);
    const changed = await rig.run(await rig.load(text('one', 'THREE')), rigInventory(sshd, db), { resume: rec }).catch((e: Error) => e);
    expect(changed).toBeInstanceOf(Error);
    expect((changed as Error).message).toMatch(/edited\.yaml changed since run \S+ began: the steps still to run are not the ones it was started with/);
    writeFileSync(`${count}.ok`, '');
    const ok = await rig.run(await rig.load(text('ONE', 'three')), rigInventory(sshd, db), { resume: await readRun(first.outcome.journal) });
    expect(ok.outcome.status).toBe('done');
    expect(readFileSync(count, 'utf8')).toBe('one\nthree\n');
  });

  it('a step that outlives its timeout fails with the timeout in the message', async () => {
    const loaded = await rig.load(`${header('slow')}
  - id: slow
    title: slow
    kind: ssh
    host: alpha
    command: sleep 20
    timeout: 1s
`);
    const t0 = Date.now();
    const r = await rig.run(loaded, rigInventory(sshd, db));
    expect(Date.now() - t0).toBeLessThan(8_000);
    expect(r.outcome.status).toBe('failed');
    expect(r.outcome.message).toBe('slow: timed out after 1s');
  });

  it('an ssh step with progress turns its counter lines into a bar with total, rate and ETA, and keeps them out of the output', async () => {
    const loaded = await rig.load(`${header('ssh-progress')}
  - id: size
    title: measure
    kind: ssh
    host: alpha
    command: echo 4000000
    captures:
      bytes: { regex: '^(\\d+)' }
  - id: copy
    title: copy with a counter
    kind: ssh
    host: alpha
    command: >-
      for n in 1000000 2000000 3000000; do echo "tar: copied $n (x)" >&2; echo "file $n"; sleep 0.4; done;
      echo 'Total bytes written: 4000000' >&2
    progress:
      sizeBytes: '{{ steps.size.outputs.bytes }}'
      bytesFrom: { regex: 'copied (\\d+)' }
`);
    const r = await rig.run(loaded, rigInventory(sshd, db));
    expect(r.outcome.status, r.outcome.message).toBe('done');
    const events = r.events.flatMap((e) => (e.t === 'progress' && e.id === 'copy' ? [e.event] : []));
    expect(events.length).toBeGreaterThanOrEqual(3);
    const done = events.map((e) => e.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(new Set(done).size).toBe(done.length);
    // the counter stopped at 3 MB; the command succeeded, so its work is all done and the bar ends full
    expect(done).toContain(3_000_000);
    expect(done[done.length - 1]).toBe(4_000_000);
    expect(events.every((e) => e.total === 4_000_000)).toBe(true);
    // before the end: a rate and a time left that shrinks as the copy goes on
    const midway = events.filter((e) => e.done < 4_000_000);
    expect(midway.length).toBeGreaterThanOrEqual(2);
    expect(midway.every((e) => e.rate !== undefined && e.rate > 0 && e.etaMs !== undefined && e.etaMs > 0)).toBe(true);
    expect(midway[midway.length - 1]?.etaMs).toBeLessThan(midway[0]?.etaMs ?? 0);
    // the counter lines are progress only: the rest of the output, and the journal's tail, are as the command said them
    const copyOut = r.events.map((e) => (e.t === 'output' && e.id === 'copy' ? e.text : '')).join('');
    expect(copyOut).not.toMatch(/copied/);
    expect(copyOut).toMatch(/file 1000000\n[^]*file 3000000\n/);
    expect(copyOut).toMatch(/Total bytes written: 4000000/);
    const rec = await readRun(r.outcome.journal);
    expect(rec.finished.get('copy')?.tail).not.toMatch(/copied/);
    expect(rec.finished.get('copy')?.tail).toMatch(/Total bytes written/);
  });
});
