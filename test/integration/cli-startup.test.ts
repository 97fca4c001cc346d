import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * What a run loads, seen by a module resolve hook in a real process: the cron
 * path (`instances --batch` with no config) must stay free of zod and yaml
 * (tens of ms of CPU each), of Ink/React and of the AWS SDK. A config file
 * brings zod and yaml, which proves the hook sees them when they load.
 */
const repo = path.resolve(import.meta.dirname, '../..');
const entry = path.join(repo, 'views', 'main.ts');
const tsx = import.meta.resolve('tsx');
const root = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-startup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const hook = path.join(root, 'hook.mjs');
writeFileSync(
  hook,
  `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  const m = /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(r.url);
  if (m) appendFileSync(process.env.OPSDECK_MODULE_LOG, m[1] + '\\n');
  return r;
}
`,
);
const registerHook = path.join(root, 'register.mjs');
writeFileSync(registerHook, `import { register } from 'node:module';\nregister(${JSON.stringify('file://' + hook)});\n`);

let n = 0;
function packagesLoaded(args: string[], config?: string): { code: number | null; packages: Set<string>; stderr: string } {
  const dir = path.join(root, `run${n++}`);
  mkdirSync(path.join(dir, 'work'), { recursive: true });
  if (config !== undefined) writeFileSync(path.join(dir, 'work', 'opsdeck.yaml'), config);
  const log = path.join(dir, 'modules.log');
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', tsx, '--import', registerHook, entry, ...args], {
    cwd: path.join(dir, 'work'),
    env: { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_STATE_HOME: path.join(dir, 'state'), TMPDIR: dir, OPSDECK_MODULE_LOG: log },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  });
  return { code: r.status, packages: new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean)), stderr: r.stderr };
}

const heavy = (s: Set<string>): string[] => [...s].filter((p) => /^(zod|yaml|react|ink|@aws-sdk\/.*)$/.test(p)).sort();

describe('start-up cost of the batch path', () => {
  it('instances --batch --json on the sandbox without a config loads no zod, yaml, Ink, React or AWS SDK', () => {
    const r = packagesLoaded(['instances', '--batch', '--json', '--sandbox']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.packages.has('commander')).toBe(true);
    expect(heavy(r.packages)).toEqual([]);
  });

  it('a config file brings zod and yaml (to validate it), still no Ink', () => {
    const r = packagesLoaded(['instances', '--batch', '--json', '--sandbox'], 'aws:\n  region: eu-west-1\n');
    expect(r.code).toBe(0);
    expect(heavy(r.packages)).toEqual(['yaml', 'zod']);
  });

  it('--help lists every area without loading Ink, React or the AWS SDK', () => {
    const r = packagesLoaded(['--help']);
    expect(r.code).toBe(0);
    expect(heavy(r.packages).filter((p) => p !== 'zod')).toEqual([]);
  });
});
