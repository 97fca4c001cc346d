import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Attention } from '../core/attention.js';

export type { Attention } from '../core/attention.js';

/**
 * The TUI session state (DESIGN.md "TUI conventions"). One store per TUI
 * session, never a module singleton, so every test starts from fresh state.
 * No React here: views subscribe with zustand's `useStore`, tests drive the
 * actions directly.
 */

/** A key a pane (or the shell) answers to. Labels drive the footer and help. */
export interface KeyBinding {
  /** key names as produced by normaliseKey: 'j', 'down', 'enter', 'ctrl-r' */
  keys: readonly string[];
  /** short verb for the footer and help: "refresh", "details" */
  label: string;
  /**
   * The footer entry: default "<first key> <label>"; a string replaces it
   * (e.g. "j/k move" for a pair of bindings); false hides it (it stays in help).
   */
  footer?: boolean | string;
  /** a title makes the binding a command-palette entry too: "Refresh instances" */
  title?: string;
  /** the same action on a named row, typed in the palette: `:drain web-3` */
  verb?: PaletteVerb;
  run(): void;
}

/** A palette command with an argument, completed from `args()`. */
export interface PaletteVerb {
  /** the word typed after `:`, e.g. "drain" */
  name: string;
  /** what the argument is, for the palette's list: "NAME|ID" */
  argHint: string;
  /** the values to complete from; `label` is what the list shows (a name beside its id) */
  args(): readonly { value: string; label?: string }[];
  run(arg: string): void;
}

export interface PaneInfo {
  id: string;
  title: string;
  /** `/` opens a filter input for this pane's list */
  filterable: boolean;
}

/** What a pane's list remembers: selection by row id, so it survives refreshes and filters. */
export interface PaneSlice {
  selectedId: string | undefined;
  filter: string;
  sort: { column: string; descending: boolean } | undefined;
}

export interface ConfirmRequest {
  title: string;
  body: readonly string[];
  /** label of the affirmative button, e.g. "Delete 412 snapshots" */
  confirmLabel?: string;
  cancelLabel?: string;
  /** the user must type exactly this (e.g. the count) before Confirm works */
  typed?: string;
  /** destructive confirmations are drawn in red */
  destructive?: boolean;
}

/** A one-line text entry (a form field): validated as you type, Enter submits, Esc cancels. */
export interface PromptRequest {
  title: string;
  /** the field's name and type, shown before the text */
  label: string;
  /** lines under the field: what it is, its default */
  help?: readonly string[];
  initial?: string;
  /** why the text is not acceptable yet, or undefined when it is */
  validate?: (text: string) => string | undefined;
  /** shown as *** while typed */
  secret?: boolean;
}

export type Overlay =
  /** `offset`: first visible line, when the keys do not fit the screen */
  | { kind: 'help'; offset: number }
  | { kind: 'palette'; query: string; index: number }
  | { kind: 'filter'; paneId: string }
  | {
      kind: 'confirm';
      request: ConfirmRequest;
      focus: 'cancel' | 'confirm';
      input: string;
      /** why the last Enter on Confirm did nothing (a wrong typed value), shown in the dialog */
      refusal?: string | undefined;
      /** first body line shown; the view clamps it to the body it draws */
      offset?: number;
      resolve: (ok: boolean) => void;
    }
  | { kind: 'prompt'; request: PromptRequest; value: string; problem: string | undefined; resolve: (value: string | undefined) => void };

export interface SessionContext {
  profile: string;
  region: string;
  /** host[:port] of a non-AWS endpoint (a test endpoint, LocalStack...): shown so nobody mistakes it for production, or the reverse */
  endpoint?: string | undefined;
  sandbox: boolean;
  readOnly: boolean;
}

export interface Flash {
  text: string;
  level: 'info' | 'warn' | 'error';
  at: number;
}

