import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { CELL_PX, choosePreview, iterm2Image, KITTY_CHUNK, kittyDelete, kittyImage, kittyPlace, previewPng, tmuxWrap, type PreviewSetting } from '../../src/webcam/graphics.js';

const ESC = '\x1b';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A photo-like frame: noise compresses badly, so the PNG spans several kitty chunks. */
async function photo(width = 1024, height = 768): Promise<Buffer> {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } }).jpeg({ quality: 80 }).toBuffer();
}

/** Splits a kitty APC stream into its commands: keys and payload. */
function kittyCommands(seq: string): { keys: Record<string, string>; payload: string }[] {
  // a payload is optional (a command without data has no ';')
  const re = new RegExp(`${ESC}_G([^;${ESC}]*)(?:;([^${ESC}]*))?${ESC}\\\\`, 'g');
  const out: { keys: Record<string, string>; payload: string }[] = [];
  let consumed = 0;
  for (const m of seq.matchAll(re)) {
    expect(m.index).toBe(consumed);
    consumed += m[0].length;
    out.push({ keys: Object.fromEntries((m[1] ?? '').split(',').map((kv) => kv.split('=') as [string, string])), payload: m[2] ?? '' });
  }
  expect(consumed).toBe(seq.length);
  return out;
}

describe('terminal detection', () => {
  const cases: [string, PreviewSetting, Record<string, string>, boolean, { mode: string; tmux: boolean }][] = [
    ['kitty by its window id', 'auto', { TERM: 'xterm-kitty', KITTY_WINDOW_ID: '1' }, false, { mode: 'kitty', tmux: false }],
    ['kitty by TERM alone (over ssh)', 'auto', { TERM: 'xterm-kitty' }, false, { mode: 'kitty', tmux: false }],
    ['Ghostty', 'auto', { TERM: 'xterm-ghostty', TERM_PROGRAM: 'ghostty' }, false, { mode: 'kitty', tmux: false }],
    ['iTerm2', 'auto', { TERM: 'xterm-256color', TERM_PROGRAM: 'iTerm.app' }, false, { mode: 'iterm2', tmux: false }],
    ['iTerm2 over ssh (LC_TERMINAL)', 'auto', { TERM: 'xterm-256color', LC_TERMINAL: 'iTerm2' }, false, { mode: 'iterm2', tmux: false }],
    ['WezTerm', 'auto', { TERM: 'xterm-256color', TERM_PROGRAM: 'WezTerm' }, false, { mode: 'iterm2', tmux: false }],
    ['xterm', 'auto', { TERM: 'xterm-256color' }, false, { mode: 'halfblock', tmux: false }],
    ['Apple Terminal', 'auto', { TERM: 'xterm-256color', TERM_PROGRAM: 'Apple_Terminal' }, false, { mode: 'halfblock', tmux: false }],
    ['no TERM at all', 'auto', {}, false, { mode: 'halfblock', tmux: false }],
    ['kitty inside tmux', 'auto', { TERM: 'tmux-256color', TMUX: '/tmp/tmux-0/default,1,0', KITTY_WINDOW_ID: '1', TERM_PROGRAM: 'tmux' }, false, { mode: 'halfblock', tmux: false }],
    ['kitty inside tmux, passthrough allowed', 'auto', { TERM: 'tmux-256color', TMUX: '/tmp/tmux-0/default,1,0', KITTY_WINDOW_ID: '1', TERM_PROGRAM: 'tmux' }, true, { mode: 'kitty', tmux: true }],
    ['iTerm2 inside tmux, passthrough allowed', 'auto', { TERM: 'screen-256color', TMUX: '/tmp/tmux-0/default,1,0', LC_TERMINAL: 'iTerm2' }, true, { mode: 'iterm2', tmux: true }],
    ['tmux with passthrough but a plain outer terminal', 'auto', { TERM: 'tmux-256color', TMUX: '/tmp/x,1,0' }, true, { mode: 'halfblock', tmux: false }],
    ['GNU screen', 'auto', { TERM: 'screen', STY: '123.pts-0', KITTY_WINDOW_ID: '1' }, true, { mode: 'halfblock', tmux: false }],
    ['kitty asked for in xterm: trusted', 'kitty', { TERM: 'xterm-256color' }, false, { mode: 'kitty', tmux: false }],
    ['iterm2 asked for inside tmux without passthrough', 'iterm2', { TMUX: '/tmp/x,1,0' }, false, { mode: 'halfblock', tmux: false }],
    ['halfblock asked for in kitty', 'halfblock', { KITTY_WINDOW_ID: '1' }, false, { mode: 'halfblock', tmux: false }],
    ['off', 'off', { KITTY_WINDOW_ID: '1' }, false, { mode: 'off', tmux: false }],
  ];
  it.each(cases)('%s', (_, setting, env, passthrough, want) => {
    const c = choosePreview(setting, env, passthrough);
    expect({ mode: c.mode, tmux: c.tmux }).toEqual(want);
    expect(c.reason.length).toBeGreaterThan(5);
  });
  it('says why tmux gets half blocks', () => {
    expect(choosePreview('auto', { TMUX: '/tmp/x,1,0', KITTY_WINDOW_ID: '1' }).reason).toMatch(/previewTmuxPassthrough.*allow-passthrough on/);
  });
});

