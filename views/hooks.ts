import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { ProgressEvent, ProgressSink } from '../src/core/progress.js';
import { isStale } from '../src/store/refresh.js';
import type { KeyBinding, PaletteVerb, SessionState, SessionStore } from '../src/store/session.js';

/** Subscribe to one slice of the session store; re-renders only when it changes. */
export function useSession<T>(store: SessionStore, selector: (s: SessionState) => T): T {
  return useStore(store, selector);
}

function signature(bindings: readonly KeyBinding[]): string {
  return bindings.map((b) => [b.keys.join(','), b.label, String(b.footer), b.title, b.verb?.name].join('|')).join(';');
}

/**
 * Declares the keys a pane answers to. Re-registers only when the set of keys
 * or their labels change (not on every render), and each registered `run`
 * calls the latest closure for the same keys, so handlers never act on stale
 * data. Registration happens in the commit (a layout effect): no key can
 * arrive between a frame and the bindings that belong to it.
 */
export function usePaneKeys(store: SessionStore, paneId: string, bindings: readonly KeyBinding[]): void {
  const latest = useRef(bindings);
  latest.current = bindings;
  // each verb as last offered: a sub-view (a volume, a details view) drops the key but the palette keeps the verb
  const verbs = useRef(new Map<string, PaletteVerb>());
  for (const b of bindings) if (b.verb) verbs.current.set(b.verb.name, b.verb);
  const registered = useRef<readonly KeyBinding[] | undefined>(undefined);
  const sig = signature(bindings);
  useLayoutEffect(() => {
    const wrapped = latest.current.map((b) => {
      const id = b.keys.join(',');
      // Found by keys, not by position: a list that grew must never turn Enter into another action.
      const now = (): KeyBinding | undefined => latest.current.find((x) => x.keys.join(',') === id);
      // A verb completes from the rows on screen now, not those of the render that registered it.
      const name = b.verb?.name ?? '';
      const current = (): PaletteVerb | undefined => now()?.verb ?? verbs.current.get(name);
      const verb = b.verb && { ...b.verb, args: () => current()?.args() ?? [], run: (arg: string) => current()?.run(arg) };
      return { ...b, run: () => now()?.run(), ...(verb ? { verb } : {}) };
    });
    registered.current = wrapped;
    store.getState().setBindings(paneId, wrapped);
  }, [store, paneId, sig]);
  useLayoutEffect(
    () => () => {
      // Only withdraw our own keys: someone else (the pane's error boundary) may own the slot now.
      if (store.getState().bindings[paneId] === registered.current) store.getState().setBindings(paneId, []);
    },
    [store, paneId],
  );
}

/**
 * A filterable pane says whether its list is on screen (not a plan, a details
 * view, a running job's progress): `/` and its footer hint follow. In the
 * commit, as the keys are, so the footer never offers a filter for a frame.
 */
export function useListShown(store: SessionStore, paneId: string, shown: boolean): void {
  useLayoutEffect(() => store.getState().setListShown(paneId, shown), [store, paneId, shown]);
  useLayoutEffect(() => () => store.getState().setListShown(paneId, true), [store, paneId]);
}

/**
 * A ProgressSink for long work shown with <ProgressBar>: events can arrive
 * thousands of times a second, the pane re-renders at most every `everyMs`
 * (and always for the last event, so the final count is exact).
 */
export function useProgress(everyMs = 100): { event: ProgressEvent | undefined; sink: ProgressSink; reset(): void } {
  const [event, setEvent] = useState<ProgressEvent | undefined>(undefined);
  const latest = useRef<ProgressEvent | undefined>(undefined);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const lastShown = useRef(0);
  useEffect(() => () => clearTimeout(timer.current), []);
  const sink = useCallback<ProgressSink>(
    (e) => {
      latest.current = e;
      const wait = lastShown.current + everyMs - Date.now();
      const done = e.total !== undefined && e.done >= e.total;
      if (wait <= 0 || done) {
        clearTimeout(timer.current);
        timer.current = undefined;
        lastShown.current = Date.now();
        setEvent(e);
      } else if (timer.current === undefined) {
        timer.current = setTimeout(() => {
          timer.current = undefined;
          lastShown.current = Date.now();
          setEvent(latest.current);
        }, wait);
      }
    },
    [everyMs],
  );
  const reset = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = undefined;
    latest.current = undefined;
    setEvent(undefined);
  }, []);
  return { event, sink, reset };
}

/**
 * The row a list highlights is the row its keys act on and the row that stays
 * selected when the filter is cleared: when a filter (or a refresh) hides the
 * selected row, the selection becomes the first row shown rather than staying
 * on the hidden one, which Esc would jump back to. A filter that matches
 * nothing leaves the selection alone.
 */
export function useSelectionShown(store: SessionStore, paneId: string, ids: readonly string[]): void {
  useEffect(() => {
    const selected = store.getState().slices[paneId]?.selectedId;
    if (selected === undefined || ids.length === 0 || ids.includes(selected)) return;
    store.getState().updateSlice(paneId, { selectedId: ids[0] });
  }, [store, paneId, ids]);
}

/**
 * A pane's refresh by the rules of src/store/refresh.ts: coming back to the
 * pane (it becomes active) with data older than its interval refreshes at
 * once; with `periodic`, it also refreshes every interval while on screen.
 * A hidden or `paused` pane (a form open, a deletion running) costs nothing.
 */
export function useAutoRefresh(opts: {
  store: SessionStore;
  paneId: string;
  active: boolean;
  intervalMs: number | undefined;
  now: () => number;
  refresh: () => unknown;
  periodic?: boolean;
  paused?: boolean;
}): void {
  const { store, paneId, active, intervalMs, periodic = false, paused = false } = opts;
  const latest = useRef(opts);
  latest.current = opts;
  useEffect(() => {
    if (!active || paused || intervalMs === undefined) return;
    const { now, refresh } = latest.current;
    if (isStale(store.getState().refreshedAt[paneId], now(), intervalMs)) void refresh();
    if (!periodic) return;
    const t = setInterval(() => void latest.current.refresh(), intervalMs);
    return () => clearInterval(t);
  }, [store, paneId, active, paused, intervalMs, periodic]);
}