export interface SessionState {
  panes: readonly PaneInfo[];
  activePane: string;
  overlay: Overlay | undefined;
  slices: Readonly<Record<string, PaneSlice>>;
  /** keys each mounted pane answers to, by pane id */
  bindings: Readonly<Record<string, readonly KeyBinding[]>>;
  /**
   * every palette verb a mounted pane has offered, by name, the latest kept:
   * `:vol ID` must work while the Snapshots pane shows a volume or a plan,
   * whose keys no longer include the verb's key
   */
  verbs: Readonly<Record<string, PaletteVerb>>;
  size: { columns: number; rows: number };
  /** epoch ms of each pane's last successful data load: the header speaks for the pane on screen */
  refreshedAt: Readonly<Record<string, number>>;
  context: SessionContext;
  flash: Flash | undefined;
  quitRequested: boolean;
  /** the session ended by Ctrl-C: the process exits 130, as after any interrupted command */
  interrupted: boolean;
  /** Mutating work in progress (a deletion, an apply): quitting now would cut it off mid-way. */
  busy: Busy | undefined;
  /** Ctrl-C came while busy: quit as soon as the work has stopped. */
  quitWhenIdle: boolean;
  /** Printed on stderr after the terminal is given back: what the session changed, e.g. a deletion summary. */
  exitNote: string | undefined;
  /**
   * Counts bursts of typed keys handled to the end. The shell renders on each
   * change, so whoever typed (a test, a script driving the TUI) can tell when
   * a key's effects are on screen rather than guessing with a delay.
   */
  keyAck: number;
  /** Counts every key handled; the shell renders on each, so a key typed ahead sees the screen the key before it made. */
  keySeq: number;
  /** What a pane wants seen from any pane (a DOWN server, a running deletion): the tab bar marks it. */
  attention: Readonly<Record<string, Attention>>;
  /**
   * Filterable panes whose list is not on screen now (a plan, a details view,
   * a running deletion): `/` and its footer hint are off there, since a
   * filter would act on rows nobody can see.
   */
  listHidden: Readonly<Record<string, true>>;
  /** Text for the terminal's clipboard (the shell sends it as OSC 52); seq tells two copies of one id apart. */
  clipboard: { text: string; seq: number } | undefined;

  setActivePane(id: string): void;
  /** Tab / Shift-Tab: +1 / -1 with wrap-around */
  cyclePane(delta: number): void;
  openOverlay(o: Overlay): void;
  closeOverlay(): void;
  slice(paneId: string): PaneSlice;
  updateSlice(paneId: string, patch: Partial<PaneSlice>): void;
  setBindings(paneId: string, bindings: readonly KeyBinding[]): void;
  setSize(columns: number, rows: number): void;
  /** a pane's data loaded; without paneId, the pane on screen (panes refresh only while shown) */
  markRefreshed(atMs: number, paneId?: string): void;
  setFlash(text: string, level?: Flash['level'], atMs?: number): void;
  /** `y`: puts text on the clipboard and says so */
  copy(text: string): void;
  setAttention(paneId: string, attention: Attention | undefined): void;
  /** a filterable pane says whether its list is on screen (see listHidden) */
  setListShown(paneId: string, shown: boolean): void;
  /** Opens the confirm dialog; resolves true only when the user confirms. */
  confirm(req: ConfirmRequest): Promise<boolean>;
  /** Opens a one-line text entry; resolves with the accepted text, undefined when cancelled. */
  prompt(req: PromptRequest): Promise<string | undefined>;
  /** q: quits, unless work is running (then says how to stop it). */
  requestQuit(): void;
  /** Ctrl-C: quits; while work runs, first cancels it and quits once it has stopped; a second Ctrl-C quits at once. */
  interrupt(): void;
  setBusy(busy: Busy | undefined): void;
  setExitNote(text: string | undefined): void;
}

export interface Busy {
  /** what is running, as a noun phrase: "a snapshot deletion" */
  label: string;
  /** stops the work after what is in flight; absent when it cannot be stopped safely (an HAProxy apply) */
  cancel?: (() => void) | undefined;
}

export type SessionStore = StoreApi<SessionState>;

export interface SessionInit {
  panes: readonly PaneInfo[];
  initialPane?: string | undefined;
  context?: Partial<SessionContext>;
  size?: { columns: number; rows: number };
}

