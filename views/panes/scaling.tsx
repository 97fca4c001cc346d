import React, { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Box, Text } from 'ink';
import type { AsgInstance, ScalingActivity, ScalingPolicy, ScheduledAction } from '../../src/cloud/ports.js';
import { loadDeadlineMs } from '../../src/core/context.js';
import { poolStates } from '../../src/haproxy/pool.js';
import { readGroupDetail, readStatus, SEED_TRIGGER, SEED_TRIGGER_SHORT, type GroupDetail, type ScalingStatus } from '../../src/scaling/status.js';
import { countClassic } from '../../src/scaling/classic-elb.js';
import { countTargets } from '../../src/scaling/targets.js';
import { latestLoader } from '../../src/store/latest.js';
import { listBindings, matchesFilter, selectedIndex } from '../../src/store/list.js';
import { type KeyBinding } from '../../src/store/session.js';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { Table, type Column } from '../components/Table.js';
import { refreshIntervalMs } from '../../src/store/refresh.js';
import { useAutoRefresh, usePaneKeys, useSession } from '../hooks.js';
import { changeLabel, changeProcesses, deletePolicy, shutdown, toggleProtection, toggleTarget } from './scaling-actions.js';
import { adjustForm, capacityForm, formTitle, policyForm, prescaleForm, submitForm, terminateForm, type Form } from './scaling-forms.js';
import { groupColour, instanceColour, policyColour, SCALING_LEGEND } from './scaling-colours.js';
import { ChecklistView, checklistChanges, moveChecklist, openChecklist, toggleChecked, type Checklist } from './scaling-processes.js';
import {
  activityColumns,
  FormView,
  groupColumns,
  instanceColumns,
  policyColumns,
  scheduledColumns,
  sparkline,
  targetColour,
  targetColumns,
  targetLbName,
  targetRows,
  type GroupRow,
} from './scaling-parts.js';
import type { PaneDefinition, PaneProps } from './types.js';
import { scalingAttention } from '../../src/scaling/attention.js';

/**
 * Scaling: every Auto Scaling group with its capacity, health, policies and
 * next scheduled action; Enter drills into a group (instances, activities,
 * policies, scheduled actions, load balancer targets: ←/→). `c` sets the
 * capacity, `p` pre-scales for a spike, `t` puts a target tracking policy,
 * `d` deletes the selected policy or drains/registers the selected target
 * or instance, `s`
 * opens the processes checklist, `P` toggles scale-in protection, `T`
 * terminates the selected instance (drained in HAProxy first), `X` runs the
 * safe shutdown: each shows its exact calls and asks first.
 */

const SECTIONS = ['instances', 'activities', 'policies', 'scheduled', 'targets'] as const;
type Section = (typeof SECTIONS)[number];
type Load<T> = { status: 'loading' | 'ok' | 'error'; value: T | undefined; error?: unknown };

const HISTORY = 20;
const groupId = (g: GroupRow): string => g.name;
const instanceId = (i: AsgInstance): string => i.id;
const activityId = (a: ScalingActivity): string => a.id;
const policyId = (p: ScalingPolicy): string => p.name;
const scheduledId = (a: ScheduledAction): string => a.name;
const targetId = (r: { key: string }): string => r.key;

/** "· targets 4/5 healthy" for the header; what could not be read, said instead of hidden. */
function targetsText(d: GroupDetail | undefined): string {
  if (!d) return '';
  const all = d.targetGroups?.flatMap((tg) => tg.targets) ?? [];
  const c = countTargets(all);
  const read = d.targetGroups?.length ? ` · targets ${c.healthy}/${all.length} healthy${c.draining ? `, ${c.draining} draining` : ''}` : '';
  const elbs = (d.classicElbs ?? []).map((lb) => {
    const k = countClassic(lb.instances);
    return ` · ${lb.name} ${k.inService}/${lb.instances.length} InService${k.outOfService ? `, ${k.outOfService} OutOfService` : ''}${k.draining ? `, ${k.draining} draining` : ''}`;
  });
  return `${read}${elbs.join('')}${d.extrasErrors?.length ? ` · not read: ${d.extrasErrors.join('; ')}` : ''}`;
}

