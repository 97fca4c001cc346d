import React from 'react';
import { Box, Text } from 'ink';
import type { PromptRequest } from '../../src/store/session.js';

export interface PromptDialogProps {
  request: PromptRequest;
  value: string;
  problem: string | undefined;
  width: number;
  height: number;
}

/**
 * One field of a form, edited in place: the value as typed (*** for a
 * secret), what is wrong with it as you type, and the field's help. Keys
 * live in src/store/dispatch.ts (promptKey).
 */
export function PromptDialog({ request, value, problem, width, height }: PromptDialogProps): React.ReactElement {
  const helpRoom = Math.max(0, height - 2 - 4);
  const help = (request.help ?? []).slice(0, helpRoom);
  const shown = request.secret ? '*'.repeat(value.length) : value;
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" width={width} height={Math.min(height, 6 + help.length)} paddingX={1} overflowY="hidden">
      <Text bold color="cyan" wrap="truncate">
        {request.title}
      </Text>
      <Text wrap="truncate">
        {request.label}: <Text color={problem ? 'red' : 'green'}>{shown}</Text>
        <Text inverse> </Text>
      </Text>
      <Text color={problem ? 'red' : 'green'} wrap="truncate">
        {problem ?? 'ok: Enter to accept'}
      </Text>
      {help.map((l, i) => (
        <Text key={i} dimColor wrap="truncate">
          {l}
        </Text>
      ))}
    </Box>
  );
}
