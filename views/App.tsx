import React, { memo, useCallback, useEffect, useRef, useState } from 'react';
import { Box, Text, useApp, useInput, useStdout, type Key } from 'ink';
import { accountLabel } from '../src/core/context.js';
import type { CommandContext } from '../src/core/context.js';
import { activeBindings, dispatchKey, filteredCommands, footerHints, globalHelp, globalHints, helpEntries, PINNED_HINTS } from '../src/store/dispatch.js';
import { keyEvents, type KeyEvent } from '../src/store/keys.js';
import { createSessionStore, type Overlay, type SessionStore } from '../src/store/session.js';
import { CommandPalette } from './components/CommandPalette.js';
import { ConfirmDialog, confirmLayout } from './components/ConfirmDialog.js';
import { osc52 } from '../src/core/osc52.js';
import { PromptDialog } from './components/PromptDialog.js';
import { FilterInput } from './components/FilterInput.js';
import { Header, Tabs } from './components/Header.js';
import { HelpOverlay, helpMaxOffset } from './components/HelpOverlay.js';
import { KeyHints } from './components/KeyHints.js';
import { PaneBoundary } from './components/PaneBoundary.js';
import { wrapMessage } from './format.js';
import { useSession } from './hooks.js';
import { AttentionProbes } from './attention.js';
import { panes as defaultPanes, type PaneDefinition } from './panes/index.js';

export interface AppProps {
  ctx: CommandContext;
  /** inject a store (tests, runTui); default: a fresh one sized 80x24 */
  store?: SessionStore;
  initialPane?: string;
  /** the pane registry; tests and benches may pass their own */
  panes?: readonly PaneDefinition[];
}

/** A store for one TUI session, with the header context taken from the command context. */
export function createSessionFor(
  ctx: CommandContext,
  opts: { panes?: readonly PaneDefinition[]; initialPane?: string | undefined; size?: { columns: number; rows: number }; env?: NodeJS.ProcessEnv } = {},
): SessionStore {
  const defs = opts.panes ?? defaultPanes;
  return createSessionStore({
    panes: defs.map((p) => ({ id: p.id, title: p.title, filterable: p.filterable ?? false })),
    initialPane: opts.initialPane,
    ...(opts.size ? { size: opts.size } : {}),
    context: {
      ...accountLabel(ctx, opts.env ?? process.env),
      sandbox: ctx.options.sandbox,
      readOnly: ctx.options.readOnly,
    },
  });
}

/** Ink's terminal does not repaint in place once a frame fills every row, it clears the screen each time: keep one row free. */
export const RESERVED_ROWS = 1;
const CHROME_ROWS = 2; // header, tabs (the footer's rows vary)

/** While an overlay is open only its keys work, so the footer shows only those. */
const OVERLAY_HINTS: Record<'help' | 'palette' | 'confirm' | 'prompt', readonly { keys: string; label: string }[]> = {
  help: [
    { keys: 'Esc', label: 'close help' },
    { keys: 'j/k', label: 'scroll' },
  ],
  palette: [
    { keys: '↑↓', label: 'choose' },
    { keys: 'Tab', label: 'complete' },
    { keys: 'Enter', label: 'run' },
    { keys: 'Esc', label: 'close' },
    { keys: '^C', label: 'quit' },
  ],
  confirm: [
    { keys: 'Tab', label: 'switch button' },
    { keys: 'Enter', label: 'choose' },
    { keys: 'Esc', label: 'cancel' },
  ],
  prompt: [
    { keys: 'Enter', label: 'accept' },
    { keys: 'Esc', label: 'cancel' },
    { keys: '^U', label: 'clear' },
  ],
};

/**
 * A dialog's keys as they work in it: a typed dialog is confirmed by typing
 * its word and Enter (the buttons are beside the point), and the scroll keys
 * are offered only when the body is taller than the dialog.
 */
function confirmHints(o: Extract<Overlay, { kind: 'confirm' }>, width: number, bodyHeight: number): readonly { keys: string; label: string }[] {
  const scrolls = confirmLayout({ request: o.request, refusal: o.refusal, width, height: bodyHeight }).maxOffset > 0;
  const scroll = scrolls ? [{ keys: '↑↓', label: 'scroll' }] : [];
  if (o.request.typed === undefined) return [...scroll, ...OVERLAY_HINTS.confirm];
  return [{ keys: `type ${o.request.typed}`, label: '· Enter confirms' }, ...scroll, { keys: 'Esc', label: 'cancel' }];
}

/** Rows a message may take at the bottom: enough for an error and its hint, never most of a small screen. */
function flashRowsFor(rows: number): number {
  return rows >= 20 ? 3 : rows >= 12 ? 2 : 1;
}

