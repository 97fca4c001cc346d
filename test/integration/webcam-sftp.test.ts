import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { defaultConfig } from '../../src/config/defaults.js';
import type { SshTarget } from '../../src/remote/ssh.js';
import { deliverQueue, runCapture, type Camera } from '../../src/webcam/capture.js';
import { configSchema } from '../../src/config/schema.js';
import { sftpSink } from '../../src/webcam/delivery.js';
import { webcamSite } from '../../src/webcam/site.js';
import { planIngest } from '../../src/webcam/ingest.js';
import { webcamPaths, type WebcamPaths } from '../../src/webcam/paths.js';
import { freePort } from '../services/ports.js';
import { startSshd, type SshdHandle } from '../services/sshd.js';
import { cameraJpeg } from './webcam-rig.js';

let sshd: SshdHandle;
let dir: string;
let paths: WebcamPaths;
let remoteDir: string;
const NOON = new Date('2026-06-15T19:00:00Z');
const config = defaultConfig().webcam;

beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-webcam-sftp-'));
  paths = webcamPaths({}, path.join(dir, 'camera'));
  // the ingest server's incoming folder: the same machine, reached only through sshd
  remoteDir = path.join(dir, 'server', 'incoming');
  mkdirSync(remoteDir, { recursive: true });
  mkdirSync(paths.queue, { recursive: true });
  return () => rmSync(dir, { recursive: true, force: true });
});

const target = (over: Partial<SshTarget> = {}): SshTarget => ({ host: sshd.host, port: sshd.port, user: sshd.user, privateKeyPath: sshd.clientKeyPath, knownHostsPath: sshd.knownHostsPath, ...over });
const sink = (t: SshTarget = target(), remote = remoteDir) => sftpSink({ target: t, remoteDir: remote, timeoutMs: 30_000 });
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const jpegCamera = (): Camera => async (req) => writeFileSync(req.output, await cameraJpeg(req.at.getTime() % 1000, req.at));

