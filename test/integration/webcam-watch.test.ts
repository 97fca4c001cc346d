import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ObjectStorePort } from '../../src/cloud/ports.js';
import { systemClock } from '../../src/core/clock.js';
import { defaultConfig } from '../../src/config/defaults.js';
import type { WebcamConfig } from '../../src/webcam/config.js';
import type { IngestResult } from '../../src/webcam/ingest.js';
import { webcamPaths, type WebcamPaths } from '../../src/webcam/paths.js';
import { watchIngest, type WatchDeps } from '../../src/webcam/watch.js';
import { cameraJpeg, deliver, startWebcamRig, type WebcamRig } from './webcam-rig.js';

const BUCKET = 'webcam-watch';
let rig: WebcamRig;
let paths: WebcamPaths;
const config: WebcamConfig = { ...defaultConfig().webcam, sizes: [160], bucket: BUCKET, quiescenceSeconds: 1 };
const T = (h: number, m: number): Date => new Date(Date.UTC(2026, 5, 15, h + 7, m));

beforeAll(async () => {
  rig = await startWebcamRig(BUCKET, (k, v) => vi.stubEnv(k, v));
  paths = webcamPaths({}, rig.dir);
}, 60_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await rig?.stop();
});

const deps = (stop: AbortSignal, over: Partial<WatchDeps> = {}): WatchDeps => ({
  config,
  paths,
  objects: rig.objects,
  bucket: BUCKET,
  // the rig's connection serves every pass: the watch's close() of it is a no-op here
  openTable: async () => ({ ...rig.table, close: async () => {} }),
  clock: systemClock,
  intervalMs: 100,
  stop,
  lockDir: path.join(rig.dir, 'locks'),
  ...over,
});

describe('ingest --watch', () => {
  it('takes a quiet frame on the first pass, and a frame still being written only once it has been quiet for quiescenceSeconds', async () => {
    await deliver(paths.incoming, 'IMG_1.JPG', await cameraJpeg(1, T(9, 0)));
    const fresh = await deliver(paths.incoming, 'IMG_2.JPG', await cameraJpeg(2, T(9, 5)), 0);
    const written = Date.now();
    const stop = new AbortController();
    const passes: { at: number; names: string[] }[] = [];
    // the uploader keeps writing IMG_2 for 600 ms
    const touch = setInterval(() => {
      if (Date.now() - written < 600) utimesSync(fresh, new Date(), new Date());
    }, 50);
    const watching = watchIngest(
      deps(stop.signal, {
        onPass: (_p, r) => {
          passes.push({ at: Date.now(), names: r.ingested.map((i) => i.name) });
          if (r.ingested.some((i) => i.name === 'IMG_2.JPG')) stop.abort();
        },
      }),
    );
    const sum = await watching;
    clearInterval(touch);
    expect(passes[0]?.names).toEqual(['IMG_1.JPG']);
    const second = passes.find((p) => p.names.includes('IMG_2.JPG'))!;
    // last write at ~600 ms, then 1 s of quiet
    expect(second.at - written).toBeGreaterThanOrEqual(1500);
    expect(sum).toMatchObject({ ingested: 2, rejected: 0, failedPasses: 0 });
    expect(sum.passes).toBeGreaterThan(5);
    expect(readdirSync(paths.incoming)).toEqual([]);
  });

  it('Ctrl-C during a frame: that frame finishes (its objects and row), the later ones stay in incoming, the watch returns', async () => {
    for (let i = 0; i < 3; i++) await deliver(paths.incoming, `IMG_1${i}.JPG`, await cameraJpeg(10 + i, T(10, i * 5)), 60 - i);
    const stop = new AbortController();
    let puts = 0;
    // two objects per frame (full, 160w): the 3rd put is the second frame's first
    const objects: ObjectStorePort = {
      ...rig.objects,
      putObject: async (...a) => {
        if (++puts === 3) stop.abort();
        await new Promise((r) => setTimeout(r, 50));
        return rig.objects.putObject(...a);
      },
    };
    const results: IngestResult[] = [];
    const before = await rig.table.count();
    const sum = await watchIngest(deps(stop.signal, { objects, onPass: (_p, r) => results.push(r) }));
    expect(results).toHaveLength(1);
    expect(results[0]!.ingested.map((i) => i.name)).toEqual(['IMG_10.JPG', 'IMG_11.JPG']);
    expect(results[0]!.notAttempted).toBe(1);
    expect(sum.passes).toBe(1);
    expect(puts).toBe(4);
    expect(await rig.table.count()).toBe(before + 2);
    expect(readdirSync(paths.incoming)).toEqual(['IMG_12.JPG']);
  });

  it('a pass that fails (S3 down) is reported and the next pass takes the frame', async () => {
    const stop = new AbortController();
    let calls = 0;
    const flaky: ObjectStorePort = {
      ...rig.objects,
      putObject: (...a) => (++calls === 1 ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { retryable: false })) : rig.objects.putObject(...a)),
    };
    const warnings: string[] = [];
    const results: IngestResult[] = [];
    const sum = await watchIngest(
      deps(stop.signal, {
        objects: flaky,
        onWarning: (w) => warnings.push(w),
        onPass: (_p, r) => {
          results.push(r);
          if (r.ingested.length) stop.abort();
        },
      }),
    );
    expect(results[0]!.failed).toEqual([{ name: 'IMG_12.JPG', error: expect.stringMatching(/ECONNREFUSED/) }]);
    expect(results.at(-1)!.ingested.map((i) => i.name)).toEqual(['IMG_12.JPG']);
    expect(sum.failedPasses).toBe(1);
    expect(readdirSync(paths.incoming)).toEqual([]);
  });

  it('opsdeck webcam ingest --watch as a process: ingests what arrives, and Ctrl-C ends it with 130 and its lock freed', { timeout: 90_000 }, async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-watchcli-'));
    try {
      const incoming = path.join(home, `opsdeck-sandbox-${process.getuid!()}`, 'webcam', 'incoming');
      mkdirSync(incoming, { recursive: true });
      await deliver(incoming, 'IMG_20.JPG', await cameraJpeg(20, T(11, 0)));
      const repo = path.resolve(import.meta.dirname, '../..');
      const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(repo, 'views', 'main.ts'), '--sandbox', 'webcam', 'ingest', '--batch', '--yes', '--watch', '--interval', '0.2'], {
        cwd: home,
        env: { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: home, XDG_STATE_HOME: path.join(home, 'state'), TMPDIR: home },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const ended = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const deadline = Date.now() + 60_000;
      while (!/1 ingested/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(out).toMatch(/^\d\d:\d\d 1 ingested$/m);
      // a second frame while it watches
      await deliver(incoming, 'IMG_21.JPG', await cameraJpeg(21, T(11, 5)));
      while ((out.match(/1 ingested/g) ?? []).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      child.kill('SIGINT');
      expect(await ended).toBe(130);
      expect(err).toMatch(/watching .*incoming every 0.2s/);
      expect(err).toMatch(/watch stopped after \d+ passes: 2 ingested, 0 rejected, 0 passes failed/);
      expect(readdirSync(incoming)).toEqual([]);
      expect(existsSync(path.join(home, `opsdeck-sandbox-${process.getuid!()}`, 'state', 'locks', 'webcam-ingest.lock'))).toBe(false);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
