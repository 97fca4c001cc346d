import React from 'react';
import { Box, Text } from 'ink';
import { cellWidth, fit, wrapWords } from '../format.js';
import type { Hint } from './KeyHints.js';

export interface HelpOverlayProps {
  /** first visible line (j/k scroll when the keys do not fit) */
  offset?: number;
  paneTitle: string;
  paneKeys: readonly Hint[];
  globalKeys: readonly Hint[];
  width: number;
  height: number;
}

interface Line {
  text: string;
  head?: boolean;
}

/** A description too long for the column continues under itself: help is where nothing may be cut off. */
function section(title: string, hints: readonly Hint[], empty: string, width: number): Line[] {
  const keyWidth = Math.min(14, Math.max(4, ...hints.map((h) => cellWidth(h.keys))));
  const room = Math.max(10, width - keyWidth - 2);
  const indent = ' '.repeat(keyWidth + 2);
  return [
    { text: title, head: true },
    ...(hints.length > 0
      ? hints.flatMap((h) => wrapWords(h.label, room).map((part, i) => ({ text: i === 0 ? `${fit(h.keys, keyWidth)}  ${part}` : `${indent}${part}` })))
      : [{ text: empty }]),
  ];
}

function Column({ lines, width, room, offset }: { lines: readonly Line[]; width: number; room: number; offset: number }): React.ReactElement {
  return (
    <Box flexDirection="column" width={width}>
      {lines.slice(offset, offset + room).map((l, i) => (
        <Text key={i} bold={l.head ?? false} color={l.head ? 'cyan' : undefined} wrap="truncate">
          {fit(l.text, width)}
        </Text>
      ))}
    </Box>
  );
}

function layout(paneKeys: readonly Hint[], globalKeys: readonly Hint[], paneTitle: string, width: number, height: number) {
  const inner = Math.max(10, width - 4);
  const twoColumns = inner >= 60;
  const paneWidth = twoColumns ? Math.floor((inner - 2) / 2) : inner;
  const globalWidth = twoColumns ? Math.ceil((inner - 2) / 2) : inner;
  const pane = section(`${paneTitle} keys`, paneKeys, '(no keys of its own)', paneWidth);
  const global = section('Everywhere', globalKeys, '', globalWidth);
  // Border (2) + closing hint (1): the rest is for key lines; more lines scroll with j/k.
  const room = Math.max(1, height - 3);
  const longest = twoColumns ? Math.max(pane.length, global.length) : pane.length + 1 + global.length;
  return { inner, pane, global, room, twoColumns, longest, paneWidth, globalWidth };
}

/** The last useful scroll offset: the store's offset is clamped to it. */
export function helpMaxOffset(p: Omit<HelpOverlayProps, 'offset'>): number {
  const l = layout(p.paneKeys, p.globalKeys, p.paneTitle, p.width, p.height);
  return Math.max(0, l.longest - l.room);
}

/**
 * `?`: every key of the current pane, then the shell's keys; side by side
 * when the terminal is wide enough, so both fit at 80x24. Esc or ? closes.
 */
export function HelpOverlay({ paneTitle, paneKeys, globalKeys, width, height, offset = 0 }: HelpOverlayProps): React.ReactElement {
  const { inner, pane, global, room, twoColumns, longest, paneWidth, globalWidth } = layout(paneKeys, globalKeys, paneTitle, width, height);
  const off = Math.max(0, Math.min(offset, longest - room));
  const more = longest > room;
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" width={width} height={height} paddingX={1} overflowY="hidden">
      {twoColumns ? (
        <Box gap={2} height={room}>
          <Column lines={pane} width={paneWidth} room={room} offset={off} />
          <Column lines={global} width={globalWidth} room={room} offset={off} />
        </Box>
      ) : (
        <Box height={room}>
          <Column lines={[...pane, { text: '' }, ...global]} width={inner} room={room} offset={off} />
        </Box>
      )}
      <Text dimColor wrap="truncate">
        {more ? `j/k scroll (${off + 1}-${Math.min(longest, off + room)} of ${longest})  ` : ''}Esc or ? closes help
      </Text>
    </Box>
  );
}
