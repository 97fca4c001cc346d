import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { acquireLock } from '../../src/core/lock.js';
import { startBackend, startHaproxyRig, type Backend, type HaproxyRig } from '../services/haproxy.js';
import { FakeAws, iid } from '../unit/fleet-fixtures.js';

let rig: HaproxyRig;
let backends: Backend[];
let aws: FakeAws;
let configFile: string;
let env: NodeJS.ProcessEnv;

function setFleet(members: number[]): void {
  aws.instances = members.map((n) => ({
    id: iid(n + 1),
    privateIp: '127.0.0.1',
    tags: { role: 'web', 'opsdeck:port': String(backends[n]!.port) },
  }));
}

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['--config', configFile, 'haproxy', ...args, '--batch'], {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    isTTY: false,
    env,
  });
  return { code, out, err };
}

beforeAll(async () => {
  backends = await Promise.all(['app-a', 'app-b', 'app-c'].map(startBackend));
  rig = await startHaproxyRig();
  aws = new FakeAws();
  // applySync takes its lock in the default lock dir of this process.
  process.env.XDG_RUNTIME_DIR = path.join(rig.dir, 'run');
  process.env.XDG_STATE_HOME = path.join(rig.dir, 'state');
  env = { ...process.env, XDG_STATE_HOME: path.join(rig.dir, 'state'), XDG_RUNTIME_DIR: path.join(rig.dir, 'run') };
  configFile = path.join(rig.dir, 'opsdeck.yaml');
  const c = rig.config;
  await writeFile(
    configFile,
    `aws:
  region: us-east-1
fleet:
  discovery:
    tags:
      role: web
  portTag: "opsdeck:port"
haproxy:
  template: ${c.template}
  configPath: ${c.configPath}
  binary: ${c.binary}
  serverOptions: "${c.serverOptions}"
  runtimeSocket: ${c.runtimeSocket}
  backupDir: ${c.backupDir}
  reload:
    method: master-cli
    masterSocket: ${rig.masterSocket}
`,
  );
});
afterAll(async () => {
  aws?.restore();
  await rig?.stop();
  await Promise.all((backends ?? []).map((b) => b.stop()));
});

