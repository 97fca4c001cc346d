import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import React from 'react';
import { utils } from 'ssh2';
import chalk from 'chalk';
import { render } from 'ink-testing-library';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { lockDirOf } from '../../src/core/context.js';
import { acquireLock } from '../../src/core/lock.js';
import { defaultConfig } from '../../src/config/defaults.js';
import { INGEST_LOCK } from '../../src/webcam/ingest.js';
import { daySchedule } from '../../src/webcam/schedule.js';
import { daylightBar } from '../../src/webcam/view.js';
import type { Config } from '../../src/config/schema.js';
import { closedPort } from '../services/stalled.js';
import { startSshd, type SshdHandle } from '../services/sshd.js';
import { App, createSessionFor } from '../../views/App.js';
import { PREVIEW } from '../../views/panes/webcam.js';
import { fakeCloud, lines, press, testContext, track, waitFor, type TestContext } from './helpers.js';

const SLOW = 15_000;
const mounted: { unmount(): void }[] = [];
// Locks, the sandbox spool and its table live under $XDG_STATE_HOME: a private one per test.
let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-webcamview-'));
  vi.stubEnv('XDG_STATE_HOME', stateDir);
});
afterEach(() => {
  while (mounted.length) mounted.pop()?.unmount();
  vi.unstubAllEnvs();
  rmSync(stateDir, { recursive: true, force: true, maxRetries: 5 });
});

async function show(ctx: TestContext, what: string, check: (f: string) => boolean, size = { columns: 100, rows: 32 }) {
  const store = createSessionFor(ctx, { size, initialPane: 'webcam' });
  const app = track(render(<App ctx={ctx} store={store} />), store);
  mounted.push(app);
  const frame = await waitFor(() => {
    const f = app.lastFrame() ?? '';
    return check(f) ? f : undefined;
  }, what, app.lastFrame, SLOW);
  if (process.env.SHOW_FRAMES) console.log(frame);
  return { app, store, frame };
}

/** A camera host's pane: the spool in a temp dir, no image table (a camera host has none). */
function cameraHost(state: object, now: string, config: Partial<Config> = {}): TestContext {
  const spool = path.join(stateDir, 'spool');
  mkdirSync(spool, { recursive: true });
  writeFileSync(path.join(spool, 'capture-state.json'), JSON.stringify(state));
  const ctx = testContext({ cloud: fakeCloud(() => []), options: { sandbox: false }, config: { ...config, webcam: { ...defaultConfig().webcam, spoolDir: spool, ...config.webcam } } });
  ctx.clock.set(now);
  return ctx;
}

/** A frame the sandbox camera delivered into incoming a minute ago, quiet long enough for ingest. */
async function deliverFrame(ctx: TestContext): Promise<void> {
  const { syntheticFrame } = await import('../../src/webcam/sandbox-camera.js');
  const incoming = path.join(stateDir, 'opsdeck', 'webcam', 'incoming');
  const at = new Date(ctx.clock.now().getTime() - 60_000);
  writeFileSync(path.join(incoming, 'extra.jpg'), await syntheticFrame(at, defaultConfig().webcam));
  utimesSync(path.join(incoming, 'extra.jpg'), at, at);
}

