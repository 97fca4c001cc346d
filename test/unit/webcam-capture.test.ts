import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { defaultConfig } from '../../src/config/defaults.js';
import { commandCamera, runCapture } from '../../src/webcam/capture.js';
import type { WebcamConfig } from '../../src/webcam/config.js';
import { webcamPaths, type WebcamPaths } from '../../src/webcam/paths.js';
import { readExifTimes } from '../../src/webcam/exif.js';

const sharpPath = createRequire(import.meta.url).resolve('sharp');
/** Noon and midnight at the seed place (America/Vancouver, PDT) */
const NOON = new Date('2026-06-15T19:00:00Z');
const MIDNIGHT = new Date('2026-06-15T07:00:00Z');

let dir: string;
let paths: WebcamPaths;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-webcam-capture-'));
  paths = webcamPaths({}, path.join(dir, 'spool'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A stand-in for gphoto2: a node script that writes a real JPEG (sharp) to
 * the path after --filename, records its argv, and can fail or hang like a
 * camera on a bad day (MODE in its environment file).
 */
function cameraScript(mode: 'ok' | 'ptp-error' | 'hang' | 'no-file'): string[] {
  const script = path.join(dir, `camera-${mode}.cjs`);
  writeFileSync(
    script,
    `
    const sharp = require(${JSON.stringify(sharpPath)});
    const fs = require('fs');
    const args = process.argv.slice(2);
    fs.appendFileSync(${JSON.stringify(path.join(dir, 'argv.log'))}, JSON.stringify(args) + '\\n');
    const out = args[args.indexOf('--filename') + 1];
    const mode = ${JSON.stringify(mode)};
    if (mode === 'ptp-error') { console.error('*** Error: PTP I/O Error'); process.exit(1); }
    if (mode === 'hang') { require('child_process').spawn('sleep', ['60'], { stdio: 'ignore' }); setInterval(() => {}, 1000); return; }
    if (mode === 'no-file') process.exit(0);
    sharp({ create: { width: 320, height: 240, channels: 3, background: '#336699' } })
      .withExif({ IFD2: { DateTimeOriginal: '2026:06:15 12:00:00', OffsetTimeOriginal: '-07:00' } })
      .jpeg().toFile(out).then(() => process.exit(0));
    `,
  );
  return [process.execPath, script, '--capture-image-and-download', '--filename', '{output}', '{settings}'];
}

function config(over: Partial<WebcamConfig['capture']> = {}): WebcamConfig {
  const c = defaultConfig().webcam;
  return { ...c, capture: { ...c.capture, settings: { shutterspeed: '1/250' }, ...over } };
}

const argvLog = (): string[][] => readFileSync(path.join(dir, 'argv.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);

describe('capture with a camera command', () => {
  it('in daylight: runs the command, delivers a whole JPEG into incoming, records the success', async () => {
    const cfg = config({ command: cameraScript('ok') });
    const r = await runCapture({ config: cfg, paths, camera: commandCamera(cfg.capture.command), clock: new ManualClock(NOON) });
    expect(r.error).toBeUndefined();
    expect(r.captured).toBe('20260615-120000.jpg');
    expect(readdirSync(paths.incoming)).toEqual(['20260615-120000.jpg']);
    expect(readdirSync(paths.queue)).toEqual([]);
    const jpeg = readFileSync(path.join(paths.incoming, '20260615-120000.jpg'));
    expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);
    expect(readExifTimes((await (await import('sharp')).default(jpeg).metadata()).exif).dateTimeOriginal).toBe('2026:06:15 12:00:00');
    // the normal settings, not the low-light ones, as --set-config pairs
    expect(argvLog()[0]).toEqual(['--capture-image-and-download', '--filename', expect.stringMatching(/\.20260615-120000\.jpg\.part$/), '--set-config', 'shutterspeed=1/250']);
    expect(r.state).toMatchObject({ consecutiveFailures: 0, lastSuccessAt: NOON.toISOString() });
  });

  it('at night: no capture, the camera is not touched', async () => {
    const cfg = config({ command: cameraScript('ok') });
    const r = await runCapture({ config: cfg, paths, camera: commandCamera(cfg.capture.command), clock: new ManualClock(MIDNIGHT) });
    expect(r.captured).toBeUndefined();
    expect(r.decision.capture).toBe(false);
    expect(() => argvLog()).toThrow();
  });

  it('in the first minutes of daylight: the low-light settings win', async () => {
    const cfg = config({ command: cameraScript('ok'), lowLightSettings: { iso: '1600', shutterspeed: '1/30' } });
    const { daySchedule } = await import('../../src/webcam/schedule.js');
    const dawn = daySchedule('2026-06-15', cfg).windows[0]!.start;
    const r = await runCapture({ config: cfg, paths, camera: commandCamera(cfg.capture.command), clock: new ManualClock(new Date(dawn.getTime() + 5 * 60_000)) });
    expect(r.decision.lowLight).toBe(true);
    expect(argvLog()[0]!.slice(-4)).toEqual(['--set-config', 'shutterspeed=1/30', '--set-config', 'iso=1600']);
  });

  it('a hung camera is killed at the timeout (its whole process group) and counts as a failure', async () => {
    const cfg = config({ command: cameraScript('hang'), timeoutSeconds: 0.5 });
    const started = Date.now();
    const r = await runCapture({ config: cfg, paths, camera: commandCamera(cfg.capture.command), clock: new ManualClock(NOON) });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.error).toMatch(/did not finish within 0.5s and was killed/);
    expect(r.state.consecutiveFailures).toBe(1);
    expect(readdirSync(paths.queue)).toEqual([]);
  });

  it("reports the camera's own words and turns N failures in a row into a fault; a success clears it", async () => {
    const bad = config({ command: cameraScript('ptp-error'), faultAfter: 3 });
    const clock = new ManualClock(NOON);
    const run = (cfg: WebcamConfig) => runCapture({ config: cfg, paths, camera: commandCamera(cfg.capture.command), clock });
    const first = await run(bad);
    expect(first.error).toMatch(/exit 1.*PTP I\/O Error/);
    expect(first.fault).toBe(false);
    await run(bad);
    const third = await run(bad);
    expect(third.fault).toBe(true);
    expect(third.state.consecutiveFailures).toBe(3);
    const ok = await run(config({ command: cameraScript('ok') }));
    expect(ok.fault).toBe(false);
    expect(ok.state.consecutiveFailures).toBe(0);
  });

  it('a command that exits 0 without writing a JPEG is a failure, not a frame', async () => {
    const cfg = config({ command: cameraScript('no-file') });
    const r = await runCapture({ config: cfg, paths, camera: commandCamera(cfg.capture.command), clock: new ManualClock(NOON) });
    expect(r.error).toMatch(/missing/);
    expect(r.captured).toBeUndefined();
  });

  it('a missing camera program says which and how to fix it', async () => {
    const cfg = config({ command: ['/nonexistent/gphoto2', '--filename', '{output}'] });
    const r = await runCapture({ config: cfg, paths, camera: commandCamera(cfg.capture.command), clock: new ManualClock(NOON) });
    expect(r.error).toMatch(/cannot run \/nonexistent\/gphoto2/);
  });

  it('a frame that cannot be delivered stays queued and goes with the next run', async () => {
    const cfg = config({ command: cameraScript('ok') });
    // incoming is a file: the delivery fails the way a lost mount would
    writeFileSync(path.join(dir, 'blocked'), '');
    const blocked = { ...paths, incoming: path.join(dir, 'blocked') };
    const clock = new ManualClock(NOON);
    const r1 = await runCapture({ config: cfg, paths: blocked, camera: commandCamera(cfg.capture.command), clock });
    expect(r1.captured).toBe('20260615-120000.jpg');
    expect(r1.queued).toBe(1);
    expect(r1.error).toMatch(/delivery to .*blocked failed/);
    clock.advance(5 * 60_000);
    const r2 = await runCapture({ config: cfg, paths, camera: commandCamera(cfg.capture.command), clock });
    expect(r2.delivered).toEqual(['20260615-120000.jpg', '20260615-120500.jpg']);
    expect(readdirSync(paths.incoming).sort()).toEqual(['20260615-120000.jpg', '20260615-120500.jpg']);
  });
});
