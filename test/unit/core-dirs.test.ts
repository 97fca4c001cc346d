import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ensureDir, ensureDirSync } from '../../src/core/dirs.js';

describe('ensureDir: mkdir -p that always ends', () => {
  it('makes every missing level, with the mode asked for', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-dirs-'));
    try {
      await ensureDir(path.join(root, 'a', 'b', 'c'), { mode: 0o700 });
      expect(statSync(path.join(root, 'a', 'b', 'c')).isDirectory()).toBe(true);
      expect(statSync(path.join(root, 'a')).mode & 0o777).toBe(0o700);
      ensureDirSync(path.join(root, 'a', 'b', 'c')); // exists: nothing to do
      writeFileSync(path.join(root, 'file'), '');
      expect(() => ensureDirSync(path.join(root, 'file', 'x'), { what: 'the lock directory' })).toThrow(/cannot create the lock directory .*file\/x: ENOTDIR/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('under /proc (where Node\'s recursive mkdir spins forever) fails at once with a hint', async () => {
    const t0 = Date.now();
    await expect(ensureDir('/proc/opsdeck-test/x/y')).rejects.toMatchObject({ code: 'IO', hint: expect.stringContaining('TMPDIR') });
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('TMPDIR=/proc gives the sandbox a clear error, not a busy loop', async () => {
    let err = '';
    const t0 = Date.now();
    const code = await main(['--sandbox', '--batch', 'instances'], { stdout: () => {}, stderr: (s) => (err += s), isTTY: false, env: { HOME: os.tmpdir(), TMPDIR: '/proc' } });
    expect(code).toBe(1);
    expect(err).toMatch(/^error: cannot create the sandbox .*\/proc\/opsdeck-sandbox-\d+/m);
    expect(err).toMatch(/^hint: \/proc must be a writable directory.*set TMPDIR/m);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
