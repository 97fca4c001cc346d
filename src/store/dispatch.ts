import { fuzzyFilter } from './fuzzy.js';
import { paletteVerbs, verbEntries, verbQuery, verbStarters } from './palette-verbs.js';
import { isText, keyLabel, type KeyEvent } from './keys.js';
import type { KeyBinding, Overlay, SessionState, SessionStore } from './session.js';

/**
 * The one keyboard router (DESIGN.md "TUI conventions"). Order: Ctrl-C
 * always quits; then the open overlay (palette, filter input, help,
 * confirm) takes the key; then the active pane's bindings; then the global
 * keys. Plain functions over the store, so all of it is testable headless.
 */

export interface PaletteCommand {
  id: string;
  title: string;
  /** the key that does the same outside the palette, shown beside the title */
  key?: string;
  /** what Tab writes into the query (a verb and its argument) */
  complete?: string;
  run(): void;
}

const NO_BINDINGS: readonly KeyBinding[] = Object.freeze([]);

/** The bindings of the active pane, in declaration order (a stable empty list when none: safe as a selector). */
export function activeBindings(s: SessionState): readonly KeyBinding[] {
  return s.bindings[s.activePane] ?? NO_BINDINGS;
}

/** The footer entries of a pane's bindings. */
export function footerHints(bindings: readonly KeyBinding[]): { keys: string; label: string }[] {
  const out: { keys: string; label: string }[] = [];
  for (const b of bindings) {
    if (b.footer === false) continue;
    if (typeof b.footer === 'string') {
      const [keys = '', ...rest] = b.footer.split(' ');
      out.push({ keys, label: rest.join(' ') });
    } else out.push({ keys: keyLabel(b.keys[0] ?? ''), label: b.label });
  }
  return out;
}

/** The help entries of a pane's bindings: every key, the long title when there is one. */
export function helpEntries(bindings: readonly KeyBinding[]): { keys: string; label: string }[] {
  return bindings.map((b) => ({ keys: b.keys.map(keyLabel).join('/'), label: b.title ?? b.label }));
}

function findBinding(bindings: readonly KeyBinding[], name: string): KeyBinding | undefined {
  return bindings.find((b) => b.keys.includes(name));
}

/** The pane on screen, when `/` would filter a list it shows now. */
function filterablePane(s: SessionState): SessionState['panes'][number] | undefined {
  const pane = s.panes.find((p) => p.id === s.activePane);
  return pane?.filterable && !s.listHidden[pane.id] ? pane : undefined;
}

function openFilter(store: SessionStore): boolean {
  const s = store.getState();
  const pane = filterablePane(s);
  if (!pane) {
    const title = s.panes.find((p) => p.id === s.activePane)?.title ?? 'This pane';
    s.setFlash(s.listHidden[s.activePane] ? `no list on screen to filter here (Esc goes back to ${title}'s list)` : `${title} has no list to filter`, 'warn');
    return false;
  }
  s.openOverlay({ kind: 'filter', paneId: pane.id });
  return true;
}

/**
 * A pane's key handler that throws is a bug in that pane: say so in the
 * footer and keep the console (and the person's place in it) alive, as the
 * pane error boundary does for render errors.
 */
function runKey(store: SessionStore, what: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    store.getState().setFlash(`${what} failed: ${message} (a bug in opsdeck)`, 'error');
  }
}

function refresh(store: SessionStore): void {
  const s = store.getState();
  const b = findBinding(activeBindings(s), 'r');
  if (b) runKey(store, b.label, () => b.run());
  else s.setFlash('Nothing to refresh on this pane', 'info');
}

