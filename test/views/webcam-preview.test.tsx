import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import chalk from 'chalk';
import React from 'react';
import { render } from 'ink-testing-library';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultConfig } from '../../src/config/defaults.js';
import type { WebcamConfig } from '../../src/webcam/config.js';
import { App, createSessionFor } from '../../views/App.js';
import { PREVIEW, WEBCAM_LEGEND } from '../../views/panes/webcam.js';
import { lines, press, testContext, track, waitFor } from './helpers.js';

/**
 * The preview modes at 80x24 on the sandbox: half blocks, off, and kitty
 * (whose box is reserved blank in the frame, the same size, and drawn by the
 * overlay on a terminal's stdout after each frame).
 */
const SLOW = 15_000;
const SIZE = { columns: 80, rows: 24 };
const mounted: { unmount(): void }[] = [];
let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-webcampreview-'));
  vi.stubEnv('XDG_STATE_HOME', stateDir);
  // the runner may itself be inside tmux or kitty: the setting alone decides here
  for (const k of ['TMUX', 'STY', 'KITTY_WINDOW_ID', 'TERM_PROGRAM', 'LC_TERMINAL']) vi.stubEnv(k, '');
  vi.stubEnv('TERM', 'xterm-256color');
});
afterEach(() => {
  while (mounted.length) mounted.pop()?.unmount();
  vi.unstubAllEnvs();
  rmSync(stateDir, { recursive: true, force: true, maxRetries: 5 });
});

/** Each context its own sandbox world and state: the sandbox table lives in the state dir, its objects in the world. */
const ctxWith = (preview: WebcamConfig['preview']) => {
  vi.stubEnv('XDG_STATE_HOME', mkdtempSync(path.join(stateDir, `${preview}-`)));
  return testContext({ config: { webcam: { ...defaultConfig().webcam, preview } } });
};

async function frameOf(preview: WebcamConfig['preview']): Promise<string[]> {
  const ctx = ctxWith(preview);
  const store = createSessionFor(ctx, { size: SIZE, initialPane: 'webcam' });
  const app = track(render(<App ctx={ctx} store={store} />), store);
  mounted.push(app);
  // loaded: the 14-day line is there and the frame has settled on its preview
  const frame = await waitFor(() => {
    const f = app.lastFrame() ?? '';
    return f.includes('in all') && (f.includes('▀') || f.includes('preview off') || preview === 'kitty') ? f : undefined;
  }, `the ${preview} frame`, app.lastFrame, SLOW);
  return lines(frame);
}

const previewRows = (ls: string[]): number[] => ls.flatMap((l, i) => (l.includes('▀') ? [i] : []));

describe('Webcam pane preview modes at 80x24', () => {
  it('halfblock: the latest image in 32x8 half-block cells, the frame within 24 rows', async () => {
    const ls = await frameOf('halfblock');
    const rows = previewRows(ls);
    expect(rows).toHaveLength(PREVIEW.rows);
    expect(rows.at(-1)! - rows[0]!).toBe(PREVIEW.rows - 1);
    expect(ls.filter((l) => l.includes('▀')).every((l) => (l.match(/▀/g) ?? []).length === PREVIEW.cols)).toBe(true);
    expect(ls.length).toBeLessThanOrEqual(SIZE.rows);
  });

  it('off: no image, one line saying so; kitty: the same box, blank, the frame the same height', async () => {
    const half = await frameOf('halfblock');
    const off = await frameOf('off');
    expect(off.join('\n')).not.toContain('▀');
    expect(off.join('\n')).toContain('preview off (webcam.preview)');
    expect(off.length).toBe(half.length);

    const kitty = await frameOf('kitty');
    expect(kitty.join('\n')).not.toContain('▀');
    expect(kitty.join('\n')).not.toContain('no image yet');
    expect(kitty.length).toBe(half.length);
    const box = previewRows(half);
    // the box: blank where the half blocks were, everything else line for line the same
    for (const i of box) expect(kitty[i]!.slice(0, PREVIEW.cols).trim()).toBe('');
    kitty.forEach((l, i) => {
      if (!box.includes(i) && !/refreshed/.test(l)) expect(l).toBe(half[i]);
    });
  });
});

