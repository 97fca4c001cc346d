import React from 'react';
import { Box, Text } from 'ink';
import { scrollBindings } from '../../src/store/list.js';
import type { KeyBinding } from '../../src/store/session.js';
import { cellWidth, fit, wrapMessage } from '../format.js';

/**
 * A scrolling list of label/value fields: every details view (an instance, a
 * snapshot, ...) lays out and scrolls the same way, so j/k, PgUp/PgDn and g/G
 * mean the same thing everywhere and nothing is ever cut.
 */

/** One row of a details view; `whole`: a label too wide for its column, on a row of its own. */
export interface DetailRow {
  label: string;
  text: string;
  whole?: boolean;
  /** the value's colour (a warning, a verdict); the label keeps its own */
  color?: string | undefined;
  /** a `whole` row laid out by its view (a table row): in `color` or the terminal's own, not the label colour */
  plain?: boolean;
}

/** The label column: as wide as the longest label, within these bounds (wider labels get a row of their own). */
const LABEL_MIN = 14;
const LABEL_SHARE = 0.4;

/**
 * One row per field, long values wrapped under themselves, whole. Keys and
 * values are often API data: fit() and wrapMessage() turn control characters
 * into spaces so they cannot move the cursor.
 */
export function detailRows(fields: readonly (readonly [string, string, (string | undefined)?])[], width: number, labelMin = LABEL_MIN): { labelWidth: number; rows: DetailRow[] } {
  // Sized by the keys that stay in the column: one that gets its own row must not widen it.
  const cap = Math.floor(width * LABEL_SHARE);
  const widest = fields.reduce((w, [k]) => (cellWidth(k) <= cap ? Math.max(w, cellWidth(k)) : w), 0);
  const labelWidth = Math.max(labelMin, widest);
  const room = Math.max(1, width - labelWidth - 1);
  const rows = fields.flatMap(([k, v, color]) => {
    // the view scrolls, so nothing is cut: a tag's runbook URL is often its last word
    const own = cellWidth(k) > labelWidth ? wrapMessage(k, width, Number.POSITIVE_INFINITY).map((text) => ({ label: '', text, whole: true })) : [];
    const values = cellWidth(v) <= room ? [fit(v, room).trimEnd()] : wrapMessage(v, room, Number.POSITIVE_INFINITY);
    return [...own, ...values.map((text, i): DetailRow => ({ label: i === 0 && own.length === 0 ? k : '', text, color }))];
  });
  return { labelWidth, rows };
}

/** Rows that show fields (one is the title, one the scroll position when it scrolls). */
export function detailRoom(height: number, rows: number): number {
  const room = Math.max(1, height - 1);
  return rows > room ? Math.max(1, room - 1) : room;
}

/** j/k, PgUp/PgDn, g/G over the rows; none when everything fits (the keys stay free). */
export function detailScrollBindings(rows: number, height: number, get: () => number, set: (offset: number) => void): KeyBinding[] {
  const max = Math.max(0, rows - detailRoom(height, rows));
  return max > 0 ? scrollBindings(get, set, () => detailRoom(height, rows), () => max) : [];
}

export function DetailsView({
  title,
  hint,
  rows,
  labelWidth,
  width,
  height,
  offset,
  titleColor,
}: {
  title: string;
  hint: string;
  rows: readonly DetailRow[];
  labelWidth: number;
  width: number;
  height: number;
  offset: number;
  titleColor?: string | undefined;
}): React.ReactElement {
  const room = detailRoom(height, rows.length);
  const from = Math.max(0, Math.min(offset, rows.length - room));
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Text bold wrap="truncate" color={titleColor}>
        {title} <Text dimColor>({hint})</Text>
      </Text>
      {rows.slice(from, from + room).map((r, i) => (
        <Text key={i} wrap="truncate">
          {r.whole ? (
            <Text color={r.plain ? r.color : 'cyan'}>{r.text}</Text>
          ) : (
            <>
              <Text color="cyan">{fit(r.label, labelWidth)}</Text> <Text color={r.color}>{r.text}</Text>
            </>
          )}
        </Text>
      ))}
      {rows.length > room ? (
        <Text dimColor wrap="truncate">
          {`lines ${from + 1}-${from + room} of ${rows.length} (j/k scroll)`}
        </Text>
      ) : null}
    </Box>
  );
}
