import http from 'node:http';
import type net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overrideProcessEnv } from '../services/env.js';
import { main } from '../../src/cli/main.js';
import { parseAwsIni, readProfile } from '../../src/config/aws-profile.js';
import { accountLabel } from '../../src/core/context.js';
import { defaultConfig } from '../../src/config/schema.js';

/**
 * `--profile NAME` goes where `AWS_PROFILE=NAME` goes: a profile that names a
 * test endpoint (endpoint_url, or a services section) must never reach real
 * AWS because it was passed as a flag. A loopback server stands in for the
 * endpoint and records what reaches it.
 */
let dir: string;
let server: http.Server;
let url: string;
const seen: { host: string; action: string }[] = [];
let restoreEnv: (() => void) | undefined;

const EMPTY_EC2 = '<?xml version="1.0" encoding="UTF-8"?><DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r1</requestId><reservationSet/></DescribeInstancesResponse>';

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-profile-'));
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ host: req.headers.host ?? '', action: /Action=(\w+)/.exec(body)?.[1] ?? '' });
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(EMPTY_EC2);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  writeFileSync(
    path.join(dir, 'config'),
    `[default]
region = eu-west-1

[profile test]
region = us-east-1
endpoint_url = ${url}

[profile split]
region = us-east-2
services = local-ec2

[services local-ec2]
ec2 =
  endpoint_url = ${url}
`,
  );
  // a named profile takes its keys from the shared files, as the SDK does with any profile
  writeFileSync(path.join(dir, 'credentials'), '[test]\naws_access_key_id = AKIDTEST\naws_secret_access_key = s1\n\n[split]\naws_access_key_id = AKIDSPLIT\naws_secret_access_key = s2\n');
  restoreEnv = overrideProcessEnv({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_CONFIG_FILE: path.join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'), AWS_PROFILE: undefined, AWS_ENDPOINT_URL: undefined, AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined });
});
afterAll(async () => {
  restoreEnv?.();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['--batch', ...args], {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    isTTY: false,
    env: { ...process.env, HOME: dir, XDG_CONFIG_HOME: dir, XDG_STATE_HOME: dir, AWS_MAX_ATTEMPTS: '1' },
    cwd: dir,
  });
  return { code, out, err };
}

describe('--profile honours the profile endpoint', () => {
  it('endpoint_url of a profile named by --profile is where the calls go', async () => {
    seen.length = 0;
    const r = await cli(['--profile', 'test', 'instances', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ instances: [] });
    expect(seen).toEqual([{ host: new URL(url).host, action: 'DescribeInstances' }]);
  });

  it('a services section gives EC2 its own endpoint', async () => {
    seen.length = 0;
    const r = await cli(['--profile', 'split', 'instances', '--json']);
    expect(r.code).toBe(0);
    expect(seen.map((s) => s.action)).toEqual(['DescribeInstances']);
  });

  it('the header names a non-AWS endpoint, and not AWS\'s own', () => {
    const env = { ...process.env };
    const base = { options: { sandbox: false, readOnly: false, config: undefined, profile: 'test', region: undefined, batch: false, json: false, yes: false }, config: defaultConfig() };
    expect(accountLabel(base, env)).toEqual({ profile: 'test', region: 'us-east-1', endpoint: new URL(url).host });
    expect(accountLabel({ ...base, options: { ...base.options, profile: 'default' } }, env)).toEqual({ profile: 'default', region: 'eu-west-1' });
    const aws = { ...base, config: { ...defaultConfig(), aws: { endpoint: 'https://ec2.us-east-1.amazonaws.com' } } };
    expect(accountLabel(aws, env).endpoint).toBeUndefined();
  });
});

describe('the shared config file reader', () => {
  it('reads profiles, services sections and nested keys as the AWS CLI writes them', () => {
    const ini = parseAwsIni('# comment\n[profile a]\nregion=us-west-1\nservices = s\n\n[services s]\ns3 =\n  endpoint_url = http://localhost:9000\n  addressing_style = path\nauto_scaling =\n    endpoint_url = http://localhost:9001\n');
    expect(ini.get('profile a')).toEqual({ region: 'us-west-1', services: 's' });
    expect(ini.get('services s')).toEqual({ s3: { endpoint_url: 'http://localhost:9000', addressing_style: 'path' }, auto_scaling: { endpoint_url: 'http://localhost:9001' } });
  });

  it('a missing file or profile is undefined, not an error', () => {
    expect(readProfile('nope', { AWS_CONFIG_FILE: path.join(dir, 'config') })).toBeUndefined();
    expect(readProfile('test', { AWS_CONFIG_FILE: path.join(dir, 'missing') })).toBeUndefined();
  });
});
