import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAPROXY_BIN, startBackend, startHaproxyRig, type Backend, type HaproxyRig } from '../services/haproxy.js';

/**
 * The rig's smoke test, one of the four (HAProxy, sshd, MariaDB, s3rver): the
 * real Debian haproxy starts on loopback and proxies real HTTP requests to
 * local backends. If this fails, every other haproxy-* test is moot.
 */
let rig: HaproxyRig;
let backends: Backend[];

beforeAll(async () => {
  backends = [await startBackend('alpha'), await startBackend('beta')];
  const servers = backends.map((b) => `    server ${b.name} 127.0.0.1:${b.port}\n`).join('');
  rig = await startHaproxyRig({ initialConfig: (template) => template + servers });
});

afterAll(async () => {
  await rig?.stop();
  for (const b of backends ?? []) await b.stop();
});

describe('HAProxy smoke', () => {
  it('is the real haproxy binary and accepts the config it runs (haproxy -c)', () => {
    const version = execFileSync(HAPROXY_BIN, ['-v'], { encoding: 'utf8' });
    expect(version).toMatch(/HAProxy version \d+\.\d+/);
    expect(() => execFileSync(HAPROXY_BIN, ['-c', '-q', '-f', rig.configPath], { stdio: 'pipe' })).not.toThrow();
  });

  it('proxies HTTP requests to the local backends, round robin', async () => {
    const answers = [await rig.request(), await rig.request(), await rig.request(), await rig.request()];
    expect(answers.sort()).toEqual(['alpha', 'alpha', 'beta', 'beta']);
    expect(backends.map((b) => b.hits())).toEqual([2, 2]);
  });

  it('answers 503 once no backend is up (the proxy, not a backend, is talking)', async () => {
    for (const b of backends) await b.stop();
    await expect(rig.request()).rejects.toThrow(/HTTP 503/);
  });
});
