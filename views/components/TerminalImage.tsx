import React, { useEffect, useRef } from 'react';
import { Box, Text, useStdout, type DOMElement } from 'ink';
import { iterm2Image, kittyDelete, kittyImage, kittyPlace, tmuxWrap, type PreviewChoice } from '../../src/webcam/graphics.js';
import type { Cell } from '../../src/webcam/preview.js';
import { framePosition, imageOverlayOf, type ImageSlot } from '../image-overlay.js';

export interface TerminalImageProps {
  /** from choosePreview: halfblock, kitty or iterm2 (off draws nothing and is the caller's business) */
  choice: PreviewChoice;
  cols: number;
  rows: number;
  /** half-block cells of exactly cols x rows */
  cells?: Cell[][] | undefined;
  /** the PNG thumbnail of the same box, for kitty and iTerm2 */
  png?: Buffer | undefined;
}

/** kitty image ids: one per image shown, so a new image never reuses the data of the last one */
let nextKittyId = 0x0c0000;

/**
 * An image in a fixed cell box. Half blocks are coloured text, drawn by Ink
 * like any other. kitty and iTerm2 images are not text: the box is reserved
 * as blank cells of the same size (so the frame is the same whatever the
 * protocol), and the image is written over it after each frame Ink writes,
 * through the overlay on Ink's stdout (see views/image-overlay.ts for how
 * Ink's redraws and the image are kept together). Without the overlay (a
 * test stdout) the box stays blank.
 */
export function TerminalImage({ choice, cols, rows, cells, png }: TerminalImageProps): React.ReactElement {
  const ref = useRef<DOMElement>(null);
  const { stdout } = useStdout();
  const image = choice.mode === 'kitty' || choice.mode === 'iterm2';

  useEffect(() => {
    const overlay = imageOverlayOf(stdout);
    if (!overlay || !png || !image) return undefined;
    const wrap = (s: string): string => (choice.tmux ? tmuxWrap(s) : s);
    const box = { cols, rows };
    const id = nextKittyId++;
    let sent = false;
    const slot: ImageSlot = {
      position: () => framePosition(ref.current),
      draw() {
        if (choice.mode === 'iterm2') return wrap(iterm2Image(png, box));
        if (sent) return wrap(kittyPlace({ ...box, id }));
        sent = true;
        // each chunk wrapped on its own: tmux limits what one passthrough may carry
        return kittyImage(png, { ...box, id }).map(wrap).join('');
      },
      // iTerm2's image is in the cells: Ink's next frame overwrites it
      clear: () => (choice.mode === 'kitty' ? wrap(kittyDelete(id)) : ''),
    };
    const remove = overlay.add(slot);
    return () => {
      remove();
      // the terminal keeps an image's data until told: free it with the last placement
      if (choice.mode === 'kitty' && sent) overlay.writeRaw(wrap(kittyDelete(id, true)));
    };
  }, [stdout, png, image, choice.mode, choice.tmux, cols, rows]);

  if (image) {
    if (!png) return <Text dimColor>no image yet</Text>;
    return <Box ref={ref} width={cols} height={rows} flexShrink={0} />;
  }
  if (!cells) return <Text dimColor>no image yet</Text>;
  return (
    <Box flexDirection="column" flexShrink={0}>
      {cells.map((row, r) => (
        <Text key={r}>
          {row.map((c, i) => (
            <Text key={i} color={c.fg} backgroundColor={c.bg}>
              ▀
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  );
}
