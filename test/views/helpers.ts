import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { NEVER } from '../../src/core/deadline.js';
import { xdgStateHome } from '../../src/core/paths.js';
import type { CommandContext, GlobalOptions } from '../../src/core/context.js';
import { CloudError, type CloudPorts, type Instance, type ScalingPort } from '../../src/cloud/ports.js';
import { createSandboxWorld } from '../../src/cloud/sandbox/index.js';
import { memoryAuditLog } from '../../src/core/audit.js';
import { ManualClock } from '../../src/core/clock.js';
import { defaultConfig, type Config } from '../../src/config/schema.js';
import type { SessionStore } from '../../src/store/session.js';

/** Raw bytes a terminal sends for each key: what ink's stdin parser expects. */
export const KEY = {
  up: '\x1b[A',
  down: '\x1b[B',
  left: '\x1b[D',
  right: '\x1b[C',
  pageUp: '\x1b[5~',
  pageDown: '\x1b[6~',
  enter: '\r',
  escape: '\x1b',
  tab: '\t',
  shiftTab: '\x1b[Z',
  backspace: '\x7f',
  ctrlC: '\x03',
  ctrlU: '\x15',
  ctrlW: '\x17',
} as const;

export const T0 = new Date('2026-03-01T12:00:00Z');

const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

/** Deterministic instances: app-000, app-001, … launched an hour apart before T0. */
export function makeInstances(n: number, opts: { prefix?: string; start?: number } = {}): Instance[] {
  const prefix = opts.prefix ?? 'app';
  const start = opts.start ?? 0;
  return Array.from({ length: n }, (_, k) => {
    const i = start + k;
    const id = `i-0${i.toString(16).padStart(16, '0')}`;
    return {
      id,
      name: `${prefix}-${String(i).padStart(3, '0')}`,
      state: i % 7 === 3 ? 'stopped' : 'running',
      availabilityZone: ZONES[i % ZONES.length],
      instanceType: i % 2 === 0 ? 't3.small' : 'c5.large',
      imageId: 'ami-0123456789abcdef0',
      privateIp: `127.0.${Math.floor(i / 250) % 250}.${(i % 250) + 1}`,
      publicIp: undefined,
      launchTime: new Date(T0.getTime() - (i + 1) * 3_600_000),
      tags: { Name: `${prefix}-${String(i).padStart(3, '0')}`, Role: 'web' },
    };
  });
}

function unused(what: string): never {
  throw new CloudError('NotUsedInViewTests', `${what} is not part of this test's world`);
}

/** A port whose every method fails as unused: it keeps up with methods added to the port. */
export function unusedPort<T extends object>(): T {
  return new Proxy({} as T, { get: (_t, name) => async () => unused(String(name)) });
}

/**
 * The smallest CloudPorts the Fleet pane needs: describeInstances answers from
 * `instances()` (which a test may change between refreshes, or make throw).
 */
export function fakeCloud(instances: () => Instance[] | Promise<Instance[]>): CloudPorts & { calls: number } {
  const cloud = {
    kind: 'sandbox' as const,
    calls: 0,
    compute: {
      describeInstances: async () => {
        cloud.calls++;
        return instances();
      },
      describeImages: async () => unused('describeImages'),
      describeVolumes: async () => unused('describeVolumes'),
      describeSnapshots: async () => unused('describeSnapshots'),
      deleteSnapshot: async () => unused('deleteSnapshot'),
      createSnapshot: async () => unused('createSnapshot'),
      createVolume: async () => unused('createVolume'),
      attachVolume: async () => unused('attachVolume'),
      detachVolume: async () => unused('detachVolume'),
      deleteVolume: async () => unused('deleteVolume'),
    },
    scaling: unusedPort<ScalingPort>(),
    objects: {
      getObject: async () => unused('getObject'),
      putObject: async () => unused('putObject'),
      listObjects: async () => unused('listObjects'),
      deleteObject: async () => unused('deleteObject'),
    },
  };
  return cloud;
}

export interface TestContext extends CommandContext {
  clock: ManualClock;
  out: string[];
  err: string[];
}

/**
 * A CommandContext for view tests. The cloud is the sandbox world following
 * the test's ManualClock (advance `ctx.clock` and the Auto Scaling group
 * follows its load curve), unless a test brings its own.
 */
