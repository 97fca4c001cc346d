import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { utils } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { acquireLock } from '../../src/core/lock.js';
import { runLockName } from '../../src/runbooks/engine.js';
import { loadRunbookFile } from '../../src/runbooks/load.js';
import { overrideProcessEnv } from '../services/env.js';
import { closedPort } from '../services/stalled.js';

/** `opsdeck runbook ...` in batch, as cron and a person at a shell see it. */
let dir: string;
let restore: (() => void) | undefined;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-runbook-cli-'));
  // The sandbox dir, state and user runbooks all inside this test's dir.
  restore = overrideProcessEnv({ TMPDIR: dir, XDG_STATE_HOME: path.join(dir, 'state'), XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_RUNTIME_DIR: path.join(dir, 'run') });
  mkdirSync(path.join(dir, 'config', 'opsdeck', 'runbooks'), { recursive: true });
});
afterAll(() => {
  restore?.();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main([...args, '--batch'], { stdout: (s) => (out += `${s}\n`), stderr: (s) => (err += `${s}\n`), isTTY: false });
  return { code, out, err };
}

const userFile = (name: string, text: string): string => {
  const f = path.join(dir, 'config', 'opsdeck', 'runbooks', `${name}.yaml`);
  writeFileSync(f, text);
  return f;
};

describe('runbook batch face', () => {
  it('rehearses a shipped runbook on the sandbox with no input: every step journaled, the simulated pool changed', async () => {
    expect((await cli('haproxy', 'sync', '--sandbox', '--yes')).code).toBe(0);
    const r = await cli('runbook', 'run', 'haproxy-maintenance', '--sandbox', '--yes');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^rehearsal done: haproxy-maintenance \(run \S+\)/);
    expect(r.err).toMatch(/^run \S+: journal .*\/state\/runs\/\S+\.jsonl$/m);
    expect(r.err).toContain('[4/6] Every server to maint; the maintenance page answers');
    expect(r.err).toContain('[5/6] skipped: when: inputs.mode == \'off\' is false');
    const status = JSON.parse((await cli('haproxy', 'status', '--sandbox', '--json')).out) as { servers: { admin: string }[] };
    expect(status.servers.length).toBeGreaterThan(0);
    expect(status.servers.every((s) => s.admin === 'maint')).toBe(true);

    const off = await cli('runbook', 'run', 'haproxy-maintenance', '--sandbox', '--yes', '--input', 'mode=off');
    expect(off.code).toBe(0);
    const after = JSON.parse((await cli('haproxy', 'status', '--sandbox', '--json')).out) as { servers: { admin: string }[] };
    expect(after.servers.every((s) => s.admin === 'ready')).toBe(true);

    const runs = JSON.parse((await cli('runbook', 'runs', '--sandbox', '--json')).out) as { runs: { runbook: string; status: string; rehearsal: boolean; steps: string }[] };
    expect(runs.runs).toHaveLength(2);
    expect(runs.runs.every((x) => x.runbook === 'haproxy-maintenance' && x.status === 'done' && x.rehearsal)).toBe(true);
  });

  it('every shipped runbook rehearses on the sandbox with no --input and --yes alone', async () => {
    const names = (JSON.parse((await cli('runbook', 'list', '--sandbox', '--json')).out) as { name: string; origin: string }[]).filter((r) => r.origin === 'shipped').map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['asg-shutdown', 'haproxy-maintenance', 'mysql-resync', 'mysql-resync-dump']));
    for (const name of names) {
      // each in a sandbox of its own: a shutdown rehearsal leaves the simulated group deleted
      // (a short path: the sandbox haproxy's socket path must fit in 97 bytes)
      const own = overrideProcessEnv({ TMPDIR: mkdtempSync(path.join(dir, 's')) });
      try {
        const r = await cli('runbook', 'run', name, '--sandbox', '--yes');
        expect(r.code, `${name}\n${r.err}`).toBe(0);
        expect(r.out).toMatch(new RegExp(`^rehearsal done: ${name} `));
      } finally {
        own();
      }
    }
  });

  it('without --yes prints the plan, every step rendered, and runs nothing', async () => {
    const r = await cli('runbook', 'run', 'haproxy-maintenance', '--sandbox');
    expect(r.code).toBe(0);
    expect(r.out).toContain('  2. Drain every server so requests in flight finish  [drain: haproxy, confirm, idempotent]');
    expect(r.out).toContain('haproxy set server (every server of the backend) state maint');
    expect(r.err).toContain('plan only: run again with --yes to run it (a rehearsal: nothing real is touched)');
  });

  it('refuses a bad input value with exit 2 and says what is expected', async () => {
    const r = await cli('runbook', 'show', 'haproxy-maintenance', '--sandbox', '--input', 'mode=maybe', '--input', 'colour=red');
    expect(r.code).toBe(2);
    expect(r.err).toContain('mode: "maybe" does not match ^(on|off)$');
    expect(r.err).toContain('colour: haproxy-maintenance has no input "colour"');
  });

  it('a broken user runbook: located problems, exit 2, no stack; the rest still list', async () => {
    const f = userFile('broken', 'name: broken\ntitle: B\ndescription: d\nsteps:\n  - id: one\n    title: One\n    kind: ssh\n    host: h\n    command: echo {{ inputs.nope }}\n');
    const show = await cli('runbook', 'show', 'broken', '--sandbox');
    expect(show.code).toBe(2);
    expect(show.err).toContain(`${f}:9:5  steps[0].command  inputs.nope: no input "nope"`);
    expect(show.err).not.toMatch(/\n\s+at /);
    const list = await cli('runbook', 'list', '--sandbox');
    expect(list.out).toContain('haproxy-maintenance');
    expect(list.err).toContain(`warning: ${f} did not load`);
    rmSync(f);
  });

  it('a user runbook with a shipped name replaces it, and the list says so', async () => {
    userFile('haproxy-maintenance', 'name: haproxy-maintenance\ntitle: Local maintenance\ndescription: ours\nsteps:\n  - id: one\n    title: One\n    kind: manual\n    instruction: do it\n');
    const list = await cli('runbook', 'list', '--sandbox');
    expect(list.out).toMatch(/haproxy-maintenance\s+Local maintenance\s+1\s+user \(replaces shipped\)/);
    rmSync(path.join(dir, 'config', 'opsdeck', 'runbooks', 'haproxy-maintenance.yaml'));
  });

  describe('for real (no sandbox)', () => {
    let config: string;
    let port: number;
    beforeAll(async () => {
      port = await closedPort();
      config = path.join(dir, 'opsdeck.yaml');
      writeFileSync(config, `hosts:\n  db2:\n    host: 127.0.0.1\n    port: ${port}\n    user: ops\n    identityFile: ${path.join(dir, 'nokey')}\n    knownHosts: ${path.join(dir, 'known_hosts')}\n`);
      writeFileSync(path.join(dir, 'nokey'), utils.generateKeyPairSync('ed25519').private);
      userFile('wipe', `name: wipe
title: Wipe the replica's data dir
description: destructive
inputs:
  host:
    type: host
    help: the replica
steps:
  - id: stop
    title: Stop MySQL by hand
    kind: manual
    instruction: stop mysqld on {{ inputs.host }}
  - id: wipe
    title: Wipe
    kind: ssh
    host: '{{ inputs.host }}'
    command: rm -rf /var/lib/mysql-test-nothing
    confirm: { typed: WIPE }
`);
    });

    it('--yes alone does not pass a typed confirmation or a manual step: exit 3, nothing run', async () => {
      const r = await cli('--config', config, 'runbook', 'run', 'wipe', '--input', 'host=db2', '--yes');
      expect(r.code).toBe(3);
      expect(r.err).toContain('stop: a manual step ("Stop MySQL by hand"): do it, then pass --confirm stop=done');
      expect(r.err).toContain('wipe: type --confirm wipe=WIPE');
      expect(existsSync(path.join(dir, 'state', 'opsdeck', 'runs'))).toBe(false);
      const wrong = await cli('--config', config, 'runbook', 'run', 'wipe', '--input', 'host=db2', '--yes', '--confirm', 'stop=done', '--confirm', 'wipe=wipe');
      expect(wrong.code).toBe(3);
      expect(wrong.err).toContain('wipe: type --confirm wipe=WIPE (got "wipe")');
    });

    it('with the words typed it runs; an unreachable host fails the step with a clear error, journaled and resumable', async () => {
      const r = await cli('--config', config, 'runbook', 'run', 'wipe', '--input', 'host=db2', '--yes', '--confirm', 'stop=done', '--confirm', 'wipe=WIPE');
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/^failed: wipe \(run \S+\)\nwipe: cannot connect to ops@127\.0\.0\.1:\d+/);
      expect(r.out).toMatch(/resume with: opsdeck runbook resume \S+ --yes/);
      expect(readdirSync(path.join(dir, 'state', 'opsdeck', 'runs'))).toHaveLength(1);
    });

    it('--read-only refuses to run (exit 3); another run on the same hosts holds the lock (exit 4)', async () => {
      expect((await cli('--config', config, '--read-only', 'runbook', 'run', 'wipe', '--input', 'host=db2', '--yes')).code).toBe(3);
      const loaded = await loadRunbookFile(path.join(dir, 'config', 'opsdeck', 'runbooks', 'wipe.yaml'), 'user');
      const lock = await acquireLock(runLockName({ loaded, inputs: { host: 'db2' } }), { dir: path.join(dir, 'state', 'opsdeck', 'locks') });
      try {
        const r = await cli('--config', config, 'runbook', 'run', 'wipe', '--input', 'host=db2', '--yes', '--confirm', 'stop=done', '--confirm', 'wipe=WIPE');
        expect(r.code).toBe(4);
      } finally {
        await lock.release();
      }
    });
  });
});
