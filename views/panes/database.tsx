import React, { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Box, Text } from 'ink';
import { loadDeadlineMs } from '../../src/core/context.js';
import { databaseFleet } from '../../src/database/index.js';
import { databaseAttention } from '../../src/database/attention.js';
import { serverDrift, type DriftReport } from '../../src/database/drift.js';
import { LAG_WARN_SECONDS, topologyLines, type ServerHealth } from '../../src/database/health.js';
import { liveVariables } from '../../src/database/live.js';
import { listBindings, selectedIndex } from '../../src/store/list.js';
import { latestLoader } from '../../src/store/latest.js';
import type { KeyBinding } from '../../src/store/session.js';
import { DetailsView, detailRows, detailScrollBindings, type DetailRow } from '../components/DetailsView.js';
import { ErrorPanel } from '../components/ErrorPanel.js';
import { Table, type Column } from '../components/Table.js';
import { cellWidth, fit, formatDuration, wrapMessage } from '../format.js';
import { refreshIntervalMs } from '../../src/store/refresh.js';
import { useAutoRefresh, usePaneKeys, useSession } from '../hooks.js';
import type { LegendEntry, PaneDefinition, PaneProps } from './types.js';

/**
 * Database: every MySQL server, its role, replication threads and lag (with
 * this session's lag history), coloured by a verdict; Enter shows one server
 * in full. Refreshes every DATABASE_REFRESH_MS (src/store/refresh.ts) while on
 * screen, at once on coming back to older data, and on `r`.
 */
const HISTORY = 20;
const SPARK = '▁▂▃▄▅▆▇█';
/** A read with no lag to draw (NULL, or no answer): never drawn as a 0, or a broken replica's history looks healthy. */
const NO_LAG = '×';

/** Each verdict's colour, mark and meaning: the rows and the `?` legend read this one table. */
const VERDICTS: Record<ServerHealth['health'], { color: string; mark: string; meaning: string }> = {
  ok: { color: 'green', mark: '✓', meaning: 'ok: a source, or a replica with both threads running and little lag' },
  lagging: { color: 'yellow', mark: '~', meaning: `lagging: replicating, but over ${LAG_WARN_SECONDS}s behind or lag unknown (reads there are stale)` },
  broken: { color: 'red', mark: '✗', meaning: 'broken: a replication thread stopped or an error (WHY says which)' },
  unreachable: { color: 'red', mark: '?', meaning: 'unreachable: no answer or login refused (WHY says which)' },
};
const COLOUR = (h: ServerHealth['health']): string => VERDICTS[h].color;
const MARK = (h: ServerHealth['health']): string => VERDICTS[h].mark;

export const DATABASE_LEGEND: readonly LegendEntry[] = [
  ...Object.values(VERDICTS).map((v) => ({ mark: v.mark, color: v.color, meaning: v.meaning })),
  { mark: SPARK, meaning: `LAG HISTORY: this session's lag, last ${HISTORY} reads, tallest = the most` },
  { mark: NO_LAG, meaning: 'LAG HISTORY: a read with no lag, NULL or no answer' },
  { mark: 'NULL', meaning: 'LAG: the server does not know (a thread is stopped)' },
  { mark: 'RO', meaning: 'read_only on the server: yes on a replica, no on the source' },
];

/** Lag per read, null where there was none to read. */
type LagHistory = (number | null)[];

function spark(xs: Readonly<LagHistory>): string {
  const max = Math.max(1, ...xs.filter((x): x is number => x !== null));
  return xs.map((x) => (x === null ? NO_LAG : (SPARK[Math.min(SPARK.length - 1, Math.round((x / max) * (SPARK.length - 1)))] ?? ' '))).join('');
}

type Row = ServerHealth & { history: string };
/** The details' label column: 'replicates from' and a space, so values line up whether or not a server replicates. */
const LABELS = 16;

