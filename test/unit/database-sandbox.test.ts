import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSandboxWorld } from '../../src/cloud/sandbox/index.js';
import { loadAt } from '../../src/cloud/sandbox/load.js';
import { ManualClock } from '../../src/core/clock.js';
import { sandboxFleet } from '../../src/database/sandbox.js';
import { runCli } from './cli-harness.js';

const HOUR = 3_600_000;
// a Monday: weekends are lighter
const MIDNIGHT = new Date('2026-03-02T00:00:00Z');

describe('the sandbox replica\'s lag follows the simulated load on the simulated clock', () => {
  it('is in step in the quiet early hours, behind in the afternoon, and moves only when the clock does', async () => {
    const clock = new ManualClock(MIDNIGHT);
    const fleet = sandboxFleet(clock);
    const read = async (): Promise<{ lag: number | null; health: string; broken: string }> => {
      const servers = await fleet.probeAll();
      const replica = servers.find((s) => s.name === 'replica');
      return { lag: replica?.replica?.behind ?? null, health: replica?.health ?? '', broken: servers.find((s) => s.name === 'replica-2')?.health ?? '' };
    };
    const day: { load: number; lag: number }[] = [];
    for (let h = 0; h < 24; h++) {
      clock.set(new Date(MIDNIGHT.getTime() + h * HOUR));
      const r = await read();
      expect(r.broken).toBe('broken');
      day.push({ load: loadAt(clock.now().getTime(), 42), lag: r.lag ?? -1 });
    }
    const at = (h: number): number => day[h]?.lag ?? -1;
    expect(at(4)).toBeLessThanOrEqual(2);
    expect(at(16)).toBeGreaterThan(20);
    // more load, never less lag
    for (const a of day) for (const b of day) if (a.load < b.load) expect(a.lag).toBeLessThanOrEqual(b.lag);
    // the same simulated moment reads the same lag however much real time passes
    clock.set(new Date(MIDNIGHT.getTime() + 16 * HOUR));
    const first = await read();
    await new Promise((r) => setTimeout(r, 20));
    expect(await read()).toEqual(first);
  });

  it('the busiest simulated afternoon pushes the replica past the lagging threshold', async () => {
    const clock = new ManualClock(MIDNIGHT);
    const fleet = sandboxFleet(clock);
    const verdicts = new Set<string>();
    for (let m = 12 * 60; m < 20 * 60; m += 15) {
      clock.set(new Date(MIDNIGHT.getTime() + m * 60_000));
      verdicts.add((await fleet.probeAll()).find((s) => s.name === 'replica')?.health ?? '');
    }
    expect(verdicts).toContain('lagging');
  });
});

describe('opsdeck db status --sandbox --batch', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-dbstatus-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 1 for the broken replica-2 and prints its error', async () => {
    const world = createSandboxWorld({ now: new ManualClock(MIDNIGHT) });
    const r = await runCli(world, dir, ['--sandbox', '--batch', 'db', 'status']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^replica-2\s+replica\s+10\.11\.6-MariaDB-log\s+Yes\/No\s+NULL\s+yes\s+broken\s+SQL error 1062: Could not execute Write_rows_v1 event on table shop\.orders; Duplicate entry '9' for key 'PRIMARY'$/m);
    expect(r.out).toMatch(/^primary\s+source\s.*\sok\s+source \(not replicating\)$/m);
    expect(r.err).toContain('replica-2 is broken on purpose');
  });

  it('--json names the server that needs attention', async () => {
    const world = createSandboxWorld({ now: new ManualClock(MIDNIGHT) });
    const r = await runCli(world, dir, ['--sandbox', '--batch', '--json', 'db', 'status']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ attention: ['replica-2'] });
  });
});
