import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverConfig, loadConfig } from '../../src/config/loader.js';
import { parseConfig } from '../../src/config/parse.js';
import { OpsError } from '../../src/core/errors.js';

let root: string;
let cwd: string;
let xdg: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-cfg-'));
  cwd = path.join(root, 'work');
  xdg = path.join(root, 'xdg');
  mkdirSync(cwd);
  mkdirSync(path.join(xdg, 'opsdeck'), { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(file: string, text = 'aws: {}\n'): string {
  writeFileSync(file, text);
  return file;
}

function problems(text: string): { err: OpsError; lines: string[] } {
  try {
    parseConfig(text, 'opsdeck.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(OpsError);
    return { err: e as OpsError, lines: [...(e as OpsError).details] };
  }
  throw new Error('expected the config to be rejected');
}

describe('config discovery', () => {
  it('takes --config, then $OPSDECK_CONFIG, then ./opsdeck.yaml, then $XDG_CONFIG_HOME/opsdeck/config.yaml', () => {
    const flag = write(path.join(root, 'flag.yaml'));
    const envFile = write(path.join(root, 'env.yaml'));
    const local = write(path.join(cwd, 'opsdeck.yaml'));
    const user = write(path.join(xdg, 'opsdeck', 'config.yaml'));
    const env = { OPSDECK_CONFIG: envFile, XDG_CONFIG_HOME: xdg, HOME: root };

    expect(discoverConfig({ explicit: flag, env, cwd })).toEqual({ path: flag, source: 'flag' });
    expect(discoverConfig({ env, cwd })).toEqual({ path: envFile, source: 'env' });
    expect(discoverConfig({ env: { XDG_CONFIG_HOME: xdg }, cwd })).toEqual({ path: local, source: 'cwd' });
    rmSync(local);
    expect(discoverConfig({ env: { XDG_CONFIG_HOME: xdg }, cwd })).toEqual({ path: user, source: 'xdg' });
    rmSync(user);
    expect(discoverConfig({ env: { XDG_CONFIG_HOME: xdg }, cwd })).toBeUndefined();
  });

  it('falls back to ~/.config when $XDG_CONFIG_HOME is unset', () => {
    mkdirSync(path.join(root, 'home', '.config', 'opsdeck'), { recursive: true });
    const user = write(path.join(root, 'home', '.config', 'opsdeck', 'config.yaml'));
    expect(discoverConfig({ env: { HOME: path.join(root, 'home') }, cwd })).toEqual({ path: user, source: 'xdg' });
  });

  it('resolves a relative --config against the working directory', () => {
    write(path.join(cwd, 'staging.yaml'));
    expect(discoverConfig({ explicit: 'staging.yaml', env: {}, cwd })?.path).toBe(path.join(cwd, 'staging.yaml'));
  });

  it('fails with CONFIG_NOT_FOUND and a hint when a named file does not exist', () => {
    for (const opts of [{ explicit: path.join(root, 'nope.yaml'), env: {} }, { env: { OPSDECK_CONFIG: path.join(root, 'nope.yaml') } }]) {
      const err = (() => {
        try {
          discoverConfig({ ...opts, cwd });
        } catch (e) {
          return e as OpsError;
        }
        throw new Error('expected CONFIG_NOT_FOUND');
      })();
      expect(err.code).toBe('CONFIG_NOT_FOUND');
      expect(err.exitCode).toBe(2);
      expect(err.message).toContain('nope.yaml');
      expect(err.hint).toContain('opsdeck init');
    }
  });

  it('gives the defaults and no path when there is no file anywhere', async () => {
    const loaded = await loadConfig({ env: { XDG_CONFIG_HOME: xdg }, cwd });
    expect(loaded.path).toBeUndefined();
    expect(loaded.config.haproxy.backends).toEqual(['www_farm']);
  });
});

describe('config validation', () => {
  it('accepts an empty file and fills defaults', () => {
    expect(parseConfig('', 'x.yaml').fleet.port).toBe(80);
    expect(parseConfig('# only a comment\n', 'x.yaml').snapshots.windows.dailyDays).toBe(7);
  });

  it('points at a pool port for a backend that is not synced, at its key', () => {
    const { lines } = problems('haproxy:\n  backends: [www_farm]\n  backendPorts:\n    api_farm: 8080\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^opsdeck\.yaml:4:\d+ {2}haproxy\.backendPorts\.api_farm {2}.*not one of haproxy\.backends/);
  });

  it('points at a YAML syntax error with file:line:col', () => {
    const { err, lines } = problems('aws:\n  region: "eu-west-1\nfleet:\n  port: 80\n');
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.exitCode).toBe(2);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines[0]).toMatch(/^opsdeck\.yaml:\d+:\d+ {2}\(yaml syntax\) {2}\S/);
  });

  it('says "indentation" for indentation mistakes, once per place, and tabs by name', () => {
    expect(problems('aws:\n  region: eu-west-1\n   profile: x\n').lines).toEqual([
      'opsdeck.yaml:2:11  (yaml syntax)  this value runs into the next line, which is indented deeper: the keys of one section must start at the same column',
    ]);
    expect(problems('aws:\n  region: eu-west-1\n profile: x\n').lines).toEqual([
      'opsdeck.yaml:3:1  (yaml syntax)  indentation: the keys of one section must start at the same column',
    ]);
    expect(problems('aws:\n\tregion: eu-west-1\n').lines).toEqual(['opsdeck.yaml:2:1  (yaml syntax)  a tab indents this line: YAML indents with spaces only']);
    expect(problems('aws:\n  region: a\n  region: b\n').lines).toEqual(['opsdeck.yaml:3:3  (yaml syntax)  this key appears twice in the same section']);
  });

  it('never echoes a wrongly typed secret (an unquoted numeric password parses as a number)', () => {
    const { lines } = problems('mysql:\n  main:\n    password: 31337424242\n    port: "x3306"\n');
    expect(lines).toEqual([
      'opsdeck.yaml:3:15  mysql.main.password  expected string, got a number (value not shown: secret)',
      'opsdeck.yaml:4:11  mysql.main.port  expected number, got "x3306"',
    ]);
  });

  it('suggests the missing colon when "key value" stands where a section was expected', () => {
    expect(problems('aws:\n  region eu-west-1\n').lines).toEqual(['opsdeck.yaml:2:3  aws  expected object, got "region eu-west-1" (a missing ":" after "region"?)']);
  });

  it('reports a wrong type at the value, with the key path and what was expected', () => {
    const { lines } = problems('fleet:\n  port: eighty\n');
    expect(lines).toEqual(['opsdeck.yaml:2:9  fleet.port  expected number, got "eighty"']);
  });

  it('words bounds as what was expected, not in zod\'s phrasing', () => {
    expect(problems('snapshots:\n  windows:\n    dailyDays: -1\n').lines).toEqual(['opsdeck.yaml:3:16  snapshots.windows.dailyDays  expected a number ≥ 0, got -1']);
    expect(problems('snapshots:\n  concurrency: 500\n').lines).toEqual(['opsdeck.yaml:2:16  snapshots.concurrency  expected a number ≤ 64, got 500']);
  });

  it('says a --config that names a directory is a directory, and which file to name', () => {
    let err: OpsError | undefined;
    try {
      discoverConfig({ explicit: root, env: {}, cwd });
    } catch (e) {
      err = e as OpsError;
    }
    expect(err?.code).toBe('CONFIG_NOT_FOUND');
    expect(err?.message).toBe(`config path is a directory, not a file: ${root} (from --config)`);
    expect(err?.hint).toBe(`name the file, e.g. ${path.join(root, 'opsdeck.yaml')}`);
  });

  it('reports an unknown key at the key, with a suggestion', () => {
    const { lines } = problems('haproxy:\n  backend: [www]\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^opsdeck\.yaml:2:3 {2}haproxy\.backend {2}unknown key "backend": did you mean "backends"\?/);
  });

  it('reports a bad enum value with the allowed values', () => {
    const { lines } = problems('fleet:\n  address: elastic\n');
    expect(lines).toEqual(['opsdeck.yaml:2:12  fleet.address  expected one of "private" | "public", got "elastic"']);
  });

  it('gives one line per problem, in file order, and counts them', () => {
    const { err, lines } = problems(
      ['webcam:', '  sizes: [1280, big]', 'hosts:', '  db1:', '    host: db1.internal', 'aws:', '  regoin: x', 'mysql:', '  primary:', '    password: ${vault:db}'].join('\n'),
    );
    expect(err.message).toContain('4 problems');
    expect(lines).toEqual([
      'opsdeck.yaml:2:17  webcam.sizes[1]  expected number, got "big"',
      'opsdeck.yaml:4:3  hosts.db1.user  missing required key: expected string',
      expect.stringMatching(/^opsdeck\.yaml:7:3 {2}aws\.regoin {2}unknown key "regoin": did you mean "region"\?/),
      'opsdeck.yaml:10:15  mysql.primary.password  unknown secret reference ${vault:db}: expected ${env:NAME} or ${file:PATH}',
    ]);
  });

  it('rejects a file that is not a mapping', () => {
    expect(problems('- aws\n- fleet\n').lines[0]).toMatch(/^opsdeck\.yaml:1:1 {2}\(top level\) {2}expected a mapping/);
  });

  it('rejects duplicate keys instead of silently keeping the last', () => {
    expect(problems('aws:\n  region: a\naws:\n  region: b\n').lines[0]).toMatch(/^opsdeck\.yaml:3:1 .*appears twice/);
  });

  it('keeps secret references as written in the loaded config', () => {
    const cfg = parseConfig('mysql:\n  primary:\n    password: ${env:DB_PASSWORD}\n', 'x.yaml');
    expect(cfg.mysql.primary?.password).toBe('${env:DB_PASSWORD}');
  });
});
