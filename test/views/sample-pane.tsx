import React, { useCallback, useEffect, useMemo, useState } from 'react';
import { Text } from 'ink';
import { listBindings, matchesFilter, selectedIndex } from '../../src/store/list.js';
import type { KeyBinding } from '../../src/store/session.js';
import { Table, type Column } from '../../views/components/Table.js';
import { usePaneKeys, useSession } from '../../views/hooks.js';
import { placeholderPane } from './placeholder-pane.js';
import type { PaneDefinition, PaneProps } from '../../views/panes/types.js';

/**
 * A minimal list pane built only from the shell's parts (Table, listBindings,
 * the store's slice), so the shell's tests do not change when the real panes
 * (owned by other areas) do.
 */
export interface Item {
  id: string;
  name: string;
}

const columns: Column<Item>[] = [
  { key: 'id', title: 'ID', get: (i) => i.id, priority: 9 },
  { key: 'name', title: 'NAME', get: (i) => i.name },
];
const rowId = (i: Item): string => i.id;

export function samplePane(load: () => Promise<Item[]> | Item[]): PaneDefinition {
  function Items({ ctx, store, paneId, width, height }: PaneProps): React.ReactElement {
    const [rows, setRows] = useState<Item[] | undefined>(undefined);
    const [open, setOpen] = useState<string | undefined>(undefined);
    const refresh = useCallback(async () => {
      setRows(await load());
      store.getState().markRefreshed(ctx.clock.now().getTime());
    }, [ctx, store]);
    useEffect(() => void refresh(), [refresh]);
    const filter = useSession(store, (s) => s.slices[paneId]?.filter ?? '');
    const selectedId = useSession(store, (s) => s.slices[paneId]?.selectedId);
    const shown = useMemo(() => (rows ?? []).filter((r) => matchesFilter(filter, [r.id, r.name])), [rows, filter]);
    const ids = useMemo(() => shown.map(rowId), [shown]);
    const bindings: KeyBinding[] = open
      ? [{ keys: ['escape'], label: 'back', run: () => setOpen(undefined) }]
      : [
          ...listBindings(store, paneId, () => ids, () => height - 2),
          { keys: ['enter'], label: 'open', title: 'Open the item', run: () => setOpen(shown[selectedIndex(ids, selectedId)]?.id) },
          { keys: ['r'], label: 'refresh', title: 'Refresh items', run: () => void refresh() },
        ];
    usePaneKeys(store, paneId, bindings);
    if (rows === undefined) return <Text>loading items…</Text>;
    if (open) return <Text>opened {open}</Text>;
    return (
      <>
        <Text>
          {shown.length} of {rows.length} items
        </Text>
        <Table rows={shown} columns={columns} rowId={rowId} selectedId={selectedId} width={width} height={height - 1} />
      </>
    );
  }
  return { id: 'items', title: 'Items', filterable: true, component: Items };
}

export function sampleItems(n: number): Item[] {
  return Array.from({ length: n }, (_, i) => ({ id: `it-${String(i).padStart(4, '0')}`, name: `item ${i}` }));
}

/** The shell under test: a list pane plus five placeholders, like the real registry's shape. */
export function shellPanes(load: () => Promise<Item[]> | Item[] = () => sampleItems(12)): PaneDefinition[] {
  return [
    samplePane(load),
    placeholderPane('snapshots', 'Snapshots', 'snapshot retention'),
    placeholderPane('runbooks', 'Runbooks', 'MySQL resync runbooks'),
    placeholderPane('webcam', 'Webcam', 'the webcam pipeline'),
    placeholderPane('scaling', 'Scaling', 'Auto Scaling controls'),
    placeholderPane('database', 'Database', 'database health and drift'),
  ];
}
