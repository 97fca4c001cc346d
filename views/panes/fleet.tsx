import { loadDeadlineMs } from '../../src/core/context.js';
import React, { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Box, Text } from 'ink';
import type { Instance } from '../../src/cloud/ports.js';
import { loadPool, type PoolView } from '../../src/haproxy/pool.js';
import { downServers, fleetAttention, fleetAttentionOf } from '../../src/haproxy/attention.js';
import { latestLoader } from '../../src/store/latest.js';
import type { ServerAdminState } from '../../src/haproxy/runtime.js';
import { applyShownPlan, forceApply, setSelectedState } from './fleet-actions.js';
import { PoolPanel, poolCell, poolDetail, serverCell, serverCheckDetail } from './fleet-pool.js';
import { FLEET_LEGEND, healthRank, healthStyle, rowHealth } from './fleet-health.js';
import { mutationKey, type KeyBinding } from '../../src/store/session.js';
import { listBindings, matchesFilter, selectedIndex } from '../../src/store/list.js';
import { DetailsView, detailRows, detailScrollBindings } from '../components/DetailsView.js';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { Table, type Column } from '../components/Table.js';
import { sortBindings, sortByColumn } from '../components/table-sort.js';
import { fit, formatAge, formatCount } from '../format.js';
import { refreshIntervalMs } from '../../src/store/refresh.js';
import { useAutoRefresh, useListShown, usePaneKeys, useSelectionShown, useSession } from '../hooks.js';
import type { PaneDefinition, PaneProps } from './types.js';

/**
 * Fleet: every instance the session's cloud reports, refreshed every
 * config.fleet.refreshSeconds and on `r`. A failed refresh keeps the last
 * good rows on screen and says so; it never shows an empty fleet as if it
 * were true.
 */

type Load =
  | { status: 'loading'; rows: readonly Instance[]; error?: undefined; at?: number }
  | { status: 'ok'; rows: readonly Instance[]; error?: undefined; at: number }
  | { status: 'error'; rows: readonly Instance[]; error: unknown; at?: number };

/**
 * Priorities: health (the symbol, then the SERVER cell) goes last on a narrow
 * terminal, then the name people recognise (cut only once the less important
 * columns are gone), then the id (never cut: it is what people paste; `y`
 * copies it anyway), then EC2 state and pool.
 */
function columns(address: 'private' | 'public', nowMs: number, pool: PoolView | undefined): Column<Instance>[] {
  return [
    { key: 'health', title: '', get: (i) => healthStyle(rowHealth(i, pool)).symbol, minWidth: 1, maxWidth: 1, priority: 12 },
    { key: 'id', title: 'ID', get: (i) => i.id, minWidth: 19, priority: 9 },
    { key: 'name', title: 'NAME', get: (i) => i.name ?? '-', minWidth: 8, priority: 10, whole: true },
    { key: 'state', title: 'STATE', get: (i) => i.state, minWidth: 7, priority: 8 },
    { key: 'az', title: 'AZ', get: (i) => i.availabilityZone ?? '-', minWidth: 10, priority: 1 },
    { key: 'type', title: 'TYPE', get: (i) => i.instanceType ?? '-', minWidth: 8, priority: 2 },
    {
      key: 'address',
      title: address === 'public' ? 'PUBLIC IP' : 'PRIVATE IP',
      get: (i) => (address === 'public' ? i.publicIp : i.privateIp) ?? '-',
      minWidth: 15,
      priority: 6,
    },
    {
      key: 'age',
      title: 'AGE',
      get: (i) => (i.launchTime ? formatAge(nowMs - i.launchTime.getTime()) : '-'),
      align: 'right',
      minWidth: 5,
      priority: 3,
    },
    // Pool columns only once a pool is configured: without one they would be a column of "no".
    ...(pool?.plan
      ? [
          { key: 'pool', title: 'POOL', get: (i: Instance) => poolCell(pool, i.id), minWidth: 6, priority: 7 },
          { key: 'server', title: 'SERVER', get: (i: Instance) => serverCell(pool, i.id), minWidth: 9, priority: 11 },
        ]
      : []),
  ];
}

function sortRows(rows: readonly Instance[], cols: readonly Column<Instance>[], sort: { column: string; descending: boolean } | undefined, pool: PoolView | undefined): readonly Instance[] {
  if (!sort) return rows;
  const dir = sort.descending ? -1 : 1;
  // Worst first, by the level, not by the symbol's code point.
  if (sort.column === 'health') return [...rows].sort((a, b) => dir * (healthRank(rowHealth(a, pool)) - healthRank(rowHealth(b, pool))));
  if (sort.column === 'age') {
    // Oldest first: launch time, not the formatted text.
    return [...rows].sort((a, b) => dir * ((a.launchTime?.getTime() ?? 0) - (b.launchTime?.getTime() ?? 0)));
  }
  return sortByColumn(rows, cols, sort);
}