describe('Webcam pane', () => {
  it('on the sandbox: frames played back through the real ingest, the latest drawn in half blocks of a fixed size', async () => {
    const ctx = testContext();
    const { frame } = await show(ctx, 'the preview', (f) => f.includes('▀'));
    const rows = lines(frame);
    const preview = rows.filter((l) => l.includes('▀'));
    expect(preview).toHaveLength(PREVIEW.rows);
    expect(preview.every((l) => (l.match(/▀/g) ?? []).length === PREVIEW.cols)).toBe(true);
    expect(frame).toMatch(/last capture \d+\w* ago/);
    expect(frame).toMatch(/today \d+ · 6 in all/);
    expect(frame).toContain('camera ok');
    expect(rows.every((l) => l.length <= 100)).toBe(true);
  });

  it('the preview shows whole wherever its rows are free (80x24); at 60x16 the frame still fits and says what it needs', async () => {
    const ctx = testContext();
    const big = await show(ctx, 'the preview', (f) => f.includes('▀'), { columns: 80, rows: 24 });
    expect(lines(big.frame).filter((l) => l.includes('▀'))).toHaveLength(PREVIEW.rows);
    expect(lines(big.frame).length).toBeLessThanOrEqual(24);
    const small = await show(ctx, 'the status', (f) => f.includes('camera ok'), { columns: 60, rows: 16 });
    const rows = lines(small.frame);
    expect(rows.length).toBeLessThanOrEqual(16);
    expect(rows.every((l) => l.length <= 60)).toBe(true);
    expect(small.frame).toContain(`(the preview needs ${PREVIEW.rows} free rows and ${PREVIEW.cols} columns`);
  });

  it('a stale pipeline: no capture for an hour at midday says so in red', async () => {
    const ctx = cameraHost({ consecutiveFailures: 0, lastSuccessAt: '2026-06-15T18:00:00Z' }, '2026-06-15T19:00:00Z');
    const { frame } = await show(ctx, 'the stale line', (f) => f.includes('no capture for more'));
    expect(frame).toContain('no capture for more than 3 intervals (15 min) in daylight');
    expect(frame).toContain('last capture 1h ago');
    expect(frame).toContain('webcam.database.target is not set');
  });

  it('no capture record on this host: the camera is unknown, drawn dim, never a green ok', async () => {
    const spool = path.join(stateDir, 'spool');
    mkdirSync(spool, { recursive: true });
    const ctx = testContext({ cloud: fakeCloud(() => []), options: { sandbox: false }, config: { webcam: { ...defaultConfig().webcam, spoolDir: spool } } });
    ctx.clock.set('2026-06-15T19:00:00Z');
    const level = chalk.level;
    chalk.level = 1; // colours on, as in a terminal: the colour is what is checked
    let raw: string;
    try {
      ({ frame: raw } = await show(ctx, 'the folders line', (f) => f.includes('rejected 0')));
    } finally {
      chalk.level = level;
    }
    const plain = lines(raw).join('\n');
    expect(plain).toContain('rejected 0 · camera: no capture record here');
    expect(plain).not.toContain('camera ok');
    expect(plain).toContain('last capture unknown (camera host)');
    const line = raw.split('\n').find((l) => l.includes('no capture record here')) ?? '';
    expect(line).toMatch(/\x1b\[2mcamera: no capture record here/);
    expect(line).not.toMatch(/\x1b\[32m/);
  });

  it("today's bar marks now with ┃ in the cell daylightBar gives: local noon in the middle of a 72-cell bar", async () => {
    const ctx = cameraHost({ consecutiveFailures: 0, lastSuccessAt: '2026-06-15T18:58:00Z' }, '2026-06-15T19:00:00Z');
    const { frame } = await show(ctx, 'the bar', (f) => f.includes('┃'));
    const bar = lines(frame).find((l) => /^[░▒█┃]+$/.test(l.trimEnd()))?.trimEnd() ?? '';
    expect(bar).toHaveLength(72);
    const want = daylightBar(daySchedule('2026-06-15', defaultConfig().webcam), new Date('2026-06-15T19:00:00Z'), 72);
    expect(bar.indexOf('┃')).toBe(want.now);
    expect(want.now).toBe(36);
    // dark at both ends of a June day in Nelson, daylight around the mark
    expect([bar[0], bar[35], bar[37], bar[71]]).toEqual(['░', '█', '█', '░']);
  });

  it('a camera fault: N failures in a row, with the camera\'s own words', async () => {
    const ctx = cameraHost({ consecutiveFailures: 4, lastSuccessAt: '2026-06-15T18:50:00Z', lastError: 'gphoto2 failed (exit 1): *** Error: PTP I/O Error' }, '2026-06-15T19:00:00Z');
    const { frame } = await show(ctx, 'the fault', (f) => f.includes('FAULT'));
    expect(frame).toMatch(/camera FAULT \(4 failed: gphoto2 failed \(exit 1\): \*\*\* Error: PTP/);
    expect(frame).toContain('camera fault: 4 failed captures in a row (gphoto2 failed (exit 1): *** Error: PTP I/O Error)');
  });

  it('the camera host queue is on the queue depths line; an unreachable host says why, its capture is unknown, and the rest still shows', async () => {
    const port = await closedPort();
    const key = path.join(stateDir, 'id_ed25519');
    writeFileSync(key, utils.generateKeyPairSync('ed25519').private, { mode: 0o600 });
    const ctx = cameraHost({ consecutiveFailures: 0, lastSuccessAt: '2026-06-15T18:58:00Z' }, '2026-06-15T19:00:00Z', {
      hosts: { camera: { host: '127.0.0.1', port, user: 'pi', identityFile: key, knownHosts: path.join(stateDir, 'known_hosts') } },
      webcam: { ...defaultConfig().webcam, cameraHost: { host: 'camera', queueDir: '/var/spool/opsdeck-webcam/queue', timeoutSeconds: 2 } },
    });
    const { frame } = await show(ctx, 'the camera host line', (f) => f.includes('camera host'), { columns: 80, rows: 24 });
    expect(frame).toMatch(/queue 0 · camera host unreachable \(refused\) · incoming 0/);
    expect(frame).toMatch(/camera host: cannot connect to pi@127\.0\.0\.1:\d+: connect ECONNREFUSED/);
    // the capture side is the camera host's record: this host's own (2m ago) is not the camera's
    expect(frame).toContain('last capture unknown (camera host)');
    // the line is cut at 80 columns: what matters is that no green ok is claimed
    expect(frame).toMatch(/rejected 0 · camera:/);
    expect(frame).not.toContain('camera ok');
    expect(frame).toMatch(/last 14 days .* 0 in all/);
    expect(lines(frame).length).toBeLessThanOrEqual(24);
  });

  it('i ingests what is waiting after a confirmation, then shows it', async () => {
    const ctx = testContext();
    const { app, frame } = await show(ctx, 'the first load', (f) => f.includes('▀'));
    expect(frame).toContain('6 in all');
    await deliverFrame(ctx);
    await press(app, 'i');
    await waitFor(() => (app.lastFrame() ?? '').includes('Ingest 1 frames?') || undefined, 'the confirmation', app.lastFrame, SLOW);
    await press(app, '\t');
    await press(app, '\r');
    await waitFor(() => (app.lastFrame() ?? '').includes('7 in all') || undefined, 'the ingested frame', app.lastFrame, SLOW);
  });
});

describe('Webcam pane on the ingest server, the camera host reached over SFTP', () => {
  let sshd: SshdHandle;
  beforeAll(async () => {
    sshd = await startSshd();
  }, 30_000);
  afterAll(async () => {
    await sshd?.stop();
  });

  it("shows the camera FAULT from the camera host's capture record", async () => {
    // the camera host's spool, reached only through sshd; the server's own spool has no record
    const camera = path.join(stateDir, 'camera');
    mkdirSync(path.join(camera, 'queue'), { recursive: true });
    writeFileSync(
      path.join(camera, 'capture-state.json'),
      JSON.stringify({ consecutiveFailures: 4, lastSuccessAt: '2026-06-15T18:50:00Z', lastError: 'gphoto2 failed (exit 1): *** Error: PTP I/O Error' }),
    );
    const spool = path.join(stateDir, 'server');
    mkdirSync(spool, { recursive: true });
    const ctx = testContext({
      cloud: fakeCloud(() => []),
      options: { sandbox: false },
      config: {
        hosts: { camera: { host: '127.0.0.1', port: sshd.port, user: sshd.user, identityFile: sshd.clientKeyPath, knownHosts: sshd.knownHostsPath } },
        webcam: { ...defaultConfig().webcam, spoolDir: spool, cameraHost: { host: 'camera', queueDir: path.join(camera, 'queue'), timeoutSeconds: 5 } },
      },
    });
    ctx.clock.set('2026-06-15T19:00:00Z');
    const { frame } = await show(ctx, 'the fault', (f) => f.includes('FAULT'), { columns: 160, rows: 32 });
    expect(frame).toMatch(/camera host 0 queued · incoming 0 · rejected 0 · camera FAULT \(4 failed: gphoto2 failed \(exit 1\): \*\*\* Error: PTP/);
    expect(frame).toContain('camera fault: 4 failed captures in a row (gphoto2 failed (exit 1): *** Error: PTP I/O Error)');
    expect(frame).toContain('last capture 10m ago');
  });
});

describe('Webcam pane with webcam.publicRead on', () => {
  it('i says so in the confirmation, and the flash after the ingest is a warning that says it again', async () => {
    const ctx = testContext({ config: { webcam: { ...defaultConfig().webcam, publicRead: true } } });
    const { app, store } = await show(ctx, 'the first load', (f) => f.includes('▀'));
    await deliverFrame(ctx);
    await press(app, 'i');
    const dialog = await waitFor(() => ((app.lastFrame() ?? '').includes('Ingest 1 frames?') ? app.lastFrame() : undefined), 'the confirmation', app.lastFrame, SLOW);
    expect(lines(dialog).join('\n')).toContain('webcam.publicRead is on: every size stored can be read by anyone on the internet');
    await press(app, '\t');
    await press(app, '\r');
    const flash = await waitFor(() => (store.getState().flash?.text.includes('ingested') ? store.getState().flash : undefined), 'the flash', () => store.getState().flash?.text ?? '', SLOW);
    expect(flash.level).toBe('warn');
    expect(flash.text).toMatch(/^webcam: 1 ingested · webcam\.publicRead is on: every size stored under s3:\/\/opsdeck-sandbox\/webcam\/ can be read by anyone/);
  });
});

describe('Webcam pane while an ingest holds the lock', () => {
  it('a camera host pane still reads its status: the read takes no lock', async () => {
    const ctx = cameraHost({ consecutiveFailures: 0, lastSuccessAt: '2026-06-15T18:58:00Z' }, '2026-06-15T19:00:00Z');
    // as a cron `webcam ingest --batch --yes` holds it for the length of its run
    const ingest = await acquireLock(INGEST_LOCK, { dir: lockDirOf(ctx) });
    try {
      const { frame } = await show(ctx, 'the status', (f) => f.includes('last capture') || f.includes('Could not read'));
      expect(frame).toContain('last capture 2m ago');
      expect(frame).not.toContain('another run holds the lock');
    } finally {
      await ingest.release();
    }
  });

  it('on the sandbox the status loads without the playback, and says why no frame was played back', async () => {
    const ctx = testContext();
    const ingest = await acquireLock(INGEST_LOCK, { dir: lockDirOf(ctx) });
    try {
      const { frame } = await show(ctx, 'the status', (f) => f.includes('in all') || f.includes('Could not read'));
      expect(frame).toContain('0 in all');
      expect(frame).toContain('sandbox camera not played back: an ingest holds the lock');
    } finally {
      await ingest.release();
    }
  });
});

describe('Webcam pane: t builds the timelapse', () => {
  it("after a confirmation, with a progress bar, into the archive and the sandbox's bucket; a second t says it is up to date", async () => {
    const ctx = testContext();
    const { app, store } = await show(ctx, 'the first load', (f) => f.includes('▀'));
    await press(app, 't');
    await waitFor(() => (app.lastFrame() ?? '').match(/Build the timelapse of \d{4}-\d\d-\d\d from 6 frames\?/) || undefined, 'the confirmation', app.lastFrame, SLOW);
    expect(app.lastFrame()).toMatch(/at 24 fps/);
    await press(app, '\t');
    await press(app, '\r');
    await waitFor(() => (store.getState().flash?.text ?? '').includes('timelapse of') || undefined, 'the built flash', () => store.getState().flash?.text ?? '', SLOW);
    expect(store.getState().flash?.text).toMatch(/built, 6 frames, s3:\/\/opsdeck-sandbox\/webcam\/timelapse\/day-/);
    expect(app.frames.some((f) => f.includes('Encoding the timelapse of'))).toBe(true);
    const tl = path.join(stateDir, 'opsdeck', 'webcam', 'archive', 'timelapse');
    expect(readdirSync(tl).filter((n) => n.endsWith('.mp4'))).toHaveLength(1);
    await press(app, 't');
    await waitFor(() => (store.getState().flash?.text ?? '').includes('up to date') || undefined, 'up to date', () => store.getState().flash?.text ?? '', SLOW);
  });
});