type PoolLook = Awaited<ReturnType<typeof poolStates>>;

export function ScalingPane({ ctx, store, paneId, active, width, height }: PaneProps): React.ReactElement {
  const [load, setLoad] = useState<Load<ScalingStatus>>({ status: 'loading', value: undefined });
  const [detail, setDetail] = useState<Load<GroupDetail> & { name?: string; pool?: PoolLook }>({ status: 'ok', value: undefined });
  const [section, setSection] = useState<Section>('instances');
  const [form, setForm] = useState<Form | undefined>(undefined);
  const [checklist, setChecklist] = useState<Checklist | undefined>(undefined);
  const history = useRef(new Map<string, number[]>());
  const mounted = useRef(true);
  const drilled = detail.name;

  const loader = useMemo(
    () =>
      latestLoader(
        async () => {
          const cloud = await ctx.cloud();
          return readStatus(cloud.scaling, { now: ctx.clock.now(), source: cloud.kind, groups: ctx.config.scaling.groups });
        },
        (o) => {
          if (!mounted.current) return;
          if (!o.ok) return setLoad((l) => ({ status: 'error', value: l.value, error: o.error }));
          for (const g of o.value.groups) {
            const h = history.current.get(g.name) ?? [];
            h.push(g.desired);
            history.current.set(g.name, h.slice(-HISTORY));
          }
          setLoad({ status: 'ok', value: o.value });
          store.getState().markRefreshed(ctx.clock.now().getTime(), paneId);
        },
        { deadlineMs: loadDeadlineMs(ctx), what: 'listing Auto Scaling groups' },
      ),
    [ctx, store, paneId],
  );
  const nameRef = useRef<string | undefined>(undefined);
  const detailLoader = useMemo(
    () =>
      latestLoader(
        async () => {
          const name = nameRef.current ?? '';
          const cloud = await ctx.cloud();
          // the instances' HAProxy state beside their lifecycle; a pool that cannot be read leaves the group readable
          const [d, pool] = await Promise.all([
            readGroupDetail(cloud.scaling, name, { now: ctx.clock.now(), activities: ctx.config.scaling.activities, balancing: cloud.balancing, classicElb: cloud.classicElb, alarms: cloud.alarms }),
            poolStates(ctx).catch((e: unknown): PoolLook => ({ of: () => undefined, note: `HAProxy pool not read: ${e instanceof Error ? e.message : String(e)}` })),
          ]);
          return { name, d, pool };
        },
        (o) => {
          if (!mounted.current) return;
          if (o.ok) {
            if (o.value.name === nameRef.current) setDetail({ status: 'ok', value: o.value.d, name: o.value.name, pool: o.value.pool });
          } else setDetail((l) => ({ ...l, status: 'error', error: o.error }));
        },
        { deadlineMs: loadDeadlineMs(ctx), what: 'reading the group' },
      ),
    [ctx],
  );
  const refresh = useCallback(async (): Promise<void> => {
    setLoad((l) => ({ ...l, status: 'loading', error: undefined }));
    if (nameRef.current !== undefined) void detailLoader.request();
    await loader.request();
  }, [loader, detailLoader]);

  useEffect(() => {
    mounted.current = true;
    void refresh();
    return () => {
      mounted.current = false;
      loader.stop();
      detailLoader.stop();
    };
  }, [refresh, loader, detailLoader]);

  // an open form pauses it: a refresh must not move the group under what is being typed
  useAutoRefresh({ store, paneId, active, intervalMs: refreshIntervalMs(paneId, ctx.config), now: () => ctx.clock.now().getTime(), refresh, periodic: true, paused: !!form || !!checklist });

  const filter = useSession(store, (s) => s.slices[paneId]?.filter ?? '');
  const busy = useSession(store, (s) => s.busy);
  const cancelArmed = useRef(0);
  const selectedId = useSession(store, (s) => s.slices[paneId]?.selectedId);
  const status = load.value;
  const rows = useMemo<GroupRow[]>(() => (status ? status.groups.map((g) => ({ ...g, history: sparkline(history.current.get(g.name) ?? [], g.max) })) : []), [status]);
  // the filter matches what the table shows, in the groups list and in each list of a group
  const keep = useCallback(<T,>(rs: readonly T[], cols: readonly Column<T>[]): T[] => (filter === '' ? [...rs] : rs.filter((r) => matchesFilter(filter, cols.map((c) => c.get(r))))), [filter]);
  const shownGroups = useMemo(() => keep(rows, groupColumns), [rows, keep]);

  const d = detail.value;
  const nowMs = status ? Date.parse(status.at) : ctx.clock.now().getTime();
  const targets = useMemo(() => targetRows(d?.targetGroups, d?.classicElbs, d?.group.instances), [d]);
  const lists = useMemo(
    () =>
      d && {
        instances: keep(d.group.instances, instanceColumns(d.group, detail.pool)),
        activities: keep(d.activities, activityColumns(nowMs)),
        policies: keep(d.policies, policyColumns(d.alarms)),
        scheduled: keep(d.scheduled, scheduledColumns),
        targets: keep(targets, targetColumns),
      },
    [d, detail.pool, nowMs, targets, keep],
  );
  const sectionRows = useMemo((): { ids: string[]; total: number } => {
    if (!d || !lists) return { ids: [], total: 0 };
    switch (section) {
      case 'instances':
        return { ids: lists.instances.map(instanceId), total: d.group.instances.length };
      case 'activities':
        return { ids: lists.activities.map(activityId), total: d.activities.length };
      case 'policies':
        return { ids: lists.policies.map(policyId), total: d.policies.length };
      case 'scheduled':
        return { ids: lists.scheduled.map(scheduledId), total: d.scheduled.length };
      case 'targets':
        return { ids: lists.targets.map(targetId), total: targets.length };
    }
  }, [d, lists, section, targets]);
  const ids = useMemo(() => (drilled ? sectionRows.ids : shownGroups.map(groupId)), [drilled, sectionRows, shownGroups]);
  const selectedGroup = shownGroups[selectedIndex(ids, selectedId)];

  const select = (id: string | undefined): void => store.getState().updateSlice(paneId, { selectedId: id, filter: '' });
  const drill = (name: string): void => {
    nameRef.current = name;
    setSection('instances');
    setDetail({ status: 'loading', value: undefined, name });
    select(undefined);
    void detailLoader.request();
  };
  const back = (): void => {
    const name = nameRef.current;
    nameRef.current = undefined;
    setDetail({ status: 'ok', value: undefined });
    select(name);
  };
  // read-only opens the forms and reads their plans; the confirmation is what is refused
  const openForm = (make: (d: GroupDetail) => Form): void => {
    if (!d) return store.getState().setFlash('the group is still loading', 'warn');
    setForm(make(d));
  };
  const selectedRowId = ids[selectedIndex(ids, selectedId)];
  // an instance's details and its HAProxy actions live on the Fleet pane: go there rather than repeat them
  const openInFleet = (): void => {
    if (section !== 'instances' || !selectedRowId) return store.getState().setFlash('Enter opens an instance on the Fleet pane: select one in the instances list', 'info');
    const st = store.getState();
    const jump = st.verbs['instance'];
    if (jump) return jump.run(selectedRowId);
    st.updateSlice('fleet', { selectedId: selectedRowId, filter: '' });
    st.setActivePane('fleet');
  };
  const after = (p: Promise<boolean>): void => void p.then((ok) => ok && void refresh());
  const deleteOrDrain = (): void => {
    if (!d) return;
    if (section === 'policies' && selectedRowId !== undefined) return after(deletePolicy(ctx, store, d, selectedRowId));
    const row = section === 'targets' ? targets.find((r) => r.key === selectedRowId) : undefined;
    if (row) return after(toggleTarget(ctx, store, d, row.id, targetLbName(row), row.draining, row.kind));
    // an instance: drain it when it is a target, else register it with the (first) target group
    const tg = d.targetGroups?.[0];
    if (section === 'instances' && selectedRowId !== undefined && tg) {
      const as = targets.find((r) => r.kind === 'targetGroup' && r.id === selectedRowId && !r.draining);
      return after(toggleTarget(ctx, store, d, selectedRowId, as?.lb ?? tg.name, as === undefined));
    }
    store.getState().setFlash('d works on the policies list (delete), the targets or instances list (drain / register)', 'warn');
  };
  const terminate = (): void => {
    if (!d) return;
    if (section !== 'instances' || selectedRowId === undefined) return store.getState().setFlash('T works on the instances list: select an instance', 'warn');
    openForm((x) => terminateForm(x, selectedRowId));
  };
  const submitChecklist = (c: Checklist): void => {
    if (!d) return;
    const changes = checklistChanges(c);
    if (changes.suspend.length + changes.resume.length === 0) return store.getState().setFlash('nothing toggled: space toggles the selected process', 'warn');
    setChecklist(undefined);
    after(changeProcesses(ctx, store, d, changes));
  };
  const protect = (): void => {
    if (!d) return;
    if (section !== 'instances' || selectedRowId === undefined) return store.getState().setFlash('P works on the instances list: select an instance', 'warn');
    after(toggleProtection(ctx, store, d, selectedRowId));
  };
  const submit = async (f: Form): Promise<void> => {
    if (!d) return;
    setForm(undefined);
    if (await submitForm(ctx, store, d, f)) void refresh();
  };
  const adjust = (delta: number): void => setForm((f) => f && adjustForm(f, delta));

  const pageSize = (): number => Math.max(1, height - 4);
  let bindings: KeyBinding[];
  if (checklist) {
    bindings = [
      { keys: ['up', 'k'], label: 'process', footer: '↑↓ process', run: () => setChecklist((c) => c && moveChecklist(c, -1)) },
      { keys: ['down', 'j'], label: 'next process', footer: false, run: () => setChecklist((c) => c && moveChecklist(c, 1)) },
      { keys: [' ', 'x'], label: 'toggle suspended', footer: 'space toggle', run: () => setChecklist((c) => c && toggleChecked(c)) },
      { keys: ['enter'], label: 'plan the toggled ones…', run: () => submitChecklist(checklist) },
      { keys: ['escape'], label: 'back', run: () => setChecklist(undefined) },
    ];
  } else if (form) {
    bindings = [
      { keys: ['up', 'k'], label: 'field', footer: '↑↓ field', run: () => setForm((f) => f && { ...f, index: Math.max(0, f.index - 1) }) },
      { keys: ['down', 'j'], label: 'next field', footer: false, run: () => setForm((f) => f && { ...f, index: Math.min(f.fields.length - 1, f.index + 1) }) },
      { keys: ['+', 'right', 'l'], label: 'more', footer: '+/- change', run: () => adjust(1) },
      { keys: ['-', 'left', 'h'], label: 'less', footer: false, run: () => adjust(-1) },
      { keys: ['enter'], label: 'plan…', run: () => void submit(form) },
      { keys: ['escape'], label: 'back', run: () => setForm(undefined) },
    ];
  } else if (drilled) {
    const move = (by: number) => (): void => {
      setSection((s) => SECTIONS[(SECTIONS.indexOf(s) + by + SECTIONS.length) % SECTIONS.length] ?? 'instances');
      select(undefined);
    };
    bindings = [
      ...listBindings(store, paneId, () => ids, pageSize),
      { keys: ['right', 'l'], label: 'next list', footer: '←/→ lists', title: 'Show the next list of the group', run: move(1) },
      { keys: ['left', 'h'], label: 'previous list', footer: false, run: move(-1) },
      { keys: ['escape'], label: 'back', run: back },
      { keys: ['enter'], label: 'in Fleet', title: 'Open the selected instance on the Fleet pane: its details, its HAProxy server, drain / maint / ready', run: openInFleet },
      { keys: ['c'], label: 'capacity', title: 'Set the desired capacity, min and max (honouring the cooldown or not)', run: () => openForm(capacityForm) },
      { keys: ['p'], label: 'prescale', title: 'Pre-scale for a known spike (raise, then restore)', run: () => openForm(prescaleForm) },
      { keys: ['t'], label: 'policy', title: SEED_TRIGGER_SHORT, run: () => openForm((x) => policyForm(x, section === 'policies' ? selectedRowId : undefined)) },
      { keys: ['d'], label: 'delete/drain', title: 'Delete the selected policy; drain (deregister) the selected target (a target group or classic ELB row) or instance from the load balancer, or register it when it is not a target', run: deleteOrDrain },
      { keys: ['s'], label: 'processes', title: 'Suspend/resume processes: a checklist of the 9, suspended ones checked; space toggles, Enter plans the toggled ones', run: () => d && setChecklist(openChecklist(d.group.suspendedProcesses)) },
      { keys: ['T'], label: 'terminate', title: 'Terminate the selected instance (with or without a replacement); drained in HAProxy first when the pool holds it', run: terminate },
      { keys: ['P'], label: 'protect', title: 'Toggle scale-in protection of the selected instance', run: protect },
      { keys: ['X'], label: 'shutdown', title: 'Shut the group down in the safe order (typed confirmation)', run: () => d && void shutdown(ctx, store, d).then((ok) => ok && (back(), void refresh())) },
      { keys: ['r'], label: 'refresh', title: 'Refresh Auto Scaling', run: () => void refresh() },
    ];
  } else {
    bindings = [
      ...listBindings(store, paneId, () => ids, pageSize),
      { keys: ['enter'], label: 'group', title: "Show a group's instances, activities, policies and scheduled actions", run: () => selectedGroup && drill(selectedGroup.name) },
      { keys: ['r'], label: 'refresh', title: 'Refresh Auto Scaling', run: () => void refresh() },
    ];
  }
  // while a change applies, c cancels it (c twice: a stray c must not stop a drain or a shutdown)
  if (busy?.cancel && busy.label.startsWith(changeLabel(''))) {
    const cancel = busy.cancel;
    bindings = [
      {
        keys: ['c'],
        label: 'cancel (c twice)',
        title: `Cancel ${busy.label} between calls (press c again to confirm)`,
        run: () => {
          const now = Date.now();
          if (now - cancelArmed.current > 5_000) {
            cancelArmed.current = now;
            store.getState().setFlash(`press c again to cancel ${busy.label}`, 'warn');
            return;
          }
          cancel();
        },
      },
      ...bindings.filter((b) => !b.keys.includes('c')),
    ];
  }
  usePaneKeys(store, paneId, bindings);

  if (checklist && d) return <ChecklistView group={d.group.name} list={checklist} width={width} height={height} />;
  if (form && d) {
    return <FormView title={formTitle(form, d.group.name)} fields={form.fields} index={form.index} width={width} height={height} hint="+/- change · ↑/↓ field · Enter: show the plan · Esc: back" />;
  }

  const errorRows = load.status === 'error' || detail.status === 'error' ? 6 : 0;
  const tableHeight = Math.max(2, height - 2 - errorRows);
  if (drilled) {
    const g = d?.group;
    const table = { selectedId, width, height: tableHeight };
    const none = (text: string): string => (filter ? `nothing matches "${filter}" (Esc clears)` : text);
    const hooks = d?.hooks.map((h) => `${h.name} (${h.transition.replace('autoscaling:EC2_INSTANCE_', '').toLowerCase()})`).join(', ');
    return (
      <Box flexDirection="column" width={width} height={height} overflowY="hidden">
        <Text wrap="truncate">
          <Text bold>{drilled}</Text>{' '}
          {g ? (
            <Text dimColor>
              min {g.minSize} / desired {g.desiredCapacity} / max {g.maxSize} · {SECTIONS.map((s) => (s === section ? `[${s}]` : s)).join(' ')}
              {filter ? ` · ${sectionRows.ids.length} of ${sectionRows.total} match "${filter}"` : ''} (Esc back)
            </Text>
          ) : (
            <Text color="yellow">loading…</Text>
          )}
        </Text>
        <Text dimColor wrap="truncate">
          {g ? `template ${g.launchTemplate ?? '-'} v${g.launchTemplateVersion ?? '?'}${d?.summary.suspended.length ? ` · suspended ${d.summary.suspended.join(',')}` : ''}${hooks ? ` · hooks ${hooks}` : ''}${targetsText(d)}${detail.pool?.note ? ` · ${detail.pool.note}` : ''}` : ' '}
        </Text>
        {detail.status === 'error' ? <ErrorPanel title="Could not read the group" error={detail.error} width={width} /> : null}
        {!d || !g || !lists ? null : section === 'instances' ? (
          <Table {...table} rows={lists.instances} columns={instanceColumns(g, detail.pool)} rowId={instanceId} rowColor={instanceColour} emptyText={none('no instances')} />
        ) : section === 'activities' ? (
          <Table {...table} rows={lists.activities} columns={activityColumns(nowMs)} rowId={activityId} emptyText={none('no recent activities')} />
        ) : section === 'policies' ? (
          <Table {...table} rows={lists.policies} columns={policyColumns(d.alarms)} rowId={policyId} rowColor={policyColour(d.alarms)} emptyText={none(`no scaling policies · ${SEED_TRIGGER[1]}`)} />
        ) : section === 'targets' ? (
          <Table {...table} rows={lists.targets} columns={targetColumns} rowId={targetId} rowColor={targetColour} emptyText={none(d.targetGroups === undefined && d.classicElbs === undefined ? 'targets not read (no load balancing access)' : 'attached to no load balancer')} />
        ) : (
          <Table {...table} rows={lists.scheduled} columns={scheduledColumns} rowId={scheduledId} emptyText={none('no scheduled actions (p pre-scales for a spike)')} />
        )}
      </Box>
    );
  }

  const firstLoad = load.status === 'loading' && !status;
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Text wrap="truncate">
        <Text bold>Scaling</Text>{' '}
        {firstLoad ? <Text color="yellow">listing Auto Scaling groups…</Text> : status ? <Text dimColor>{filter ? `${shownGroups.length} of ` : ''}{status.groups.length} group{status.groups.length === 1 ? '' : 's'} · {status.groups.reduce((a, g) => a + g.counts.inService, 0)} instances in service</Text> : null}
        {load.status === 'loading' && !firstLoad ? <Text color="yellow">  refreshing…</Text> : null}
      </Text>
      <Text dimColor wrap="truncate">
        {SEED_TRIGGER[1]}
      </Text>
      {load.status === 'error' ? <ErrorPanel title={status ? 'Refresh failed: showing the last list' : 'Could not list Auto Scaling groups'} error={load.error} width={width} /> : null}
      {firstLoad ? null : (
        <Table rows={shownGroups} columns={groupColumns} rowId={groupId} rowColor={groupColour} selectedId={selectedId} width={width} height={tableHeight} emptyText={rows.length === 0 ? 'no Auto Scaling groups' : `nothing matches "${filter}" (Esc clears)`} />
      )}
    </Box>
  );
}

export const scalingPane: PaneDefinition = { id: 'scaling', title: 'Scaling', filterable: true, component: ScalingPane, legend: SCALING_LEGEND, attention: scalingAttention };
