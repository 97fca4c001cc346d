/**
 * The latest image in the terminal's own graphics, where it has them: which
 * protocol the terminal speaks (from its environment, as no query can be
 * made while Ink owns stdin), the thumbnail (a PNG of a fixed cell box, so
 * the frame never grows), and the escape sequences of the kitty graphics
 * protocol and of iTerm2's inline images. Pure strings: where and when they
 * are written is the view's business (views/components/TerminalImage.tsx).
 */
import type { WebcamConfig } from './config.js';
import { loadSharp } from './images.js';

export type PreviewSetting = WebcamConfig['preview'];
export type PreviewMode = 'off' | 'halfblock' | 'kitty' | 'iterm2';

export interface PreviewChoice {
  mode: PreviewMode;
  /** the sequences must be wrapped for tmux's passthrough */
  tmux: boolean;
  /** why, for the help and for a person wondering why they see half blocks */
  reason: string;
}

const ESC = '\x1b';
/** APC ... ST (kitty), OSC ... BEL (iTerm2) */
const ST = `${ESC}\\`;
const BEL = '\x07';

/**
 * Pixels per cell of the thumbnail. Terminals scale the image to the cell box
 * (kitty c/r, iTerm2 width/height in cells), so this only sets the detail:
 * 8x16 is a common cell, and a 32x8-cell preview stays a small PNG.
 */
export const CELL_PX = { width: 8, height: 16 };

/** kitty: each chunk of the base64 payload at most this long (its documented limit; a multiple of 4, so every chunk but the last is whole base64 quads). */
export const KITTY_CHUNK = 4096;

type Env = Readonly<Record<string, string | undefined>>;

/** The terminal's protocol from what it announces in the environment. Checked by the detection table in test/unit/webcam-graphics.test.ts. */
function terminalProtocol(env: Env): { mode: 'kitty' | 'iterm2'; by: string } | undefined {
  if (env['KITTY_WINDOW_ID']) return { mode: 'kitty', by: 'KITTY_WINDOW_ID' };
  if (env['TERM'] === 'xterm-kitty') return { mode: 'kitty', by: 'TERM=xterm-kitty' };
  // Ghostty implements the kitty graphics protocol
  if (env['TERM'] === 'xterm-ghostty' || env['TERM_PROGRAM'] === 'ghostty') return { mode: 'kitty', by: 'Ghostty' };
  if (env['TERM_PROGRAM'] === 'iTerm.app') return { mode: 'iterm2', by: 'TERM_PROGRAM=iTerm.app' };
  // iTerm2 sets LC_TERMINAL, which ssh passes on and tmux keeps (TERM_PROGRAM becomes tmux there)
  if (env['LC_TERMINAL'] === 'iTerm2') return { mode: 'iterm2', by: 'LC_TERMINAL=iTerm2' };
  // WezTerm's iTerm2 support is its most complete image protocol
  if (env['TERM_PROGRAM'] === 'WezTerm') return { mode: 'iterm2', by: 'TERM_PROGRAM=WezTerm' };
  return undefined;
}

const insideTmux = (env: Env): boolean => Boolean(env['TMUX']) || /^tmux/.test(env['TERM'] ?? '') || env['TERM_PROGRAM'] === 'tmux';
const insideScreen = (env: Env): boolean => Boolean(env['STY']) || /^screen/.test(env['TERM'] ?? '');

/**
 * What the pane draws. `auto` uses an image protocol only where the terminal
 * announces one; inside tmux only with `tmuxPassthrough` (tmux drops the
 * sequences otherwise, and the box would stay empty); GNU screen never.
 * An explicit kitty/iterm2 is trusted, except where the multiplexer would eat it.
 */