describe('Webcam help', () => {
  it('? lists the preview modes and the camera host queue', async () => {
    const ctx = ctxWith('halfblock');
    const store = createSessionFor(ctx, { size: { columns: 100, rows: 60 }, initialPane: 'webcam' });
    const app = track(render(<App ctx={ctx} store={store} />), store);
    mounted.push(app);
    await waitFor(() => (app.lastFrame() ?? '').includes('in all') || undefined, 'the pane', app.lastFrame, SLOW);
    await press(app, '?');
    const help = await waitFor(() => {
      const f = app.lastFrame() ?? '';
      return f.includes('Legend') ? f : undefined;
    }, 'the help', app.lastFrame, SLOW);
    if (process.env.SHOW_FRAMES) console.log(help);
    // the legend wraps inside the help's box: read it without the box's sides
    const flat = help.replace(/[│]/g, ' ').replace(/\s+/g, ' ');
    expect(flat).toContain('webcam.preview: auto');
    expect(flat).toMatch(/halfblock, kitty, iterm2, off/);
    expect(flat).toContain('webcam.cameraHost');
    expect(flat).toContain("or 'unreachable");
    expect(flat).toContain('(refused | timeout | auth failed |');
    expect(flat).toContain('webcam.previewTmuxPassthrough');
  });
});