const columns: Column<Row>[] = [
  { key: 'name', title: 'SERVER', get: (s) => s.name, minWidth: 10, priority: 5 },
  { key: 'health', title: 'HEALTH', get: (s) => `${MARK(s.health)} ${s.health}`, minWidth: 9, priority: 6 },
  { key: 'role', title: 'ROLE', get: (s) => s.role, minWidth: 7, priority: 3 },
  { key: 'threads', title: 'IO/SQL', get: (s) => (s.replica ? `${s.replica.io}/${s.replica.sql}` : ''), minWidth: 7, priority: 4 },
  { key: 'lag', title: 'LAG', get: (s) => (s.replica ? (s.replica.behind === null ? 'NULL' : `${s.replica.behind}s`) : ''), align: 'right', minWidth: 4, priority: 4 },
  { key: 'history', title: 'LAG HISTORY', get: (s) => s.history, minWidth: 11, maxWidth: HISTORY, priority: 1 },
  { key: 'ro', title: 'RO', get: (s) => (s.readOnly === undefined ? '' : s.readOnly ? 'yes' : 'no'), minWidth: 3, priority: 1 },
  { key: 'version', title: 'VERSION', get: (s) => s.version, priority: 0 },
  // why a server needs attention is the point of the pane: it keeps a readable width and the sparkline and RO go first
  { key: 'why', title: 'WHY', get: (s) => s.why, minWidth: 16, priority: 2 },
];

