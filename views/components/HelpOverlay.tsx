import React from 'react';
import { Box, Text } from 'ink';
import { cellWidth, fit, wrapWords } from '../format.js';
import type { Hint } from './KeyHints.js';

/** A mark (symbol or cell value) in the colour the pane draws it, and its meaning. */
export interface LegendLine {
  mark: string;
  color?: string;
  meaning: string;
}

export interface HelpOverlayProps {
  /** first visible line (j/k scroll when the keys do not fit) */
  offset?: number;
  paneTitle: string;
  paneKeys: readonly Hint[];
  globalKeys: readonly Hint[];
  /** the pane's colours and symbols, listed under its keys */
  legend?: readonly LegendLine[];
  width: number;
  height: number;
}

interface Line {
  text: string;
  head?: boolean;
  /** a legend line: its mark is drawn in this colour, as on the pane */
  mark?: { text: string; color: string | undefined };
}

function legendSection(legend: readonly LegendLine[], width: number): Line[] {
  if (legend.length === 0) return [];
  const markWidth = Math.min(10, Math.max(1, ...legend.map((l) => cellWidth(l.mark))));
  const room = Math.max(10, width - markWidth - 2);
  const indent = ' '.repeat(markWidth + 2);
  return [
    { text: '' },
    { text: 'Legend', head: true },
    ...legend.flatMap((l) =>
      wrapWords(l.meaning, room).map((part, i): Line => (i === 0 ? { text: `  ${part}`, mark: { text: fit(l.mark, markWidth), color: l.color } } : { text: `${indent}${part}` })),
    ),
  ];
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
          {l.mark ? (
            <>
              <Text {...(l.mark.color ? { color: l.mark.color } : {})}>{l.mark.text}</Text>
              {fit(l.text, Math.max(0, width - cellWidth(l.mark.text)))}
            </>
          ) : (
            fit(l.text, width)
          )}
        </Text>
      ))}
    </Box>
  );
}

function layout(paneKeys: readonly Hint[], globalKeys: readonly Hint[], paneTitle: string, width: number, height: number, legend: readonly LegendLine[] = []) {
  const inner = Math.max(10, width - 4);
  const twoColumns = inner >= 60;
  const paneWidth = twoColumns ? Math.floor((inner - 2) / 2) : inner;
  const globalWidth = twoColumns ? Math.ceil((inner - 2) / 2) : inner;
  const pane = [...section(`${paneTitle} keys`, paneKeys, '(no keys of its own)', paneWidth), ...legendSection(legend, paneWidth)];
  const global = section('Everywhere', globalKeys, '', globalWidth);
  // Border (2) + closing hint (1): the rest is for key lines; more lines scroll with j/k.
  const room = Math.max(1, height - 3);
  const longest = twoColumns ? Math.max(pane.length, global.length) : pane.length + 1 + global.length;
  return { inner, pane, global, room, twoColumns, longest, paneWidth, globalWidth };
}

/** The last useful scroll offset: the store's offset is clamped to it. */
export function helpMaxOffset(p: Omit<HelpOverlayProps, 'offset'>): number {
  const l = layout(p.paneKeys, p.globalKeys, p.paneTitle, p.width, p.height, p.legend);
  return Math.max(0, l.longest - l.room);
}

/**
 * `?`: every key of the current pane, then the shell's keys; side by side
 * when the terminal is wide enough, so both fit at 80x24. Esc or ? closes.
 */
export function HelpOverlay({ paneTitle, paneKeys, globalKeys, legend, width, height, offset = 0 }: HelpOverlayProps): React.ReactElement {
  const { inner, pane, global, room, twoColumns, longest, paneWidth, globalWidth } = layout(paneKeys, globalKeys, paneTitle, width, height, legend);
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
