import React, { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Box, Text } from 'ink';
import { loadDeadlineMs, lockDirOf } from '../../src/core/context.js';
import { withLock } from '../../src/core/lock.js';
import { applyPlan, type ApplySummary } from '../../src/snapshots/execute.js';
import { configScope, recheckPlan, narrowPlan, planRotation, ROTATION_LOCK, type PlannedDecision, type SnapshotPlan } from '../../src/snapshots/plan.js';
import { latestLoader } from '../../src/store/latest.js';
import { describePolicy, describeResult } from '../../src/snapshots/summary.js';
import { decisionsByVolume, planAgeMinutes, timelineStrip } from '../../src/snapshots/view.js';
import { mutationKey, refuseIfReadOnly, type KeyBinding } from '../../src/store/session.js';
import { listBindings, matchesFilter, scrollBindings, selectedIndex } from '../../src/store/list.js';
import { loadSnapshotDetails, snapshotDetailFields, type SnapshotDetails } from '../../src/snapshots/details.js';
import { DetailsView, detailRows, detailScrollBindings } from '../components/DetailsView.js';
import { ErrorPanel, describeError } from '../components/ErrorPanel.js';
import { Table } from '../components/Table.js';
import { sortBindings, sortByColumn } from '../components/table-sort.js';
import { formatCount } from '../format.js';
import { refreshIntervalMs } from '../../src/store/refresh.js';
import { useAutoRefresh, useListShown, usePaneKeys, useProgress, useSelectionShown, useSession } from '../hooks.js';
import {
  DeletingView,
  PlanView,
  planRoom,
  SNAPSHOTS_LEGEND,
  SummaryView,
  TIMELINE_WIDTH,
  decisionColour,
  decisionColumns,
  planLines,
  planRows,
  volumeColumns,
  type VolumeRow,
} from './snapshots-parts.js';
import type { PaneDefinition, PaneProps } from './types.js';

/**
 * Snapshots: the retention plan per volume, drill-in with keep/delete and the
 * reason, `d` shows the plan, a typed confirmation (the count), then the
 * deletion with progress and a summary. What is deleted is exactly the plan
 * on screen: nothing is recomputed between the confirmation and the calls.
 */

type Mode =
  | { kind: 'volumes' }
  | { kind: 'volume'; volumeId: string }
  | { kind: 'plan'; plan: SnapshotPlan; back: Mode }
  /** the running deletion's progress on screen (the deletion itself is `run`: Esc leaves this view, not the work) */
  | { kind: 'deleting' }
  | { kind: 'summary'; summary: ApplySummary };

type Load = { status: 'loading' | 'ok' | 'error'; plan: SnapshotPlan | undefined; error?: unknown };

const volumeRowId = (v: VolumeRow): string => v.volumeId;
const decisionRowId = (d: PlannedDecision): string => d.snapshotId;
const NO_DECISIONS: readonly PlannedDecision[] = [];