export function DatabasePane({ ctx, store, paneId, active, width, height }: PaneProps): React.ReactElement {
  const [servers, setServers] = useState<ServerHealth[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [details, setDetails] = useState<string | undefined>(undefined);
  const [drift, setDrift] = useState<{ source: string; replica: string; report: DriftReport } | undefined>(undefined);
  const [offset, setOffset] = useState(0);
  const history = useRef(new Map<string, LagHistory>());
  const mounted = useRef(true);

  const loader = useMemo(
    () =>
      latestLoader(
        async () => (await databaseFleet(ctx)).probeAll(),
        (o) => {
          if (!mounted.current) return;
          if (!o.ok) return setError(o.error);
          for (const s of o.value) {
            // a source has no lag; a replica that did not answer has none to read
            if (!s.replica && s.health !== 'unreachable') continue;
            const h = history.current.get(s.name) ?? [];
            h.push(s.replica ? s.replica.behind : null);
            history.current.set(s.name, h.slice(-HISTORY));
          }
          setError(undefined);
          setServers(o.value);
          store.getState().markRefreshed(ctx.clock.now().getTime(), paneId);
        },
        { deadlineMs: loadDeadlineMs(ctx), what: 'probing the MySQL servers' },
      ),
    [ctx, store, paneId],
  );
  const refresh = useCallback(() => void loader.request(), [loader]);
  useEffect(() => {
    mounted.current = true;
    refresh();
    return () => {
      mounted.current = false;
      loader.stop();
    };
  }, [refresh, loader]);
  useAutoRefresh({ store, paneId, active, intervalMs: refreshIntervalMs(paneId, ctx.config), now: () => ctx.clock.now().getTime(), refresh, periodic: true });

  // a broken replica shows on the tab from any pane; set on every load, since the hidden-pane probe may have set another count meanwhile
  const broken = (servers ?? []).filter((x) => x.health === 'broken' || x.health === 'unreachable').length;
  useEffect(() => {
    if (servers) store.getState().setAttention(paneId, broken > 0 ? { level: 'bad', text: `${broken} broken` } : undefined);
  }, [store, paneId, broken, servers]);

  const rows = useMemo<Row[]>(() => (servers ?? []).map((s) => ({ ...s, history: s.replica ? spark(history.current.get(s.name) ?? []) : '' })), [servers]);
  const ids = useMemo(() => rows.map((r) => r.name), [rows]);
  const selectedId = useSession(store, (s) => s.slices[paneId]?.selectedId);
  const selected = rows[selectedIndex(ids, selectedId)];
  const shown = details ? rows.find((r) => r.name === details) : undefined;

  const view = useMemo(() => (drift ? driftRows(drift, width) : shown ? serverRows(shown, rows, history.current, width) : undefined), [drift, shown, rows, width]);
  useEffect(() => setOffset(0), [drift, details]);

  const compare = (): void => {
    if (!selected) return;
    const source = selected.replica ? rows.find((r) => r.address === selected.replica?.source) : undefined;
    if (!source) {
      store.getState().setFlash(`${selected.name} is not a replica of a server in the list: for its my.cnf use opsdeck db drift --target ${selected.name} --cnf PATH`, 'info');
      return;
    }
    void (async () => {
      try {
        const [a, b] = await Promise.all([liveVariables(ctx, source.name), liveVariables(ctx, selected.name)]);
        setDrift({ source: source.name, replica: selected.name, report: serverDrift(a.vars, b.vars, [source.name, selected.name]) });
      } catch (e) {
        store.getState().setFlash(`drift: ${e instanceof Error ? e.message : String(e)}`, 'error');
      }
    })();
  };

  const scroll = view ? detailScrollBindings(view.rows.length, height, () => offset, setOffset) : [];
  const bindings: KeyBinding[] = drift
    ? [{ keys: ['escape'], label: 'back', run: () => setDrift(undefined) }, ...scroll]
    : shown
    ? [
        { keys: ['escape'], label: 'back', run: () => setDetails(undefined) },
        // the row's own action from its details, as the list offers it
        ...(shown.replica ? [{ keys: ['d'], label: 'drift', title: "Compare this replica's settings with its source", run: compare }] : []),
        { keys: ['r'], label: 'refresh', footer: false, run: refresh },
        ...scroll,
      ]
    : [
        ...listBindings(store, paneId, () => ids, () => height - 2),
        { keys: ['enter'], label: 'details', title: 'Show the selected server in full', run: () => selected && setDetails(selected.name) },
        { keys: ['d'], label: 'drift', title: 'Compare the selected replica\'s settings with its source', run: compare },
        { keys: ['r'], label: 'refresh', title: 'Probe the MySQL servers again', footer: false, run: refresh },
      ];
  usePaneKeys(store, paneId, bindings);

  if (error && !servers) return <ErrorPanel title="The MySQL servers could not be probed" error={error} width={width} retryKey="r" />;
  if (!servers) return <Text dimColor>probing MySQL servers…</Text>;

  if (drift && view) {
    const n = drift.report.entries.length;
    const title = `drift: ${drift.replica} against its source ${drift.source} (${n} variable${n === 1 ? ' differs' : 's differ'})`;
    return <DetailsView title={title} hint="Esc back" rows={view.rows} labelWidth={view.labelWidth} width={width} height={height} offset={offset} />;
  }
  if (shown && view) {
    return <DetailsView title={`${MARK(shown.health)} ${shown.name}`} titleColor={COLOUR(shown.health)} hint="Esc back" rows={view.rows} labelWidth={view.labelWidth} width={width} height={height} offset={offset} />;
  }
  const attention = rows.filter((r) => r.health === 'broken' || r.health === 'unreachable').length;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">
        {rows.length} servers{attention ? <Text color="red"> · {attention} need attention</Text> : <Text color="green"> · all healthy</Text>}
        {ctx.options.sandbox ? <Text dimColor> · sandbox: simulated, replica-2 broken on purpose</Text> : null}
      </Text>
      <Table rows={rows} columns={columns} rowId={(r) => r.name} selectedId={selectedId} width={width} height={height - 1} rowColor={(r) => COLOUR(r.health)} />
    </Box>
  );
}

