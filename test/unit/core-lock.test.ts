import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpsError } from '../../src/core/errors.js';
import { acquireLock, lockDir, withLock } from '../../src/core/lock.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function deadPid(): number {
  // A process that has already exited: its pid is (almost certainly) free.
  const r = spawnSync('true');
  return r.pid ?? 999_999;
}

describe('lock', () => {
  it('records who holds it and removes the file on release', async () => {
    const lock = await acquireLock('haproxy-sync', { dir });
    const info = JSON.parse(readFileSync(path.join(dir, 'haproxy-sync.lock'), 'utf8'));
    expect(info).toMatchObject({ pid: process.pid, host: os.hostname() });
    expect(new Date(info.started).getTime()).toBeGreaterThan(Date.now() - 60_000);
    await lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses with LOCK_HELD (exit 4) naming the holder while a live process holds it', async () => {
    const holder = spawn('sleep', ['30']);
    try {
      writeFileSync(
        path.join(dir, 'snapshots.lock'),
        JSON.stringify({ pid: holder.pid, host: os.hostname(), started: '2026-01-01T00:00:00.000Z', token: 'x' }),
      );
      const err = await acquireLock('snapshots', { dir }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpsError);
      expect((err as OpsError).code).toBe('LOCK_HELD');
      expect((err as OpsError).exitCode).toBe(4);
      expect((err as OpsError).message).toContain(`pid ${holder.pid}`);
      expect((err as OpsError).message).toContain('2026-01-01T00:00:00.000Z');
    } finally {
      holder.kill();
    }
  });

  it('does not judge a lock from another host by local pids', async () => {
    writeFileSync(path.join(dir, 'x.lock'), JSON.stringify({ pid: deadPid(), host: 'elsewhere.example', started: 'then', token: 't' }));
    await expect(acquireLock('x', { dir })).rejects.toMatchObject({ code: 'LOCK_HELD' });
  });

  it('takes over a stale lock (dead pid on this host) with a warning', async () => {
    const pid = deadPid();
    writeFileSync(path.join(dir, 'sync.lock'), JSON.stringify({ pid, host: os.hostname(), started: 'long ago', token: 'old' }));
    const warnings: string[] = [];
    const lock = await acquireLock('sync', { dir, onWarning: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`pid ${pid}`);
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('takes over a lock from before a reboot even when its pid is alive again (another process by now)', async () => {
    const holder = spawn('sleep', ['30']);
    try {
      const file = path.join(dir, 'cron.lock');
      const lockFrom = (boot: string) => writeFileSync(file, JSON.stringify({ pid: holder.pid, host: os.hostname(), started: 'before', token: 'b', boot }));
      lockFrom('boot-now');
      await expect(acquireLock('cron', { dir, bootId: 'boot-now' })).rejects.toMatchObject({ code: 'LOCK_HELD' });
      lockFrom('boot-before');
      const warnings: string[] = [];
      const lock = await acquireLock('cron', { dir, bootId: 'boot-now', onWarning: (m) => warnings.push(m) });
      expect(warnings).toEqual([`taking over stale lock "cron" left by pid ${holder.pid} (before a reboot), started before`]);
      expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({ pid: process.pid, boot: 'boot-now' });
      await lock.release();
    } finally {
      holder.kill();
    }
  });

  it('lets exactly one of many concurrent acquirers win', async () => {
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => acquireLock('race', { dir })));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as OpsError).code).toBe('LOCK_HELD');
  });

  it('lets exactly one of several processes win', async () => {
    // The winner holds the lock until the test closes its stdin, so all runs overlap whatever their start-up time.
    const script = `
      import { acquireLock } from ${JSON.stringify(path.resolve('src/core/lock.ts'))};
      try { await acquireLock('multi', { dir: process.argv[1] }); console.log('won'); }
      catch (e) { console.log(e.code); }
      process.stdin.resume(); process.stdin.on('end', () => process.exit(0));`;
    const procs = Array.from({ length: 4 }, () =>
      spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir], { cwd: path.resolve('.') }),
    );
    const outcomes = await Promise.all(
      procs.map(
        (p) =>
          new Promise<string>((resolve) => {
            let out = '';
            p.stdout.on('data', (d) => {
              out += d;
              if (out.includes('\n')) resolve(out.trim());
            });
            p.on('close', () => resolve(out.trim()));
          }),
      ),
    );
    await Promise.all(procs.map((p) => new Promise((r) => { p.on('close', r); p.stdin.end(); })));
    expect(outcomes.filter((o) => o === 'won')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'LOCK_HELD')).toHaveLength(3);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('lets exactly one of many racers take over the same stale lock', async () => {
    writeFileSync(path.join(dir, 'stale.lock'), JSON.stringify({ pid: deadPid(), host: os.hostname(), started: 'then', token: 'old' }));
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => acquireLock('stale', { dir })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('withLock releases after the work, also when it throws', async () => {
    await expect(withLock('w', async () => { throw new Error('work failed'); }, { dir })).rejects.toThrow('work failed');
    expect(await withLock('w', async () => 42, { dir })).toBe(42);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rejects lock names that could escape the lock directory', async () => {
    for (const bad of ['../etc/passwd', 'a/b', '', '.hidden', 'x'.repeat(200)]) {
      await expect(acquireLock(bad, { dir })).rejects.toThrow(/invalid lock name/);
    }
  });

  it('lives under $XDG_STATE_HOME/opsdeck/locks whatever the session: cron and a login shell must meet', () => {
    expect(lockDir({ env: { XDG_STATE_HOME: '/s', HOME: '/h' } })).toBe('/s/opsdeck/locks');
    expect(lockDir({ env: { XDG_STATE_HOME: '/s', XDG_RUNTIME_DIR: '/run/user/0', HOME: '/h' } })).toBe('/s/opsdeck/locks');
    expect(lockDir({ env: { HOME: '/h' } })).toBe('/h/.local/state/opsdeck/locks');
  });
});