/** Every command the palette offers right now: panes, shell actions, then the pane's own. */
export function paletteCommands(store: SessionStore): PaletteCommand[] {
  const s = store.getState();
  const cmds: PaletteCommand[] = s.panes.map((p, i) => ({
    id: `pane:${p.id}`,
    title: `Go to ${p.title}`,
    key: String(i + 1),
    run: () => store.getState().setActivePane(p.id),
  }));
  const pane = s.panes.find((p) => p.id === s.activePane);
  for (const b of activeBindings(s)) {
    if (b.title) cmds.push({ id: `${s.activePane}:${b.keys[0] ?? b.label}`, title: `${pane?.title}: ${b.title}`, key: keyLabel(b.keys[0] ?? ''), run: () => b.run() });
  }
  if (filterablePane(s)) cmds.push({ id: 'filter', title: 'Filter the list', key: '/', run: () => openFilter(store) });
  cmds.push(
    { id: 'refresh', title: 'Refresh', key: 'r', run: () => refresh(store) },
    { id: 'help', title: 'Help: keys of this pane', key: '?', run: () => store.getState().openOverlay({ kind: 'help', offset: 0 }) },
    { id: 'quit', title: 'Quit opsdeck', key: 'q', run: () => store.getState().requestQuit() },
  );
  cmds.push(...verbStarters(store, paletteVerbs(store)));
  return cmds;
}

/** Palette entries matching the typed query, best first; after a verb and a space, its arguments. */
export function filteredCommands(store: SessionStore, query: string): PaletteCommand[] {
  const q = verbQuery(paletteVerbs(store), query);
  if (q) return verbEntries(store, q);
  return fuzzyFilter(paletteCommands(store), query, (c) => c.title);
}

/**
 * Readline's line edits, which an SRE's fingers use without thinking:
 * Backspace, Ctrl-U (clear the line) and Ctrl-W (delete the last word).
 * Returns the edited text, or undefined when the key is not a line edit.
 */
export function editLine(text: string, ev: KeyEvent): string | undefined {
  switch (ev.name) {
    case 'backspace':
      return Array.from(text).slice(0, -1).join('');
    case 'ctrl-u':
      return '';
    case 'ctrl-w':
      return text.replace(/\S*\s*$/, '');
    default:
      return undefined;
  }
}

function paletteKey(store: SessionStore, o: Extract<Overlay, { kind: 'palette' }>, ev: KeyEvent): boolean {
  const s = store.getState();
  const list = filteredCommands(store, o.query);
  const setIndex = (i: number): void =>
    s.openOverlay({ ...o, index: Math.max(0, Math.min(Math.max(0, list.length - 1), i)) });
  switch (ev.name) {
    case 'escape':
      s.closeOverlay();
      return true;
    case 'enter': {
      const cmd = list[Math.min(o.index, list.length - 1)];
      s.closeOverlay();
      if (cmd) runKey(store, cmd.title, () => cmd.run());
      return true;
    }
    case 'up':
    case 'ctrl-p':
      setIndex(o.index - 1);
      return true;
    case 'tab': {
      // completes a verb or its argument; elsewhere moves down as it always did
      const complete = list[Math.min(o.index, list.length - 1)]?.complete;
      if (complete !== undefined && complete !== o.query) s.openOverlay({ ...o, query: complete, index: 0 });
      else setIndex(o.index + 1);
      return true;
    }
    case 'down':
    case 'ctrl-n':
      setIndex(o.index + 1);
      return true;
    default: {
      const edited = editLine(o.query, ev);
      if (edited !== undefined) s.openOverlay({ ...o, query: edited, index: 0 });
      else if (isText(ev)) s.openOverlay({ ...o, query: o.query + ev.text, index: 0 });
      return true;
    }
  }
}

function filterKey(store: SessionStore, o: Extract<Overlay, { kind: 'filter' }>, ev: KeyEvent): boolean {
  const s = store.getState();
  const cur = s.slice(o.paneId).filter;
  switch (ev.name) {
    case 'escape':
      s.updateSlice(o.paneId, { filter: '' });
      s.closeOverlay();
      return true;
    case 'enter':
      s.closeOverlay();
      return true;
    default: {
      const edited = editLine(cur, ev);
      if (edited !== undefined) {
        s.updateSlice(o.paneId, { filter: edited });
        return true;
      }
      if (isText(ev)) {
        s.updateSlice(o.paneId, { filter: cur + ev.text });
        return true;
      }
      // Arrows and paging still move through the narrowed list while typing.
      return false;
    }
  }
}

