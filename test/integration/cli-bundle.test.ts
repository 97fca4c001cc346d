import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The CLI as shipped: the esbuild bundle (`npm run build`), not the sources.
 * Bundling changes module semantics (a dynamic import of a CommonJS package
 * has only a default export there), so a few commands run from a bundle built
 * with the package's own build flags into a temp dir.
 */
const repo = path.resolve(import.meta.dirname, '../..');
const root = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-bundle-'));
const entry = path.join(root, 'views', 'main.js');

beforeAll(() => {
  const script = (JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['build'] ?? '';
  const esbuild = script.slice(script.indexOf('esbuild '));
  expect(esbuild).toContain('--outdir=dist/views');
  execFileSync('bash', ['-c', `exec npx --no-install ${esbuild.replace('--outdir=dist/views', `--outdir=${JSON.stringify(path.join(root, 'views'))}`)}`], { cwd: repo, stdio: 'pipe' });
  // Externals (the AWS SDK) resolve from node_modules next to the bundle, as in an install.
  symlinkSync(path.join(repo, 'node_modules'), path.join(root, 'node_modules'));
  copyFileSync(path.join(repo, 'package.json'), path.join(root, 'package.json'));
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

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