export function SnapshotsPane({ ctx, store, paneId, active, width, height }: PaneProps): React.ReactElement {
  const [load, setLoad] = useState<Load>({ status: 'loading', plan: undefined });
  const [mode, setMode] = useState<Mode>({ kind: 'volumes' });
  const [planOffset, setPlanOffset] = useState(0);
  const [detailId, setDetailId] = useState<string | undefined>(undefined);
  const [detailOffset, setDetailOffset] = useState(0);
  // the snapshot's tags, description and AMIs are listed when its details open (the plan does not carry them)
  const [detailLoad, setDetailLoad] = useState<{ id: string; details?: SnapshotDetails; error?: string } | undefined>(undefined);
  const [run, setRun] = useState<{ plan: SnapshotPlan; cancelling: boolean } | undefined>(undefined);
  const cancelArmed = useRef(0);
  // what the deletion finds on screen when it ends: its summary replaces the progress view, never the list someone went back to
  const modeNow = useRef(mode);
  modeNow.current = mode;
  const abort = useRef<AbortController | undefined>(undefined);
  const mounted = useRef(true);
  const progress = useProgress();

  // Latest wins: a plan listed before a deletion finished must never land after the re-plan.
  const loader = useMemo(
    () =>
      latestLoader(
        async () => {
          const cloud = await ctx.cloud();
          return planRotation(cloud.compute, {
            scope: configScope(ctx.config.snapshots),
            config: ctx.config.snapshots,
            now: () => ctx.clock.now(),
            source: cloud.kind,
            includeDecisions: true,
          });
        },
        (o) => {
          if (!mounted.current) return;
          if (o.ok) {
            setLoad({ status: 'ok', plan: o.value });
            store.getState().markRefreshed(ctx.clock.now().getTime(), paneId);
          } else {
            setLoad((l) => ({ status: 'error', plan: l.plan, error: o.error }));
          }
        },
        { deadlineMs: loadDeadlineMs(ctx), what: 'listing snapshots' },
      ),
    [ctx, store, paneId],
  );
  const refresh = useCallback(async (): Promise<void> => {
    setLoad((l) => ({ ...l, status: 'loading', error: undefined }));
    await loader.request();
  }, [loader]);

  useEffect(() => {
    mounted.current = true;
    void refresh();
    return () => {
      mounted.current = false;
      loader.stop();
      abort.current?.abort();
    };
  }, [refresh, loader]);
  // on return only (listing 100k snapshots is heavy), never under a plan on screen nor while a deletion runs
  useAutoRefresh({ store, paneId, active, intervalMs: refreshIntervalMs(paneId, ctx.config), now: () => ctx.clock.now().getTime(), refresh, paused: (mode.kind !== 'volumes' && mode.kind !== 'volume') || run !== undefined });

  const plan = load.plan;
  const byVolume = useMemo(() => (plan ? decisionsByVolume(plan) : new Map<string, PlannedDecision[]>()), [plan]);
  const volumeRows = useMemo<VolumeRow[]>(() => {
    if (!plan) return [];
    const now = Date.parse(plan.now);
    return plan.volumes.map((v) => ({ ...v, timeline: timelineStrip(byVolume.get(v.volumeId) ?? [], now, TIMELINE_WIDTH) }));
  }, [plan, byVolume]);

  const filter = useSession(store, (s) => s.slices[paneId]?.filter ?? '');
  const selectedId = useSession(store, (s) => s.slices[paneId]?.selectedId);
  const drillId = mode.kind === 'volume' ? mode.volumeId : undefined;
  const decisions = drillId ? (byVolume.get(drillId) ?? NO_DECISIONS) : NO_DECISIONS;
  const sort = useSession(store, (s) => s.slices[paneId]?.sort);
  // both lists filter on what their columns show (not hidden fields) and sort by any column (s / S)
  const shownDecisions = useMemo(
    () => sortByColumn(filter === '' ? decisions : decisions.filter((d) => matchesFilter(filter, decisionColumns.map((c) => c.get(d)))), decisionColumns, sort),
    [decisions, filter, sort],
  );
  const shownVolumes = useMemo(
    () => sortByColumn(filter === '' ? volumeRows : volumeRows.filter((v) => matchesFilter(filter, volumeColumns.map((c) => c.get(v)))), volumeColumns, sort, ['volume']),
    [volumeRows, filter, sort],
  );
  const ids = useMemo(() => (drillId ? shownDecisions.map(decisionRowId) : shownVolumes.map(volumeRowId)), [drillId, shownDecisions, shownVolumes]);
  useSelectionShown(store, paneId, ids);
  const selectedVolume = shownVolumes[selectedIndex(ids, selectedId)];

  // the id on the highlighted row, whichever list is shown
  const copySelected = (): void => {
    const id = ids[selectedIndex(ids, selectedId)];
    if (id !== undefined) store.getState().copy(id);
  };
  const select = (id: string | undefined): void => store.getState().updateSlice(paneId, { selectedId: id, filter: '' });

  const openVolume = (volumeId: string): void => {
    if (!byVolume.has(volumeId)) return store.getState().setFlash(`no volume ${volumeId} with snapshots`, 'warn');
    store.getState().setActivePane(paneId);
    setMode({ kind: 'volume', volumeId });
    setDetailId(undefined);
    select(byVolume.get(volumeId)?.[0]?.snapshotId);
  };
  const openDetails = (id: string | undefined): void => {
    setDetailId(id);
    setDetailOffset(0);
    if (id === undefined) return;
    setDetailLoad({ id });
    void (async () => {
      try {
        const cloud = await ctx.cloud();
        const details = await loadSnapshotDetails(cloud.compute, id);
        if (mounted.current) setDetailLoad((l) => (l?.id === id ? { id, details } : l));
      } catch (error) {
        if (mounted.current) setDetailLoad((l) => (l?.id === id ? { id, error: describeError(error).message } : l));
      }
    })();
  };
  const openPlan = (volumeId: string | undefined): void => {
    // read-only opens and reads every plan; only its confirmation is refused
    if (!plan) return;
    const p = volumeId ? narrowPlan(plan, volumeId) : plan;
    if (p.deletions.length === 0) {
      store.getState().setFlash(volumeId ? `nothing to delete on ${volumeId}` : 'nothing to delete', 'info');
      return;
    }
    setPlanOffset(0);
    setMode({ kind: 'plan', plan: p, back: mode });
  };

  const execute = async (p: SnapshotPlan, back: Mode): Promise<void> => {
    if (refuseIfReadOnly(store, 'deleting snapshots')) return;
    if (run) return store.getState().setFlash('a deletion is already running: p shows its progress; c twice cancels it', 'warn');
    const count = String(p.deletions.length);
    const ok = await store.getState().confirm({
      title: `Delete ${formatCount(p.deletions.length)} snapshots?`,
      // every group: the dialog scrolls when they do not fit
      body: planLines(p),
      typed: count,
      confirmLabel: `Delete ${formatCount(p.deletions.length)}`,
      destructive: true,
    });
    if (!ok) return setMode(back);
    const limit = ctx.config.snapshots.planMaxAgeMinutes;
    if (planAgeMinutes(p, ctx.clock.now().getTime()) > limit) {
      store.getState().setFlash(`the plan is older than ${limit} minutes: press r to refresh it first`, 'warn');
      return setMode(back);
    }
    const ac = new AbortController();
    abort.current = ac;
    progress.reset();
    setRun({ plan: p, cancelling: false });
    setMode({ kind: 'deleting' });
    const cancel = (): void => {
      ac.abort();
      if (mounted.current) setRun((r) => r && { ...r, cancelling: true });
    };
    // q must not cut a deletion off unseen: the shell asks for c first, or cancels on Ctrl-C and quits after.
    store.getState().setBusy({ label: 'a snapshot deletion', cancel });
    try {
      const cloud = await ctx.cloud();
      const summary = await withLock(ROTATION_LOCK, async () => {
        // the rules are checked against the account now, the plan is not recomputed: refused, or
        // narrowed by what a keep tag added since now keeps
        const { plan: now, nowKept } = await recheckPlan(cloud.compute, p, ctx.config.snapshots.keep.tag, 'the plan on screen');
        if (nowKept.length > 0) {
          store.getState().setFlash(`now kept: ${nowKept.map((k) => `${k.snapshotId} (${k.why})`).join(', ')}: not deleted`, 'warn');
        }
        return applyPlan(now, cloud, {
          concurrency: ctx.config.snapshots.concurrency,
          signal: ac.signal,
          audit: ctx.audit,
          clock: ctx.clock,
          // thousands of events: useProgress redraws at most every 100 ms
          onProgress: progress.sink,
        });
      }, { dir: lockDirOf(ctx) });
      store.getState().setExitNote(`snapshots: ${describeResult(summary)}`);
      if (mounted.current && modeNow.current.kind === 'deleting') setMode({ kind: 'summary', summary });
      else if (mounted.current) {
        // someone went back to the list meanwhile: the result in the footer, and the list as it is now
        store.getState().setFlash(`snapshots: ${describeResult(summary)}`, summary.failed.length > 0 || summary.cancelled ? 'warn' : 'info');
        void refresh();
      }
    } catch (error) {
      store.getState().setFlash(describeError(error).message, 'error');
      if (mounted.current && modeNow.current.kind === 'deleting') setMode(back);
    } finally {
      abort.current = undefined;
      if (mounted.current) setRun(undefined);
      store.getState().setBusy(undefined);
    }
  };

  const toVolumes = (): void => {
    setMode({ kind: 'volumes' });
    void refresh();
  };

  const viewOnly = ctx.options.readOnly ? 'Show (read-only: not delete) ' : 'Delete ';
  // A running deletion shows its progress in the tab bar, so it can be followed from any pane.
  const deleting = run ? `${formatCount(progress.event?.done ?? 0)}/${formatCount(run.plan.deletions.length)}` : undefined;
  useEffect(() => store.getState().setAttention(paneId, deleting ? { level: 'running', text: deleting } : undefined), [store, paneId, deleting]);

  const listKeys = listBindings(store, paneId, () => ids, () => Math.max(1, height - 3));
  const cancelKey: KeyBinding = {
    keys: ['c'],
    label: 'cancel (c twice)',
    title: 'Cancel the deletion after the calls in flight (press c again to confirm)',
    run: () => {
      if (!run) return;
      // one-key confirm: a stray c must not stop an hour of work
      const now = Date.now();
      if (now - cancelArmed.current > 5_000) {
        cancelArmed.current = now;
        store.getState().setFlash('press c again to cancel the deletion (the calls in flight finish)', 'warn');
        return;
      }
      abort.current?.abort();
      setRun((r) => r && { ...r, cancelling: true });
    },
  };
  // back at the list while a deletion runs: its progress is one key away, and c still cancels it
  const runningKeys: KeyBinding[] = run
    ? [
        { keys: ['p'], label: 'progress', title: 'Show the running deletion\'s progress', run: () => setMode({ kind: 'deleting' }) },
        { ...cancelKey, footer: false },
      ]
    : [];
  let bindings: KeyBinding[];
  switch (mode.kind) {
    case 'volumes':
      bindings = [
        ...listKeys,
        { keys: ['y'], label: 'copy id', footer: false, title: 'Copy the selected volume id (OSC 52, works over SSH and in tmux)', run: () => copySelected() },
        {
          keys: ['enter'],
          label: 'snapshots',
          title: 'Show the snapshots of a volume',
          // `:vol vol-0abc`: straight to a volume's snapshots from anywhere
          verb: { name: 'vol', argHint: 'ID', args: () => volumeRows.map((v) => ({ value: v.volumeId })), run: (id) => openVolume(id) },
          run: () => selectedVolume && openVolume(selectedVolume.volumeId),
        },
        // d acts on the highlighted row, as everywhere; every volume at once is a key of its own
        { keys: ['d'], label: 'delete volume', title: `${viewOnly}the expired snapshots of the highlighted volume`, run: () => selectedVolume && openPlan(selectedVolume.volumeId) },
        { keys: ['D'], label: 'delete all volumes', title: `${viewOnly}the expired snapshots of every volume`, run: () => openPlan(undefined) },
        { keys: ['r'], label: 'refresh', title: 'Refresh snapshots', run: () => void refresh() },
        ...sortBindings(store, paneId, () => volumeColumns, sort),
        ...runningKeys,
      ];
      break;
    case 'volume':
      bindings = [
        ...listKeys,
        { keys: ['escape'], label: 'back', run: () => (detailId ? setDetailId(undefined) : (setMode({ kind: 'volumes' }), select(mode.volumeId))) },
        { keys: ['enter'], label: 'details', title: 'Show the snapshot in full: every field, the whole reason, every rule that keeps it', run: () => openDetails(ids[selectedIndex(ids, selectedId)]) },
        { keys: ['y'], label: 'copy id', footer: false, title: 'Copy the selected snapshot id (OSC 52, works over SSH and in tmux)', run: () => copySelected() },
        { keys: ['d'], label: 'delete expired', title: `${viewOnly}the expired snapshots of this volume`, run: () => openPlan(mode.volumeId) },
        { keys: ['r'], label: 'refresh', title: 'Refresh snapshots', run: () => void refresh() },
        ...sortBindings(store, paneId, () => decisionColumns, sort),
        ...runningKeys,
      ];
      break;
    case 'plan': {
      const planLength = planRows(mode.plan, width).length;
      const room = (): number => planRoom(height, planLength);
      bindings = [
        ...scrollBindings(() => planOffset, setPlanOffset, room, () => Math.max(0, planLength - room())),
        mutationKey(ctx.options.readOnly, { keys: ['enter', 'd'], label: 'confirm…', title: 'Confirm the deletion (typed count)', run: () => void execute(mode.plan, mode.back) }),
        { keys: ['escape'], label: 'back', run: () => setMode(mode.back) },
      ];
      break;
    }
    case 'deleting':
      bindings = [
        cancelKey,
        // Esc goes back and never cancels: the deletion runs on, its count in the tab bar
        { keys: ['escape'], label: 'back (keeps running)', title: 'Back to the volumes; the deletion keeps running (p shows it again)', run: () => setMode({ kind: 'volumes' }) },
      ];
      break;
    case 'summary':
      bindings = [{ keys: ['enter', 'escape'], label: 'back', run: toVolumes }];
      break;
  }
  const detail = mode.kind === 'volume' && detailId ? decisions.find((d) => d.snapshotId === detailId) : undefined;
  const loaded = detailLoad?.id === detailId ? detailLoad : undefined;
  const { labelWidth, rows: detailLines } = detail && plan ? detailRows(snapshotDetailFields(detail, plan.policy, loaded?.details, loaded?.error), width) : { labelWidth: 0, rows: [] };
  // the details view answers to back, copy and scrolling: list keys would act on rows not on screen
  if (detail) bindings = [...bindings.filter((b) => b.keys[0] === 'escape' || b.keys[0] === 'y'), ...detailScrollBindings(detailLines.length, height, () => detailOffset, setDetailOffset)];
  usePaneKeys(store, paneId, bindings);
  useListShown(store, paneId, !detail && (mode.kind === 'volumes' || mode.kind === 'volume'));

  if (detail) {
    return (
      <DetailsView title={detail.snapshotId} hint="Esc back · y copies the id" titleColor={decisionColour(detail)} rows={detailLines} labelWidth={labelWidth} width={width} height={height} offset={detailOffset} />
    );
  }
  if (mode.kind === 'plan') return <PlanView plan={mode.plan} width={width} height={height} offset={planOffset} />;
  if (mode.kind === 'deleting' && run) return <DeletingView event={progress.event} total={run.plan.deletions.length} width={width} cancelling={run.cancelling} />;
  if (mode.kind === 'summary') return <SummaryView summary={mode.summary} width={width} height={height} />;

  const firstLoad = load.status === 'loading' && !plan;
  const errorRows = load.status === 'error' ? 6 : 0;
  // both lists (volumes, a volume's snapshots) share the selection, the size and the no-match text
  const table = { selectedId, width, height: Math.max(2, height - 2 - errorRows) };
  const noMatch = `nothing matches "${filter}" (Esc clears)`;
  const heading = drillId ? (
    <Text wrap="truncate">
      <Text bold>{drillId}</Text>{' '}
      <Text dimColor>
        {filter ? `${formatCount(shownDecisions.length)} of ${formatCount(decisions.length)} snapshots match "${filter}" · ` : `${formatCount(decisions.length)} snapshots · `}
        {formatCount(decisions.filter((d) => d.action === 'delete').length)} to delete (Esc back)
      </Text>
    </Text>
  ) : (
    <Text wrap="truncate">
      <Text bold>Snapshots</Text>{' '}
      {firstLoad ? (
        <Text color="yellow">listing snapshots…</Text>
      ) : plan ? (
        <Text dimColor>
          {filter ? `${formatCount(shownVolumes.length)} of ` : ''}
          {formatCount(plan.volumes.length)} volumes{filter ? ` match "${filter}"` : ''} · {formatCount(plan.totals.snapshots)} snapshots · {formatCount(plan.totals.delete)} to delete
        </Text>
      ) : null}
      {load.status === 'loading' && !firstLoad ? <Text color="yellow">  refreshing…</Text> : null}
    </Text>
  );
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      {heading}
      <Text dimColor wrap="truncate">
        {plan ? `policy: ${describePolicy(plan)}` : ' '}
      </Text>
      {load.status === 'error' ? <ErrorPanel title={plan ? 'Refresh failed: showing the last plan' : 'Could not list snapshots'} error={load.error} width={width} /> : null}
      {firstLoad ? null : drillId ? (
        <Table {...table} rows={shownDecisions} columns={decisionColumns} rowId={decisionRowId} rowColor={decisionColour} emptyText={noMatch} />
      ) : (
        <Table {...table} rows={shownVolumes} columns={volumeColumns} rowId={volumeRowId} emptyText={volumeRows.length === 0 ? 'no snapshots' : noMatch} />
      )}
    </Box>
  );
}

export const snapshotsPane: PaneDefinition = { id: 'snapshots', title: 'Snapshots', filterable: true, component: SnapshotsPane, legend: SNAPSHOTS_LEGEND };
