import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { overrideProcessEnv } from '../services/env.js';
import { breakReplication, startReplicaPair, waitInStep, type ReplicaPair } from './mysql-pair.js';
import { closedPort } from '../services/stalled.js';

/**
 * `opsdeck db status` against real MariaDB servers: a healthy source and
 * replica, then the replica broken the way a failover breaks it (a row
 * written on the replica that the source then writes too), and a server that
 * does not answer. The cron check exits 1 and says why.
 */
let dir: string;
let restore: (() => void) | undefined;

let pair: ReplicaPair;

beforeAll(async () => {
  pair = await startReplicaPair([401, 402]);
  await pair.src.query('CREATE DATABASE shop');
  await pair.src.query('CREATE TABLE shop.orders (id INT PRIMARY KEY)');
  await waitInStep(pair);
  dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-db-status-'));
  restore = overrideProcessEnv({ XDG_STATE_HOME: path.join(dir, 'state') });
}, 90_000);
afterAll(async () => {
  restore?.();
  await pair?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function status(extra = ''): Promise<{ code: number; json: { servers: { name: string; role: string; health: string; why: string; gtid?: string; replica?: { io: string; sql: string } }[]; attention: string[] } }> {
  const cfg = path.join(dir, 'opsdeck.yaml');
  writeFileSync(cfg, `${pair.configYaml()}${extra}`);
  let out = '';
  const code = await main(['--config', cfg, 'db', 'status', '--batch', '--json'], { stdout: (s) => (out += s), stderr: () => undefined, isTTY: false });
  return { code, json: JSON.parse(out) };
}

describe('db status on real MariaDB servers', () => {
  it('a source and an in-step replica: exit 0, roles and verdicts', async () => {
    const r = await status();
    expect(r.code).toBe(0);
    expect(r.json.servers.find((s) => s.name === 'db1')).toMatchObject({ role: 'source', health: 'ok', gtid: expect.stringMatching(/^0-401-\d+$/) });
    expect(r.json.servers.find((s) => s.name === 'db2')).toMatchObject({ role: 'replica', health: 'ok', replica: { io: 'Yes', sql: 'Yes' } });
  });

  it('a replica stopped by a duplicate key and a server that does not answer: exit 1, each says why', async () => {
    await breakReplication(pair, 'shop.orders', [9], [9]);
    const port = await closedPort();
    const r = await status(`  gone:\n    host: 127.0.0.1\n    port: ${port}\n    user: nobody\n`);
    expect(r.code).toBe(1);
    expect(r.json.attention.sort()).toEqual(['db2', 'gone']);
    expect(r.json.servers.find((s) => s.name === 'db2')).toMatchObject({ health: 'broken', replica: { sql: 'No' } });
    expect(r.json.servers.find((s) => s.name === 'db2')?.why).toMatch(/SQL error 1062: .*Duplicate entry '9'/);
    expect(r.json.servers.find((s) => s.name === 'gone')).toMatchObject({ health: 'unreachable' });
    expect(r.json.servers.find((s) => s.name === 'gone')?.why).toMatch(/ECONNREFUSED|refused|connect/i);
  });
});