const rowId = (i: Instance): string => i.id;

/** The details view's fields; why an instance is or is not a server is the first question at 3am: the reason comes from discovery. */
function detailFields(inst: Instance, nowMs: number, pool: PoolView | undefined): [string, string][] {
  return [
    ['id', inst.id],
    ...(pool?.plan ? [['pool', poolDetail(pool, inst.id)] as [string, string], ['server', serverCell(pool, inst.id)] as [string, string], ['last check', serverCheckDetail(pool, inst.id)] as [string, string]] : []),
    ['name', inst.name ?? '-'],
    ['state', inst.state],
    ['zone', inst.availabilityZone ?? '-'],
    ['type', inst.instanceType ?? '-'],
    ['image', inst.imageId ?? '-'],
    ['private ip', inst.privateIp ?? '-'],
    ['public ip', inst.publicIp ?? '-'],
    ['launched', inst.launchTime ? `${inst.launchTime.toISOString()} (${formatAge(nowMs - inst.launchTime.getTime())} ago)` : '-'],
    ...Object.entries(inst.tags).map(([k, v]): [string, string] => [`tag ${k}`, v]),
  ];
}

export function FleetPane({ ctx, store, paneId, active, width, height }: PaneProps): React.ReactElement {
  const [load, setLoad] = useState<Load>({ status: 'loading', rows: [] });
  const [detailId, setDetailId] = useState<string | undefined>(undefined);
  const [detailOffset, setDetailOffset] = useState(0);
  const [pool, setPool] = useState<{ view: PoolView | undefined; error: unknown; loading: boolean }>({ view: undefined, error: undefined, loading: true });
  const [diffOffset, setDiffOffset] = useState(0);
  const mounted = useRef(true);

  // The pool (discovery + plan + live states) loads beside the table, never in front of it.
  // Latest wins: the refresh an apply asks for must not be dropped because an
  // auto-refresh that read the old live config is still running.
  const poolLoader = useMemo(
    () =>
      latestLoader(
        () => loadPool(ctx),
        (o) => {
          if (!mounted.current) return;
          if (o.ok) setPool({ view: o.value, error: undefined, loading: false });
          else setPool((p) => ({ view: p.view, error: o.error, loading: false }));
        },
        { deadlineMs: loadDeadlineMs(ctx), what: 'planning the pool' },
      ),
    [ctx],
  );
  const refreshPool = useCallback(async (): Promise<void> => {
    setPool((p) => ({ ...p, loading: true }));
    await poolLoader.request();
  }, [poolLoader]);

  const instancesLoader = useMemo(
    () =>
      latestLoader(
        async () => {
          const cloud = await ctx.cloud();
          return { rows: await cloud.compute.describeInstances({}), at: ctx.clock.now().getTime() };
        },
        (o) => {
          if (!mounted.current) return;
          if (o.ok) {
            setLoad({ status: 'ok', rows: o.value.rows, at: o.value.at });
            store.getState().markRefreshed(o.value.at, paneId);
          } else {
            setLoad((l) => ({ status: 'error', rows: l.rows, error: o.error, ...(l.at !== undefined ? { at: l.at } : {}) }));
          }
        },
        { deadlineMs: loadDeadlineMs(ctx), what: 'listing instances' },
      ),
    [ctx, store, paneId],
  );
  const refresh = useCallback(async (): Promise<void> => {
    void refreshPool();
    setLoad((l) => ({ ...l, status: 'loading', error: undefined }));
    await instancesLoader.request();
  }, [refreshPool, instancesLoader]);

  useEffect(() => {
    mounted.current = true;
    void refresh();
    return () => {
      mounted.current = false;
      poolLoader.stop();
      instancesLoader.stop();
    };
  }, [refresh, poolLoader, instancesLoader]);

  // Auto-refresh only while visible: a hidden pane costs no API calls; coming back to stale data refreshes at once.
  useAutoRefresh({ store, paneId, active, intervalMs: refreshIntervalMs(paneId, ctx.config), now: () => ctx.clock.now().getTime(), refresh, periodic: true });

  const filter = useSession(store, (s) => s.slices[paneId]?.filter ?? '');
  const sort = useSession(store, (s) => s.slices[paneId]?.sort);
  const selectedId = useSession(store, (s) => s.slices[paneId]?.selectedId);
  // Ages are computed per load, not per keypress: the memoized rows stay the same object.
  const nowMs = load.at ?? ctx.clock.now().getTime();
  const cols = useMemo(() => columns(ctx.config.fleet.address, nowMs, pool.view), [ctx.config.fleet.address, nowMs, pool.view]);
  const shown = useMemo(() => {
    const filtered = filter === '' ? load.rows : load.rows.filter((i) => matchesFilter(filter, cols.map((c) => c.get(i))));
    return sortRows(filtered, cols, sort, pool.view);
  }, [load.rows, filter, cols, sort, pool.view]);
  const rowColor = useCallback((i: Instance): string => healthStyle(rowHealth(i, pool.view)).color, [pool.view]);
  const ids = useMemo(() => shown.map(rowId), [shown]);
  useSelectionShown(store, paneId, ids);
  const byState = useMemo(() => {
    const n = new Map<string, number>();
    for (const r of load.rows) n.set(r.state, (n.get(r.state) ?? 0) + 1);
    return [...n].map(([state, c]) => `${c} ${state}`).join(', ');
  }, [load.rows]);
  const selected = shown[selectedIndex(ids, selectedId)];
  const names = useMemo(() => new Map(load.rows.flatMap((r) => (r.name ? [[r.id, r.name] as const] : []))), [load.rows]);
  // A DOWN server shows in the tab bar from any pane; counted as the probe counts it (src/haproxy/attention.ts)
  // and set again on each load, so a mark the probe raised while the pane was hidden never outlives the pane's own reading.
  useEffect(() => {
    if (pool.view) store.getState().setAttention(paneId, fleetAttentionOf(downServers(pool.view.live.values())));
  }, [store, paneId, pool.view]);

  const plan = pool.view?.plan;
  // A different diff is read from its top (an offset into the last one would start mid-diff);
  // a refresh that plans the same change leaves the reader where they are.
  const diffText = plan?.diff;
  useEffect(() => setDiffOffset(0), [diffText]);
  // The diff gets room only when there is a change to show; otherwise two status lines.
  // The summary stays down to small panes (a status message can take two of their rows);
  // the diff takes up to 45% of the pane.
  const poolHeight = height < 8 ? 0 : plan?.changed ? Math.max(2, Math.min(14, Math.floor(height * 0.45))) : 2;
  const tableHeight = Math.max(2, height - 1 - poolHeight - (load.status === 'error' ? 6 : 0));

  const setState = async (state: ServerAdminState, target: Instance | undefined): Promise<void> => {
    await setSelectedState(ctx, store, pool.view, target, state);
    void refreshPool();
  };
  const apply = async (force: boolean): Promise<void> => {
    await (force ? forceApply(ctx, store, pool.view) : applyShownPlan(ctx, store, pool.view, pool.loading));
    void refreshPool();
  };
  // `:drain web-3`, `:instance i-0abc…`: a row by its id or Name tag; a name two instances share is not guessed
  const byArg = (arg: string): Instance | undefined => {
    const found = load.rows.filter((r) => r.id === arg || r.name === arg);
    if (found.length === 1) return found[0];
    store.getState().setFlash(found.length > 1 ? `${found.length} instances are named ${arg}: ${found.map((r) => r.id).join(', ')}; use the id` : `no instance ${arg}`, 'warn');
    return undefined;
  };
  const rowArgs = (rows: readonly Instance[]): { value: string; label: string }[] => rows.map((r) => ({ value: r.id, label: `${r.name ?? '-'} ${r.id}` }));
  const serverVerb = (state: ServerAdminState): KeyBinding['verb'] => ({
    name: state,
    argHint: 'NAME|ID',
    args: () => rowArgs(load.rows.filter((r) => pool.view?.inPool.has(r.id))),
    run: (arg) => {
      const inst = byArg(arg);
      if (inst) void setSelectedState(ctx, store, pool.view, inst, state).then(() => refreshPool());
    },
  });
  const detail = detailId ? load.rows.find((r) => r.id === detailId) : undefined;
  // d / m / u on a row, or from its details: the same confirmation either way
  const serverKeys = (target: Instance | undefined, what: string): KeyBinding[] =>
    [
      { keys: ['d'], label: 'drain', title: `Drain ${what}`, verb: serverVerb('drain'), run: () => void setState('drain', target) },
      { keys: ['m'], label: 'maint', footer: false, title: `Put ${what} in maintenance`, verb: serverVerb('maint'), run: () => void setState('maint', target) },
      { keys: ['u'], label: 'ready', footer: false, title: `Set ${what} ready`, verb: serverVerb('ready'), run: () => void setState('ready', target) },
    ].map((b) => mutationKey(ctx.options.readOnly, b));
  const { labelWidth, rows: details } = detail ? detailRows(detailFields(detail, nowMs, pool.view), width) : { labelWidth: 0, rows: [] };
  const bindings: KeyBinding[] = detailId
    ? [
        { keys: ['escape'], label: 'back', run: () => setDetailId(undefined) },
        { keys: ['y'], label: 'copy id', footer: false, title: 'Copy the instance id (OSC 52)', run: () => store.getState().copy(detailId) },
        { keys: ['r'], label: 'refresh', title: 'Refresh instances', run: () => void refresh() },
        ...(pool.view?.plan ? serverKeys(detail, 'this server') : []),
        ...detailScrollBindings(details.length, height, () => detailOffset, setDetailOffset),
      ]
    : [
        ...listBindings(store, paneId, () => ids, () => tableHeight - 1),
        {
          keys: ['enter'],
          label: 'details',
          title: 'Show instance details',
          verb: {
            name: 'instance',
            argHint: 'NAME|ID',
            args: () => rowArgs(load.rows),
            run: (arg) => {
              const inst = byArg(arg);
              if (!inst) return;
              // jump: the row selected (the filter cleared so it shows), its details open
              store.getState().setActivePane(paneId);
              store.getState().updateSlice(paneId, { selectedId: inst.id, filter: '' });
              setDetailOffset(0);
              setDetailId(inst.id);
            },
          },
          run: () => {
            if (!selected) return;
            setDetailOffset(0);
            setDetailId(selected.id);
          },
        },
        { keys: ['r'], label: 'refresh', title: 'Refresh instances', run: () => void refresh() },
        { keys: ['y'], label: 'copy id', footer: false, title: 'Copy the selected instance id (OSC 52, works over SSH and in tmux)', run: () => selected && store.getState().copy(selected.id) },
        // health sorts last in the cycle: the columns read left to right come first
        ...sortBindings(store, paneId, () => [...cols.filter((c) => c.key !== 'health'), ...cols.filter((c) => c.key === 'health')], sort),
        ...[
          { keys: ['a'], label: 'apply', title: 'Apply the HAProxy pool change', run: () => void apply(false) },
          { keys: ['F'], label: 'force', footer: false, title: 'Apply past the removal/empty guards (typed confirmation)', run: () => void apply(true) },
        ].map((b) => mutationKey(ctx.options.readOnly, b)),
        ...serverKeys(selected, 'the selected server'),
        { keys: [']'], label: 'diff down', footer: false, title: 'Scroll the pool diff down', run: () => setDiffOffset((o) => o + Math.max(1, poolHeight - 3)) },
        { keys: ['['], label: 'diff up', footer: false, title: 'Scroll the pool diff up', run: () => setDiffOffset((o) => Math.max(0, o - Math.max(1, poolHeight - 3))) },
      ];
  usePaneKeys(store, paneId, bindings);
  useListShown(store, paneId, !detail);

  if (detail) return <DetailsView title={fit(detail.id, 24).trimEnd()} hint="Esc back" rows={details} labelWidth={labelWidth} width={width} height={height} offset={detailOffset} />;

  const count =
    filter === ''
      ? `${formatCount(load.rows.length)} instances${byState ? ` (${byState})` : ''}`
      : `${formatCount(shown.length)} of ${formatCount(load.rows.length)} instances match "${filter}"`;
  const position = shown.length > 0 ? `  row ${formatCount(selectedIndex(ids, selectedId) + 1)}/${formatCount(shown.length)}` : '';
  const sortText = sort ? `  sorted by ${sort.column}${sort.descending ? ' ↓' : ' ↑'}` : '';
  const firstLoad = load.status === 'loading' && load.at === undefined;
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Text wrap="truncate">
        <Text bold>Fleet</Text>{' '}
        {firstLoad ? <Text color="yellow">loading instances…</Text> : <Text dimColor>{count}{position}{sortText}</Text>}
        {load.status === 'loading' && !firstLoad ? <Text color="yellow">  refreshing…</Text> : null}
      </Text>
      {load.status === 'error' ? (
        <ErrorPanel title={load.rows.length > 0 ? 'Refresh failed: showing the last good list' : 'Could not list instances'} error={load.error} width={width} />
      ) : null}
      {firstLoad ? null : (
        <Table
          rows={shown}
          columns={cols}
          rowId={rowId}
          selectedId={selectedId}
          width={width}
          height={tableHeight}
          rowColor={rowColor}
          emptyText={load.rows.length === 0 ? (load.status === 'error' ? 'no data' : 'no instances') : `nothing matches "${filter}" (Esc clears)`}
        />
      )}
      {poolHeight > 0 ? <PoolPanel view={pool.view} error={pool.error} loading={pool.loading} width={width} height={poolHeight} diffOffset={diffOffset} readOnly={ctx.options.readOnly} names={names} /> : null}
    </Box>
  );
}

export const fleetPane: PaneDefinition = { id: 'fleet', title: 'Fleet', filterable: true, component: FleetPane, legend: FLEET_LEGEND, attention: fleetAttention };
