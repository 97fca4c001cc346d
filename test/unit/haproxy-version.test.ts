import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHaproxyVersion, validateFile, validateText } from '../../src/haproxy/validate.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'opsdeck-haproxy-version-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A stand-in binary: accepts every config with -c, prints the given version for -v. */
async function fakeHaproxy(name: string, version: string): Promise<string> {
  const bin = path.join(dir, name);
  await writeFile(bin, `#!/bin/sh\nif [ "$1" = "-v" ]; then echo '${version}'; fi\nexit 0\n`);
  await chmod(bin, 0o755);
  return bin;
}

describe('HAProxy 2.6 is the minimum', () => {
  it('reads the version line of old and new builds', () => {
    expect(parseHaproxyVersion('HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/')).toMatchObject({ major: 2, minor: 6 });
    expect(parseHaproxyVersion('HA-Proxy version 1.8.19 2019/02/11')).toMatchObject({ major: 1, minor: 8 });
    expect(parseHaproxyVersion('nope')).toBeUndefined();
  });

  it('a config that an older haproxy accepts is still refused, with which version and what to do', async () => {
    const old = await fakeHaproxy('haproxy-2.4', 'HA-Proxy version 2.4.22-0ubuntu0.22.04.3 2023/12/04');
    const v = await validateFile(old, '/dev/null', false);
    expect(v).toEqual({ status: 'failed', message: `${old} is HAProxy 2.4.22-0ubuntu0.22.04.3; opsdeck needs 2.6 or newer (set haproxy.binary to a 2.6+ build)` });
    const current = await fakeHaproxy('haproxy-2.8', 'HAProxy version 2.8.5-1 2023/12/07');
    expect((await validateFile(current, '/dev/null', false)).status).toBe('ok');
  });
});

describe('haproxy -c temp copies', () => {
  it('a copy left by a process that died mid-check (it may hold secrets) is swept by the next one', async () => {
    // A pid that surely is gone: a child we watched exit.
    const child = spawn('true');
    await new Promise((r) => child.once('exit', r));
    const stale = path.join(os.tmpdir(), `opsdeck-haproxy-check-${child.pid}-test`);
    await mkdir(stale, { recursive: true });
    await writeFile(path.join(stale, 'haproxy.cfg'), 'stats auth ops:secret\n');
    const bin = await fakeHaproxy('haproxy-ok', 'HAProxy version 2.6.12-1 2023/12/07');
    expect((await validateText(bin, 'global\n', '/etc/haproxy/haproxy.cfg', false)).status).toBe('ok');
    expect(existsSync(stale)).toBe(false);
  });
});