describe('the thumbnail', () => {
  it('is a PNG of exactly the cell box at the fixed cell size, whatever the shape of the photo', async () => {
    for (const [w, h] of [[1024, 768], [600, 1200]] as const) {
      const png = await previewPng(await photo(w, h), 32, 8);
      expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
      const meta = await sharp(png).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 32 * CELL_PX.width, 8 * CELL_PX.height]);
    }
  });
});

describe('kitty graphics protocol', () => {
  it('a=T f=100 with the cell box, chunked at 4096 base64 bytes; the payload decodes to the PNG', async () => {
    const png = await previewPng(await photo(), 32, 8);
    const cmds = kittyCommands(kittyImage(png, { cols: 32, rows: 8, id: 7 }).join(''));
    const b64 = png.toString('base64');
    expect(cmds).toHaveLength(Math.ceil(b64.length / KITTY_CHUNK));
    expect(cmds.length).toBeGreaterThan(2);
    expect(cmds[0]?.keys).toEqual({ a: 'T', f: '100', i: '7', p: '1', c: '32', r: '8', C: '1', q: '2', m: '1' });
    cmds.slice(1).forEach((c, i) => expect(c.keys).toEqual({ m: i === cmds.length - 2 ? '0' : '1' }));
    cmds.slice(0, -1).forEach((c) => expect(c.payload).toHaveLength(KITTY_CHUNK));
    expect(cmds.at(-1)?.payload.length).toBeGreaterThan(0);
    expect(cmds.at(-1)?.payload.length).toBeLessThanOrEqual(KITTY_CHUNK);
    const decoded = Buffer.from(cmds.map((c) => c.payload).join(''), 'base64');
    expect(decoded.equals(png)).toBe(true);
    const meta = await sharp(decoded).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 256, 128]);
  });

  it.each([
    ['exactly two chunks', 2 * KITTY_CHUNK, 2],
    ['one byte over two chunks', 2 * KITTY_CHUNK + 4, 3],
    ['one short chunk', 8, 1],
  ])('chunk boundaries: %s', (_, b64Length, chunks) => {
    // base64 length b64Length comes from b64Length/4*3 bytes
    const payload = randomBytes((b64Length / 4) * 3);
    const cmds = kittyCommands(kittyImage(payload, { cols: 4, rows: 2, id: 1 }).join(''));
    expect(cmds).toHaveLength(chunks);
    expect(cmds.map((c) => c.keys['m'])).toEqual([...Array(chunks - 1).fill('1'), '0']);
    expect(cmds.every((c) => c.payload.length > 0 && c.payload.length <= KITTY_CHUNK)).toBe(true);
    expect(Buffer.from(cmds.map((c) => c.payload).join(''), 'base64').equals(payload)).toBe(true);
  });

  it('place and delete are single quiet commands for the same image', () => {
    expect(kittyCommands(kittyPlace({ cols: 32, rows: 8, id: 7 }))[0]?.keys).toEqual({ a: 'p', i: '7', p: '1', c: '32', r: '8', C: '1', q: '2' });
    expect(kittyCommands(kittyDelete(7))[0]?.keys).toEqual({ a: 'd', d: 'i', i: '7', q: '2' });
    expect(kittyCommands(kittyDelete(7, true))[0]?.keys).toEqual({ a: 'd', d: 'I', i: '7', q: '2' });
  });
});

describe('iTerm2 inline image', () => {
  it('OSC 1337 File=inline=1 sized in cells, BEL-terminated, the payload the PNG', async () => {
    const png = await previewPng(await photo(), 32, 8);
    const seq = iterm2Image(png, { cols: 32, rows: 8 });
    const m = /^\x1b\]1337;File=([^:]*):([A-Za-z0-9+/=]+)\x07$/.exec(seq);
    expect(m).not.toBeNull();
    const args = Object.fromEntries((m?.[1] ?? '').split(';').map((kv) => kv.split('=') as [string, string]));
    expect(args).toEqual({ inline: '1', size: String(png.length), width: '32', height: '8', preserveAspectRatio: '0' });
    const decoded = Buffer.from(m?.[2] ?? '', 'base64');
    expect(decoded.equals(png)).toBe(true);
    expect((await sharp(decoded).metadata()).width).toBe(256);
  });
});

describe('tmux passthrough', () => {
  it('wraps in DCS tmux; with every ESC doubled, so tmux hands the sequence on intact', () => {
    const inner = kittyPlace({ cols: 2, rows: 1, id: 3 });
    const wrapped = tmuxWrap(inner);
    expect(wrapped.startsWith(`${ESC}Ptmux;`)).toBe(true);
    expect(wrapped.endsWith(`${ESC}\\`)).toBe(true);
    expect(wrapped.slice(`${ESC}Ptmux;`.length, -2).replaceAll(ESC + ESC, ESC)).toBe(inner);
  });
});