/** One server in full, then the replication topology: wrapped and scrolled by DetailsView, so a long error is read whole at any size. */
function serverRows(shown: Row, all: readonly Row[], history: ReadonlyMap<string, LagHistory>, width: number): ReturnType<typeof detailRows> {
  const fields: [string, string, string?][] = [
    ['verdict', `${MARK(shown.health)} ${shown.health}: ${shown.why}`, COLOUR(shown.health)],
    ['role', shown.role],
    ['version', `${shown.version} (${shown.vendor || 'unknown'})`],
    ['server_id', shown.serverId === undefined ? '' : String(shown.serverId)],
    ['read_only', shown.readOnly === undefined ? '' : shown.readOnly ? 'ON' : 'OFF'],
    ['uptime', shown.uptimeSeconds === undefined ? '' : formatDuration(shown.uptimeSeconds * 1000)],
    ['gtid position', shown.gtid === undefined ? 'not supported' : shown.gtid || '(GTIDs off)'],
  ];
  if (shown.replica) {
    fields.push(['replicates from', shown.replica.source], ['IO / SQL thread', `${shown.replica.io} / ${shown.replica.sql}`], ['lag', shown.replica.behind === null ? 'NULL (SQL thread stopped or IO not connected)' : `${shown.replica.behind}s`], ['lag history', spark(history.get(shown.name) ?? [])]);
    if (shown.replica.lastError) fields.push(['last error', shown.replica.lastError, 'red']);
  }
  fields.push(['', ''], ['topology', ''], ...topologyLines(all).map((l): [string, string] => ['', l]));
  return detailRows(fields, width, LABELS);
}

/**
 * The drift table: the values in fixed columns under their servers' names,
 * the reason in yellow beside them, wrapped in its own column (or on indented
 * lines below when the terminal is too narrow for a column), never squeezed
 * into the values.
 */
function driftRows(drift: { source: string; replica: string; report: DriftReport }, width: number): { labelWidth: number; rows: DetailRow[] } {
  const row = (text: string, color?: string): DetailRow => ({ label: '', text, whole: true, plain: true, color });
  // a sentence wraps whole at any width
  const said = (text: string, color?: string): DetailRow[] => wrapMessage(text, width, Number.POSITIVE_INFINITY).map((l) => row(l, color));
  const notes = [...drift.report.errors.flatMap((x) => said(`error: ${x}`, 'red')), ...drift.report.warnings.flatMap((w) => said(`warning: ${w}`, 'yellow'))];
  if (drift.report.entries.length === 0) return { labelWidth: 0, rows: [...said(`${drift.replica} has the same settings as ${drift.source}`), ...notes] };
  const shown = (x: string | null): string => x ?? '(not set)';
  const heads = [drift.source.toUpperCase(), drift.replica.toUpperCase()];
  const nameW = Math.min(Math.max(8, ...drift.report.entries.map((e) => cellWidth(e.name))), Math.max(8, Math.floor(width * 0.4)));
  const valW = Math.min(16, Math.max(...heads.map(cellWidth), ...drift.report.entries.flatMap((e) => [cellWidth(shown(e.expected)), cellWidth(shown(e.actual))])));
  const cols = (name: string, a: string, b: string): string => `${fit(name, nameW)}  ${fit(a, valW)}  ${fit(b, valW)}  `;
  const whyAt = nameW + 2 * valW + 6;
  const beside = width - whyAt >= 20;
  const rows: DetailRow[] = [row(`${cols('VARIABLE', heads[0] ?? '', heads[1] ?? '')}${beside ? 'WHY IT MATTERS' : ''}`.trimEnd(), 'cyan')];
  for (const e of drift.report.entries) {
    const colour = e.note ? 'yellow' : undefined;
    if (cellWidth(e.name) > nameW) rows.push(...said(e.name, colour));
    const head = cols(cellWidth(e.name) > nameW ? '' : e.name, shown(e.expected), shown(e.actual));
    const why = e.note ? wrapMessage(e.note, beside ? width - whyAt : width - 4, Number.POSITIVE_INFINITY) : [];
    if (beside) why.forEach((l, i) => rows.push(row(`${i === 0 ? head : ' '.repeat(whyAt)}${l}`, colour)));
    if (!beside || why.length === 0) rows.push(row(head.trimEnd(), colour));
    if (!beside) rows.push(...why.map((l) => row(`    ${l}`, colour)));
  }
  rows.push(...notes);
  return { labelWidth: 0, rows };
}

export const databasePane: PaneDefinition = { id: 'database', title: 'Database', component: DatabasePane, legend: DATABASE_LEGEND, attention: databaseAttention };
