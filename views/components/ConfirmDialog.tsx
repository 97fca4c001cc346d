import React from 'react';
import { Box, Text } from 'ink';
import type { ConfirmRequest } from '../../src/store/session.js';

export interface ConfirmDialogProps {
  request: ConfirmRequest;
  focus: 'cancel' | 'confirm';
  /** what the user typed so far (typed confirmations) */
  input: string;
  /** why Confirm did nothing, e.g. a wrong typed number */
  refusal?: string | undefined;
  width: number;
  height: number;
}

/**
 * The one confirmation: title, body lines (the plan summary), Cancel and
 * Confirm with focus starting on Cancel. A typed confirmation keeps Confirm
 * disabled until the exact string is entered. Keys live in src/store/dispatch.ts,
 * their hints in the shell's footer.
 */
export function ConfirmDialog({ request, focus, input, refusal, width, height }: ConfirmDialogProps): React.ReactElement {
  const colour = request.destructive ? 'red' : 'yellow';
  const typedOk = request.typed === undefined || input === request.typed;
  // Border (2), title, blank line, buttons, and the typed prompt: the rest is for body lines.
  // (The keys are in the footer.)
  const bodyRoom = Math.max(0, height - 2 - 3 - (request.typed !== undefined ? 1 : 0) - (refusal ? 1 : 0));
  const body = request.body.length > bodyRoom ? [...request.body.slice(0, Math.max(0, bodyRoom - 1)), `… ${request.body.length - bodyRoom + 1} more lines`] : request.body;
  const button = (label: string, which: 'cancel' | 'confirm', enabled: boolean): React.ReactElement => (
    <Text inverse={focus === which} dimColor={!enabled} bold={focus === which}>
      {focus === which ? '›' : ' '}[ {label} ]
    </Text>
  );
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={colour} width={width} height={height} paddingX={1} overflowY="hidden">
      <Text bold color={colour} wrap="truncate">
        {request.title}
      </Text>
      {body.map((l, i) => (
        <Text key={i} wrap="truncate">
          {l}
        </Text>
      ))}
      <Text> </Text>
      {request.typed !== undefined ? (
        <Text wrap="truncate">
          Type <Text bold>{request.typed}</Text> to confirm: <Text color={typedOk ? 'green' : undefined}>{input}</Text>
          <Text inverse> </Text>
        </Text>
      ) : null}
      {refusal ? (
        <Text color="red" wrap="truncate">
          {refusal}
        </Text>
      ) : null}
      <Box gap={2}>
        {button(request.cancelLabel ?? 'Cancel', 'cancel', true)}
        {button(request.confirmLabel ?? 'Confirm', 'confirm', typedOk)}
      </Box>
    </Box>
  );
}
