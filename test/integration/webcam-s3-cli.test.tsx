/**
 * `opsdeck webcam capture` and `ingest` as a user runs them, with
 * `delivery.method: s3` and `source.method: s3` in the config: the camera
 * host puts the frame under the incoming prefix of s3rver, the ingest takes
 * it from there into sizes, the archive and the rig's MariaDB.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import React from 'react';
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CloudPorts } from '../../src/cloud/ports.js';
import { loadConfigFile } from '../../src/config/loader.js';
import { App, createSessionFor } from '../../views/App.js';
import { press, testContext, track, waitFor } from '../views/helpers.js';
import { cameraJpeg, filesBelow, startWebcamRig, type WebcamRig } from './webcam-rig.js';

const BUCKET = 'webcam-s3-cli';
let rig: WebcamRig;
let jpeg: string;

beforeAll(async () => {
  rig = await startWebcamRig(BUCKET, vi.stubEnv);
  jpeg = path.join(rig.dir, 'frame.jpg');
  writeFileSync(jpeg, await cameraJpeg(3, new Date('2026-06-15T19:00:00Z')));
}, 120_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await rig?.stop();
});

function configYaml(sourcePrefix: string): string {
  return `aws:
  region: us-east-1
  endpoint: ${rig.s3.endpoint}
mysql:
  rig:
    host: 127.0.0.1
    port: ${rig.db.port}
    user: ${rig.db.user}
    password: ${rig.db.password}
webcam:
  bucket: ${BUCKET}
  sizes: [160]
  spoolDir: ${path.join(rig.dir, 'spool')}
  capture:
    command: [cp, ${jpeg}, "{output}"]
  delivery:
    method: s3
  source:
    method: s3
    prefix: ${sourcePrefix}
  database:
    target: rig
    name: ${rig.database}
`;
}

async function cli(argv: string[], sourcePrefix = 'webcam-incoming/'): Promise<{ code: number; out: string; err: string }> {
  const cfg = path.join(rig.dir, 'opsdeck.yaml');
  writeFileSync(cfg, configYaml(sourcePrefix));
  let out = '';
  let err = '';
  const code = await main(['--config', cfg, ...argv], { stdout: (s) => void (out += s), stderr: (s) => void (err += s), isTTY: false, env: { ...process.env, XDG_STATE_HOME: rig.dir, HOME: rig.dir } });
  return { code, out, err };
}

describe('webcam capture and ingest through an S3 incoming prefix (batch)', () => {
  it('capture delivers to the prefix, ingest without --yes lists it, with --yes takes it and empties the prefix', async () => {
    const cap = await cli(['webcam', 'capture', '--batch', '--yes', '--force']);
    expect([cap.code, cap.out]).toEqual([0, expect.stringMatching(new RegExp(`delivered 1 to s3://${BUCKET}/webcam-incoming/`))]);
    const incoming = await rig.objects.listObjects(BUCKET, 'webcam-incoming/');
    expect(incoming.map((o) => o.key)).toEqual([expect.stringMatching(/^webcam-incoming\/\d{8}-\d{6}\.jpg$/)]);

    const plan = await cli(['webcam', 'ingest', '--batch']);
    expect(plan.code).toBe(0);
    expect(plan.out).toMatch(new RegExp(`^incoming s3://${BUCKET}/webcam-incoming/: 1 ready, 0 still being written`));
    expect(await rig.objects.listObjects(BUCKET, 'webcam-incoming/')).toHaveLength(1);

    const done = await cli(['webcam', 'ingest', '--batch', '--yes']);
    expect([done.code, done.out.trim()]).toEqual([0, '1 ingested']);
    expect(await rig.objects.listObjects(BUCKET, 'webcam-incoming/')).toEqual([]);
    expect((await rig.objects.listObjects(BUCKET, 'webcam/')).map((o) => o.key.replace(/^.*-/, ''))).toEqual(['160w.jpg', 'full.jpg']);
    expect(await rig.table.count()).toBe(1);
    expect(filesBelow(path.join(rig.dir, 'spool', 'archive'))).toHaveLength(1);
  });

  it('status counts the objects waiting under the prefix and the refused ones under rejected/', async () => {
    const folders = async (): Promise<unknown> => (JSON.parse((await cli(['webcam', 'status', '--batch', '--json'])).out) as { folders: unknown }).folders;
    await rig.objects.putObject(BUCKET, 'webcam-incoming/notes.jpg', 'not a picture');
    await rig.objects.putObject(BUCKET, 'webcam-incoming/IMG_2.jpg', await cameraJpeg(4, new Date('2026-06-15T19:05:00Z')));
    expect(await folders()).toEqual({ queue: 0, incoming: 2, rejected: 0 });
    const r = await cli(['webcam', 'ingest', '--batch', '--yes']);
    expect([r.code, r.out]).toEqual([0, expect.stringMatching(/^1 ingested, 1 rejected\n  rejected notes\.jpg: /)]);
    expect(await folders()).toEqual({ queue: 0, incoming: 0, rejected: 1 });
  });

  it('an incoming prefix inside the sizes prefix is refused as a config error (ingest would take its own sizes)', async () => {
    const r = await cli(['webcam', 'ingest', '--batch'], 'webcam/incoming/');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/webcam\.source\.prefix and webcam\.prefix must not contain one another/);
  });
});

describe('webcam pane with source.method s3', () => {
  it('i ingests from the S3 incoming prefix, as the batch does (not from the empty local folder)', async () => {
    const cfg = path.join(rig.dir, 'opsdeck.yaml');
    writeFileSync(cfg, configYaml('webcam-incoming/'));
    const config = await loadConfigFile(cfg);
    const before = await rig.table.count();
    await rig.objects.putObject(BUCKET, 'webcam-incoming/IMG_PANE.jpg', await cameraJpeg(5, new Date('2026-06-15T19:10:00Z')));
    // only the object store is real AWS-shaped here: s3rver; nothing else is called
    const cloud = { objects: rig.objects } as unknown as CloudPorts;
    const base = testContext({ cloud, options: { sandbox: false }, config });
    const ctx = { ...base, configPath: cfg, get stateDir() { return rig.dir; } };
    const store = createSessionFor(ctx, { size: { columns: 120, rows: 36 }, initialPane: 'webcam' });
    const app = track(render(<App ctx={ctx} store={store} />), store);
    try {
      await waitFor(() => (app.lastFrame() ?? '').includes('incoming 1') || undefined, 'the waiting object counted', app.lastFrame, 20_000);
      await press(app, 'i');
      await waitFor(() => (app.lastFrame() ?? '').includes('Ingest 1 frames?') || undefined, 'the confirmation', app.lastFrame, 20_000);
      expect(app.lastFrame()).toContain(`from s3://${BUCKET}/webcam-incoming/`);
      await press(app, '\t');
      await press(app, '\r');
      await waitFor(() => (app.lastFrame() ?? '').includes('webcam: 1 ingested') || undefined, 'the ingest', app.lastFrame, 30_000);
    } finally {
      app.unmount();
    }
    // (the refused objects of the test above stay under rejected/)
    expect((await rig.objects.listObjects(BUCKET, 'webcam-incoming/')).filter((o) => !o.key.includes('/rejected/'))).toEqual([]);
    expect(await rig.table.count()).toBe(before + 1);
  });
});
