import { describe, expect, it } from 'vitest';
import { frameOf, overlaySequence, type ImageSlot } from '../../views/image-overlay.js';

const ESC = '\x1b';
const slot = (pos: { row: number; col: number } | undefined, draw = 'IMG', clear = 'DEL'): ImageSlot & { pos: typeof pos } => {
  const s = { pos, position: () => s.pos, draw: () => draw, clear: () => clear };
  return s;
};

describe('where log-update leaves the cursor', () => {
  it('a frame ends with a newline: the cursor is below it, its first row as many rows up as it has lines', () => {
    expect(frameOf(`${ESC}[2K${ESC}[1A${ESC}[2K${ESC}[Ga\nb\nc\n`)).toEqual({ height: 3, up: 3 });
  });
  it('a full-screen repaint (clear + frame, no newline): the cursor is on its last row', () => {
    expect(frameOf(`${ESC}[2J${ESC}[3J${ESC}[Ha\nb\nc`)).toEqual({ height: 3, up: 2 });
  });
  it('the synchronized-update markers and the cursor hiding are not frames', () => {
    expect(frameOf(`${ESC}[?2026h`)).toBeUndefined();
    expect(frameOf(`${ESC}[?25l`)).toBeUndefined();
  });
});

describe('the overlay after a frame', () => {
  it('draws each visible image at its box with the cursor saved and restored; clears it once when it goes', () => {
    const drawn = new Set<ImageSlot>();
    const a = slot({ row: 7, col: 0 });
    expect(overlaySequence([a], { height: 23, up: 23 }, drawn)).toBe(`${ESC}7${ESC}[16A${ESC}[1GIMG${ESC}8`);
    expect(overlaySequence([a], { height: 23, up: 22 }, drawn)).toBe(`${ESC}7${ESC}[15A${ESC}[1GIMG${ESC}8`);
    a.pos = undefined;
    expect(overlaySequence([a], { height: 23, up: 23 }, drawn)).toBe('DEL');
    // already cleared: nothing more to say
    expect(overlaySequence([a], { height: 23, up: 23 }, drawn)).toBe('');
  });
  it('a box below the frame (a shorter frame) is not drawn', () => {
    expect(overlaySequence([slot({ row: 12, col: 4 })], { height: 10, up: 10 }, new Set())).toBe('');
  });
});