/**
 * A dialog's scroll step for a key, or undefined: arrows and paging always;
 * j/k/g/G too unless they could be part of the word to type (a number takes
 * digits only, so they are free there).
 */
function confirmScroll(o: Extract<Overlay, { kind: 'confirm' }>, ev: KeyEvent, page: number): number | undefined {
  const letters = o.request.typed === undefined || /^\d+$/.test(o.request.typed);
  const steps: Record<string, number> = { down: 1, up: -1, pagedown: page, pageup: -page, home: -Infinity, end: Infinity };
  if (letters) Object.assign(steps, { j: 1, k: -1, g: -Infinity, G: Infinity });
  return steps[ev.name];
}

function confirmKey(store: SessionStore, o: Extract<Overlay, { kind: 'confirm' }>, ev: KeyEvent): boolean {
  const s = store.getState();
  const typedOk = o.request.typed === undefined || o.input === o.request.typed;
  // A page is the screen less the dialog's own rows; the view clamps the far end.
  const step = confirmScroll(o, ev, Math.max(1, s.size.rows - 12));
  if (step !== undefined) {
    const at = o.offset ?? 0;
    s.openOverlay({ ...o, offset: step === Infinity ? Number.MAX_SAFE_INTEGER : Math.max(0, at + (step === -Infinity ? -at : step)) });
    return true;
  }
  switch (ev.name) {
    case 'escape':
      s.closeOverlay();
      return true;
    case 'tab':
    case 'shift-tab':
    case 'left':
    case 'right':
      s.openOverlay({ ...o, focus: o.focus === 'cancel' ? 'confirm' : 'cancel' });
      return true;
    case 'enter':
      // In a typed dialog the typed word is the deliberate act: Enter with it confirms
      // whatever the focus; Enter after a wrong word says so instead of closing unseen.
      if (typedOk && (o.focus === 'confirm' || (o.request.typed !== undefined && o.input !== ''))) {
        store.setState({ overlay: undefined });
        o.resolve(true);
      } else if (o.focus === 'cancel' && o.input === '') {
        s.closeOverlay();
      } else {
        const typed = o.request.typed ?? '';
        s.openOverlay({ ...o, refusal: o.input === '' ? `type ${typed} first` : `${o.input} is not ${typed}: nothing done; fix it, or Esc to cancel` });
      }
      return true;
    default: {
      const typed = o.request.typed;
      const edited = editLine(o.input, ev);
      if (edited !== undefined) s.openOverlay({ ...o, input: edited, refusal: undefined });
      // A number to type takes digits only: a stray q or j must not land in it unseen.
      else if (typed !== undefined && isText(ev) && (!/^\d+$/.test(typed) || /^\d+$/.test(ev.text))) s.openOverlay({ ...o, input: o.input + ev.text, refusal: undefined });
      return true;
    }
  }
}

function promptKey(store: SessionStore, o: Extract<Overlay, { kind: 'prompt' }>, ev: KeyEvent): boolean {
  const s = store.getState();
  const edit = (value: string): void => s.openOverlay({ ...o, value, problem: o.request.validate?.(value) });
  switch (ev.name) {
    case 'escape':
      s.closeOverlay();
      return true;
    case 'enter': {
      const problem = o.request.validate?.(o.value);
      if (problem !== undefined) s.openOverlay({ ...o, problem });
      else {
        store.setState({ overlay: undefined });
        o.resolve(o.value);
      }
      return true;
    }
    default: {
      const edited = editLine(o.value, ev);
      if (edited !== undefined) edit(edited);
      // Every printable key is text here, q and digits included: the field is modal.
      else if (isText(ev)) edit(o.value + ev.text);
      return true;
    }
  }
}

