import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { AREAS, commandWord, registerAll } from '../../src/cli/commands/index.js';
import { main, type MainDeps } from '../../src/cli/main.js';
import type { CommandContext } from '../../src/core/context.js';
import { CloudError, type CloudPorts, type ComputePort, type Instance, type InstanceFilter, type ScalingPort } from '../../src/cloud/ports.js';
import { ManualClock } from '../../src/core/clock.js';

/**
 * main() in-process with the cloud injected: what a person or a script sees
 * on stdout/stderr and the exit code. The cloud here is a small fixed world
 * behind the real port interface (the sandbox and AWS adapters have their own tests).
 */
const root = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-main-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const NOW = new Date('2026-06-15T12:00:00Z');
const instances: Instance[] = [
  { id: 'i-0b2', name: 'web-2', state: 'running', availabilityZone: 'us-east-1b', instanceType: 't3.small', imageId: 'ami-1', privateIp: '127.0.1.12', publicIp: undefined, launchTime: new Date('2026-06-15T09:30:00Z'), tags: {} },
  { id: 'i-0a1', name: 'web-1', state: 'running', availabilityZone: 'us-east-1a', instanceType: 't3.small', imageId: 'ami-1', privateIp: '127.0.1.11', publicIp: '127.1.113.7', launchTime: new Date('2026-06-12T08:00:00Z'), tags: {} },
  { id: 'i-0c3', name: undefined, state: 'stopped', availabilityZone: undefined, instanceType: undefined, imageId: undefined, privateIp: undefined, publicIp: undefined, launchTime: undefined, tags: {} },
];

function fakeCloud(filters: InstanceFilter[], fail?: CloudError): CloudPorts {
  const unused = async (): Promise<never> => {
    throw new Error('not used by these commands');
  };
  const describeInstances: ComputePort['describeInstances'] = async (filter) => {
    filters.push(filter);
    if (fail) throw fail;
    return instances.filter((i) => !filter.states || filter.states.includes(i.state));
  };
  return {
    kind: 'sandbox',
    // every other method fails as unused, however many the port grows
    compute: new Proxy({} as ComputePort, { get: (_t, name) => (name === 'describeInstances' ? describeInstances : unused) }),
    // every scaling method fails as unused, however many the port grows
    scaling: new Proxy({} as ScalingPort, { get: () => unused }),
    objects: { getObject: unused, putObject: unused, listObjects: unused, deleteObject: unused },
  };
}

let runs = 0;
async function run(argv: string[], opts: { isTTY?: boolean; config?: string; fail?: CloudError; launchTui?: MainDeps['launchTui'] } = {}) {
  const cwd = path.join(root, `r${runs++}`);
  rmSync(cwd, { recursive: true, force: true });
  mkdirSync(cwd, { recursive: true });
  if (opts.config !== undefined) writeFileSync(path.join(cwd, 'opsdeck.yaml'), opts.config);
  let stdout = '';
  let stderr = '';
  const filters: InstanceFilter[] = [];
  const created: { sandbox: boolean; sandboxDir?: string; region?: string; profile?: string }[] = [];
  const code = await main(argv, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    isTTY: opts.isTTY ?? false,
    env: { HOME: cwd, XDG_CONFIG_HOME: path.join(cwd, 'xdg'), XDG_STATE_HOME: path.join(cwd, 'state') },
    cwd,
    clock: new ManualClock(NOW),
    createCloud: async (o) => {
      created.push({ sandbox: o.sandbox, ...(o.sandboxDir ? { sandboxDir: o.sandboxDir } : {}), ...(o.config.aws.region ? { region: o.config.aws.region } : {}), ...(o.config.aws.profile ? { profile: o.config.aws.profile } : {}) });
      return fakeCloud(filters, opts.fail);
    },
    ...(opts.launchTui ? { launchTui: opts.launchTui } : {}),
  });
  return { code, stdout, stderr, filters, created };
}

