import { describe, expect, it } from 'vitest';
import { startDaemon } from './daemon.js';
import { freePort } from './ports.js';

// The rig's promise: a service that cannot start fails the test run with the
// service's own words and a fix, fast, instead of hanging or skipping.
describe('startDaemon failure reporting', () => {
  it('fails fast with the daemon output and the fix when the process dies', async () => {
    const port = await freePort();
    const t0 = Date.now();
    const err = await startDaemon({
      name: 'fakeservice',
      command: '/bin/sh',
      args: ['-c', 'echo "cannot bind: permission denied" >&2; exit 3'],
      port,
      timeoutMs: 20_000,
      fix: 'apt-get install -y fakeservice',
    }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toContain('fakeservice did not start');
    expect(err?.message).toContain('cannot bind: permission denied');
    expect(err?.message).toContain('fix: apt-get install -y fakeservice');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('names a missing binary', async () => {
    const port = await freePort();
    await expect(
      startDaemon({ name: 'ghostd', command: '/usr/sbin/ghostd-not-installed', args: [], port, timeoutMs: 5000, fix: 'install ghostd' }),
    ).rejects.toThrow(/ENOENT[\s\S]*fix: install ghostd/);
  });

  it('gives up on a daemon that never listens', async () => {
    const port = await freePort();
    const err = await startDaemon({ name: 'mute', command: 'sleep', args: ['30'], port, timeoutMs: 500, fix: 'check mute' }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/did not accept connections within 500 ms/);
  });
});
