import { chmod, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryAuditLog } from '../../src/core/audit.js';
import { systemClock } from '../../src/core/clock.js';
import { acquireLock } from '../../src/core/lock.js';
import { fleetConfigSchema } from '../../src/fleet/config.js';
import { applySync } from '../../src/haproxy/apply.js';
import type { HaproxyConfig } from '../../src/haproxy/config.js';
import { planSync } from '../../src/haproxy/plan.js';
import { liveServers, setServerState } from '../../src/haproxy/runtime.js';
import { socketCommand } from '../../src/haproxy/socket.js';
import { freePort } from '../services/ports.js';
import { rigTemplate, startBackend, startHaproxyRig, type Backend, type HaproxyRig } from '../services/haproxy.js';
import { FakeAws, fakeCloud, iid } from '../unit/fleet-fixtures.js';

const fleet = fleetConfigSchema.parse({ discovery: { tags: { role: 'web' } }, portTag: 'opsdeck:port' });
let rig: HaproxyRig;
let backends: Backend[];
let aws: FakeAws;
let lockDir: string;
const audit = memoryAuditLog();

/** Instance n is backend n: 127.0.0.1 plus its port in the port tag, so real traffic reaches it. */
function setFleet(members: number[]): void {
  aws.instances = backends.map((b, n) => ({
    id: iid(n + 1),
    privateIp: '127.0.0.1',
    state: members.includes(n) ? 'running' : 'stopped',
    tags: { role: 'web', Name: b.name, 'opsdeck:port': String(b.port) },
  }));
}

async function sync(cfg: HaproxyConfig = rig.config, options = {}) {
  const plan = await planSync({ cloud: fakeCloud(), fleet, haproxy: cfg, clock: systemClock, options });
  return { plan, apply: () => applySync(plan, { haproxy: cfg, audit, clock: systemClock, lockDir }) };
}

async function reached(n = 24): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add(await rig.request());
  return seen;
}

beforeAll(async () => {
  backends = await Promise.all(['app-a', 'app-b', 'app-c', 'app-d'].map(startBackend));
  rig = await startHaproxyRig();
  aws = new FakeAws();
  lockDir = path.join(rig.dir, 'locks');
});
afterAll(async () => {
  aws?.restore();
  await rig?.stop();
  await Promise.all((backends ?? []).map((b) => b.stop()));
});

