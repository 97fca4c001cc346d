import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ManualClock } from '../../src/core/clock.js';

/**
 * The sandbox group follows a daily load curve: at night it shrinks to its minimum
 * of 2. Pin a busy weekday afternoon so the pool is large enough to be worth diffing
 * whatever hour CI runs at.
 */
const BUSY_AFTERNOON = '2026-11-18T16:00:00Z';

/** `opsdeck --sandbox haproxy ...`: the same code path, a working dir instead of /etc/haproxy, a simulated reload. */
let tmp: string;
const realTmp = process.env.TMPDIR;

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const env = { ...process.env, XDG_STATE_HOME: path.join(tmp, 'state'), XDG_RUNTIME_DIR: path.join(tmp, 'run') };
  const code = await main(['--sandbox', 'haproxy', ...args, '--batch'], { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false, env, clock: new ManualClock(BUSY_AFTERNOON) });
  return { code, out, err };
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'opsdeck-haproxy-sandbox-'));
  // The sandbox dir lives under os.tmpdir(): keep this test's world out of the shared one.
  process.env.TMPDIR = tmp;
  process.env.XDG_STATE_HOME = path.join(tmp, 'state');
  process.env.XDG_RUNTIME_DIR = path.join(tmp, 'run');
});
afterAll(async () => {
  if (realTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = realTmp;
  await rm(tmp, { recursive: true, force: true });
});

describe('haproxy on the sandbox', () => {
  it('plans from the sandbox AMI pointer and group, validates with the real binary, applies with a simulated reload', async () => {
    const plan = await cli('sync');
    expect(plan.code).toBe(0);
    expect(plan.out).toContain('source: ami ami-0a1b2c3d4e5f60718 (s3://opsdeck-sandbox/ami-application) · asg web-asg');
    expect(plan.out).toContain('validation: haproxy -c: configuration is valid');
    expect(plan.out).toMatch(/^\+ {4}server i-[0-9a-f]{17} 127\.0\.\d+\.\d+:80 check maxconn 200$/m);

    const applied = await cli('sync', '--yes');
    expect(applied.code).toBe(0);
    expect(applied.out).toContain('applied: sandbox: reload simulated');
    const liveText = await readFile(path.join(tmp, `opsdeck-sandbox-${process.getuid?.()}`, 'haproxy', 'haproxy.cfg'), 'utf8');
    const servers = liveText.match(/^ {4}server (i-\S+)/gm) ?? [];
    expect(servers.length).toBeGreaterThan(2);

    const status = await cli('status', '--json');
    expect((JSON.parse(status.out) as { servers: unknown[] }).servers).toHaveLength(servers.length);
    // No haproxy runs on the sandbox: the status says so rather than inventing a health.
    expect((JSON.parse(status.out) as { servers: { status: string }[] }).servers.every((sv) => sv.status === 'no runtime API')).toBe(true);
    expect((await cli('status')).err).toMatch(/no haproxy runs there, so states are simulated/);
  });

  it('rehearses a drain in batch: recorded in the sandbox dir, shown by status (and the Fleet pane), refused for an unknown server', async () => {
    await cli('sync', '--yes');
    const before = JSON.parse((await cli('status', '--json')).out) as { servers: { name: string; admin: string }[] };
    const target = before.servers[1]?.name ?? '';
    expect(target).toMatch(/^i-[0-9a-f]{17}$/);

    const planOnly = await cli('server', target, 'drain');
    expect(planOnly.code).toBe(0);
    expect(planOnly.out).toContain(`would set www_farm/${target} to drain`);

    const drained = await cli('server', target, 'drain', '--yes');
    expect(drained.code).toBe(0);
    expect(drained.out).toBe(`www_farm/${target}: drain (sandbox: simulated)\n`);
    const stateFile = path.join(tmp, `opsdeck-sandbox-${process.getuid?.()}`, 'haproxy', 'server-states.json');
    expect(JSON.parse(await readFile(stateFile, 'utf8'))).toEqual({ [`www_farm/${target}`]: 'drain' });

    const after = JSON.parse((await cli('status', '--json')).out) as { servers: { name: string; admin: string; check: string }[] };
    expect(after.servers.find((sv) => sv.name === target)).toMatchObject({ admin: 'drain', check: 'simulated' });
    expect(after.servers.filter((sv) => sv.admin !== 'ready')).toHaveLength(1);
    expect((await cli('status')).out).toMatch(new RegExp(`${target}\\s+\\S+\\s+drain`));

    const unknown = await cli('server', 'i-0000000000000dead', 'maint', '--yes');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('no server www_farm/i-0000000000000dead in the sandbox haproxy.cfg');

    expect((await cli('server', target, 'ready', '--yes')).code).toBe(0);
    const ready = JSON.parse((await cli('status', '--json')).out) as { servers: { admin: string }[] };
    expect(ready.servers.every((sv) => sv.admin === 'ready')).toBe(true);
  });

  it('status names each server by its instance Name tag, and server takes the name as well as the id', async () => {
    await cli('sync', '--yes');
    const status = JSON.parse((await cli('status', '--json')).out) as { servers: { name: string; instanceName: string | null }[] };
    const named = status.servers.find((sv) => sv.instanceName !== null);
    expect(named).toBeDefined();
    const { name: id, instanceName } = named as { name: string; instanceName: string };
    const table = (await cli('status')).out.split('\n');
    expect(table[0]).toMatch(/^BACKEND\s+NAME\s+SERVER\s+ADDRESS/);
    expect(table.find((l) => l.includes(id))).toMatch(new RegExp(`^www_farm\\s+${instanceName}\\s+${id}\\s`));

    const shared = status.servers.filter((sv) => sv.instanceName === instanceName);
    if (shared.length > 1) {
      // sandbox names can repeat: then the name is refused with every id, and nothing changes
      const refused = await cli('server', instanceName, 'drain', '--yes');
      expect(refused.code).toBe(2);
      for (const sv of shared) expect(refused.err).toContain(sv.name);
      return;
    }
    const plan = await cli('server', instanceName, 'drain');
    expect(plan.out).toBe(`would set www_farm/${id} (${instanceName}) to drain\n`);
    const drained = await cli('server', instanceName, 'drain', '--yes');
    expect(drained.code).toBe(0);
    expect(drained.out).toBe(`www_farm/${id} (${instanceName}): drain (sandbox: simulated)\n`);
    const after = JSON.parse((await cli('status', '--json')).out) as { servers: { name: string; admin: string }[] };
    expect(after.servers.find((sv) => sv.name === id)?.admin).toBe('drain');
    expect((await cli('server', instanceName, 'ready', '--yes')).code).toBe(0);
    expect((await cli('server', 'no-such-name', 'drain')).err).toContain('no server www_farm/no-such-name');
  });
});
