import React, { memo, useMemo, useRef } from 'react';
import { Box, Text } from 'ink';
import { selectedIndex, windowOffset } from '../../src/store/list.js';
import { fit } from '../format.js';
import { fitColumns, GAP, type Column } from './table-layout.js';

export type { Column } from './table-layout.js';

export interface TableProps<T> {
  rows: readonly T[];
  columns: readonly Column<T>[];
  rowId(row: T): string;
  selectedId: string | undefined;
  width: number;
  /** total lines including the header line */
  height: number;
  emptyText?: string;
  /** optional colour per row (e.g. state) */
  rowColor?(row: T): string | undefined;
}

const Row = memo(function Row({ line, selected, color }: { line: string; selected: boolean; color: string | undefined }) {
  // The marker makes the selection visible without colour (NO_COLOR, dumb terminals).
  return (
    <Text inverse={selected} {...(color ? { color } : {})} wrap="truncate">
      {selected ? '› ' : '  '}
      {line}
    </Text>
  );
});

/**
 * A virtualized table: only the rows inside the visible window are rendered,
 * each as one pre-formatted line, so a keypress on 10,000 rows costs the
 * same as on 20. Selection is by row id (see src/store/list.ts).
 */
function TableImpl<T>(props: TableProps<T>): React.ReactElement {
  const { rows, columns, rowId, selectedId, width, height, emptyText, rowColor } = props;
  const fitted = useMemo(() => fitColumns(columns, rows, width), [columns, rows, width]);
  const ids = useMemo(() => rows.map(rowId), [rows, rowId]);
  const offsetRef = useRef(0);
  const bodyHeight = Math.max(0, height - 1);
  const index = selectedIndex(ids, selectedId);
  const offset = windowOffset(rows.length, index, bodyHeight, offsetRef.current);
  offsetRef.current = offset;

  const sep = ' '.repeat(GAP);
  const header = fitted.map((f) => fit(f.column.title, f.width, f.column.align)).join(sep);
  const visible = rows.slice(offset, offset + bodyHeight);
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Text bold wrap="truncate">
        {'  '}
        {header}
      </Text>
      {rows.length === 0 ? (
        <Text dimColor>{'  '}{emptyText ?? 'No rows'}</Text>
      ) : (
        visible.map((r, i) => (
          <Row
            key={ids[offset + i]}
            line={fitted.map((f) => fit(f.column.get(r), f.width, f.column.align)).join(sep)}
            selected={offset + i === index}
            color={rowColor?.(r)}
          />
        ))
      )}
    </Box>
  );
}

export const Table = memo(TableImpl) as typeof TableImpl;