function Footer({ store, width, bodyHeight, flashLines }: { store: SessionStore; width: number; bodyHeight: number; flashLines: readonly string[] | undefined }): React.ReactElement {
  const overlay = useSession(store, (s) => s.overlay);
  const flash = useSession(store, (s) => s.flash);
  const bindings = useSession(store, activeBindings);
  const filterText = useSession(store, (s) => (s.overlay?.kind === 'filter' ? (s.slices[s.overlay.paneId]?.filter ?? '') : ''));
  // the `/` hint follows whether the pane's list is on screen
  useSession(store, (s) => s.listHidden[s.activePane]);
  const state = store.getState();
  if (overlay?.kind === 'filter') return <FilterInput text={filterText} width={width} />;
  if (overlay?.kind === 'confirm') return <KeyHints hints={confirmHints(overlay, width, bodyHeight)} width={width} />;
  if (overlay !== undefined) return <KeyHints hints={OVERLAY_HINTS[overlay.kind]} width={width} />;
  const hints = <KeyHints hints={[...footerHints(bindings), ...globalHints(state)]} pinned={PINNED_HINTS} width={width} />;
  if (flash && flashLines) {
    const colour = flash.level === 'error' ? 'red' : flash.level === 'warn' ? 'yellow' : 'green';
    // The message on rows of its own above the keys: a tired person must not lose the way out to a status line.
    return (
      <Box width={width} height={flashLines.length + 1} overflowY="hidden" flexDirection="column">
        {flashLines.map((l, i) => (
          <Text key={i} color={colour} wrap="truncate">
            {l}
          </Text>
        ))}
        {hints}
      </Box>
    );
  }
  return hints;
}

/** Memoized so a change in the shell (bindings, overlay) does not re-render every mounted pane. */
const PaneHost = memo(function PaneHost(props: { def: PaneDefinition; ctx: CommandContext; store: SessionStore; shown: boolean; width: number; height: number }) {
  const { def, ctx, store, shown, width, height } = props;
  const Pane = def.component;
  return (
    <Box display={shown ? 'flex' : 'none'} flexDirection="column" width={width} height={height}>
      <PaneBoundary title={def.title} paneId={def.id} store={store} width={width}>
        <Pane ctx={ctx} store={store} paneId={def.id} active={shown} width={width} height={height} />
      </PaneBoundary>
    </Box>
  );
});

function Body({ ctx, store, defs, width, height }: { ctx: CommandContext; store: SessionStore; defs: readonly PaneDefinition[]; width: number; height: number }): React.ReactElement {
  const active = useSession(store, (s) => s.activePane);
  const overlay = useSession(store, (s) => s.overlay);
  const bindings = useSession(store, activeBindings);
  // Panes mount when first shown and stay mounted (hidden) so their data and position survive a switch.
  const visited = useRef(new Set<string>());
  visited.current.add(active);
  const covering = overlay !== undefined && overlay.kind !== 'filter';
  const state = store.getState();
  let cover: React.ReactElement | null = null;
  let helpMax = Number.POSITIVE_INFINITY;
  let confirmMax = Number.POSITIVE_INFINITY;
  if (overlay?.kind === 'help') {
    const def = defs.find((d) => d.id === active);
    const help = { paneTitle: def?.title ?? active, paneKeys: helpEntries(bindings), globalKeys: globalHelp(state), ...(def?.legend ? { legend: def.legend } : {}), width, height };
    helpMax = helpMaxOffset(help);
    cover = <HelpOverlay offset={Math.min(overlay.offset, helpMax)} {...help} />;
  } else if (overlay?.kind === 'palette') {
    cover = <CommandPalette query={overlay.query} commands={filteredCommands(store, overlay.query)} index={overlay.index} width={width} height={height} />;
  } else if (overlay?.kind === 'confirm') {
    confirmMax = confirmLayout({ request: overlay.request, refusal: overlay.refusal, width, height }).maxOffset;
    cover = <ConfirmDialog request={overlay.request} focus={overlay.focus} input={overlay.input} refusal={overlay.refusal} offset={Math.min(overlay.offset ?? 0, confirmMax)} width={width} height={height} />;
  } else if (overlay?.kind === 'prompt') {
    cover = <PromptDialog request={overlay.request} value={overlay.value} problem={overlay.problem} width={width} height={height} />;
  }
  // Keep the stored help offset within the text, so k scrolls back at once after j ran past the end.
  useEffect(() => {
    const o = store.getState().overlay;
    if (o?.kind === 'help' && o.offset > helpMax) store.getState().openOverlay({ kind: 'help', offset: helpMax });
    if (o?.kind === 'confirm' && (o.offset ?? 0) > confirmMax) store.getState().openOverlay({ ...o, offset: confirmMax });
  });
  return (
    <Box width={width} height={height} overflowY="hidden" flexDirection="column">
      {cover}
      {defs
        .filter((d) => visited.current.has(d.id))
        .map((d) => (
          <PaneHost key={d.id} def={d} ctx={ctx} store={store} shown={d.id === active && !covering} width={width} height={height} />
        ))}
    </Box>
  );
}