describe('SFTP delivery to the rig sshd', () => {
  it('uploads under a .part name and posix-renames: a reader polling the server never sees a partial frame under its final name', async () => {
    // big enough frames that an upload spans many polls
    const frames = new Map<string, Buffer>();
    for (let i = 0; i < 5; i++) {
      const body = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(4 * 1024 * 1024)]);
      frames.set(`20260615-12${i}000.jpg`, body);
      writeFileSync(path.join(paths.queue, `20260615-12${i}000.jpg`), body);
    }
    const torn: string[] = [];
    let sawPart = false;
    let polling = true;
    const poll = (): void => {
      for (const n of readdirSync(remoteDir)) {
        if (n.startsWith('.')) {
          sawPart ||= n.endsWith('.part');
          continue;
        }
        const size = statSync(path.join(remoteDir, n), { throwIfNoEntry: false })?.size;
        if (size !== undefined && size !== frames.get(n)?.length) torn.push(`${n}: ${size} bytes`);
      }
      if (polling) setImmediate(poll);
    };
    poll();
    const r = await deliverQueue(paths, sink());
    polling = false;

    expect(r).toEqual({ delivered: [...frames.keys()], queued: 0, where: `sftp://${sshd.user}@127.0.0.1:${sshd.port}${remoteDir}` });
    expect(torn).toEqual([]);
    expect(sawPart).toBe(true);
    expect(readdirSync(remoteDir).sort()).toEqual([...frames.keys()]);
    for (const [n, body] of frames) expect(sha(readFileSync(path.join(remoteDir, n)))).toBe(sha(body));
    expect(readdirSync(paths.queue)).toEqual([]);
    // the ingest side takes all of them once quiet
    const plan = await planIngest({ ...paths, incoming: remoteDir }, { quiescenceSeconds: 0 }, new Date(Date.now() + 1000));
    expect(plan.ready.map((f) => f.name).sort()).toEqual([...frames.keys()]);
  });

  it('the server down: captures stay queued run after run, then go in order once it is back', async () => {
    const down = sink(target({ port: await freePort() }));
    const clock = new ManualClock(NOON);
    const r1 = await runCapture({ config, paths, camera: jpegCamera(), clock, deliver: down });
    expect(r1.captured).toBe('20260615-120000.jpg');
    expect(r1.error).toMatch(/^delivery to sftp:\/\/.* failed: cannot connect to .*ECONNREFUSED/);
    expect(r1.queued).toBe(1);
    clock.advance(5 * 60_000);
    const r2 = await runCapture({ config, paths, camera: jpegCamera(), clock, deliver: down });
    expect(r2.queued).toBe(2);
    expect(readdirSync(remoteDir)).toEqual([]);

    clock.advance(5 * 60_000);
    const r3 = await runCapture({ config, paths, camera: jpegCamera(), clock, deliver: sink() });
    expect(r3.error).toBeUndefined();
    expect(r3.delivered).toEqual(['20260615-120000.jpg', '20260615-120500.jpg', '20260615-121000.jpg']);
    expect(readdirSync(paths.queue)).toEqual([]);
    expect(readdirSync(remoteDir).sort()).toEqual(r3.delivered);
  });

  it('a run that died after the rename but before forgetting the frame sends it again: posix-rename replaces it (a plain SFTP rename would refuse for ever)', async () => {
    const body = await cameraJpeg(2, NOON);
    writeFileSync(path.join(paths.queue, '20260615-120000.jpg'), body);
    writeFileSync(path.join(remoteDir, '20260615-120000.jpg'), body);
    const r = await deliverQueue(paths, sink());
    expect([r.error, r.delivered]).toEqual([undefined, ['20260615-120000.jpg']]);
    expect(readdirSync(remoteDir)).toEqual(['20260615-120000.jpg']);
    expect(sha(readFileSync(path.join(remoteDir, '20260615-120000.jpg')))).toBe(sha(body));
  });

  it('a failed upload leaves the frame queued and nothing on the server', async () => {
    writeFileSync(path.join(paths.queue, '20260615-120000.jpg'), await cameraJpeg(1, NOON));
    const r = await deliverQueue(paths, sink(target(), path.join(dir, 'server', 'missing')));
    expect(r.queued).toBe(1);
    expect(r.error).toMatch(/SFTP upload of 20260615-120000.jpg .* failed: No such file/);
    expect(readdirSync(paths.queue)).toEqual(['20260615-120000.jpg']);
    expect(readdirSync(path.join(dir, 'server'))).toEqual(['incoming']);
  });

  it('an unknown host key is refused: nothing is sent to a server that is not the one on record', async () => {
    writeFileSync(path.join(paths.queue, '20260615-120000.jpg'), await cameraJpeg(1, NOON));
    const empty = path.join(dir, 'known_hosts');
    writeFileSync(empty, '');
    const r = await deliverQueue(paths, sink(target({ knownHostsPath: empty })));
    expect(r.error).toMatch(/host key of \[127\.0\.0\.1\]:\d+ is not in/);
    expect(r.queued).toBe(1);
    expect(readdirSync(remoteDir)).toEqual([]);
  });

  it('from the config: webcam.delivery names a host under hosts:, and the capture goes there', async () => {
    const cfg = configSchema.parse({
      hosts: { ingest: { host: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.clientKeyPath, knownHosts: sshd.knownHostsPath } },
      webcam: { spoolDir: path.join(dir, 'camera'), delivery: { method: 'sftp', host: 'ingest', remoteDir } },
    });
    const options = { sandbox: false, readOnly: false, config: undefined, profile: undefined, region: undefined, batch: true, json: false, yes: true };
    const site = webcamSite({ config: cfg, configPath: undefined, options, stateDir: dir, sandboxDir: undefined, cloud: () => Promise.reject(new Error('no cloud')) });
    expect(site.deliverer().where).toBe(`sftp://${sshd.user}@127.0.0.1:${sshd.port}${remoteDir}`);
    const r = await runCapture({ config: cfg.webcam, paths: site.paths, camera: jpegCamera(), clock: new ManualClock(NOON), deliver: site.deliverer() });
    expect([r.error, r.delivered]).toEqual([undefined, ['20260615-120000.jpg']]);
    expect(readdirSync(remoteDir)).toEqual(['20260615-120000.jpg']);
    // sftp without a host or folder is a config error, not a runtime surprise
    expect(configSchema.safeParse({ webcam: { delivery: { method: 'sftp' } } }).error?.issues[0]?.message).toMatch(/needs delivery.host .* and delivery.remoteDir/);
  });
});
