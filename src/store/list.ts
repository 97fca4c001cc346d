import type { KeyBinding, SessionStore } from './session.js';

/**
 * List navigation as plain functions: the selection is a row id (so it
 * survives refreshes that reorder rows and filters that hide rows), the
 * index is derived from the rows currently shown.
 */

export type Move = number | 'home' | 'end';

/** Index of the selected row among `ids`; 0 when nothing (or a hidden row) is selected. */
export function selectedIndex(ids: readonly string[], selectedId: string | undefined): number {
  if (selectedId === undefined) return 0;
  const i = ids.indexOf(selectedId);
  return i < 0 ? 0 : i;
}

/** The id selected after a move, clamped to the list; undefined for an empty list. */
export function moveSelection(ids: readonly string[], selectedId: string | undefined, move: Move): string | undefined {
  if (ids.length === 0) return undefined;
  const cur = selectedIndex(ids, selectedId);
  const target = move === 'home' ? 0 : move === 'end' ? ids.length - 1 : cur + move;
  return ids[Math.max(0, Math.min(ids.length - 1, target))];
}

/**
 * First visible row of a window of `height` rows that shows `index`, moving
 * as little as possible from the previous offset (the list does not jump
 * while the cursor stays inside the window).
 */
export function windowOffset(count: number, index: number, height: number, previous: number): number {
  if (height <= 0 || count <= height) return 0;
  let off = Math.max(0, Math.min(previous, count - height));
  if (index < off) off = index;
  else if (index >= off + height) off = index - height + 1;
  return off;
}

/** Case-insensitive "every word appears somewhere" match, as in k9s / htop filters. */
export function matchesFilter(filter: string, fields: readonly (string | undefined)[]): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = fields.filter((f): f is string => f !== undefined).join(' ').toLowerCase();
  return words.every((w) => hay.includes(w));
}

/**
 * The standard list keys (arrows, j/k, PgUp/PgDn, g/G, Home/End) for a pane
 * whose list shows `ids()`. `pageSize()` is the visible row count.
 */
export function listBindings(
  store: SessionStore,
  paneId: string,
  ids: () => readonly string[],
  pageSize: () => number,
): KeyBinding[] {
  const go = (move: Move) => (): void => {
    const s = store.getState();
    const next = moveSelection(ids(), s.slice(paneId).selectedId, move);
    if (next !== undefined) s.updateSlice(paneId, { selectedId: next });
  };
  const page = (): number => Math.max(1, pageSize() - 1);
  return [
    { keys: ['j', 'down'], label: 'down', footer: 'j/k move', run: go(1) },
    { keys: ['k', 'up'], label: 'up', footer: false, run: go(-1) },
    { keys: ['pagedown', 'ctrl-f'], label: 'page down', footer: false, run: () => go(page())() },
    { keys: ['pageup', 'ctrl-b'], label: 'page up', footer: false, run: () => go(-page())() },
    { keys: ['g', 'home'], label: 'first', footer: false, run: go('home') },
    { keys: ['G', 'end'], label: 'last', footer: false, run: go('end') },
  ];
}

/**
 * Scrolling keys for a text view (DiffView, logs): j/k ↑↓ a line, PgUp/PgDn a
 * page, g/G the ends. `get`/`set` hold the first visible line; `max()` is the
 * last valid offset (lines - page height).
 */
export function scrollBindings(get: () => number, set: (offset: number) => void, pageSize: () => number, max: () => number): KeyBinding[] {
  const to = (n: number): void => set(Math.max(0, Math.min(max(), n)));
  const page = (): number => Math.max(1, pageSize() - 1);
  return [
    { keys: ['j', 'down'], label: 'down', footer: 'j/k scroll', run: () => to(get() + 1) },
    { keys: ['k', 'up'], label: 'up', footer: false, run: () => to(get() - 1) },
    { keys: ['pagedown', 'ctrl-f'], label: 'page down', footer: false, run: () => to(get() + page()) },
    { keys: ['pageup', 'ctrl-b'], label: 'page up', footer: false, run: () => to(get() - page()) },
    { keys: ['g', 'home'], label: 'top', footer: false, run: () => to(0) },
    { keys: ['G', 'end'], label: 'bottom', footer: false, run: () => to(max()) },
  ];
}
