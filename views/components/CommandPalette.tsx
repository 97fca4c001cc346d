import React from 'react';
import { Box, Text } from 'ink';
import type { PaletteCommand } from '../../src/store/dispatch.js';
import { windowOffset } from '../../src/store/list.js';
import { fit, wrapWords } from '../format.js';

export interface CommandPaletteProps {
  query: string;
  commands: readonly PaletteCommand[];
  index: number;
  width: number;
  height: number;
}

/** `:`: a fuzzy-filtered list of commands; ↑↓ choose, Enter runs, Esc closes. */
export function CommandPalette({ query, commands, index, width, height }: CommandPaletteProps): React.ReactElement {
  const inner = Math.max(10, width - 4);
  const listHeight = Math.max(1, height - 3); // border 2 + query line
  // a long title wraps under itself rather than being cut: each entry takes the rows its words need
  const titleWidth = (c: PaletteCommand): number => Math.max(1, inner - 2 - (c.key ?? '').length - 1);
  const wrapped = (c: PaletteCommand): string[] => wrapWords(c.title, titleWidth(c));
  let off = windowOffset(commands.length, index, listHeight, 0);
  const rowsFrom = (from: number, to: number): number => commands.slice(from, to + 1).reduce((n, c) => n + wrapped(c).length, 0);
  while (off < index && rowsFrom(off, index) > listHeight) off++;
  const shown: { c: PaletteCommand; at: number; parts: string[] }[] = [];
  let used = 0;
  for (let at = off; at < commands.length; at++) {
    const c = commands[at] as PaletteCommand;
    const parts = wrapped(c);
    if (used + parts.length > listHeight && shown.length > 0) break;
    shown.push({ c, at, parts: parts.slice(0, listHeight - used) });
    used += parts.length;
  }
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="magenta" width={width} height={height} paddingX={1} overflowY="hidden">
      <Text wrap="truncate">
        <Text color="magenta" bold>
          :
        </Text>
        {query}
        <Text inverse> </Text>
      </Text>
      {commands.length === 0 ? (
        <Text dimColor>no command matches "{query}"</Text>
      ) : (
        shown.map(({ c, at, parts }) => {
          const selected = at === index;
          const key = c.key ?? '';
          return parts.map((part, i) => (
            <Text key={`${c.id}:${i}`} inverse={selected} wrap="truncate">
              {i > 0 ? '  ' : selected ? '› ' : '  '}
              {fit(part, titleWidth(c))} <Text dimColor={!selected}>{i === 0 ? key : ' '.repeat(key.length)}</Text>
            </Text>
          ));
        })
      )}
    </Box>
  );
}
