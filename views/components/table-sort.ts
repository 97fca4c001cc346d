/**
 * Sorting a Table by any of its columns, the same way on every pane: `s`
 * picks the next column, `S` reverses. Text in natural order (web-2 before
 * web-10, 9 before 10) except ids, whose hex digit runs are not numbers.
 */
import type { KeyBinding, SessionStore } from '../../src/store/session.js';
import type { Column } from './table-layout.js';

export type SortState = { column: string; descending: boolean } | undefined;

export function sortByColumn<T>(rows: readonly T[], cols: readonly Column<T>[], sort: SortState, hexIds: readonly string[] = ['id']): readonly T[] {
  if (!sort) return rows;
  const col = cols.find((c) => c.key === sort.column);
  if (!col) return rows;
  const dir = sort.descending ? -1 : 1;
  const natural = !hexIds.includes(sort.column);
  // counts are shown with thousands separators: 1,234 sorts after 999
  const text = (row: T): string => {
    const t = col.get(row);
    return /^[\d,.]+$/.test(t) ? t.replace(/,/g, '') : t;
  };
  return [...rows].sort((a, b) => dir * text(a).localeCompare(text(b), 'en', { numeric: natural }));
}

/** `s` / `S` for a pane whose slice holds the sort; `order` is the cycle (default: the columns left to right). */
export function sortBindings(store: SessionStore, paneId: string, order: () => readonly { key: string }[], sort: SortState): KeyBinding[] {
  return [
    {
      keys: ['s'],
      label: 'sort',
      title: 'Sort by the next column',
      run: () => {
        const cols = order();
        const next = cols[cols.findIndex((c) => c.key === sort?.column) + 1];
        store.getState().updateSlice(paneId, { sort: next ? { column: next.key, descending: false } : undefined });
      },
    },
    {
      keys: ['S'],
      label: 'reverse',
      footer: false,
      title: 'Reverse the sort order',
      run: () => sort && store.getState().updateSlice(paneId, { sort: { ...sort, descending: !sort.descending } }),
    },
  ];
}
