import React from 'react';
import { Box, Text } from 'ink';
import { formatAmount, formatRate, type ProgressEvent } from '../../src/core/progress.js';
import { fit, formatDuration } from '../format.js';

/** The text after the bar: "120/412  35.2/s  ETA 8.3s". */
export function progressStats(e: ProgressEvent): string {
  const parts = [e.total !== undefined ? `${formatAmount(e.done, e.unit)}/${formatAmount(e.total, e.unit)}` : formatAmount(e.done, e.unit)];
  if (e.rate !== undefined) parts.push(formatRate(e.rate, e.unit));
  if (e.etaMs !== undefined && e.total !== undefined && e.done < e.total) parts.push(`ETA ${formatDuration(e.etaMs)}`);
  return parts.join('  ');
}

/** Count, rate and ETA from a ProgressEvent (src/core/progress.ts); a moving block when the total is unknown. */
export function ProgressBar({ event, width }: { event: ProgressEvent; width: number }): React.ReactElement {
  const stats = progressStats(event);
  const label = fit(event.phase, Math.min(24, Math.max(8, Math.floor(width / 4))));
  const barWidth = Math.max(4, width - label.length - stats.length - 4);
  let bar: string;
  if (event.total !== undefined && event.total > 0) {
    const filled = Math.round((Math.min(event.done, event.total) / event.total) * barWidth);
    bar = '█'.repeat(filled) + '░'.repeat(barWidth - filled);
  } else {
    const pos = event.done % barWidth;
    bar = '░'.repeat(pos) + '█' + '░'.repeat(Math.max(0, barWidth - pos - 1));
  }
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        {label} <Text color="green">{bar}</Text> {stats}
      </Text>
      {event.detail !== undefined ? (
        <Text dimColor wrap="truncate">
          {fit(event.detail, width)}
        </Text>
      ) : null}
    </Box>
  );
}
