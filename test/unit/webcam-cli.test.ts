/**
 * `opsdeck webcam status` and `schedule` as cron and scripts see them: the
 * status's exit code is the check (1 stale, 0 fine, and the dark is never
 * stale), and schedule --json is a stable document.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ManualClock } from '../../src/core/clock.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-webcam-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A camera host's config (no image table) whose last capture was at `lastSuccessAt`. */
function cameraHost(lastSuccessAt: string): string {
  const spool = path.join(dir, 'spool');
  mkdirSync(spool, { recursive: true });
  writeFileSync(path.join(spool, 'capture-state.json'), JSON.stringify({ consecutiveFailures: 0, lastSuccessAt }));
  const file = path.join(dir, 'opsdeck.yaml');
  writeFileSync(file, `webcam:\n  spoolDir: ${spool}\n`);
  return file;
}

async function run(argv: string[], now: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['--batch', ...argv], {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    isTTY: false,
    cwd: dir,
    env: { HOME: dir, XDG_CONFIG_HOME: dir, XDG_STATE_HOME: path.join(dir, 'state'), TMPDIR: dir },
    clock: new ManualClock(now),
  });
  return { code, out, err };
}

describe('opsdeck webcam status exit code', () => {
  const NOON = '2026-06-15T19:00:00Z'; // 12:00 in Nelson, BC (the default place), the sun at 61°
  const NIGHT = '2026-06-16T08:00:00Z'; // 01:00 there, the sun below the horizon

  it('exits 1 at noon when nothing was captured for an hour, and says why', async () => {
    const config = cameraHost('2026-06-15T18:00:00Z');
    const r = await run(['--config', config, 'webcam', 'status'], NOON);
    expect(r.code).toBe(1);
    expect(r.out).toContain('capture: last 1h ago');
    expect(r.out).toContain('problem: no capture for more than 3 intervals (15 min) in daylight');
    const j = await run(['--config', config, 'webcam', 'status', '--json'], NOON);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.out)).toMatchObject({ ok: false, stale: { capture: true, ingest: false } });
  });

  it('exits 0 at noon when the last capture was 5 minutes ago', async () => {
    const r = await run(['--config', cameraHost('2026-06-15T18:55:00Z'), 'webcam', 'status'], NOON);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('problem:');
  });

  it('exits 0 at night, however old the last capture: a camera quiet in the dark is doing its job', async () => {
    const config = cameraHost('2026-06-15T18:00:00Z');
    const r = await run(['--config', config, 'webcam', 'status'], NIGHT);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^now 2026-06-16 01:00 \(America\/Vancouver\): dark/);
    const j = await run(['--config', config, 'webcam', 'status', '--json'], NIGHT);
    expect(JSON.parse(j.out)).toMatchObject({ ok: true, stale: { capture: false, ingest: false, reasons: [] } });
  });
});

describe('opsdeck webcam schedule --json', () => {
  it('the June solstice at the default place: one window dawn to dusk, a low-light quarter hour at each end', async () => {
    const r = await run(['webcam', 'schedule', '--date', '2026-06-21', '--json'], '2026-06-15T19:00:00Z');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out) as Record<string, unknown> & {
      windows: { start: string; end: string; startCrossing: boolean; endCrossing: boolean }[];
      lowLight: { start: string; end: string }[];
      maxAltitude: number;
    };
    // polar is left out when the sun crosses the threshold (undefined in the schedule)
    expect(Object.keys(s).sort()).toEqual(['date', 'dayEnd', 'dayStart', 'latitude', 'longitude', 'lowLight', 'maxAltitude', 'sunAltitude', 'timeZone', 'windows']);
    expect(s).toMatchObject({
      date: '2026-06-21',
      timeZone: 'America/Vancouver',
      latitude: 49.8672,
      longitude: -118.00737,
      sunAltitude: -6,
      // local midnight to local midnight, PDT
      dayStart: '2026-06-21T07:00:00.000Z',
      dayEnd: '2026-06-22T07:00:00.000Z',
    });
    expect(s.windows).toHaveLength(1);
    const w = s.windows[0]!;
    expect([w.startCrossing, w.endCrossing]).toEqual([true, true]);
    // civil dawn about 03:59 PDT, civil dusk about 21:48 PDT (test/unit/webcam-schedule checks these against suncalc)
    const near = (iso: string, want: string): boolean => Math.abs(Date.parse(iso) - Date.parse(want)) <= 2 * 60_000;
    expect(near(w.start, '2026-06-21T10:59:00Z'), w.start).toBe(true);
    expect(near(w.end, '2026-06-22T04:48:00Z'), w.end).toBe(true);
    expect(s.lowLight).toEqual([
      { start: w.start, end: new Date(Date.parse(w.start) + 15 * 60_000).toISOString() },
      { start: new Date(Date.parse(w.end) - 15 * 60_000).toISOString(), end: w.end },
    ]);
    expect(s.maxAltitude).toBeCloseTo(63.57, 1);
  });
});
