import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, type Bundle } from './bundle.js';
import { frameProblems, splitWords, wordsIn, type Problem } from './tmux-frames.js';

/**
 * The built CLI on the sandbox in a real terminal (tmux), at the three sizes
 * an SRE uses: every pane, its help, a dialog or details view of each, the
 * palette with an argument and a typed filter, each frame checked by the
 * rules of tmux-frames.ts (no frame taller than the terminal, no word cut in
 * a dialog, none broken across its lines). ink-testing-library renders into a string and cannot show a
 * frame that scrolls the real screen; tmux can.
 */
const SIZES = [
  { columns: 120, rows: 36 },
  { columns: 80, rows: 24 },
  { columns: 60, rows: 16 },
] as const;
const socket = `opsdeck-walk-${process.pid}`;
let bundle: Bundle;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  const found = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error('tmux is not installed: run `bash test/services/prepare.sh` as root (it installs tmux), or apt-get install tmux');
  bundle = buildBundle('opsdeck-walk-');
}, 60_000);
afterAll(() => {
  spawnSync('tmux', ['-L', socket, 'kill-server']);
  bundle?.remove();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One terminal of a size, the bundled CLI in it on the sandbox, with a home of its own. */
function open(size: { columns: number; rows: number }): { name: string; capture(): string[]; history(): number; keys(...k: string[]): void } {
  const name = `w${size.columns}x${size.rows}`;
  const home = path.join(bundle.root, name);
  mkdirSync(home);
  // TMPDIR: the sandbox keeps its world (and the webcam's ingest lock) under it; each terminal its own
  const env = `env -i PATH=${JSON.stringify(process.env.PATH ?? '')} HOME=${home} XDG_STATE_HOME=${home}/state XDG_CONFIG_HOME=${home}/config TMPDIR=${home} TERM=xterm-256color LANG=C.UTF-8`;
  tmux('new-session', '-d', '-s', name, '-x', String(size.columns), '-y', String(size.rows), `${env} ${JSON.stringify(process.execPath)} ${JSON.stringify(bundle.entry)} --sandbox; sleep 30`);
  return {
    name,
    capture: () => tmux('capture-pane', '-p', '-t', name).replace(/\n$/, '').split('\n'),
    history: () => Number(tmux('display', '-p', '-t', name, '#{history_size}').trim()),
    keys: (...k: string[]) => void tmux('send-keys', '-t', name, ...k),
  };
}

/** The frame once it stops changing (the header's clock aside) and nothing says it is loading. */
async function settled(t: ReturnType<typeof open>, want?: (text: string) => boolean): Promise<string[]> {
  let last = '';
  let frame: string[] = [];
  const end = Date.now() + 8_000;
  while (Date.now() < end) {
    await sleep(120);
    frame = t.capture();
    const body = frame.slice(1).join('\n');
    const busy = /loading|listing|refreshing…|probing|reading the/.test(body);
    if (body === last && !busy && (!want || want(body))) return frame;
    last = body;
  }
  if (want) throw new Error(`${t.name}: the frame never showed what was waited for:\n${frame.join('\n')}`);
  return frame;
}

describe('every pane, its help and dialogs in tmux at 120x36, 80x24 and 60x16', () => {
  it('no frame is taller than the terminal, no dialog cuts a word or breaks one across its lines', async () => {
    const problems: (Problem & { where: string; frame: string })[] = [];
    // every frame, for the split-word rule: a word broken at one size shows whole at another
    const seen: { where: string; frame: string[] }[] = [];
    const check = (t: ReturnType<typeof open>, size: { columns: number; rows: number }, where: string, frame: string[]): void => {
      if (process.env.SHOW_FRAMES && size.rows === 16) console.log(`--- ${where}\n${frame.join("\n")}`);
      seen.push({ where: `${t.name} ${where}`, frame });
      for (const p of frameProblems({ lines: frame, rows: size.rows, columns: size.columns, historySize: t.history() })) problems.push({ ...p, where: `${t.name} ${where}`, frame: frame.join('\n') });
    };
    const terminals = SIZES.map((size) => ({ size, t: open(size) }));
    // one walk per size, side by side: the three terminals are independent
    await Promise.all(
      terminals.map(async ({ size, t }) => {
        await settled(t, (b) => /instances/.test(b));
        for (const [key, pane] of [['1', 'Fleet'], ['2', 'Snapshots'], ['3', 'Runbooks'], ['4', 'Webcam'], ['5', 'Scaling'], ['6', 'Database']] as const) {
          t.keys(key);
          check(t, size, pane, await settled(t));
          t.keys('?');
          check(t, size, `${pane} help`, await settled(t, (b) => /closes help|close help/.test(b)));
          t.keys('Escape');
          await settled(t);
        }
        // the palette, with a verb and its argument, and a typed filter
        t.keys(':');
        check(t, size, 'palette', await settled(t));
        t.keys('-l', 'vol vol-');
        check(t, size, 'palette with an argument', await settled(t, (b) => /vol-/.test(b)));
        t.keys('Escape');
        await settled(t);
        // the dialogs a tired person reads most: the pool apply and the typed deletion
        t.keys('1');
        await settled(t, (b) => /pool/.test(b));
        t.keys('a');
        check(t, size, 'Fleet apply dialog', await settled(t));
        t.keys('Escape');
        t.keys('/');
        t.keys('-l', 'i-0');
        check(t, size, 'Fleet filtered', await settled(t));
        t.keys('Escape');
        t.keys('Escape');
        t.keys('2');
        await settled(t, (b) => /volumes/.test(b));
        t.keys('D');
        check(t, size, 'Snapshots plan', await settled(t, (b) => /Plan: delete/.test(b)));
        t.keys('Enter');
        check(t, size, 'Snapshots confirm dialog', await settled(t, (b) => /to confirm/.test(b)));
        for (let i = 0; i < 4; i++) t.keys('PageDown');
        check(t, size, 'Snapshots confirm dialog, scrolled', await settled(t));
        t.keys('Escape');
        await settled(t, (b) => /volumes/.test(b));
        // the details views: a volume's snapshots, a snapshot in full, an instance, a MySQL server
        t.keys('Enter');
        check(t, size, 'Snapshots volume', await settled(t, (b) => /snapshots ·/.test(b)));
        t.keys('Enter');
        check(t, size, 'Snapshot details', await settled(t, (b) => /Esc back · y copies/.test(b)));
        t.keys('G');
        check(t, size, 'Snapshot details, end', await settled(t));
        t.keys('Escape');
        t.keys('1');
        await settled(t, (b) => /instances/.test(b));
        t.keys('Enter');
        check(t, size, 'Fleet instance details', await settled(t, (b) => /\(Esc back\)/.test(b)));
        t.keys('Escape');
        t.keys('6');
        await settled(t, (b) => /servers/.test(b));
        t.keys('Enter');
        check(t, size, 'Database server details', await settled(t));
        t.keys('Escape');
        await settled(t);
        // a runbook's form and its plan
        t.keys('3');
        await settled(t, (b) => /STEPS/.test(b));
        t.keys('Enter');
        // a runbook with inputs opens its form first, one without them its plan
        const opened = await settled(t, (b) => /review the plan|rehearsal/.test(b));
        check(t, size, 'Runbook opened', opened);
        if (opened.some((l) => l.includes('review the plan'))) {
          for (let i = 0; i < 12; i++) t.keys('j');
          await settled(t, (b) => /› → review the plan/.test(b));
          t.keys('Enter');
          check(t, size, 'Runbook plan', await settled(t, (b) => /rehearsal/.test(b)));
        }
        t.keys('G');
        check(t, size, 'Runbook plan, end', await settled(t));
        t.keys('Escape');
        t.keys('Escape');
        await settled(t);
        // the webcam's ingest (a dialog, or why there is nothing to ingest)
        t.keys('4');
        await settled(t);
        t.keys('i');
        check(t, size, 'Webcam ingest', await settled(t));
        t.keys('Escape');
        await settled(t);
        // a group in full, and its typed shutdown dialog
        t.keys('5');
        await settled(t, (b) => /GROUP|group/.test(b));
        t.keys('Enter');
        check(t, size, 'Scaling group', await settled(t));
        t.keys('X');
        check(t, size, 'Scaling shutdown dialog', await settled(t));
        t.keys('Escape');
        t.keys('Escape');
        await settled(t);
      }),
    );
    const vocabulary = wordsIn(seen.map((s) => s.frame));
    for (const { where, frame } of seen) for (const p of splitWords(frame, vocabulary)) problems.push({ ...p, where, frame: frame.join('\n') });
    const report = problems.map((p) => `${p.where}: ${p.rule} (row ${p.row}): ${p.text}\n${p.frame}`).join('\n\n');
    expect(problems.map((p) => `${p.where}: ${p.rule}: ${p.text}`), report).toEqual([]);
  }, 120_000);
});
