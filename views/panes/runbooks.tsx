import React, { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { Box, Text } from 'ink';
import { defaultOf, formProblem, resolveInputs, type InputValues } from '../../src/runbooks/inputs.js';
import { listRuns, type RunRecord } from '../../src/runbooks/journal.js';
import { RunController, type Question } from '../../src/runbooks/live.js';
import { findRunbook, loadCatalog, type Catalog, type LoadedRunbook } from '../../src/runbooks/load.js';
import { planSteps } from '../../src/runbooks/render.js';
import { planLines, resumable, runRow } from '../../src/runbooks/report.js';
import { runbookWorld, type RunbookWorld } from '../../src/runbooks/world.js';
import { listBindings, scrollBindings, selectedIndex } from '../../src/store/list.js';
import { refuseIfReadOnly, type KeyBinding, type SessionStore } from '../../src/store/session.js';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { Table, type Column } from '../components/Table.js';
import { wrapHanging, wrapMessage } from '../format.js';
import { usePaneKeys, useSession } from '../hooks.js';
import { FormView, RUNBOOKS_LEGEND, RunView, type FormField } from './runbooks-parts.js';
import type { PaneDefinition, PaneProps } from './types.js';

/**
 * Runbooks: pick a runbook, fill its inputs (checked as you type), read the
 * rendered plan, run it step by step with confirmations where the runbook
 * asks, watch each step's output, cancel (c twice), resume unfinished runs.
 * The run lives in a RunController kept per session, so switching panes (or
 * Esc back to the list) leaves it going.
 */
type Mode =
  | { kind: 'list' }
  | { kind: 'runs' }
  | { kind: 'form'; loaded: LoadedRunbook; fields: FormField[]; index: number }
  | { kind: 'plan'; loaded: LoadedRunbook; inputs: InputValues; lines: string[]; back: Mode }
  | { kind: 'run' };

interface Data {
  catalog: Catalog | undefined;
  runs: RunRecord[];
  world: RunbookWorld | undefined;
  error: unknown;
}

const runs = new WeakMap<SessionStore, RunController>();
const NO_RUN = { subscribe: () => () => {}, get: () => undefined };

const rbColumns: Column<LoadedRunbook & { last: string }>[] = [
  { key: 'name', title: 'NAME', get: (r) => r.runbook.name, priority: 4 },
  { key: 'title', title: 'TITLE', get: (r) => r.runbook.title, priority: 2 },
  { key: 'steps', title: 'STEPS', get: (r) => String(r.runbook.steps.length), align: 'right', priority: 1 },
  // how the last run ended (refused, stopped, interrupted) is the news: whole before the title, which the name already gives
  { key: 'last', title: 'LAST RUN', get: (r) => r.last, minWidth: 11, priority: 3 },
];
const runColumns: Column<RunRecord>[] = [
  { key: 'id', title: 'RUN', get: (r) => r.head.runId, priority: 3 },
  { key: 'status', title: 'STATUS', get: (r) => `${r.status}${resumable(r) ? ' ↻' : ''}`, priority: 2 },
  { key: 'steps', title: 'STEPS', get: (r) => runRow(r).steps, align: 'right', priority: 1 },
  { key: 'started', title: 'STARTED', get: (r) => r.startedAt.slice(0, 19).replace('T', ' ') },
];

function fieldsFor(loaded: LoadedRunbook, world: RunbookWorld): FormField[] {
  return Object.entries(loaded.runbook.inputs).map(([name, spec]) => {
    const value = defaultOf(spec, world.inventory) ?? '';
    return { name, spec, value, problem: formProblem(name, spec, value, world.inventory) };
  });
}

export function RunbooksPane({ ctx, store, paneId, active, width, height }: PaneProps): React.ReactElement {
  const [data, setData] = useState<Data>({ catalog: undefined, runs: [], world: undefined, error: undefined });
  const [mode, setMode] = useState<Mode>(() => (runs.get(store) ? { kind: 'run' } : { kind: 'list' }));
  const [planOffset, setPlanOffset] = useState(0);
  const [stepSel, setStepSel] = useState<string | undefined>(undefined);
  const [scroll, setScroll] = useState(0);
  const cancelArmed = useRef(false);
  const asked = useRef<Question | undefined>(undefined);
  const [controller, setController] = useState<RunController | undefined>(() => runs.get(store));

  const reload = useCallback(async () => {
    try {
      const world = await runbookWorld(ctx, { latencyMs: ctx.options.sandbox ? 120 : 0 });
      const [catalog, { runs: history }] = await Promise.all([loadCatalog(), listRuns(world.runsDir)]);
      setData({ catalog, runs: history, world, error: undefined });
      store.getState().markRefreshed(ctx.clock.now().getTime(), paneId);
    } catch (error) {
      setData((d) => ({ ...d, error }));
    }
  }, [ctx, store, paneId]);
  useEffect(() => {
    void reload();
  }, [reload]);

  const c = controller;
  const live = useSyncExternalStore(c ? (fn) => c.subscribe(fn) : NO_RUN.subscribe, c ? () => c.snapshot() : NO_RUN.get);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!live || live.outcome || !active) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [live, active]);

  // The run's questions open as dialogs only on this pane: elsewhere the footer says the run waits.
  const overlayOpen = useSession(store, (s) => s.overlay !== undefined);
  useEffect(() => {
    const q = live?.question;
    if (!q || asked.current === q) return;
    if (!active) {
      store.getState().setFlash(`runbook ${live.runbook} waits for you on the Runbooks pane`, 'warn');
      return;
    }
    if (overlayOpen) return;
    asked.current = q;
    void answer(store, q);
  }, [live?.question, active, overlayOpen, store, live?.runbook]);

  // The tab says a run is going, or waits for an answer, from any pane.
  const waiting = Boolean(live?.question);
  const going = Boolean(live && !live.outcome && !live.error);
  useEffect(
    () => store.getState().setAttention(paneId, waiting ? { level: 'bad', text: 'waits for you' } : going ? { level: 'running', text: 'running' } : undefined),
    [store, paneId, waiting, going],
  );

  // Follow the running step unless the person chose another.
  const followed = useRef(true);
  useEffect(() => {
    if (live?.running && followed.current) setStepSel(live.running);
  }, [live?.running]);

  useEffect(() => {
    if (!c) return;
    if (live?.outcome || live?.error) {
      store.getState().setBusy(undefined);
      void reload();
    } else store.getState().setBusy({ label: `runbook ${live?.runbook ?? ''}`, cancel: () => c.cancel() });
  }, [c, live?.outcome, live?.error, live?.runbook, store, reload]);

  const start = useCallback(
    async (loaded: LoadedRunbook, inputs: InputValues, resume?: RunRecord) => {
      const world = data.world;
      if (!world) return;
      const cur = runs.get(store);
      if (cur && !cur.finished) {
        store.getState().setFlash(`a run of ${cur.snapshot().runbook} is still going: one run at a time`, 'warn');
        return;
      }
      const req = { loaded, inputs, ...(resume ? { resume } : {}) };
      const next = new RunController(req);
      runs.set(store, next);
      setController(next);
      followed.current = true;
      setScroll(0);
      setMode({ kind: 'run' });
      void next.start(req, { executors: world.executors(), inventory: world.inventory, audit: ctx.audit, clock: ctx.clock, lockDir: world.lockDir, runsDir: world.runsDir });
    },
    [data.world, store, ctx],
  );

  const catalogRows = useMemo(
    () =>
      (data.catalog?.runbooks ?? []).map((r) => {
        const last = data.runs.find((x) => x.head.runbook === r.runbook.name);
        return { ...r, last: last ? `${last.status} ${last.startedAt.slice(0, 16).replace('T', ' ')}` : 'never' };
      }),
    [data.catalog, data.runs],
  );
  const selectedId = useSession(store, (s) => s.slices[paneId]?.selectedId);
  const runsSelected = useSession(store, (s) => s.slices[`${paneId}:runs`]?.selectedId);
  const runIds = useMemo(() => data.runs.map((r) => r.head.runId), [data.runs]);
  const rbIds = useMemo(() => catalogRows.map((r) => r.runbook.name), [catalogRows]);
  const unfinished = data.runs.filter(resumable).length;

  const open = (name: string): void => {
    if (!data.catalog || !data.world) return;
    let loaded: LoadedRunbook;
    try {
      loaded = findRunbook(data.catalog, name);
    } catch (e) {
      store.getState().setFlash(e instanceof Error ? e.message : String(e), 'error');
      return;
    }
    const fields = fieldsFor(loaded, data.world);
    if (fields.length === 0) showPlan(loaded, {}, { kind: 'list' });
    else setMode({ kind: 'form', loaded, fields, index: 0 });
  };
  const showPlan = (loaded: LoadedRunbook, given: Record<string, string>, back: Mode): void => {
    const world = data.world;
    if (!world) return;
    let inputs: InputValues;
    try {
      inputs = resolveInputs(loaded.runbook, given, world.inventory);
    } catch (e) {
      store.getState().setFlash(e instanceof Error ? e.message : String(e), 'error');
      return;
    }
    const secret = new Set(Object.entries(loaded.runbook.inputs).filter(([, s]) => s.secret).map(([k]) => k));
    const steps = planSteps(loaded.runbook, world.inventory, { inputs, secretInputs: secret, outputs: new Map(), statuses: new Map(), runId: '<run id>', rehearsal: world.rehearsal });
    setPlanOffset(0);
    setMode({ kind: 'plan', loaded, inputs, lines: planLines(loaded, inputs, secret, steps, world.rehearsal), back });
  };
  const editField = async (m: Extract<Mode, { kind: 'form' }>): Promise<void> => {
    const world = data.world;
    const f = m.fields[m.index];
    if (!world) return;
    if (!f) {
      const bad = m.fields.find((x) => x.problem !== undefined);
      if (bad) {
        store.getState().setFlash(`${bad.name}: ${bad.problem ?? ''}: fix it first`, 'warn');
        return;
      }
      showPlan(m.loaded, Object.fromEntries(m.fields.map((x) => [x.name, x.value])), m);
      return;
    }
    const validate = (v: string): string | undefined => formProblem(f.name, f.spec, v, world.inventory);
    const known = f.spec.type === 'host' ? Object.keys(world.inventory.hosts) : f.spec.type === 'mysql' ? Object.keys(world.inventory.mysql) : [];
    const value = await store.getState().prompt({
      title: `${m.loaded.runbook.title}: ${f.name}`,
      label: `${f.name} (${f.spec.type})`,
      help: [f.spec.help, ...(known.length ? [`known: ${known.join(', ')}`] : []), ...(f.spec.type === 'string' && f.spec.pattern ? [`pattern: ${f.spec.pattern}`] : [])],
      initial: f.value,
      validate,
      secret: f.spec.secret,
    });
    if (value === undefined) return;
    setMode((cur) => (cur.kind === 'form' ? { ...cur, fields: cur.fields.map((x) => (x.name === f.name ? { ...x, value, problem: validate(value) } : x)), index: Math.min(cur.index + 1, cur.fields.length) } : cur));
  };

  const run = live;
  const outputOf = c && run ? c.lines(stepSel ?? run.running ?? run.steps[0]?.id ?? '') : { lines: [], dropped: 0 };
  const bodyHeight = height;
  // the plan wrapped at the pane's width: a step's flags and a long command are read whole, and scrolling counts screen lines
  const planText = mode.kind === 'plan' ? mode.lines : undefined;
  const planRows = useMemo(() => (planText ?? []).flatMap((l) => wrapHanging(l, width)), [planText, width]);

  const bindings: KeyBinding[] = [];
  if (mode.kind === 'list') {
    bindings.push(...listBindings(store, paneId, () => rbIds, () => bodyHeight - 3));
    bindings.push({ keys: ['enter'], label: 'open', title: 'Open the selected runbook', run: () => open(rbIds[selectedIndex(rbIds, store.getState().slice(paneId).selectedId)] ?? '') });
    bindings.push({ keys: ['u'], label: `runs${unfinished ? ` (${unfinished} unfinished)` : ''}`, title: 'Run history and unfinished runs', run: () => setMode({ kind: 'runs' }) });
    if (c) bindings.push({ keys: ['v'], label: 'view run', title: 'Show the current run', run: () => setMode({ kind: 'run' }) });
    bindings.push({ keys: ['r'], label: 'reload', footer: false, run: () => void reload() });
  } else if (mode.kind === 'runs') {
    bindings.push(...listBindings(store, `${paneId}:runs`, () => runIds, () => bodyHeight - 3));
    bindings.push({
      keys: ['enter'],
      label: 'resume',
      title: 'Resume the selected run',
      run: () => {
        const rec = data.runs[selectedIndex(runIds, store.getState().slice(`${paneId}:runs`).selectedId)];
        if (!rec || !data.catalog || !data.world) return;
        if (!resumable(rec)) return store.getState().setFlash(`run ${rec.head.runId} is ${rec.status}: nothing to resume`, 'info');
        if (refuseIfReadOnly(store, 'resuming a run')) return;
        void (async () => {
          const loaded = findRunbook(data.catalog as Catalog, rec.head.runbook);
          const done = [...rec.finished.values()].filter((f) => f.status === 'done').length;
          const ok = await store.getState().confirm({ title: `Resume ${rec.head.runbook}?`, body: [`run ${rec.head.runId} (${rec.status})`, `${done} of ${loaded.runbook.steps.length} steps done: they do not run again`, ...(rec.unknown.length ? [`${rec.unknown.join(', ')} was running when it stopped: its verify probe decides`] : [])], confirmLabel: 'Resume' });
          if (!ok) return;
          const raw = Object.fromEntries(Object.entries(rec.head.inputs).map(([k, v]) => [k, String(v)]));
          try {
            await start(loaded, resolveInputs(loaded.runbook, raw, (data.world as RunbookWorld).inventory), rec);
          } catch (e) {
            store.getState().setFlash(e instanceof Error ? e.message : String(e), 'error');
          }
        })();
      },
    });
    bindings.push({ keys: ['escape'], label: 'back', run: () => setMode({ kind: 'list' }) });
  } else if (mode.kind === 'form') {
    const move = (d: number) => (): void => setMode((cur) => (cur.kind === 'form' ? { ...cur, index: Math.max(0, Math.min(cur.fields.length, cur.index + d)) } : cur));
    bindings.push({ keys: ['j', 'down'], label: 'down', footer: 'j/k move', run: move(1) }, { keys: ['k', 'up'], label: 'up', footer: false, run: move(-1) });
    bindings.push({ keys: ['enter'], label: 'edit / plan', title: 'Edit the field, or review the plan', run: () => void editField(mode) });
    bindings.push({ keys: ['escape'], label: 'back', run: () => setMode({ kind: 'list' }) });
  } else if (mode.kind === 'plan') {
    const max = (): number => Math.max(0, planRows.length - (bodyHeight - 1));
    bindings.push(...scrollBindings(() => planOffset, setPlanOffset, () => bodyHeight - 1, max));
    bindings.push({
      keys: ['enter'],
      label: 'run',
      title: 'Run this runbook step by step',
      run: () => {
        if (refuseIfReadOnly(store, 'running a runbook')) return;
        void (async () => {
          const n = mode.loaded.runbook.steps.length;
          const ok = await store.getState().confirm({ title: `Run ${mode.loaded.runbook.title}?`, body: [`${n} steps, one at a time; each step marked confirm asks again before it runs`, data.world?.rehearsal ? 'a rehearsal on the sandbox: nothing real is touched' : 'on the real hosts in your config'], confirmLabel: 'Start' });
          if (ok) await start(mode.loaded, mode.inputs);
        })();
      },
    });
    bindings.push({ keys: ['escape'], label: 'back', run: () => setMode(mode.back) });
  } else if (run && c) {
    const ids = run.steps.map((s) => s.id);
    const moveStep = (d: number) => (): void => {
      followed.current = false;
      const i = Math.max(0, Math.min(ids.length - 1, ids.indexOf(stepSel ?? run.running ?? ids[0] ?? '') + d));
      setStepSel(ids[i]);
      setScroll(0);
    };
    const outMax = (): number => Math.max(0, outputOf.lines.length - 1);
    bindings.push({ keys: ['j', 'down'], label: 'down', footer: 'j/k step', run: moveStep(1) }, { keys: ['k', 'up'], label: 'up', footer: false, run: moveStep(-1) });
    bindings.push({ keys: ['pageup', 'ctrl-b'], label: 'older output', footer: 'PgUp/PgDn output', run: () => setScroll((s) => Math.min(outMax(), s + 10)) });
    bindings.push({ keys: ['pagedown', 'ctrl-f'], label: 'newer output', footer: false, run: () => setScroll((s) => Math.max(0, s - 10)) });
    if (!c.finished) {
      bindings.push({
        keys: ['c'],
        label: cancelArmed.current ? 'press c again to cancel' : 'cancel',
        title: 'Cancel the run (it stays resumable)',
        run: () => {
          if (!cancelArmed.current) {
            cancelArmed.current = true;
            store.getState().setFlash('press c again to cancel the run (the running step is stopped; the run can be resumed)', 'warn');
            return;
          }
          cancelArmed.current = false;
          c.cancel();
        },
      });
    }
    bindings.push({
      keys: ['escape'],
      label: 'back',
      run: () => {
        if (!c.finished) store.getState().setFlash(`the run goes on; v shows it again`, 'info');
        setMode({ kind: 'list' });
      },
    });
    if (c.finished) bindings.push({ keys: ['enter'], label: 'done', run: () => setMode({ kind: 'list' }) });
  }
  usePaneKeys(store, paneId, bindings);

  if (data.error) return <ErrorPanel title="Runbooks did not load" error={data.error} width={width} />;
  if (!data.catalog || !data.world) return <Text dimColor>loading runbooks…</Text>;

  if (mode.kind === 'form') return <FormView title={mode.loaded.runbook.title} fields={mode.fields} index={mode.index} width={width} height={height} />;
  if (mode.kind === 'plan') {
    return (
      <Box flexDirection="column" width={width} height={height} overflowY="hidden">
        {planRows.slice(planOffset, planOffset + height).map((l, i) => (
          <Text key={i} wrap="truncate">
            {l === '' ? ' ' : l}
          </Text>
        ))}
      </Box>
    );
  }
  if (mode.kind === 'run' && run) {
    return <RunView run={run} selected={stepSel ?? run.running} output={outputOf.lines} dropped={outputOf.dropped} scroll={scroll} width={width} height={height} now={now} />;
  }
  if (mode.kind === 'runs') {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <Text bold wrap="truncate">
          Runs ({data.runs.length}; {unfinished} unfinished, marked ↻: Enter resumes)
        </Text>
        <Table rows={data.runs} columns={runColumns} rowId={(r) => r.head.runId} selectedId={runsSelected} width={width} height={height - 1} emptyText="No runs yet" />
      </Box>
    );
  }
  const broken = data.catalog.broken;
  const chosen = catalogRows[selectedIndex(rbIds, selectedId)];
  // what the selected runbook does, as its author wrote it: the first lines that fit
  // rewrapped to the width: at 60 columns the author's lines would be cut mid-sentence
  const about = wrapMessage((chosen?.runbook.description ?? '').trim().replace(/\s*\n\s*/g, ' '), Math.max(10, width - 2), Math.max(0, Math.min(4, height - 8)));
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Table rows={catalogRows} columns={rbColumns} rowId={(r) => r.runbook.name} selectedId={selectedId} width={width} height={height - 1 - about.length - (broken.length ? 1 : 0)} emptyText="No runbooks" />
      {about.map((l, i) => (
        <Text key={i} dimColor wrap="truncate">
          {'  '}
          {l}
        </Text>
      ))}
      {broken.length ? (
        <Text color="yellow" wrap="truncate">
          {broken.length} runbook file{broken.length === 1 ? '' : 's'} did not load: {broken.map((b) => b.error.details[0] ?? b.error.message).join('; ')}
        </Text>
      ) : null}
      <Text dimColor wrap="truncate">
        {unfinished ? `${unfinished} unfinished run${unfinished === 1 ? '' : 's'}: u lists them` : 'u: run history'}
        {c && !c.finished ? ` · a run of ${live?.runbook ?? ''} is going: v shows it` : ''}
      </Text>
    </Box>
  );
}

