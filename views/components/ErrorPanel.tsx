import React from 'react';
import { Box, Text } from 'ink';
import { CloudError } from '../../src/cloud/ports.js';
import { isOpsError } from '../../src/core/errors.js';

/** What a person needs from a failure: what happened and what to do; never a stack trace. */
export function describeError(e: unknown): { message: string; hint: string | undefined; details: readonly string[] } {
  if (isOpsError(e)) return { message: e.message, hint: e.hint, details: e.details };
  if (e instanceof CloudError) {
    const hint =
      e.code === 'RequestLimitExceeded' || e.retryable
        ? 'The API is throttling or briefly unavailable; retry in a few seconds.'
        : /Auth|Credential|Unauthorized|AccessDenied/i.test(e.code)
          ? 'Check the AWS profile and region in the header, and that its credentials are valid.'
          : undefined;
    return { message: `${e.code}: ${e.message}`, hint, details: [] };
  }
  return { message: e instanceof Error ? e.message : String(e), hint: undefined, details: [] };
}

export function ErrorPanel({ title, error, width, retryKey = 'r' }: { title: string; error: unknown; width: number; retryKey?: string }): React.ReactElement {
  const d = describeError(error);
  return (
    // flexShrink 0: in a pane short of rows, yoga would squeeze the wrapped lines onto each
    // other (the title vanished, "press r" overwrote the hint); the pane clips instead.
    <Box flexDirection="column" flexShrink={0} borderStyle="round" borderColor="red" width={width} paddingX={1}>
      <Text color="red" bold wrap="truncate">
        {title}
      </Text>
      <Text wrap="wrap">{d.message}</Text>
      {d.details.map((l, i) => (
        <Text key={i} wrap="truncate">
          {'  '}
          {l}
        </Text>
      ))}
      {d.hint !== undefined ? <Text color="yellow" wrap="wrap">hint: {d.hint}</Text> : null}
      <Text dimColor>press {retryKey} to retry</Text>
    </Box>
  );
}