export function testContext(
  opts: { cloud?: CloudPorts; options?: Partial<GlobalOptions>; config?: Partial<Config> } = {},
): TestContext {
  const clock = new ManualClock(T0);
  const cloud = opts.cloud ?? createSandboxWorld({ now: clock });
  const out: string[] = [];
  const err: string[] = [];
  return {
    options: {
      sandbox: true,
      readOnly: false,
      config: undefined,
      profile: undefined,
      region: undefined,
      batch: false,
      json: false,
      yes: false,
      ...opts.options,
    },
    config: { ...defaultConfig(), ...opts.config },
    configPath: undefined,
    clock,
    cloud: async () => cloud,
    audit: memoryAuditLog({ clock }),
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    progress: () => {},
    signal: NEVER,
    // read at use: view tests point XDG_STATE_HOME at a private dir for their locks
    get stateDir() {
      return path.join(xdgStateHome(), 'opsdeck');
    },
    sandboxDir: undefined,
    out,
    err,
  };
}

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` passes (returns its value) or fails with the last frame in the message. */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, frame?: () => string | undefined, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    // awaited: an async check's promise is truthy, and would otherwise "pass" at once without waiting
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last frame:\n${frame?.() ?? '(none)'}`);
    await tick(5);
  }
}

export interface Rendered {
  stdin: { write(data: string): void };
  lastFrame(): string | undefined;
  frames?: string[];
}

const stores = new WeakMap<object, SessionStore>();

/**
 * Ties a rendered App to its store so `press` can wait for the shell's key
 * acknowledgement (SessionState.keyAck) instead of guessing with a delay: on
 * a loaded 2-core CI machine a render can take longer than any fixed wait.
 */
export function track<T extends Rendered>(app: T, store: SessionStore): T {
  stores.set(app, store);
  return app;
}

/**
 * Types one key (or a burst) and returns the frame that shows its effects:
 * waits until the shell has handled every key of the write and committed a
 * frame after that, then for the frames to go quiet (effects that render
 * again, pane state React renders a task later).
 */
export async function press(app: Rendered, key: string): Promise<string> {
  const store = stores.get(app);
  const frames = app.frames;
  if (!store || !frames) throw new Error('press() needs an app rendered by ink-testing-library and passed through track(app, store)');
  return pressAcked(app, frames, store, key);
}

async function pressAcked(app: Rendered, frames: string[], store: SessionStore, key: string): Promise<string> {
  if (store.getState().quitRequested) throw new Error(`press(${JSON.stringify(key)}) after the app quit: read app.frames instead`);
  const ack0 = store.getState().keyAck;
  let mark: number | undefined;
  // keyAck is set synchronously in the key handler, before React commits it.
  const unsubscribe = store.subscribe((s) => {
    if (mark === undefined && s.keyAck > ack0) mark = frames.length;
  });
  try {
    app.stdin.write(key);
    const limit = Date.now() + 5000;
    while (Date.now() < limit) {
      if (mark !== undefined && frames.length > mark) break;
      if (store.getState().quitRequested) break;
      await tick(1);
    }
  } finally {
    unsubscribe();
  }
  if (mark === undefined && !store.getState().quitRequested) throw new Error(`the shell never acknowledged ${JSON.stringify(key)}; last frame:\n${app.lastFrame() ?? ''}`);
  // then until no new frame for a little while (bounded)
  const limit = Date.now() + 1000;
  let seen = frames.length;
  let quietSince = Date.now();
  while (Date.now() - quietSince < 12 && Date.now() < limit) {
    await tick(3);
    if (frames.length !== seen) {
      seen = frames.length;
      quietSince = Date.now();
    }
  }
  return app.lastFrame() ?? '';
}

/** Types a string one key at a time (as a person would). */
export async function type(app: Rendered, text: string): Promise<string> {
  let f = '';
  for (const ch of text) f = await press(app, ch);
  return f;
}

/** The frame's lines, colour codes removed. */
export function lines(frame: string | undefined): string[] {
  // eslint-disable-next-line no-control-regex
  return (frame ?? '').replace(/\x1b\[[0-9;]*m/g, '').split('\n');
}

/** The table row currently marked as selected (the "›" marker). */
export function selectedRow(frame: string | undefined): string | undefined {
  return lines(frame).find((l) => l.startsWith('› '));
}

/**
 * Panes take locks under $XDG_STATE_HOME: a private one per test keeps the
 * user's own state dir (and another run of the suite) out. Call at the top
 * of a test file; `before` runs first in each afterEach (unmount the apps).
 */
export function privateStateDir(prefix: string, before?: () => void): void {
  let dir: string;
  let saved: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    saved = process.env.XDG_STATE_HOME;
    process.env.XDG_STATE_HOME = dir;
  });
  afterEach(() => {
    before?.();
    if (saved === undefined) delete process.env.XDG_STATE_HOME;
    else process.env.XDG_STATE_HOME = saved;
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  });
}
