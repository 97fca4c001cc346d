import React, { memo } from 'react';
import { Box, Text } from 'ink';

export interface Hint {
  keys: string;
  label: string;
}

const cost = (h: Hint): number => h.keys.length + 1 + h.label.length + 2;

/**
 * Hints that fit in `width` on one line, in order; `pinned` ones (help, quit)
 * always keep their place at the end, since help is where the rest are.
 */
export function fitHints(hints: readonly Hint[], width: number, pinned: readonly Hint[] = []): Hint[] {
  const out: Hint[] = [];
  let used = pinned.reduce((a, h) => a + cost(h), 0);
  for (const h of hints) {
    if (used + cost(h) > width + 2) break;
    out.push(h);
    used += cost(h);
  }
  return [...out, ...pinned];
}

/** The footer: the keys that work here, one line, never wrapping. */
export const KeyHints = memo(function KeyHints({ hints, pinned, width }: { hints: readonly Hint[]; pinned?: readonly Hint[]; width: number }) {
  const shown = fitHints(hints, width, pinned);
  return (
    <Box width={width} height={1} overflowY="hidden">
      <Text wrap="truncate">
        {shown.map((h, i) => (
          <React.Fragment key={`${h.keys}:${h.label}`}>
            {i > 0 ? '  ' : ''}
            <Text color="cyan" bold>
              {h.keys}
            </Text>{' '}
            {h.label}
          </React.Fragment>
        ))}
      </Text>
    </Box>
  );
});
