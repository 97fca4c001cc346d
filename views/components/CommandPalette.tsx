import React from 'react';
import { Box, Text } from 'ink';
import type { PaletteCommand } from '../../src/store/dispatch.js';
import { windowOffset } from '../../src/store/list.js';
import { fit } from '../format.js';

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
  const off = windowOffset(commands.length, index, listHeight, 0);
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
        commands.slice(off, off + listHeight).map((c, i) => {
          const selected = off + i === index;
          const key = c.key ?? '';
          return (
            <Text key={c.id} inverse={selected} wrap="truncate">
              {selected ? '› ' : '  '}
              {fit(c.title, Math.max(1, inner - 2 - key.length - 1))} <Text dimColor={!selected}>{key}</Text>
            </Text>
          );
        })
      )}
    </Box>
  );
}
