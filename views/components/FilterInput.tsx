import React from 'react';
import { Box, Text } from 'ink';

/** The `/` prompt in the footer while the user types a filter. */
export function FilterInput({ text, width, matches }: { text: string; width: number; matches?: number }): React.ReactElement {
  return (
    <Box width={width} height={1} overflowY="hidden">
      <Text wrap="truncate">
        <Text color="yellow" bold>
          /
        </Text>
        {text}
        <Text inverse> </Text>
        <Text dimColor>
          {'  '}
          {matches !== undefined ? `${matches} match${matches === 1 ? '' : 'es'}  ` : ''}Enter keeps, Esc clears
        </Text>
      </Text>
    </Box>
  );
}
