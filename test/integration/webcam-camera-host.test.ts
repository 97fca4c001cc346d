import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { utils } from 'ssh2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ManualClock } from '../../src/core/clock.js';
import { configSchema } from '../../src/config/schema.js';
import { cameraHostReader, type CameraHostQueue, type CameraHostRecord } from '../../src/webcam/camera-host.js';
import { closedPort, startStalledServer, type StalledServer } from '../services/stalled.js';
import { startSshd, type SshdHandle } from '../services/sshd.js';

/**
 * The server's view of the camera host's delivery queue and capture record:
 * read over SFTP from the rig's real sshd, and every way the camera host can
 * be out of reach (stopped, black-holed, a key it does not accept) reported
 * as unreachable with the reason, within the configured deadline.
 */
let sshd: SshdHandle;
let silent: StalledServer;
let dir: string;
let queue: string;
const TIMEOUT_S = 1;

beforeAll(async () => {
  sshd = await startSshd();
  silent = await startStalledServer('silent');
});
afterAll(async () => {
  await sshd?.stop();
  await silent?.stop();
});
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-camhost-'));
  // the camera host's spool: the same machine, reached only through sshd
  queue = path.join(dir, 'camera', 'queue');
  mkdirSync(queue, { recursive: true });
  return () => rmSync(dir, { recursive: true, force: true });
});

type Over = { port?: number; identityFile?: string; queueDir?: string; captureState?: string };
function yaml(o: Over = {}): string {
  return `hosts:
  camera:
    host: 127.0.0.1
    port: ${o.port ?? sshd.port}
    user: ${sshd.user}
    identityFile: ${o.identityFile ?? sshd.clientKeyPath}
    knownHosts: ${sshd.knownHostsPath}
webcam:
  spoolDir: ${path.join(dir, 'server')}
  cameraHost:
    host: camera
    queueDir: ${o.queueDir ?? queue}
    timeoutSeconds: ${TIMEOUT_S}
${o.captureState ? `    captureState: ${o.captureState}\n` : ''}`;
}

async function read(o: Over = {}): Promise<{ q: CameraHostQueue; record: CameraHostRecord; ms: number }> {
  const { parse } = await import('yaml');
  const config = configSchema.parse(parse(yaml(o)));
  const reader = cameraHostReader(config.webcam, config.hosts);
  if (!reader) throw new Error('no reader for a configured cameraHost');
  const t0 = Date.now();
  const r = await reader(new Date());
  return { q: r.queue, record: r.capture, ms: Date.now() - t0 };
}

function queueFrames(names: string[], ageMinutes: number[]): void {
  names.forEach((n, i) => {
    const f = path.join(queue, n);
    writeFileSync(f, Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    const at = new Date(Date.now() - (ageMinutes[i] ?? 0) * 60_000);
    utimesSync(f, at, at);
  });
}

describe('the camera host queue over SFTP', { timeout: 30_000 }, () => {
  it('counts the frames waiting there and dates the oldest; frames being written do not count', async () => {
    queueFrames(['20260615-120000.jpg', '20260615-120500.jpg', '20260615-121000.jpg'], [42, 37, 5]);
    // a capture still being written by the camera, and the delivery's own temp name
    writeFileSync(path.join(queue, '.20260615-121500.jpg.part'), 'x');
    writeFileSync(path.join(queue, 'upload.tmp'), 'x');
    const { q } = await read();
    expect(q).toMatchObject({ state: 'ok', count: 3, oldest: '20260615-120000.jpg', where: `sftp://${sshd.user}@127.0.0.1:${sshd.port}${queue}` });
    const age = q.state === 'ok' ? (q.oldestAgeMs ?? 0) : 0;
    expect(age).toBeGreaterThanOrEqual(42 * 60_000 - 2000);
    expect(age).toBeLessThan(42 * 60_000 + 5000);
  });

  it('an empty queue is 0 with no oldest', async () => {
    expect((await read()).q).toMatchObject({ state: 'ok', count: 0, oldestAgeMs: undefined });
  });

  it('sshd not listening: unreachable, refused, at once', async () => {
    const { q, ms } = await read({ port: await closedPort() });
    expect(q).toMatchObject({ state: 'unreachable', reason: 'refused' });
    expect(q.state === 'unreachable' && q.message).toMatch(/ECONNREFUSED/);
    expect(ms).toBeLessThan(TIMEOUT_S * 1000);
  });

  it('a host that accepts and never answers: unreachable, timeout, within the deadline', async () => {
    const before = silent.connections();
    const { q, ms } = await read({ port: silent.port });
    expect(q).toMatchObject({ state: 'unreachable', reason: 'timeout' });
    expect(silent.connections()).toBeGreaterThan(before);
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_S * 1000 - 50);
    expect(ms).toBeLessThan(TIMEOUT_S * 1000 + 700);
  });

  it('a key the camera host does not accept: unreachable, auth failed', async () => {
    const other = utils.generateKeyPairSync('ed25519');
    const key = path.join(dir, 'other_ed25519');
    writeFileSync(key, other.private, { mode: 0o600 });
    const { q } = await read({ identityFile: key });
    expect(q).toMatchObject({ state: 'unreachable', reason: 'auth failed' });
  });

  it('a queue folder that is not there says so (reachable, but misconfigured)', async () => {
    const { q } = await read({ queueDir: path.join(dir, 'nowhere') });
    expect(q).toMatchObject({ state: 'unreachable', reason: 'no such folder' });
    expect(q.state === 'unreachable' && q.message).toContain(`no folder ${path.join(dir, 'nowhere')} on ${sshd.user}@127.0.0.1`);
  });
});

