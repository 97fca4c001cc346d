import React from 'react';
import { Box, Text } from 'ink';
import type { PaneDefinition, PaneProps } from '../../views/panes/types.js';

/** An empty pane for shell tests: says which capability would fill it. */
export function placeholderPane(id: string, title: string, arrivesWith: string): PaneDefinition {
  function Placeholder({ width, height }: PaneProps): React.ReactElement {
    return (
      <Box width={width} height={height} flexDirection="column" alignItems="center" justifyContent="center">
        <Text bold>{title}</Text>
        <Text dimColor wrap="truncate">
          arrives with {arrivesWith}
        </Text>
      </Box>
    );
  }
  Placeholder.displayName = `${title}Placeholder`;
  return { id, title, component: Placeholder };
}