/**
 * An empty, hidden box, new for every key handled: React skips the commit
 * phase (and ink its frame) when a render changes nothing on screen, and a
 * key must end in a committed frame (see SessionState.keySeq, keyAck).
 */
function KeyAck({ store }: { store: SessionStore }): React.ReactElement {
  const seq = useSession(store, (s) => s.keySeq);
  return <Box key={seq} display="none" />;
}

/** The shell: header, tabs, the active pane, footer; one keyboard dispatcher for all of it. */
export function App({ ctx, store: given, initialPane, panes: defs = defaultPanes }: AppProps): React.ReactElement {
  const [store] = useState(() => given ?? createSessionFor(ctx, { panes: defs, initialPane }));
  const { exit } = useApp();
  const { stdout } = useStdout();

  // Keys typed ahead ("jjd" in one burst, or fast typing over ssh) must act on
  // what the screen shows after the keys before them: a pane's key handlers are
  // closures over its last render, so "j then d" dispatched in one go would
  // drain the row the cursor just left. The first key runs at once; each later
  // one waits a macrotask. Bumping keySeq after each key makes React render in
  // a microtask (a store update), which also takes in the pane's own useState
  // updates, so the next key finds fresh handlers; a useState update alone
  // would render only after the pump's next turn.
  const pending = useRef<KeyEvent[]>([]);
  const pumping = useRef(false);
  const pump = useCallback(() => {
    const ev = pending.current.shift();
    try {
      if (ev !== undefined) dispatchKey(store, ev);
    } finally {
      const more = pending.current.length > 0;
      if (!more) pumping.current = false;
      store.setState((s) => ({ keySeq: s.keySeq + 1, keyAck: more ? s.keyAck : s.keyAck + 1 }));
      if (more) setImmediate(pump);
    }
  }, [store]);
  useEffect(
    () => () => {
      pending.current = [];
    },
    [],
  );
  const onInput = useCallback(
    (input: string, key: Key) => {
      if (store.getState().flash) store.setState({ flash: undefined });
      pending.current.push(...keyEvents(input, key));
      if (pumping.current) return;
      pumping.current = true;
      pump();
    },
    [store, pump],
  );
  useInput(onInput);

  useEffect(() => {
    if (store.getState().quitRequested) exit();
    return store.subscribe((s) => {
      if (s.quitRequested) exit();
    });
  }, [store, exit]);

  useEffect(() => {
    // Only a real terminal reports rows; a test stdout does not, and the injected size stands.
    const update = (): void => {
      if (typeof stdout.columns === 'number' && typeof stdout.rows === 'number' && stdout.rows > 0) {
        store.getState().setSize(stdout.columns, stdout.rows);
      }
    };
    update();
    stdout.on('resize', update);
    return () => {
      stdout.off('resize', update);
    };
  }, [stdout, store]);

  // A copy reaches the terminal as an escape sequence that draws nothing; $TMUX decides the wrapping.
  const { write } = useStdout();
  const clipboard = useSession(store, (s) => s.clipboard);
  useEffect(() => {
    if (clipboard) write(osc52(clipboard.text, process.env));
  }, [clipboard, write]);

  const size = useSession(store, (s) => s.size);
  const flash = useSession(store, (s) => s.flash);
  const overlayOpen = useSession(store, (s) => s.overlay !== undefined);
  const width = Math.max(1, size.columns);
  const height = Math.max(1, size.rows - RESERVED_ROWS);
  // A long message takes a few rows from the body rather than losing its end.
  const flashLines = flash && !overlayOpen ? wrapMessage(flash.text, width, flashRowsFor(height)) : undefined;
  const footerRows = (flashLines?.length ?? 0) + 1;
  const bodyHeight = Math.max(0, height - CHROME_ROWS - footerRows);
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Header store={store} clock={ctx.clock} width={width} />
      <Tabs store={store} width={width} />
      <Body ctx={ctx} store={store} defs={defs} width={width} height={bodyHeight} />
      <Footer store={store} width={width} bodyHeight={bodyHeight} flashLines={flashLines} />
      <KeyAck store={store} />
      <AttentionProbes defs={defs} ctx={ctx} store={store} />
    </Box>
  );
}