describe('haproxy sync against a real haproxy', () => {
  beforeEach(() => {
    aws.failWith = undefined;
  });

  it('adds and removes servers; traffic reaches every pool member and none outside it', async () => {
    setFleet([0, 1, 2]);
    const first = await sync();
    expect(first.plan.allowed).toBe(true);
    expect(first.plan.summary.added).toEqual([iid(1), iid(2), iid(3)]);
    const r = await first.apply();
    expect(r.applied).toBe(true);
    expect(await reached()).toEqual(new Set(['app-a', 'app-b', 'app-c']));
    expect(backends[3]!.hits()).toBe(0);

    setFleet([0, 1, 3]);
    const second = await sync();
    expect(second.plan.summary).toMatchObject({ added: [iid(4)], removed: [iid(3)], unchanged: 2 });
    // Stable names: only the lines of the instances that changed appear in the diff.
    expect(second.plan.diff.split('\n').filter((l) => /^[-+]\s/.test(l))).toHaveLength(2);
    await second.apply();
    const hitsC = backends[2]!.hits();
    expect(await reached()).toEqual(new Set(['app-a', 'app-b', 'app-d']));
    expect(backends[2]!.hits()).toBe(hitsC);
    expect((await liveServers(rig.adminSocket, ['www_farm'])).map((s) => s.name).sort()).toEqual([iid(1), iid(2), iid(4)]);
    expect(audit.entries.filter((e) => e.action === 'haproxy.sync' && e.result === 'ok')).toHaveLength(2);
  });

  it('does nothing when the pool already matches', async () => {
    const before = await readFile(rig.configPath, 'utf8');
    const { plan, apply } = await sync();
    expect(plan.changed).toBe(false);
    expect((await apply()).applied).toBe(false);
    expect(await readFile(rig.configPath, 'utf8')).toBe(before);
  });

  describe('guards leave the live config byte-identical and the service answering', () => {
    let before: string;
    beforeEach(async () => {
      setFleet([0, 1, 3]);
      before = await readFile(rig.configPath, 'utf8');
    });
    const unchanged = async (): Promise<void> => {
      expect(await readFile(rig.configPath, 'utf8')).toBe(before);
      expect(await reached(6)).toEqual(new Set(['app-a', 'app-b', 'app-d']));
    };

    it('discovery error', async () => {
      aws.failWith = Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded', $fault: 'client' });
      const { plan, apply } = await sync();
      expect(plan.guards).toContainEqual(expect.objectContaining({ guard: 'discovery', ok: false }));
      await expect(apply()).rejects.toMatchObject({ code: 'REFUSED', exitCode: 3 });
      await unchanged();
    });

    it('empty discovery (unless --allow-empty)', async () => {
      setFleet([]);
      const { plan, apply } = await sync();
      expect(plan.guards).toContainEqual(expect.objectContaining({ guard: 'empty', ok: false }));
      await expect(apply()).rejects.toMatchObject({ exitCode: 3 });
      await unchanged();
      // --force lifts the removal guard only: emptying the pool takes --allow-empty, said in so many words
      const forced = await sync(rig.config, { force: true });
      expect(forced.plan.allowed).toBe(false);
      expect(forced.plan.guards).toContainEqual(expect.objectContaining({ guard: 'empty', ok: false }));
      await expect(forced.apply()).rejects.toMatchObject({ exitCode: 3 });
      await unchanged();
      const allowed = await sync(rig.config, { allowEmpty: true });
      expect(allowed.plan.guards).toContainEqual(expect.objectContaining({ guard: 'empty', ok: true }));
    });

    it('removing more than half of the servers (unless --force)', async () => {
      setFleet([2]);
      const { plan, apply } = await sync();
      expect(plan.guards.find((g) => g.guard === 'removal')?.message).toMatch(/removes 3 of 3 servers/);
      await expect(apply()).rejects.toMatchObject({ exitCode: 3 });
      await unchanged();
    });

    it('a template that fails haproxy -c', async () => {
      const bad = path.join(rig.dir, 'bad-template.cfg');
      await writeFile(bad, (await readFile(rig.templatePath, 'utf8')).replace('balance roundrobin', 'balance roundrobin\n    frobnicate yes'));
      setFleet([0, 1, 2, 3]);
      const { plan, apply } = await sync({ ...rig.config, template: bad });
      expect(plan.validation.status).toBe('failed');
      expect(plan.guards.find((g) => g.guard === 'validation')?.message).toMatch(/frobnicate/);
      await expect(apply()).rejects.toMatchObject({ exitCode: 3 });
      await unchanged();
    });

    it('apply runs haproxy -c itself: a config that became invalid after planning is never written', async () => {
      setFleet([0, 1, 2, 3]);
      const { plan } = await sync();
      expect(plan.validation.status).toBe('ok');
      // what apply gets differs from what was validated (a plan file edited, a bug between plan and apply)
      const tampered = { ...plan, newConfig: plan.newConfig.replace('balance roundrobin', 'balance roundrobin\n    frobnicate yes') };
      await expect(applySync(tampered, { haproxy: rig.config, audit, clock: systemClock, lockDir })).rejects.toMatchObject({ exitCode: 3, message: expect.stringMatching(/frobnicate/) });
      await unchanged();
    });

    it('a secret word haproxy -c quotes out of a rejected line never reaches the plan', async () => {
      const bad = path.join(rig.dir, 'auth-template.cfg');
      // unquoted, so haproxy 2.6 rejects it and quotes only the token
      await writeFile(bad, (await readFile(rig.templatePath, 'utf8')).replace('balance roundrobin', 'balance roundrobin\n    http-request set-header Authorization Basic dXNlcjpTM2NyZXRUb2tlbg=='));
      setFleet([0, 1, 2, 3]);
      const { plan } = await sync({ ...rig.config, template: bad });
      expect(plan.validation.status).toBe('failed');
      const shown = JSON.stringify(plan.guards) + plan.validation.message + plan.diff;
      expect(plan.validation.message).toMatch(/set-header' expects either 'if' or 'unless'.*\[redacted\]/);
      expect(shown).not.toContain('dXNlcjpTM2NyZXRUb2tlbg');
    });

    it('a reload that fails restores the backup and reloads it', async () => {
      // Passes `haproxy -c` (which does not bind) but the new worker cannot bind a port already taken.
      const taken = await startBackend('squatter');
      try {
        const tpl = rigTemplate(rig.dir, rig.frontendPort).replace(
          `bind 127.0.0.1:${rig.frontendPort}`,
          `bind 127.0.0.1:${rig.frontendPort}\n    bind 127.0.0.1:${taken.port}`,
        );
        const failing = path.join(rig.dir, 'failing-template.cfg');
        await writeFile(failing, tpl);
        setFleet([0, 1, 2, 3]);
        const { plan, apply } = await sync({ ...rig.config, template: failing });
        expect(plan.allowed).toBe(true);
        await expect(apply()).rejects.toMatchObject({ code: 'RELOAD_FAILED', details: ['previous config restored and reloaded'] });
        setFleet([0, 1, 3]);
        await unchanged();
        expect(audit.entries.at(-1)).toMatchObject({ action: 'haproxy.sync', result: 'failed' });
      } finally {
        await taken.stop();
      }
    });

    it('a second sync while one holds the lock exits 4', async () => {
      setFleet([0, 1, 2, 3]);
      const { apply } = await sync();
      const held = await acquireLock('haproxy-sync', { dir: lockDir });
      try {
        await expect(apply()).rejects.toMatchObject({ code: 'LOCK_HELD', exitCode: 4 });
      } finally {
        await held.release();
      }
      await unchanged();
    });
  });

  it('drain and maint through the runtime API show in show servers state, and ready undoes them', async () => {
    setFleet([0, 1, 3]);
    const { plan, apply } = await sync();
    if (plan.changed) await apply();
    const id = iid(2);
    await setServerState(rig.adminSocket, 'www_farm', id, 'drain');
    const raw = await socketCommand(rig.adminSocket, 'show servers state www_farm');
    const line = raw.split('\n').find((l) => l.includes(` ${id} `));
    expect(Number(line?.split(' ')[6]) & 0x08).toBe(0x08);
    // While checks settle, show stat appends the rise/fall progress ("DRAIN 1/3"): the state is what matters.
    expect((await liveServers(rig.adminSocket)).find((s) => s.name === id)).toMatchObject({
      admin: 'drain',
      status: expect.stringMatching(/^DRAIN\b/),
    });
    await setServerState(rig.adminSocket, 'www_farm', id, 'maint');
    expect((await liveServers(rig.adminSocket)).find((s) => s.name === id)?.admin).toBe('maint');
    expect(await reached(9)).toEqual(new Set(['app-a', 'app-d']));
    await setServerState(rig.adminSocket, 'www_farm', id, 'ready');
    expect((await liveServers(rig.adminSocket)).find((s) => s.name === id)?.admin).toBe('ready');
    await expect(setServerState(rig.adminSocket, 'www_farm', 'i-0123456789abcdef9', 'drain')).rejects.toThrow(/No such server/i);
  });

  it('keeps the live file\'s mode: a 0640 haproxy.cfg (it may hold a stats password) stays 0640', async () => {
    await chmod(rig.configPath, 0o640);
    setFleet([0, 1, 2, 3]);
    const { plan, apply } = await sync();
    expect(plan.changed).toBe(true);
    await apply();
    expect((await stat(rig.configPath)).mode & 0o777).toBe(0o640);
    setFleet([0, 1, 3]);
    await (await sync()).apply();
    await chmod(rig.configPath, 0o644);
  });

  it('keeps the last N backups', async () => {
    const files = await readdir(rig.config.backupDir!);
    expect(files.length).toBeGreaterThan(0);
    expect(files.length).toBeLessThanOrEqual(rig.config.keepBackups);
  });

  it('is hitless: 20 applies with changes under a steady request stream lose no request', async () => {
    // Bounded: the clients stop after the applies, or at CAP requests / 90 s if something hangs; loopback only.
    const CAP = 200_000; // ~17k in practice here; the old cap of 3,000 ran out after a few applies
    const until = Date.now() + 90_000;
    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    const done = (): number => ok + failures.length;
    const client = async (): Promise<void> => {
      while (!stop && done() < CAP && Date.now() < until) {
        try {
          await rig.request();
          ok++;
        } catch (e) {
          failures.push((e as Error).message);
        }
      }
    };
    // Start from a known pool so the test also stands alone (-t hitless).
    setFleet([0, 1, 3]);
    const start = await sync();
    if (start.plan.changed) await start.apply();
    const clients = [client(), client(), client()];
    const perApply: number[] = [];
    for (let i = 0; i < 20; i++) {
      setFleet(i % 2 === 0 ? [0, 1, 2, 3] : [0, 1, 3]);
      const { plan, apply } = await sync();
      expect(plan.changed).toBe(true);
      expect(plan.summary.added.length + plan.summary.removed.length).toBe(1);
      const before = done();
      const r = await apply();
      expect(r.reload).toMatch(/new worker \d+ serving/);
      perApply.push(done() - before);
    }
    const streamStillRunning = done() < CAP && Date.now() < until;
    stop = true;
    await Promise.all(clients);
    expect(failures).toEqual([]);
    // Steady: the stream never ran out before the last apply, and requests completed during every reload.
    expect(streamStillRunning).toBe(true);
    expect(perApply.filter((n) => n === 0)).toEqual([]);
    expect(ok).toBeGreaterThan(100);
  }, 120_000);
});

describe('startHaproxyRig', () => {
  it('fails with a fix-it message when haproxy cannot start', async () => {
    const port = await freePort();
    // A template line haproxy rejects makes the first start fail.
    await expect(startHaproxyRig({ templateExtra: `    no-such-directive ${port}` })).rejects.toThrow(/haproxy did not start[\s\S]*fix:/);
  });
});