describe('opsdeck haproxy --batch', () => {
  it('sync without --yes prints the plan and changes nothing', async () => {
    setFleet([0, 1, 2]);
    const before = await readFile(rig.configPath, 'utf8');
    const r = await cli('sync');
    expect(r.code).toBe(0);
    expect(r.out).toContain('+3 added / -0 removed / 0 unchanged (0 -> 3 servers)');
    expect(r.out).toContain(`+    server ${iid(1)} 127.0.0.1:${backends[0]!.port} check inter 500 maxconn 100`);
    expect(r.err).toContain('--yes');
    expect(await readFile(rig.configPath, 'utf8')).toBe(before);
  });

  it('sync --yes applies, then a second run is silent (cron-friendly)', async () => {
    const r = await cli('sync', '--yes');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/applied: new worker \d+ serving/);
    expect(new Set([await rig.request(), await rig.request(), await rig.request()])).toEqual(new Set(['app-a', 'app-b', 'app-c']));
    const again = await cli('sync', '--yes');
    expect(again).toEqual({ code: 0, out: '', err: '' });
    // without --yes a person asked for the plan: nothing to change is still an answer
    expect(await cli('sync')).toEqual({ code: 0, out: 'in sync (3 servers)\n', err: '' });
    const audit = await readFile(path.join(rig.dir, 'state', 'opsdeck', 'audit.log'), 'utf8');
    expect(audit.trim().split('\n').map((l) => JSON.parse(l).action)).toEqual(['haproxy.sync']);
  });

  it('status --json lists the live servers with their state', async () => {
    const r = await cli('status', '--json');
    expect(r.code).toBe(0);
    const servers = (JSON.parse(r.out) as { servers: { backend: string; name: string; admin: string }[] }).servers.filter((s) => s.backend === 'www_farm');
    expect(servers.map((s) => s.name)).toEqual([iid(1), iid(2), iid(3)]);
    expect(servers.every((s) => s.admin === 'ready')).toBe(true);
  });

  it('server drain needs --yes, then shows in status', async () => {
    expect((await cli('server', iid(2), 'drain')).out.trim()).toBe(`would set www_farm/${iid(2)} to drain`);
    expect((await cli('server', iid(2), 'drain', '--yes')).code).toBe(0);
    expect((await cli('status')).out).toMatch(new RegExp(`${iid(2)}\\s+127\\.0\\.0\\.1:\\d+\\s+drain`));
    expect((await cli('server', iid(2), 'ready', '--yes')).code).toBe(0);
    expect((await cli('server', 'evil;shutdown', 'drain', '--yes')).code).toBe(2);
  });

  it('server: a name haproxy does not know is refused (exit 2) before "would set"; --json answers in JSON', async () => {
    for (const yes of [[], ['--yes']]) {
      const r = await cli('server', iid(9), 'maint', ...yes);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toContain(`no server www_farm/${iid(9)} in haproxy (${rig.config.runtimeSocket})`);
    }
    const planned = await cli('server', iid(1), 'drain', '--json');
    expect(JSON.parse(planned.out)).toEqual({ backend: 'www_farm', server: iid(1), state: 'drain', applied: false, simulated: false });
    const applied = await cli('server', iid(1), 'drain', '--yes', '--json');
    expect(JSON.parse(applied.out)).toEqual({ backend: 'www_farm', server: iid(1), state: 'drain', applied: true, simulated: false });
    expect(JSON.parse((await cli('server', iid(1), 'ready', '--yes', '--json')).out)).toMatchObject({ state: 'ready', applied: true });
  });

  it('guards exit 3 and change nothing; --json still prints the plan', async () => {
    const before = await readFile(rig.configPath, 'utf8');
    setFleet([]);
    const empty = await cli('sync', '--yes');
    expect(empty.code).toBe(3);
    expect(empty.err).toMatch(/refusing to empty the pool/);
    setFleet([0]);
    const removal = await cli('sync', '--yes', '--json');
    expect(removal.code).toBe(3);
    expect(JSON.parse(removal.out)).toMatchObject({ allowed: false, summary: { removed: [iid(2), iid(3)] } });
    aws.failWith = Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable' });
    const failed = await cli('sync', '--yes');
    aws.failWith = undefined;
    expect(failed.code).toBe(3);
    expect(failed.err).toMatch(/discovery failed, pool left unchanged/);
    expect(await readFile(rig.configPath, 'utf8')).toBe(before);
  });

  it('--read-only shows the plan but refuses --yes with exit 3', async () => {
    setFleet([0, 2]);
    const before = await readFile(rig.configPath, 'utf8');
    const r = await cli('sync', '--yes', '--read-only');
    expect(r.code).toBe(3);
    expect(r.out).toContain(`-    server ${iid(2)}`);
    expect(r.err).toMatch(/read-only/);
    expect(await readFile(rig.configPath, 'utf8')).toBe(before);
    // without --yes it does not suggest a --yes that would be refused
    expect((await cli('sync', '--read-only')).err).toContain('this is a --read-only run, nothing can be applied');
    // a script asking for --json gets a document even when the run is refused
    const json = await cli('sync', '--yes', '--read-only', '--json');
    expect(json.code).toBe(3);
    expect(JSON.parse(json.out)).toMatchObject({ ok: false, exitCode: 3, error: { code: 'READ_ONLY' } });
  });

  it('a sync while another holds the lock exits 4', async () => {
    setFleet([0, 1]);
    const held = await acquireLock('haproxy-sync', { env });
    try {
      const r = await cli('sync', '--yes');
      expect(r.code).toBe(4);
      expect(r.err).toMatch(/another run holds the lock "haproxy-sync"/);
      const json = await cli('sync', '--yes', '--json');
      expect(json.code).toBe(4);
      expect(JSON.parse(json.out)).toMatchObject({ ok: false, exitCode: 4, error: { message: expect.stringContaining('another run holds the lock') } });
    } finally {
      await held.release();
    }
  });

  it('a `stats auth` password in the template never reaches stdout, --json or the audit log, but is written to the live file', async () => {
    // Last test: it edits the rig's template. The line sits in the pool backend, so it is diff context or a + line.
    await writeFile(rig.templatePath, (await readFile(rig.templatePath, 'utf8')).replace('balance roundrobin', 'balance roundrobin\n    stats enable\n    stats auth ops:Sup3rSecret'));
    setFleet([0, 1, 2]);
    const plan = await cli('sync');
    const json = await cli('sync', '--json');
    const applied = await cli('sync', '--yes');
    expect(applied.code).toBe(0);
    expect(plan.out).toContain('+    stats auth ops:[redacted]');
    expect(JSON.parse(json.out).diff).toContain('stats auth ops:[redacted]');
    const audit = await readFile(path.join(rig.dir, 'state', 'opsdeck', 'audit.log'), 'utf8');
    for (const text of [plan.out, plan.err, json.out, json.err, applied.out, applied.err, audit]) expect(text).not.toContain('Sup3rSecret');
    expect(await readFile(rig.configPath, 'utf8')).toContain('stats auth ops:Sup3rSecret');
    expect(await rig.request()).toMatch(/^app-/);
  });
});
