import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxWorld, type SandboxWorld } from '../../src/cloud/sandbox/index.js';
import { defaultConfig } from '../../src/config/defaults.js';
import { sandboxDirFor } from '../../src/core/context.js';
import { syntheticFrame } from '../../src/webcam/sandbox-camera.js';
import { runCli } from '../unit/cli-harness.js';

// 2026-06-15 21:00 PDT: the day's frames are all in
const NOW = new Date('2026-06-16T04:00:00Z');
let dir: string;
let world: SandboxWorld;
const cli = (...argv: string[]) => runCli(world, dir, ['--sandbox', '--batch', ...argv]);

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-tlcli-'));
  world = createSandboxWorld({ now: NOW, dir: path.join(dir, 'world') });
  const incoming = path.join(sandboxDirFor({ TMPDIR: dir }), 'webcam', 'incoming');
  mkdirSync(incoming, { recursive: true });
  for (let h = 8; h < 14; h++) {
    const at = new Date(Date.UTC(2026, 5, 15, h + 7));
    const file = path.join(incoming, `cam-${h}.jpg`);
    writeFileSync(file, await syntheticFrame(at, defaultConfig().webcam));
    utimesSync(file, at, at);
  }
  expect((await cli('webcam', 'ingest', '--yes')).out).toMatch(/6 ingested/);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('opsdeck webcam timelapse (batch, on the sandbox, real ffmpeg)', () => {
  it('plans without --yes, builds with it, and a re-run has nothing to do', async () => {
    const plan = await cli('webcam', 'timelapse', '--day', '2026-06-15');
    expect(plan.code).toBe(0);
    expect(plan.out).toMatch(/^day:2026-06-15: 6 frames → \d+x\d+ at 24 fps, 0\.3 s/);
    expect(plan.err).toMatch(/rerun with --yes/);

    const built = await cli('webcam', 'timelapse', '--date', '2026-06-15', '--yes', '--json');
    expect(built.code).toBe(0);
    const j = JSON.parse(built.out) as { applied: boolean; result: { outcome: string; row: { frames: number; key: string } } };
    expect(j).toMatchObject({ applied: true, result: { outcome: 'inserted', row: { frames: 6 } } });
    expect((await world.objects.listObjects('opsdeck-sandbox', 'webcam/timelapse/')).map((o) => o.key)).toEqual([j.result.row.key]);

    const again = await cli('webcam', 'timelapse', '--day', '2026-06-15', '--yes');
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/up to date/);
    expect(again.err).toMatch(/nothing to do/);
  });

  it('with webcam.publicRead on, the upload says on stderr that anyone can read the video; off, it says nothing of it', async () => {
    const config = path.join(dir, 'public.yaml');
    writeFileSync(config, 'webcam:\n  publicRead: true\n');
    const pub = await cli('--config', config, 'webcam', 'timelapse', '--day', '2026-06-15', '--yes', '--rebuild');
    expect(pub.code).toBe(0);
    expect(pub.out).toMatch(/^rebuilt day:2026-06-15: 6 frames/);
    expect(pub.err).toMatch(/webcam\.publicRead is on: the timelapse s3:\/\/opsdeck-sandbox\/webcam\/timelapse\/\S+\.mp4 can be read by anyone on the internet/);
    const priv = await cli('webcam', 'timelapse', '--day', '2026-06-15', '--yes', '--rebuild');
    expect(priv.code).toBe(0);
    expect(priv.err).not.toContain('publicRead');
  });

  it('week and month cover the day; two periods at once or a bad one is a usage error', async () => {
    expect((await cli('webcam', 'timelapse', '--week', '2026-W25')).out).toMatch(/^week:2026-W25: 6 frames/);
    expect((await cli('webcam', 'timelapse', '--month', '2026-06')).out).toMatch(/^month:2026-06: 6 frames/);
    expect((await cli('webcam', 'timelapse', '--month', '2026-05')).err).toMatch(/no archived frames/);
    expect((await cli('webcam', 'timelapse', '--day', '2026-06-15', '--week', '2026-W25')).code).toBe(2);
    const bad = await cli('webcam', 'timelapse', '--week', '2026-W60');
    expect([bad.code, bad.err]).toEqual([2, expect.stringMatching(/ISO week as YYYY-Www/)]);
  });
});