export function choosePreview(setting: PreviewSetting, env: Env, tmuxPassthrough = false): PreviewChoice {
  if (setting === 'off') return { mode: 'off', tmux: false, reason: 'webcam.preview is off' };
  if (setting === 'halfblock') return { mode: 'halfblock', tmux: false, reason: 'webcam.preview is halfblock' };
  const found = setting === 'auto' ? terminalProtocol(env) : { mode: setting, by: `webcam.preview is ${setting}` };
  if (!found) return { mode: 'halfblock', tmux: false, reason: 'no image protocol announced by the terminal (TERM, TERM_PROGRAM, KITTY_WINDOW_ID)' };
  if (insideScreen(env) && !insideTmux(env)) return { mode: 'halfblock', tmux: false, reason: 'inside GNU screen, which passes no images' };
  if (insideTmux(env)) {
    if (!tmuxPassthrough) return { mode: 'halfblock', tmux: false, reason: 'inside tmux: images need webcam.previewTmuxPassthrough (and tmux set -g allow-passthrough on)' };
    return { mode: found.mode, tmux: true, reason: `${found.by}, through tmux passthrough` };
  }
  return { mode: found.mode, tmux: false, reason: found.by };
}

/** The thumbnail: the image cropped to fill the cell box at CELL_PX per cell, as PNG. */
export async function previewPng(jpeg: Buffer, cols: number, rows: number): Promise<Buffer> {
  const sharp = await loadSharp();
  return sharp(jpeg)
    .resize({ width: cols * CELL_PX.width, height: rows * CELL_PX.height, fit: 'cover' })
    .removeAlpha()
    .png({ compressionLevel: 9 })
    .toBuffer();
}

export interface Box {
  cols: number;
  rows: number;
}

/**
 * kitty graphics protocol, transmit and display (a=T) a PNG (f=100) as image
 * `id`, placement `placement`, scaled to exactly `cols` x `rows` cells (c, r),
 * so it covers the reserved box and nothing more. C=1: the cursor does not
 * move (Ink keeps track of it). q=2: kitty sends no OK/error reply, which
 * would otherwise arrive on stdin and be read as key presses.
 */
export function kittyImage(png: Buffer, box: Box & { id: number; placement?: number }): string[] {
  const b64 = png.toString('base64');
  const chunks: string[] = [];
  for (let i = 0; i < b64.length; i += KITTY_CHUNK) chunks.push(b64.slice(i, i + KITTY_CHUNK));
  if (chunks.length === 0) chunks.push('');
  return chunks.map((c, i) => {
    const m = i < chunks.length - 1 ? 1 : 0;
    // only the first chunk carries the keys; the rest only m (the protocol's rule)
    const keys = i === 0 ? `a=T,f=100,i=${box.id},p=${box.placement ?? 1},c=${box.cols},r=${box.rows},C=1,q=2,m=${m}` : `m=${m}`;
    return `${ESC}_G${keys};${c}${ST}`;
  });
}

/** kitty: place an image already transmitted, at the cursor (moves the placement if it exists). */
export function kittyPlace(box: Box & { id: number; placement?: number }): string {
  return `${ESC}_Ga=p,i=${box.id},p=${box.placement ?? 1},c=${box.cols},r=${box.rows},C=1,q=2${ST}`;
}

/** kitty: remove the image's placements from the screen; `free` also drops its data from the terminal's memory. */
export function kittyDelete(id: number, free = false): string {
  return `${ESC}_Ga=d,d=${free ? 'I' : 'i'},i=${id},q=2${ST}`;
}

/**
 * iTerm2 inline image at the cursor, `width`/`height` in cells (a bare number
 * is cells in iTerm2's protocol; px and % are the other units), the aspect
 * not preserved: the thumbnail already has the box's shape, so it fills the
 * box exactly and never spills out of it.
 */
export function iterm2Image(png: Buffer, box: Box): string {
  return `${ESC}]1337;File=inline=1;size=${png.length};width=${box.cols};height=${box.rows};preserveAspectRatio=0:${png.toString('base64')}${BEL}`;
}

/** tmux passthrough (tmux 3.3+ with allow-passthrough on): DCS tmux; with every ESC doubled, then ST. */
export function tmuxWrap(seq: string): string {
  return `${ESC}Ptmux;${seq.replaceAll(ESC, ESC + ESC)}${ST}`;
}