async function status(o: Over = {}, json = true, now?: Date): Promise<{ code: number; out: string; ms: number }> {
  const file = path.join(dir, 'opsdeck.yaml');
  writeFileSync(file, yaml(o));
  let out = '';
  const t0 = Date.now();
  const code = await main(['--config', file, '--batch', 'webcam', 'status', ...(json ? ['--json'] : [])], {
    stdout: (s) => void (out += s),
    stderr: () => {},
    isTTY: false,
    env: { ...process.env, HOME: dir, XDG_STATE_HOME: path.join(dir, 'state') },
    ...(now ? { clock: new ManualClock(now) } : {}),
  });
  return { code, out, ms: Date.now() - t0 };
}

describe('opsdeck webcam status with webcam.cameraHost', { timeout: 30_000 }, () => {
  it('--json carries the camera host queue; the text says it in a line', async () => {
    queueFrames(['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg'], [12, 8, 4, 1]);
    const r = await status();
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { cameraHost: CameraHostQueue; folders: { queue: number } };
    expect(j.cameraHost).toMatchObject({ state: 'ok', count: 4, oldest: 'a.jpg' });
    // this host's own queue is a different folder: empty
    expect(j.folders.queue).toBe(0);
    const text = await status({}, false);
    expect(text.out).toMatch(/^camera host: 4 queued, oldest 1[12]m sftp:\/\//m);
  });

  it('a black-holed camera host costs the status its deadline, no more, and is reported, not fatal', async () => {
    const r = await status({ port: silent.port });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { cameraHost: CameraHostQueue };
    expect(j.cameraHost).toMatchObject({ state: 'unreachable', reason: 'timeout' });
    expect(r.ms).toBeLessThan(TIMEOUT_S * 1000 + 3000);
    const text = await status({ port: await closedPort() }, false);
    expect(text.out).toMatch(/^camera host: unreachable \(refused\) sftp:\/\/.*ECONNREFUSED/m);
  });
});

// midday in June at the default place (Nelson, BC): daylight, so a stale capture counts
const NOON = new Date('2026-06-15T19:00:00Z');
const minutesBefore = (m: number): string => new Date(NOON.getTime() - m * 60_000).toISOString();
/** What `webcam capture` leaves in the camera host's spool, beside its queue/. */
function cameraRecord(state: object, file = path.join(dir, 'camera', 'capture-state.json')): void {
  writeFileSync(file, JSON.stringify(state));
}
type StatusJson = { capture?: { consecutiveFailures: number; fault: boolean }; captureFrom: { state: string; where: string } | null; ok: boolean };

describe('webcam status from the ingest server: the capture side is the camera host\'s record', { timeout: 30_000 }, () => {
  it('4 failed captures in a row on the camera host: camera FAULT, exit 1', async () => {
    cameraRecord({ consecutiveFailures: 4, lastAttemptAt: minutesBefore(1), lastSuccessAt: minutesBefore(8), lastError: 'gphoto2 failed (exit 1): *** Error: PTP I/O Error' });
    const text = await status({}, false, NOON);
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/^capture: last 8m ago, 4 failed since \(gphoto2 failed \(exit 1\): \*\*\* Error: PTP I\/O Error\) sftp:\/\/.*\/camera\/capture-state\.json$/m);
    expect(text.out).toMatch(/^FAULT: 4 failed captures in a row$/m);
    expect(text.out).toContain('problem: camera fault: 4 failed captures in a row (gphoto2 failed (exit 1): *** Error: PTP I/O Error)');
    const j = JSON.parse((await status({}, true, NOON)).out) as StatusJson;
    expect(j.capture).toMatchObject({ consecutiveFailures: 4, fault: true });
    expect(j.captureFrom).toEqual({ state: 'ok', where: `sftp://${sshd.user}@127.0.0.1:${sshd.port}${path.join(dir, 'camera', 'capture-state.json')}` });
    expect(j.ok).toBe(false);
  });

  it('a healthy recent capture there: ok, exit 0; a record on this server is not the camera\'s and is not read', async () => {
    cameraRecord({ consecutiveFailures: 0, lastAttemptAt: minutesBefore(2), lastSuccessAt: minutesBefore(2), lastFile: '20260615-115800.jpg' });
    // left over on the server (say it captured once): must not decide the camera's health
    mkdirSync(path.join(dir, 'server'), { recursive: true });
    cameraRecord({ consecutiveFailures: 9, lastSuccessAt: minutesBefore(600), lastError: 'old' }, path.join(dir, 'server', 'capture-state.json'));
    const text = await status({}, false, NOON);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^capture: last 2m ago sftp:\/\//m);
    expect(text.out).not.toContain('FAULT');
    expect(text.out).not.toContain('problem:');
  });

  it('a capture that stopped an hour ago in daylight is stale: exit 1', async () => {
    cameraRecord({ consecutiveFailures: 0, lastSuccessAt: minutesBefore(60) });
    const text = await status({}, false, NOON);
    expect(text.code).toBe(1);
    expect(text.out).toContain('problem: no capture for more than 3 intervals (15 min) in daylight');
  });

  it('no record on the camera host is "no capture record", as on a host that never captured: exit 0', async () => {
    const text = await status({}, false, NOON);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^capture: no capture record on the camera host sftp:\/\/.*\/camera\/capture-state\.json$/m);
  });

  it('webcam.cameraHost.captureState names a record elsewhere', async () => {
    const file = path.join(dir, 'elsewhere.json');
    cameraRecord({ consecutiveFailures: 5, lastSuccessAt: minutesBefore(3), lastError: 'no camera' }, file);
    const j = JSON.parse((await status({ captureState: file }, true, NOON)).out) as StatusJson;
    expect(j.capture).toMatchObject({ consecutiveFailures: 5, fault: true });
    expect(j.captureFrom?.where).toMatch(/elsewhere\.json$/);
  });

  it('an unreachable camera host leaves the capture unknown, and is still not a failure', async () => {
    cameraRecord({ consecutiveFailures: 4, lastSuccessAt: minutesBefore(8) });
    const text = await status({ port: await closedPort() }, false, NOON);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^capture: unknown \(camera host unreachable\) sftp:\/\//m);
  });
});

describe('the camera host record over SFTP', { timeout: 30_000 }, () => {
  it('is read in the same session as the queue; a queue folder that is not there does not hide it', async () => {
    cameraRecord({ consecutiveFailures: 2, lastSuccessAt: minutesBefore(5) });
    const ok = await read();
    expect(ok.record).toMatchObject({ state: 'ok', record: { consecutiveFailures: 2 } });
    const { q, record } = await read({ queueDir: path.join(dir, 'camera', 'nowhere'), captureState: path.join(dir, 'camera', 'capture-state.json') });
    expect(q).toMatchObject({ state: 'unreachable', reason: 'no such folder' });
    expect(record).toMatchObject({ state: 'ok', record: { consecutiveFailures: 2 } });
  });

  it('a record that is not JSON is unreadable, with why', async () => {
    writeFileSync(path.join(dir, 'camera', 'capture-state.json'), '{"consecutiveFail');
    expect((await read()).record).toMatchObject({ state: 'unreadable', message: 'not a capture record (not JSON)' });
  });
});
