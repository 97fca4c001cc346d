import React, { memo, useMemo } from 'react';
import { Box, Text } from 'ink';
import { fit } from '../format.js';

export interface DiffViewProps {
  /** a unified diff (e.g. from jsdiff createTwoFilesPatch) */
  diff: string;
  /** first visible line; clamp with clampDiffOffset */
  offset: number;
  width: number;
  height: number;
}

function colourOf(line: string): { color?: string; bold?: boolean; dim?: boolean } {
  if (line.startsWith('+++') || line.startsWith('---')) return { bold: true };
  if (line.startsWith('+')) return { color: 'green' };
  if (line.startsWith('-')) return { color: 'red' };
  if (line.startsWith('@@')) return { color: 'cyan' };
  if (line.startsWith('=') || line.startsWith('Index:') || line.startsWith('\\')) return { dim: true };
  return {};
}

export function diffLines(diff: string): string[] {
  const lines = diff.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Keeps the window inside the diff (the last page is full, not half empty). */
export function clampDiffOffset(lineCount: number, offset: number, height: number): number {
  return Math.max(0, Math.min(offset, lineCount - Math.max(1, height - 1)));
}

/** A coloured, scrollable unified diff: + green, - red, @@ cyan; position in the last line. */
export const DiffView = memo(function DiffView({ diff, offset, width, height }: DiffViewProps) {
  const lines = useMemo(() => diffLines(diff), [diff]);
  const room = Math.max(1, height - 1);
  const off = clampDiffOffset(lines.length, offset, height);
  const shown = lines.slice(off, off + room);
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      {shown.map((l, i) => {
        const c = colourOf(l);
        return (
          <Text key={off + i} {...(c.color ? { color: c.color } : {})} bold={c.bold ?? false} dimColor={c.dim ?? false} wrap="truncate">
            {fit(l, width)}
          </Text>
        );
      })}
      <Text dimColor wrap="truncate">
        {lines.length === 0 ? 'no changes' : `lines ${off + 1}-${off + shown.length} of ${lines.length}`}
      </Text>
    </Box>
  );
});
