import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultAuditPath, memoryAuditLog, openAuditLog } from '../../src/core/audit.js';
import { ManualClock } from '../../src/core/clock.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-audit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lines = (file: string): Record<string, unknown>[] =>
  readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('audit log', () => {
  it('appends one JSON line per entry with when, who, where, what and result', async () => {
    const file = path.join(dir, 'state', 'opsdeck', 'audit.log');
    const log = openAuditLog({ path: file, user: 'alice', clock: new ManualClock('2026-03-01T10:00:00Z') });
    await log.append({ action: 'haproxy.sync', target: 'www_farm', result: 'ok', details: { added: 2, removed: 1 } });
    await log.append({ action: 'snapshots.delete', target: 'snap-0abc', result: 'failed' });
    const [a, b] = lines(file);
    expect(a).toEqual({
      ts: '2026-03-01T10:00:00.000Z',
      user: 'alice',
      host: os.hostname(),
      pid: process.pid,
      action: 'haproxy.sync',
      target: 'www_farm',
      result: 'ok',
      details: { added: 2, removed: 1 },
    });
    expect(b).toMatchObject({ action: 'snapshots.delete', result: 'failed', details: {} });
  });

  it('creates its directory 0700 and the file 0600: it says who did what', async () => {
    const file = path.join(dir, 'deep', 'audit.log');
    await openAuditLog({ path: file }).append({ action: 'a', target: 't', result: 'ok' });
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('redacts secret-looking details, nested too', async () => {
    const file = path.join(dir, 'audit.log');
    await openAuditLog({ path: file }).append({
      action: 'mysql.resync',
      target: 'replica',
      result: 'ok',
      details: { password: 'hunter2', host: 'db2', nested: { apiToken: 'abc', AWS_SECRET_ACCESS_KEY: 'zzz', count: 3 }, list: [{ mysqlPassword: 'p' }] },
    });
    const text = readFileSync(file, 'utf8');
    for (const secret of ['hunter2', '"abc"', 'zzz', '"p"']) expect(text).not.toContain(secret);
    expect(lines(file)[0]!.details).toEqual({
      password: '[redacted]',
      host: 'db2',
      nested: { apiToken: '[redacted]', AWS_SECRET_ACCESS_KEY: '[redacted]', count: 3 },
      list: [{ mysqlPassword: '[redacted]' }],
    });
  });

  it('keeps every line intact when several processes append at once', async () => {
    const file = path.join(dir, 'audit.log');
    const script = `
      import { openAuditLog } from ${JSON.stringify(path.resolve('src/core/audit.ts'))};
      const log = openAuditLog({ path: process.argv[1] });
      const pad = 'x'.repeat(2000);
      await Promise.all(Array.from({ length: 50 }, (_, i) => log.append({ action: 'test', target: process.pid + ':' + i, result: 'ok', details: { pad } })));`;
    await Promise.all(
      Array.from({ length: 4 }, () =>
        new Promise<void>((resolve, reject) => {
          const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, file], { stdio: 'inherit' });
          p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited ${code}`))));
        }),
      ),
    );
    const all = lines(file);
    expect(all).toHaveLength(200);
    expect(new Set(all.map((l) => l.target)).size).toBe(200);
  });

  it('defaults to $XDG_STATE_HOME/opsdeck/audit.log, ~/.local/state without it', () => {
    expect(defaultAuditPath({ XDG_STATE_HOME: '/var/state' })).toBe('/var/state/opsdeck/audit.log');
    expect(defaultAuditPath({ HOME: '/home/bob' })).toBe('/home/bob/.local/state/opsdeck/audit.log');
  });

  it('memoryAuditLog records the same shape, redacted', async () => {
    const log = memoryAuditLog({ user: 'ci' });
    await log.append({ action: 'x', target: 'y', result: 'ok', details: { token: 't0k' } });
    expect(log.entries[0]).toMatchObject({ user: 'ci', action: 'x', details: { token: '[redacted]' } });
  });
});