function overlayKey(store: SessionStore, ev: KeyEvent): boolean {
  const o = store.getState().overlay;
  if (o === undefined) return false;
  switch (o.kind) {
    case 'help': {
      const s = store.getState();
      if (ev.name === 'escape' || ev.name === '?' || ev.name === 'q') s.closeOverlay();
      // The view clamps the offset: it alone knows how many lines fit.
      const step = { j: 1, down: 1, k: -1, up: -1, pagedown: 10, pageup: -10 }[ev.name];
      if (step !== undefined) s.openOverlay({ kind: 'help', offset: Math.max(0, o.offset + step) });
      return true;
    }
    case 'palette':
      return paletteKey(store, o, ev);
    case 'filter':
      return filterKey(store, o, ev);
    case 'confirm':
      return confirmKey(store, o, ev);
    case 'prompt':
      return promptKey(store, o, ev);
  }
}

function globalKey(store: SessionStore, ev: KeyEvent): boolean {
  const s = store.getState();
  if (/^[1-9]$/.test(ev.name)) {
    const p = s.panes[Number(ev.name) - 1];
    if (p) s.setActivePane(p.id);
    return p !== undefined;
  }
  switch (ev.name) {
    case 'tab':
      s.cyclePane(1);
      return true;
    case 'shift-tab':
      s.cyclePane(-1);
      return true;
    case '?':
      s.openOverlay({ kind: 'help', offset: 0 });
      return true;
    case ':':
      s.openOverlay({ kind: 'palette', query: '', index: 0 });
      return true;
    case '/':
      return openFilter(store);
    case 'r':
      refresh(store);
      return true;
    case 'escape':
      if (s.slice(s.activePane).filter !== '') {
        s.updateSlice(s.activePane, { filter: '' });
        return true;
      }
      return false;
    case 'q':
      s.requestQuit();
      return true;
    default:
      return false;
  }
}

/** Routes one key event; returns whether anything handled it. */
export function dispatchKey(store: SessionStore, ev: KeyEvent): boolean {
  if (ev.name === 'ctrl-c') {
    store.getState().interrupt();
    return true;
  }
  if (overlayKey(store, ev)) return true;
  const overlay = store.getState().overlay;
  // Only the filter input lets keys through (to move in the list); other overlays are modal.
  if (overlay !== undefined && overlay.kind !== 'filter') return true;
  const b = findBinding(activeBindings(store.getState()), ev.name);
  if (b) {
    runKey(store, b.label, () => b.run());
    return true;
  }
  if (overlay !== undefined) return false;
  return globalKey(store, ev);
}

/** The shell's own keys, for the footer and the help overlay. */
export function globalHints(s: SessionState): { keys: string; label: string }[] {
  return [
    ...(filterablePane(s) ? [{ keys: '/', label: 'filter' }] : []),
    { keys: `1-${s.panes.length}`, label: 'panes' },
    { keys: ':', label: 'commands' },
  ];
}

/** Footer entries that are never squeezed out: help is where every other key is listed. */
export const PINNED_HINTS: readonly { keys: string; label: string }[] = Object.freeze([
  { keys: '?', label: 'help' },
  { keys: 'q', label: 'quit' },
]);

/** Longer list for help: everything globalHints has plus the less used keys. */
export function globalHelp(s: SessionState): { keys: string; label: string }[] {
  return [
    ...globalHints(s),
    ...PINNED_HINTS,
    { keys: 'Tab/S-Tab', label: 'next / previous pane' },
    { keys: 'r', label: 'refresh' },
    { keys: 'Esc', label: 'back, close, clear filter' },
    { keys: '^U / ^W', label: 'in any input: clear it / delete a word' },
    // q never cuts off running work; Ctrl-C does, as it does to any command
    { keys: '^C', label: 'cancel running work, then quit' },
  ];
}
