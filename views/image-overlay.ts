/**
 * Terminal images (kitty graphics, iTerm2 inline images) drawn over Ink's
 * frame. Ink knows only text: it lays out the frame, then log-update erases
 * the previous frame's lines and writes the new ones, every line, in one
 * write. An image is not text, so:
 *
 * - the component reserves the image's exact cell box in the layout as blank
 *   cells (the frame's size never depends on the image);
 * - Ink's stdout is wrapped (installImageOverlay, in run.tsx): after each
 *   frame Ink writes, every visible image is written again at its box,
 *   positioned relative to where log-update leaves the cursor (DECSC, cursor
 *   up/column, the image, DECRC), so the cursor Ink tracks is where it was;
 * - iTerm2 images live in the cells, so Ink's rewrite of those lines wipes
 *   them: the whole image is sent again after each frame (the thumbnail is
 *   small, and the Webcam pane redraws rarely). kitty images live above the
 *   text: the data goes once per image (a=T), each frame only moves the
 *   placement (a=p, a few bytes), and a hidden or unmounted image is deleted
 *   explicitly (a=d), since no text write would remove it.
 *
 * A frame Ink does not write (nothing changed) leaves the image as it is. A
 * test stdout has no overlay: the box is reserved and nothing is drawn.
 */
import type { DOMElement } from 'ink';

const ESC = '\x1b';
const SAVE = `${ESC}7`;
const RESTORE = `${ESC}8`;

export interface ImageSlot {
  /** the box in frame cells, or undefined when it is not on screen (display none, clipped, not laid out) */
  position(): { row: number; col: number } | undefined;
  /** the sequence that draws the image at the cursor, for this frame */
  draw(): string;
  /** the sequence that removes it when it leaves the screen ('' when a redraw does that already) */
  clear(): string;
}

export interface ImageOverlay {
  add(slot: ImageSlot): () => void;
  /** writes past the overlay (an image's own cleanup) */
  writeRaw(s: string): void;
}

const overlays = new WeakMap<object, ImageOverlay>();

export function imageOverlayOf(stdout: object): ImageOverlay | undefined {
  return overlays.get(stdout);
}

/**
 * Where log-update leaves the cursor: after `output + '\n'` on the line
 * below the frame; after a full-screen repaint (clearTerminal + output,
 * without a newline) on its last line. Returns the frame's height and how
 * many rows above the cursor its first row is, or undefined for a write that
 * is not a frame (a synchronized-update marker, the cursor hidden).
 */
export function frameOf(chunk: string): { height: number; up: number } | undefined {
  const newlines = chunk.split('\n').length - 1;
  if (chunk.includes(`${ESC}[2J`)) return { height: newlines + 1, up: newlines };
  if (newlines === 0 || !chunk.endsWith('\n')) return undefined;
  return { height: newlines, up: newlines };
}

/** The sequence that draws each visible slot at its box, the cursor left where it was. */
export function overlaySequence(slots: Iterable<ImageSlot>, frame: { height: number; up: number }, drawn: Set<ImageSlot>): string {
  let out = '';
  for (const slot of slots) {
    const at = slot.position();
    if (!at || at.row >= frame.height) {
      if (drawn.delete(slot)) out += slot.clear();
      continue;
    }
    const up = frame.up - at.row;
    out += `${SAVE}${up > 0 ? `${ESC}[${up}A` : ''}${ESC}[${at.col + 1}G${slot.draw()}${RESTORE}`;
    drawn.add(slot);
  }
  return out;
}

/** Ink's stdout with the overlay: the same stream, whose write() draws the images after each frame. */
export function installImageOverlay<T extends NodeJS.WriteStream>(stdout: T): T {
  const slots = new Set<ImageSlot>();
  const drawn = new Set<ImageSlot>();
  const original = stdout.write.bind(stdout) as (...a: unknown[]) => boolean;
  const realWrite = (s: string): boolean => original(s);
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    const ok = original(chunk, ...rest);
    // Ink writes its frames as strings; anything else goes through untouched
    const frame = typeof chunk === 'string' ? frameOf(chunk) : undefined;
    if (frame) {
      // kept with no image on screen too: an image that appears later is drawn against the frame already there
      last = frame;
      if (slots.size > 0) {
        const seq = overlaySequence(slots, frame, drawn);
        if (seq) realWrite(seq);
      }
    }
    return ok;
  };
  const proxy = new Proxy(stdout, {
    get(target, key) {
      if (key === 'write') return write;
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  // the last frame's shape: the cursor stays where that write left it until the next frame
  let last: { height: number; up: number } | undefined;
  overlays.set(proxy, {
    add(slot) {
      slots.add(slot);
      // Ink usually wrote the frame with the reserved box before the component's effect ran: draw now, not at the next frame
      if (last) {
        const seq = overlaySequence([slot], last, drawn);
        if (seq) realWrite(seq);
      }
      return () => {
        slots.delete(slot);
        if (drawn.delete(slot)) {
          const c = slot.clear();
          if (c) realWrite(c);
        }
      };
    },
    writeRaw: (s) => void realWrite(s),
  });
  return proxy;
}

/**
 * The box's place in the frame from Ink's layout (yoga's computed offsets up
 * to the root), or undefined when it is not drawn: an ancestor with display
 * none (a hidden pane, a pane under the help), or an ancestor that clips it
 * (overflow hidden and the box not wholly inside).
 */
export function framePosition(node: DOMElement | null): { row: number; col: number } | undefined {
  if (!node?.yogaNode) return undefined;
  const chain: DOMElement[] = [];
  for (let n: DOMElement | undefined = node; n; n = n.parentNode) chain.unshift(n);
  let x = 0;
  let y = 0;
  const clips: { x0: number; y0: number; x1: number; y1: number }[] = [];
  for (const n of chain) {
    if (n.style.display === 'none') return undefined;
    const y0 = n.yogaNode;
    if (!y0) return undefined;
    x += y0.getComputedLeft();
    y += y0.getComputedTop();
    if (n !== node && (n.style.overflow === 'hidden' || n.style.overflowX === 'hidden' || n.style.overflowY === 'hidden')) {
      clips.push({ x0: x, y0: y, x1: x + y0.getComputedWidth(), y1: y + y0.getComputedHeight() });
    }
  }
  const w = node.yogaNode.getComputedWidth();
  const h = node.yogaNode.getComputedHeight();
  if (clips.some((c) => x < c.x0 || y < c.y0 || x + w > c.x1 || y + h > c.y1)) return undefined;
  return { row: Math.round(y), col: Math.round(x) };
}
