import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import React from 'react';
import { render } from 'ink-testing-library';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { App, createSessionFor } from '../../views/App.js';
import { overrideProcessEnv } from '../services/env.js';
import { startSshd, type SshdHandle } from '../services/sshd.js';
import { KEY, lines, press, testContext, track, type, waitFor, type Rendered } from './helpers.js';

/**
 * The Runbooks pane, keys in and frames out: pick a runbook, fill its inputs
 * (a bad value refused as you type), read the plan, run it, confirm a typed
 * step (a wrong word refused), watch output stream from a real sshd, cancel,
 * resume from the run list.
 */
const SLOW = 20_000;
let sshd: SshdHandle;
let dir: string;
let restore: (() => void) | undefined;
const mounted: { unmount(): void }[] = [];

beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-rbview-'));
  mkdirSync(path.join(dir, 'config', 'opsdeck', 'runbooks'), { recursive: true });
  restore = overrideProcessEnv({ XDG_STATE_HOME: path.join(dir, 'state'), XDG_CONFIG_HOME: path.join(dir, 'config'), TMPDIR: dir });
});
afterEach(() => {
  while (mounted.length) mounted.pop()?.unmount();
  restore?.();
  rmSync(dir, { recursive: true, force: true });
});

function frameWhen(app: Rendered, what: string, check: (frame: string) => boolean): Promise<string> {
  return waitFor(() => {
    const f = lines(app.lastFrame()).join('\n');
    return check(f) ? f : undefined;
  }, what, app.lastFrame, SLOW);
}
async function pressUntil(app: Rendered, key: string, what: string, check: (frame: string) => boolean): Promise<string> {
  await press(app, key);
  return frameWhen(app, what, check);
}

/** Whether a process mentioning `marker` runs on this machine (the sshd's host). */
function running(marker: string): boolean {
  try {
    return execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').some((l) => l.includes(marker) && !l.startsWith('ps '));
  } catch {
    return false;
  }
}

function userRunbook(name: string, text: string): void {
  writeFileSync(path.join(dir, 'config', 'opsdeck', 'runbooks', `${name}.yaml`), text);
}

async function startApp(opts: { sandbox: boolean; size?: { columns: number; rows: number } }) {
  const host = { host: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.clientKeyPath, knownHosts: sshd.knownHostsPath };
  const base = testContext({ options: { sandbox: opts.sandbox }, config: opts.sandbox ? {} : { hosts: { alpha: host } } });
  const ctx = { ...base, sandboxDir: opts.sandbox ? path.join(dir, 'sandbox') : undefined };
  const store = createSessionFor(ctx, { size: opts.size ?? { columns: 100, rows: 30 }, initialPane: 'runbooks' });
  const app = track(render(<App ctx={ctx} store={store} />), store);
  mounted.push(app);
  await frameWhen(app, 'the runbook list', (f) => f.includes('NAME') && f.includes('STEPS'));
  return { app, store, ctx };
}

/** Select a runbook row by name with j, then Enter. */
async function openRunbook(app: Rendered, name: string): Promise<void> {
  for (let i = 0; i < 10 && !lines(app.lastFrame()).some((l) => l.startsWith('› ') && l.includes(name)); i++) await press(app, 'j');
  await press(app, KEY.enter);
}