export const emptySlice: PaneSlice = Object.freeze({ selectedId: undefined, filter: '', sort: undefined });

/** Resolves a user-typed pane name ("snapshots", "2", "Snap") to a pane id. */
export function resolvePane(panes: readonly PaneInfo[], name: string | undefined): string | undefined {
  if (name === undefined || name === '') return undefined;
  const n = name.trim().toLowerCase();
  const byNumber = /^\d+$/.test(n) ? panes[Number(n) - 1] : undefined;
  if (byNumber) return byNumber.id;
  return (
    panes.find((p) => p.id === n || p.title.toLowerCase() === n)?.id ??
    panes.find((p) => p.id.startsWith(n) || p.title.toLowerCase().startsWith(n))?.id
  );
}

export function createSessionStore(init: SessionInit): SessionStore {
  if (init.panes.length === 0) throw new Error('createSessionStore: at least one pane is required');
  const first = init.panes[0]!.id;
  const asked = resolvePane(init.panes, init.initialPane);
  const unknownPane =
    init.initialPane !== undefined && init.initialPane !== '' && asked === undefined
      ? { text: `no pane called "${init.initialPane}": panes are ${init.panes.map((p) => p.id).join(', ')}`, level: 'warn' as const, at: Date.now() }
      : undefined;
  return createStore<SessionState>()((set, get) => ({
    panes: init.panes,
    activePane: asked ?? first,
    overlay: undefined,
    slices: {},
    bindings: {},
    verbs: {},
    size: init.size ?? { columns: 80, rows: 24 },
    refreshedAt: {},
    attention: {},
    listHidden: {},
    context: { profile: 'default', region: '-', sandbox: false, readOnly: false, ...init.context },
    flash: unknownPane,
    quitRequested: false,
    interrupted: false,
    busy: undefined,
    quitWhenIdle: false,
    keyAck: 0,
    keySeq: 0,
    clipboard: undefined,
    exitNote: undefined,

    setActivePane(id) {
      if (!get().panes.some((p) => p.id === id) || get().activePane === id) return;
      set({ activePane: id });
    },
    cyclePane(delta) {
      const { panes, activePane } = get();
      const i = panes.findIndex((p) => p.id === activePane);
      const next = panes[(((i + delta) % panes.length) + panes.length) % panes.length];
      if (next) set({ activePane: next.id });
    },
    openOverlay(o) {
      // A confirm waiting for an answer must not be silently dropped: replacing it is a "no".
      // (The same dialog with new focus or input carries the same resolve.)
      const cur = get().overlay;
      if (cur?.kind === 'confirm' && (o.kind !== 'confirm' || o.resolve !== cur.resolve)) cur.resolve(false);
      if (cur?.kind === 'prompt' && (o.kind !== 'prompt' || o.resolve !== cur.resolve)) cur.resolve(undefined);
      set({ overlay: o });
    },
    closeOverlay() {
      const cur = get().overlay;
      if (cur === undefined) return;
      set({ overlay: undefined });
      if (cur.kind === 'prompt') cur.resolve(undefined);
      if (cur.kind === 'confirm') {
        cur.resolve(false);
        // every way a dialog closes is seen: a person must never believe a cancelled action started
        get().setFlash(`cancelled: ${cur.request.title.replace(/\?$/, '')}: nothing done`, 'info');
      }
    },
    slice(paneId) {
      return get().slices[paneId] ?? emptySlice;
    },
    updateSlice(paneId, patch) {
      const prev = get().slices[paneId] ?? emptySlice;
      const next = { ...prev, ...patch };
      if (next.selectedId === prev.selectedId && next.filter === prev.filter && next.sort === prev.sort) return;
      set({ slices: { ...get().slices, [paneId]: next } });
    },
    setBindings(paneId, bindings) {
      const offered = bindings.flatMap((b) => (b.verb ? [[b.verb.name, b.verb] as const] : []));
      set({ bindings: { ...get().bindings, [paneId]: bindings }, ...(offered.length ? { verbs: { ...get().verbs, ...Object.fromEntries(offered) } } : {}) });
    },
    setSize(columns, rows) {
      const s = get().size;
      if (s.columns === columns && s.rows === rows) return;
      set({ size: { columns, rows } });
    },
    markRefreshed(atMs, paneId = get().activePane) {
      set({ refreshedAt: { ...get().refreshedAt, [paneId]: atMs } });
    },
    setAttention(paneId, attention) {
      const cur = get().attention[paneId];
      if (cur?.level === attention?.level && cur?.text === attention?.text) return;
      const next = { ...get().attention };
      if (attention) next[paneId] = attention;
      else delete next[paneId];
      set({ attention: next });
    },
    setListShown(paneId, shown) {
      if (!shown === Boolean(get().listHidden[paneId])) return;
      const next = { ...get().listHidden };
      if (shown) delete next[paneId];
      else next[paneId] = true;
      set({ listHidden: next });
    },
    copy(text) {
      set((s) => ({ clipboard: { text, seq: (s.clipboard?.seq ?? 0) + 1 } }));
      get().setFlash(`copied ${text} (OSC 52: your terminal's clipboard, also over SSH)`, 'info');
    },
    setFlash(text, level = 'info', atMs = Date.now()) {
      set({ flash: { text, level, at: atMs } });
    },
    confirm(request) {
      return new Promise<boolean>((resolve) => {
        let settled = false;
        const once = (ok: boolean): void => {
          if (settled) return;
          settled = true;
          resolve(ok);
        };
        get().openOverlay({ kind: 'confirm', request, focus: 'cancel', input: '', resolve: once });
      });
    },
    prompt(request) {
      return new Promise<string | undefined>((resolve) => {
        let settled = false;
        const once = (v: string | undefined): void => {
          if (settled) return;
          settled = true;
          resolve(v);
        };
        const value = request.initial ?? '';
        get().openOverlay({ kind: 'prompt', request, value, problem: request.validate?.(value), resolve: once });
      });
    },
    requestQuit() {
      const busy = get().busy;
      if (busy) {
        const how = busy.cancel ? 'press c to cancel it first, or Ctrl-C to cancel and quit' : 'opsdeck quits when it has finished if you press Ctrl-C';
        get().setFlash(`${busy.label} is running: ${how}`, 'warn');
        return;
      }
      get().closeOverlay();
      set({ quitRequested: true });
    },
    interrupt() {
      const { busy, quitWhenIdle } = get();
      if (!busy || quitWhenIdle) {
        get().closeOverlay();
        set({ quitRequested: true, interrupted: true });
        return;
      }
      busy.cancel?.();
      set({ quitWhenIdle: true, interrupted: true });
      get().setFlash(
        `${busy.cancel ? 'cancelling' : 'finishing'} ${busy.label}: opsdeck quits when the calls in flight are done (Ctrl-C again quits now)`,
        'warn',
      );
    },
    setBusy(busy) {
      set({ busy });
      if (busy === undefined && get().quitWhenIdle) {
        get().closeOverlay();
        set({ quitRequested: true });
      }
    },
    setExitNote(text) {
      set({ exitNote: text });
    },
  }));
}

/**
 * For a pane's mutating key: under --read-only says why nothing happens (in
 * the footer) and returns true; the caller stops there. The core refuses
 * too (OpsError READ_ONLY); this only spares the person a plan they cannot apply.
 */
export function refuseIfReadOnly(store: SessionStore, what: string): boolean {
  const s = store.getState();
  if (!s.context.readOnly) return false;
  s.setFlash(`read-only session: ${what} is turned off (started with --read-only)`, 'warn');
  return true;
}

/**
 * A key that changes the world, in a read-only session: it stays bound (pressing
 * it says why it is off) but leaves the footer, and help marks it off.
 */
export function mutationKey(readOnly: boolean, b: KeyBinding): KeyBinding {
  if (!readOnly) return b;
  return { ...b, footer: false, ...(b.title ? { title: `${b.title} (off: read-only session)` } : {}) };
}