/**
 * The real runTui under a pseudo-terminal (util-linux `script`, as in run.test.ts)
 * with kitty's environment: Ink writes real frames there (under vitest's CI=true it
 * would hold them back), and the overlay must draw the image at the box after them.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
function startTui(env: Record<string, string>): { child: ChildProcess; output(): string; exited: Promise<number | null> } {
  const cmd = `stty rows ${SIZE.rows} cols ${SIZE.columns}; exec node --import tsx test/views/fixtures/run-tui-image.ts`;
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
    cwd: root,
    // CI=false: Ink draws as on a person's terminal; no tmux/screen of the runner leaks in
    env: { ...process.env, TMUX: '', STY: '', TERM_PROGRAM: '', LC_TERMINAL: '', CI: 'false', XDG_STATE_HOME: mkdtempSync(path.join(stateDir, 'tui-')), ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  return { child, output: () => out, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});
async function until(output: () => string, from: number, re: RegExp, what: string): Promise<RegExpExecArray> {
  const end = Date.now() + 30_000;
  for (;;) {
    const m = re.exec(output().slice(from));
    if (m) return m;
    if (Date.now() > end) throw new Error(`no ${what} within 30 s; output:\n${JSON.stringify(output().slice(-1500))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('kitty preview on a real terminal (runTui in a pty, KITTY_WINDOW_ID set)', { timeout: 60_000 }, () => {
  beforeAll(() => {
    if (spawnSync('script', ['--version']).status !== 0) throw new Error('util-linux `script` is needed to give the TUI a pseudo-terminal: apt-get install -y bsdutils');
  });

  it('draws the PNG over the reserved box after the frame, deletes it under another pane, places it again without resending, frees it on quit', async () => {
    const half = previewRows(await frameOf('halfblock'));
    const tui = startTui({ TERM: 'xterm-kitty', KITTY_WINDOW_ID: '1' });
    // DECSC, up to the box's row from below the frame, its column, the image, DECRC
    const first = await until(tui.output, 0, /\x1b7(?:\x1b\[(\d+)A)?\x1b\[(\d+)G\x1b_Ga=T,f=100,i=(\d+),p=1,c=32,r=8,C=1,q=2,m=1;/, 'kitty transmit');
    const id = first[3];
    // Ink's frame is rows - 1 lines (App's RESERVED_ROWS), the cursor below it
    expect(SIZE.rows - 1 - Number(first[1] ?? 0)).toBe(half[0]);
    expect(first[2]).toBe('1');
    const afterFirst = tui.output().indexOf(first[0]);
    // the last chunk may still be on its way through the pty
    await until(tui.output, afterFirst, /\x1b_Gm=0;[^\x1b]*\x1b\\/, 'the last kitty chunk');
    const transmit = tui.output().slice(afterFirst);
    const payload = [...transmit.matchAll(/\x1b_G(?:a=T[^;]*|m=[01]);([^\x1b]*)\x1b\\/g)];
    const last = payload.findIndex((p) => p[0].includes('m=0'));
    const png = Buffer.from(payload.slice(0, last + 1).map((p) => p[1]).join(''), 'base64');
    expect((await sharp(png).metadata()).width).toBe(PREVIEW.cols * 8);
    await until(tui.output, afterFirst, /\x1b8/, 'the cursor restored');

    let mark = tui.output().length;
    tui.child.stdin!.write('1');
    await until(tui.output, mark, new RegExp(`\\x1b_Ga=d,d=i,i=${id},q=2\\x1b\\\\`), 'the delete under Fleet');
    mark = tui.output().length;
    tui.child.stdin!.write('4');
    await until(tui.output, mark, new RegExp(`\\x1b_Ga=p,i=${id},p=1,c=32,r=8,C=1,q=2\\x1b\\\\`), 'the placement back on Webcam');
    expect(tui.output().slice(mark)).not.toContain('a=T');
    mark = tui.output().length;
    tui.child.stdin!.write('q');
    await until(tui.output, mark, /runTui returned 0/, 'the quit');
    expect(tui.output().slice(mark)).toMatch(new RegExp(`\\x1b_Ga=d,d=I,i=${id},q=2\\x1b\\\\`));
    expect(await tui.exited).toBe(0);
  });

  it('inside tmux without passthrough the same terminal gets half blocks and no image sequence', async () => {
    const tui = startTui({ TERM: 'xterm-kitty', KITTY_WINDOW_ID: '1', TMUX: '/tmp/tmux-0/default,1,0' });
    await until(tui.output, 0, /▀/, 'half blocks');
    tui.child.stdin!.write('q');
    await until(tui.output, 0, /runTui returned 0/, 'the quit');
    expect(tui.output()).not.toContain('\x1b_G');
  });

  it('? explains every status colour in the colour its lines use (stale and FAULT red, rejected and unreachable yellow, the queue cyan)', async () => {
    const level = chalk.level;
    chalk.level = 1;
    let raw = '';
    try {
      const ctx = ctxWith('halfblock');
      const store = createSessionFor(ctx, { size: { columns: 120, rows: 60 }, initialPane: 'webcam' });
      const app = track(render(<App ctx={ctx} store={store} />), store);
      mounted.push(app);
      await waitFor(() => (app.lastFrame() ?? '').includes('in all') || undefined, 'the pane', app.lastFrame, SLOW);
      await press(app, '?');
      raw = await waitFor(() => {
        const f = app.lastFrame() ?? '';
        return f.includes('Legend') ? f : undefined;
      }, 'the help', app.lastFrame, SLOW);
    } finally {
      chalk.level = level;
    }
    const line = (word: string): string => raw.split('\n').find((l) => l.includes(word)) ?? '';
    for (const e of WEBCAM_LEGEND) expect(lines(raw).join(' ').replace(/[│]/g, ' ').replace(/\s+/g, ' ')).toContain(e.meaning.slice(0, 25));
    expect(line('last capture / last ingest')).toMatch(/\x1b\[31mstale/);
    expect(line('files in rejected/')).toMatch(/\x1b\[33mrejected/);
    expect(line('frames waiting in the')).toMatch(/\x1b\[36mqueued/);
  });
});