describe('Runbooks pane', () => {
  it('fills an input (a bad value refused as typed), shows the plan, rehearses with a confirmation, and shows the summary', async () => {
    const { app } = await startApp({ sandbox: true });
    for (let i = 0; i < 10 && !lines(app.lastFrame()).some((l) => l.startsWith('› ') && l.includes('haproxy-maintenance')); i++) await press(app, 'j');
    // the selected runbook's description, as written
    expect(lines(app.lastFrame()).join('\n')).toContain('Puts the site behind the maintenance page, and takes it off again, through');
    await openRunbook(app, 'haproxy-maintenance');
    await frameWhen(app, 'the input form', (f) => f.includes('Maintenance page on or off: inputs') && /mode\s+string\s+on\s+ok/.test(f));
    await pressUntil(app, KEY.enter, 'the field editor', (f) => f.includes('mode (string): on'));
    await press(app, KEY.ctrlU);
    let f = await type(app, 'maybe');
    f = lines(f).join('\n');
    expect(f).toContain('mode (string): maybe');
    expect(f).toContain('mode: "maybe" does not match ^(on|off)$');
    // Enter with a bad value keeps the editor open
    f = await pressUntil(app, KEY.enter, 'the refusal', (x) => x.includes('mode (string): maybe'));
    await press(app, KEY.ctrlU);
    await type(app, 'on');
    await pressUntil(app, KEY.enter, 'the form again', (x) => x.includes('› → review the plan'));
    f = await pressUntil(app, KEY.enter, 'the plan', (x) => x.includes('steps:'));
    expect(f).toContain('2. Drain every server so requests in flight finish  [drain: haproxy, confirm, idempotent]');
    await pressUntil(app, KEY.enter, 'the start dialog', (x) => x.includes('Run Maintenance page on or off?'));
    await press(app, KEY.tab);
    await pressUntil(app, KEY.enter, 'the drain step asks', (x) => x.includes('Run step: Drain every server so requests in flight finish?'));
    // Focus starts on Cancel: Enter alone would not run the step
    await press(app, KEY.tab);
    f = await pressUntil(app, KEY.enter, 'the run to finish', (x) => /^done$/m.test(x));
    expect(f).toContain('Maintenance page on or off (rehearsal)');
    expect(f).toMatch(/✓\s+4 Every server to maint; the maintenance page answers\s+done/);
    expect(f).toMatch(/–\s+5 Every server back to ready; the site answers again\s+skipped/);
  }, 90_000);

  it('at 60x16 the plan wraps rather than cuts: every step line read whole by scrolling, its continuation indented', async () => {
    const { app } = await startApp({ sandbox: true, size: { columns: 60, rows: 16 } });
    await openRunbook(app, 'haproxy-maintenance');
    await frameWhen(app, 'the input form', (f) => f.includes(': inputs'));
    for (let i = 0; i < 12 && !lines(app.lastFrame()).some((l) => l.startsWith('› → review the plan')); i++) await press(app, 'j');
    let f = await pressUntil(app, KEY.enter, 'the plan', (x) => x.includes('(haproxy-maintenance'));
    // the plan's screen lines by position: j moves the view one line, until the end stops it
    const body = (x: string): string[] => lines(x).slice(2, 2 + 12);
    const seen: string[] = [];
    for (let top = 0; top < 80; top++) {
      body(f).forEach((l, i) => (seen[top + i] = l));
      const next = await press(app, 'j');
      if (next === f) break;
      f = next;
    }
    expect(seen.some((l) => l.includes('5. '))).toBe(true);
    const text = seen.join('\n');
    expect(text).not.toMatch(/\S…$/m);
    expect(seen.every((l) => l.length <= 60)).toBe(true);
    // the drain step's title and flags, over two lines, the second hanging under the title
    expect(text.replace(/\n\s+/g, ' ')).toContain('2. Drain every server so requests in flight finish [drain: haproxy, confirm, idempotent]');
    const at = seen.findIndex((l) => l.includes('2. Drain every server'));
    expect(seen[at + 1]).toMatch(/^ {5}\S/);
  }, 60_000);

  it('at 60x16 the list keeps the LAST RUN status whole: the title gives way first', async () => {
    const runs = path.join(dir, 'state', 'opsdeck', 'runs');
    mkdirSync(runs, { recursive: true });
    const at = '2026-03-01T11:00:00.000Z';
    const head = { t: 'run', at, runId: 'r1', runbook: 'haproxy-maintenance', file: 'x.yaml', hash: 'h', stepHashes: ['a'], inputs: {}, secretInputs: [], rehearsal: true, user: 'u', host: 'h', pid: 1, boot: undefined };
    writeFileSync(path.join(runs, 'r1.jsonl'), `${JSON.stringify(head)}\n${JSON.stringify({ t: 'end', at, status: 'refused' })}\n`);
    const { app } = await startApp({ sandbox: true, size: { columns: 60, rows: 16 } });
    const f = await frameWhen(app, 'the run status', (x) => x.includes('haproxy-maintenance'));
    const row = lines(f).find((l) => l.includes('haproxy-maintenance')) ?? '';
    expect(row).toContain('refused');
    expect(lines(f).find((l) => l.includes('NAME'))).toContain('LAST RUN');
  }, 60_000);

  it('leaves an optional input empty (its default is empty) and still reaches the plan', async () => {
    const { app } = await startApp({ sandbox: true });
    await openRunbook(app, 'mysql-resync');
    let f = await frameWhen(app, 'the input form', (x) => x.includes(': inputs') && x.includes('directSshOptions'));
    expect(f).toMatch(/directSshOptions\s+string\s+\(empty\)\s+ok/);
    for (let i = 0; i < 12 && !lines(app.lastFrame()).some((l) => l.startsWith('› → review the plan')); i++) await press(app, 'j');
    f = await pressUntil(app, KEY.enter, 'the plan', (x) => x.includes('(mysql-resync, rehearsal') && x.includes('inputs:'));
    expect(f).not.toContain('fix it first');
  }, 60_000);

  it('streams a step’s output, refuses a wrong typed word, then runs the typed step', async () => {
    const marker = path.join(dir, 'wiped');
    userRunbook('typed', `name: typed
title: Typed confirmation
description: test
steps:
  - id: chatter
    title: Print many lines
    kind: ssh
    host: alpha
    command: for i in $(seq 1 3000); do echo "line $i"; done
  - id: wipe
    title: Wipe the scratch file
    kind: ssh
    host: alpha
    command: touch ${marker}
    confirm: { typed: WIPE }
`);
    const { app } = await startApp({ sandbox: false });
    await openRunbook(app, 'typed');
    await frameWhen(app, 'the plan', (f) => f.includes('[wipe: ssh, type WIPE]'));
    await pressUntil(app, KEY.enter, 'the start dialog', (x) => x.includes('Run Typed confirmation?'));
    await press(app, KEY.tab);
    let f = await pressUntil(app, KEY.enter, 'the typed dialog', (x) => x.includes('Type WIPE to confirm'));
    // The step before it streamed its output into the panel: the tail is on screen.
    await type(app, 'wipe');
    f = await pressUntil(app, KEY.enter, 'the refusal', (x) => x.includes('wipe is not WIPE: nothing done'));
    expect(existsSync(marker)).toBe(false);
    await press(app, KEY.ctrlU);
    await type(app, 'WIPE');
    f = await pressUntil(app, KEY.enter, 'the run to finish', (x) => /^done$/m.test(x));
    expect(existsSync(marker)).toBe(true);
    // Back to the chatty step: its output tail is kept and shown
    await press(app, 'k');
    f = await frameWhen(app, 'the chatter output', (x) => x.includes('line 3000'));
    expect(f).toMatch(/line 2999\s*\n\s*line 3000/);
  }, 90_000);

  it('cancels a running step with c twice, lists the run as unfinished, and resumes it from the run list', async () => {
    const gate = path.join(dir, 'gate');
    const count = path.join(dir, 'count');
    userRunbook('slow', `name: slow
title: A slow step
description: test
steps:
  - id: first
    title: First
    kind: ssh
    host: alpha
    command: echo first >> ${count}
  - id: wait
    title: Wait for the gate
    kind: ssh
    host: alpha
    command: echo started; while [ ! -e ${gate} ]; do sleep 0.1; done; echo passed
`);
    const { app, store } = await startApp({ sandbox: false });
    await openRunbook(app, 'slow');
    await pressUntil(app, KEY.enter, 'the start dialog', (x) => x.includes('Run A slow step?'));
    await press(app, KEY.tab);
    await pressUntil(app, KEY.enter, 'the waiting step', (x) => /^started$/m.test(x) && /▶\s+2 Wait for the gate/.test(x));
    // Another pane and back: the run is still there, still going
    await press(app, '1');
    await pressUntil(app, '3', 'the run after a pane switch', (x) => /▶\s+2 Wait for the gate/.test(x));
    // Esc goes back to the list and leaves the run going; v shows it again
    await pressUntil(app, KEY.escape, 'the list', (x) => x.includes('a run of slow is going: v shows it'));
    expect(store.getState().busy?.label).toBe('runbook slow');
    await pressUntil(app, 'v', 'the run again', (x) => /▶\s+2 Wait for the gate/.test(x));
    await pressUntil(app, 'c', 'the cancel prompt', (x) => x.includes('press c again to cancel'));
    let f = await pressUntil(app, 'c', 'the run cancelled', (x) => /^cancelled/m.test(x));
    expect(f).toMatch(/■\s+2 Wait for the gate\s+cancelled/);
    // the command stopped on the host too, not only on the screen
    await waitFor(() => !running(gate), 'the remote loop to be killed', app.lastFrame, SLOW);
    await press(app, KEY.escape);
    f = await pressUntil(app, 'u', 'the run list', (x) => x.includes('Runs (1; 1 unfinished'));
    expect(f).toMatch(/slow-\S+\s+cancelled ↻\s+1\/2/);
    writeFileSync(gate, '');
    await pressUntil(app, KEY.enter, 'the resume dialog', (x) => x.includes('Resume slow?') && x.includes('1 of 2 steps done: they do not run again'));
    await press(app, KEY.tab);
    f = await pressUntil(app, KEY.enter, 'the resumed run to finish', (x) => /^done$/m.test(x));
    expect(f).toMatch(/✓\s+2 Wait for the gate\s+done/);
    expect((await import('node:fs')).readFileSync(count, 'utf8')).toBe('first\n');
  }, 90_000);

  it('shows an ssh step’s progress as a bar with the total and ETA, its counter lines kept out of the output', async () => {
    const gate = path.join(dir, 'copy-gate');
    userRunbook('copying', `name: copying
title: Copy with a counter
description: test
steps:
  - id: size
    title: Measure
    kind: ssh
    host: alpha
    command: echo 5000000
    captures:
      bytes: { regex: '^(\\d+)' }
  - id: copy
    title: Copy host to host
    kind: ssh
    host: alpha
    command: >-
      for n in 1000000 2000000; do echo "tar: copied $n" >&2; echo "file $n"; sleep 0.4; done;
      while [ ! -e ${gate} ]; do sleep 0.1; done; echo "file 5000000"
    progress:
      sizeBytes: '{{ steps.size.outputs.bytes }}'
      bytesFrom: { regex: 'copied (\\d+)' }
`);
    const { app } = await startApp({ sandbox: false });
    await openRunbook(app, 'copying');
    await pressUntil(app, KEY.enter, 'the start dialog', (x) => x.includes('Run Copy with a counter?'));
    await press(app, KEY.tab);
    let f = await pressUntil(app, KEY.enter, 'the bar at 2 MB of 5', (x) => /copying\s+█+░+\s+1\.9 MiB\/4\.8 MiB\s+[\d.]+ [KMG]?i?B\/s\s+ETA \S+/.test(x));
    expect(f).toMatch(/▶\s+2 Copy host to host/);
    expect(f).toMatch(/^file 2000000$/m);
    // the command shown above says "copied"; the output below it does not
    expect(f).not.toMatch(/^tar: copied/m);
    expect(f).toContain('progress: stderr lines matching /copied (\\d+)/ (of 5000000 bytes)');
    writeFileSync(gate, '');
    f = await frameWhen(app, 'the run to finish', (x) => /^done$/m.test(x));
    expect(f).toMatch(/✓\s+2 Copy host to host\s+done/);
  }, 90_000);
});
