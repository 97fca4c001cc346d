import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, type Bundle } from './bundle.js';

/**
 * The CLI as shipped: the esbuild bundle (`npm run build`), not the sources;
 * a few commands run from a bundle built with the package's own build flags.
 */
const repo = path.resolve(import.meta.dirname, '../..');
let bundle: Bundle;
let root: string;
let entry: string;

beforeAll(() => {
  bundle = buildBundle();
  ({ root, entry } = bundle);
}, 60_000);
afterAll(() => bundle.remove());

let n = 0;
function opsdeck(args: string[], config?: string) {
  const dir = path.join(root, `run${n++}`);
  mkdirSync(dir);
  if (config !== undefined) writeFileSync(path.join(dir, 'opsdeck.yaml'), config);
  const r = spawnSync(process.execPath, [entry, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_STATE_HOME: path.join(dir, 'state'), TMPDIR: dir },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the bundled CLI', () => {
  it('a large --json document arrives whole through a pipe (exit waits for stdout to drain)', () => {
    // Every decision of the sandbox's ~30,000 snapshots: megabytes, far past a pipe's 64 KiB.
    const dir = mkdtempSync(path.join(root, 'pipe-'));
    const r = spawnSync(process.execPath, [entry, 'snapshots', 'plan', '--batch', '--json', '--decisions', '--sandbox'], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, XDG_STATE_HOME: path.join(dir, 'state'), TMPDIR: dir },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 256 * 1024 * 1024,
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(1024 * 1024);
    const plan = JSON.parse(r.stdout) as { decisions: unknown[]; totals: { snapshots: number } };
    expect(plan.decisions.length).toBe(plan.totals.snapshots);
  }, 90_000);

  it('config show prints the effective config as YAML, literal secrets hidden', () => {
    const r = opsdeck(['config', 'show'], 'aws:\n  region: eu-west-1\nmysql:\n  main:\n    password: hunter2secret\n');
    expect(r.stderr).not.toContain('bug in opsdeck');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# .*opsdeck\.yaml\naws:\n {2}region: eu-west-1\n/);
    expect(r.stdout).not.toContain('hunter2secret');
  });

  it('instances --batch --json lists the sandbox fleet', () => {
    const r = opsdeck(['instances', '--batch', '--json', '--sandbox']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { instances: unknown[] }).instances.length).toBeGreaterThan(5);
  });

  it('a bad config is exit 2 with file:line:col, from the lazily loaded parser chunk', () => {
    const r = opsdeck(['config', 'check'], 'fleet:\n  port: eighty\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/opsdeck\.yaml:2:9 {2}fleet\.port {2}expected number, got "eighty"/);
  });

  it('--version is the package version', () => {
    const r = opsdeck(['--version']);
    expect(r.stdout.trim()).toBe((JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string }).version);
  });
});