describe('opsdeck instances', () => {
  it('--json prints the stable schema: sorted, ISO dates, nulls for unknowns', async () => {
    const r = await run(['instances', '--batch', '--json', '--sandbox']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      instances: [
        { id: 'i-0c3', name: null, state: 'stopped', availabilityZone: null, instanceType: null, imageId: null, privateIp: null, publicIp: null, launchTime: null },
        { id: 'i-0a1', name: 'web-1', state: 'running', availabilityZone: 'us-east-1a', instanceType: 't3.small', imageId: 'ami-1', privateIp: '127.0.1.11', publicIp: '127.1.113.7', launchTime: '2026-06-12T08:00:00.000Z' },
        { id: 'i-0b2', name: 'web-2', state: 'running', availabilityZone: 'us-east-1b', instanceType: 't3.small', imageId: 'ami-1', privateIp: '127.0.1.12', publicIp: null, launchTime: '2026-06-15T09:30:00.000Z' },
      ],
    });
  });

  it('--state asks the cloud for that state only', async () => {
    const r = await run(['instances', '--json', '--state', 'running', '--sandbox']);
    expect(r.filters).toEqual([{ states: ['running'] }]);
    expect(JSON.parse(r.stdout).instances.map((i: { id: string }) => i.id)).toEqual(['i-0a1', 'i-0b2']);
  });

  it('prints an aligned table without colour when not on a terminal', async () => {
    const r = await run(['instances', '--sandbox']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\x1b[');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+STATE\s+AZ\s+TYPE\s+PRIVATE IP\s+PUBLIC IP\s+AGE$/);
    expect(lines[1]).toMatch(/^i-0c3\s+-\s+stopped\s+-\s+-\s+-\s+-\s+-$/);
    expect(lines[2]).toMatch(/^i-0a1\s+web-1\s+running\s+us-east-1a\s+t3\.small\s+127\.0\.1\.11\s+127\.1\.113\.7\s+3d4h$/);
    expect(lines[3]).toMatch(/^i-0b2\s+web-2\s+running\s+us-east-1b\s+t3\.small\s+127\.0\.1\.12\s+-\s+2h30m$/);
    // Columns line up: every STATE cell starts where the header does.
    const col = lines[0]!.indexOf('STATE');
    for (const l of lines.slice(1, 4)) expect(l.slice(col)).toMatch(/^(running|stopped)/);
    expect(lines[4]).toBe('3 instances, 2 running (sandbox)');
  });

  it('no AWS region anywhere is a setup error: exit 2, not 1', async () => {
    const r = await run(['instances'], { config: 'aws: {}\n', fail: new CloudError('RegionMissing', 'DescribeInstances: no AWS region: pass --region') });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: RegionMissing: DescribeInstances: no AWS region: pass --region\n');
  });

  it('a cloud error is one line and exit 1', async () => {
    const r = await run(['instances', '--sandbox'], { fail: new CloudError('UnauthorizedOperation', 'You are not authorized') });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: UnauthorizedOperation: You are not authorized\n');
  });

  it('with --json every failure is also one JSON document on stdout: cloud, config and usage errors', async () => {
    const cloud = await run(['instances', '--sandbox', '--json'], { fail: new CloudError('UnauthorizedOperation', 'You are not authorized') });
    expect(cloud.code).toBe(1);
    expect(JSON.parse(cloud.stdout)).toEqual({ ok: false, exitCode: 1, error: { code: 'UnauthorizedOperation', message: 'UnauthorizedOperation: You are not authorized', retryable: false } });
    expect(cloud.stderr).toBe('error: UnauthorizedOperation: You are not authorized\n');

    const config = await run(['instances', '--json'], { config: 'fleet:\n  address: sideways\n' });
    expect(config.code).toBe(2);
    expect(JSON.parse(config.stdout)).toMatchObject({ ok: false, exitCode: 2, error: { code: 'CONFIG_INVALID', message: expect.stringContaining('fleet.address') } });

    const usage = await run(['instances', '--json', '--no-such-flag']);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout)).toMatchObject({ ok: false, exitCode: 2, error: { code: 'USAGE', message: expect.stringContaining('--no-such-flag') } });

    // without --json stdout stays empty for the error
    expect((await run(['instances', '--no-such-flag'])).stdout).toBe('');
  });
});