/** The run's question as the shell's confirm dialog: typed where the runbook says, focus on Cancel otherwise. */
async function answer(store: SessionStore, q: Question): Promise<void> {
  const s = store.getState();
  const user = process.env.USER || 'tui';
  if (q.kind === 'approve') {
    const manual = q.step.kind === 'manual';
    const typed = typeof q.step.confirm === 'object' ? q.step.confirm.typed : undefined;
    const ok = await s.confirm({
      title: manual ? `Do this by hand: ${q.step.title}` : `Run step: ${q.step.title}?`,
      body: [...q.rendered.shown, ...(manual ? ['', 'Confirm when it is done; Cancel stops the run here (it can be resumed).'] : ['', 'Cancel stops the run before this step (it can be resumed).'])],
      confirmLabel: manual ? 'Done' : 'Run step',
      ...(typed ? { typed, destructive: true } : {}),
    });
    q.answer(ok ? { by: user, via: 'tui', ...(typed ? { typed } : {}) } : undefined);
    return;
  }
  const body = [`${q.step.title} was running when the run stopped.`, q.verified ? `Its verify probe says it is not done: ${q.verified.detail}` : 'It has no verify probe: opsdeck cannot tell whether it finished.'];
  if (await s.confirm({ title: `Run ${q.step.id} again?`, body, confirmLabel: 'Run again' })) return q.answer('retry');
  if (await s.confirm({ title: `Treat ${q.step.id} as done and go on?`, body: ['Only if you checked on the host that its effect is there.'], confirmLabel: 'Skip it' })) return q.answer('skip');
  q.answer('abort');
}

export const runbooksPane: PaneDefinition = { id: 'runbooks', title: 'Runbooks', component: RunbooksPane, legend: RUNBOOKS_LEGEND };