describe('context and modes', () => {
  it('with no config file anywhere it uses the sandbox and says so in batch', async () => {
    const r = await run(['instances', '--json']);
    expect(r.code).toBe(0);
    expect(r.created).toEqual([{ sandbox: true, sandboxDir: path.join(os.tmpdir(), `opsdeck-sandbox-${process.getuid!()}`) }]);
    expect(r.stderr).toBe('no config found: using the sandbox\n');
  });

  it('with a config file it uses the real cloud, flags overriding the file', async () => {
    const r = await run(['instances', '--json', '--region', 'eu-west-1'], { config: 'aws:\n  region: us-east-1\n  profile: ops\n' });
    expect(r.created).toEqual([{ sandbox: false, region: 'eu-west-1', profile: 'ops' }]);
    expect(r.stderr).toBe('');
  });

  it('--profile or --region without a config file mean AWS, not the sandbox', async () => {
    const r = await run(['instances', '--json', '--profile', 'prod', '--region', 'eu-west-1']);
    expect(r.created).toEqual([{ sandbox: false, region: 'eu-west-1', profile: 'prod' }]);
    expect(r.stderr).toBe('');
    const region = await run(['instances', '--json', '--region', 'eu-west-1']);
    expect(region.created).toEqual([{ sandbox: false, region: 'eu-west-1' }]);
  });

  it('bare opsdeck on a terminal opens the TUI with the context; `tui <pane>` opens a pane', async () => {
    const seen: { ctx: CommandContext; pane: string | undefined }[] = [];
    const launchTui: MainDeps['launchTui'] = async (ctx, o) => {
      seen.push({ ctx, pane: o.initialPane });
      return 0;
    };
    expect((await run([], { isTTY: true, launchTui })).code).toBe(0);
    expect((await run(['tui', 'snapshots', '--read-only'], { isTTY: true, launchTui })).code).toBe(0);
    expect(seen.map((s) => s.pane)).toEqual([undefined, 'snapshots']);
    expect(seen[0]!.ctx.options).toMatchObject({ batch: false, sandbox: true, readOnly: false });
    expect(seen[1]!.ctx.options.readOnly).toBe(true);
  });

  it('without a terminal there is no TUI: bare opsdeck and `tui` exit 2', async () => {
    const launchTui: MainDeps['launchTui'] = async () => 0;
    const bare = await run([], { launchTui });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/^usage: opsdeck/);
    const tui = await run(['tui'], { launchTui });
    expect(tui.code).toBe(2);
    expect(tui.stderr).toContain('needs a terminal');
  });

  it('config check without any config file says where it looked and how to make one', async () => {
    const r = await run(['config', 'check']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: no config file found .*opsdeck\.yaml/);
    expect(r.stderr).toContain('opsdeck init');
  });

  it('config check warns about a retention window that keeps nothing of its own, and still passes', async () => {
    const r = await run(['config', 'check'], { config: 'aws:\n  region: us-east-1\nsnapshots:\n  windows:\n    dailyDays: 14\n    weeklyDays: 7\n' });
    expect(r.code).toBe(0);
    // file:line:column of the key, like the errors
    expect(r.stderr).toMatch(
      /^warning: \S*opsdeck\.yaml:6:5  snapshots\.windows\.weeklyDays \(7d\) is not longer than dailyDays \(14d\): that tier keeps nothing of its own; set it above 14d, or to 0 to turn it off\n$/,
    );
    // 0 turns a tier off on purpose: nothing to warn about
    const off = await run(['config', 'check', '--json'], { config: 'aws:\n  region: us-east-1\nsnapshots:\n  windows:\n    weeklyDays: 0\n' });
    expect(off.stderr).toBe('');
    expect(JSON.parse(off.stdout).policyWarnings).toEqual([]);
    const hours = await run(['config', 'check', '--json'], { config: 'snapshots:\n  windows:\n    keepAllHours: 48\n    dailyDays: 2\n' });
    expect(JSON.parse(hours.stdout).policyWarnings).toEqual([
      'snapshots.windows.dailyDays (2d) is not longer than keepAllHours (48h): that tier keeps nothing of its own; set it above 48h, or to 0 to turn it off',
    ]);
  });

  it('config check says "region: not set" and exits 2 when no region is found anywhere', async () => {
    const r = await run(['config', 'check']);
    expect(r.code).toBe(2);
    // (no config file here: that is the first problem)
    const none = await run(['config', 'check'], { config: 'fleet:\n  port: 8080\n' });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: region: not set/m);
    expect(none.stderr).toMatch(/^hint: set aws.region in .*opsdeck\.yaml/m);
    expect(none.stdout).toMatch(/region not set/);
    const json = await run(['config', 'check', '--json'], { config: 'fleet:\n  port: 8080\n' });
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: false, region: null, problems: [expect.stringMatching(/^region: not set/)] });
    const set = await run(['config', 'check'], { config: 'aws:\n  region: eu-west-1\n' });
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/region eu-west-1 \(from aws\.region\); timeouts: connect 60s, read 60s/);
  });

  it('--batch on a terminal still runs headless', async () => {
    const r = await run(['--batch'], { isTTY: true, launchTui: async () => 0 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^usage/);
  });
});

describe('command registration', () => {
  it('finds the command a run names, past global options and their values', () => {
    const values = new Set(['--config', '--profile', '--region']);
    expect(commandWord(['--config', 'x.yaml', '--sandbox', 'instances', '--json'], values)).toBe('instances');
    expect(commandWord(['--config=x.yaml', 'snapshots', 'plan'], values)).toBe('snapshots');
    expect(commandWord(['--region', 'instances', 'haproxy'], values)).toBe('haproxy');
    expect(commandWord(['--sandbox', '--read-only'], values)).toBeUndefined();
    expect(commandWord(['--', 'tui'], values)).toBe('tui');
  });

  it('each area module registers exactly the command it is filed under', async () => {
    for (const [name, load] of Object.entries(AREAS)) {
      const program = new Command('opsdeck');
      (await load())(program, () => async () => {});
      expect(program.commands.map((c) => c.name())).toEqual([name]);
    }
  });

  it('a run that names one area still parses global options before it, and --help lists every command', async () => {
    const r = await run(['--region', 'eu-west-1', '--config', 'opsdeck.yaml', 'instances', '--json'], { config: 'aws:\n  profile: ops\n' });
    expect(r.code).toBe(0);
    expect(r.created).toEqual([{ sandbox: false, region: 'eu-west-1', profile: 'ops' }]);
    for (const isTTY of [false, true]) {
      const help = await run(['--help'], { isTTY });
      expect(help.code).toBe(0);
      for (const name of [...Object.keys(AREAS), 'config', 'init', 'tui']) expect(help.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    }
    const usage = await run(['--batch'], { isTTY: true });
    for (const name of Object.keys(AREAS)) expect(usage.stderr).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
  });

  it('for the TUI or config/init no area module is registered', async () => {
    for (const word of ['tui', 'config', 'init']) {
      const program = new Command('opsdeck');
      await registerAll(program, () => async () => {}, () => async () => {}, word);
      expect(program.commands.map((c) => c.name())).toEqual(['config', 'init']);
    }
  });
});

