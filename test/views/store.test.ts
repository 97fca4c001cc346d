import { describe, expect, it } from 'vitest';
import { dispatchKey, filteredCommands, footerHints, helpEntries } from '../../src/store/dispatch.js';
import { fuzzyFilter } from '../../src/store/fuzzy.js';
import { keyEvents, normaliseKey, type InkKeyLike } from '../../src/store/keys.js';
import { listBindings, matchesFilter, moveSelection, scrollBindings, windowOffset } from '../../src/store/list.js';
import { createSessionStore, resolvePane, type KeyBinding, type PaneInfo } from '../../src/store/session.js';

const PANES: PaneInfo[] = [
  { id: 'fleet', title: 'Fleet', filterable: true },
  { id: 'snapshots', title: 'Snapshots', filterable: true },
  { id: 'runbooks', title: 'Runbooks', filterable: false },
];

const noKey: InkKeyLike = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
};
const k = (name: string) => ({ name, text: name.length === 1 ? name : '' });
const press = (store: ReturnType<typeof createSessionStore>, ...names: string[]): void => {
  for (const n of names) dispatchKey(store, k(n));
};

describe('session store', () => {
  it('is a fresh store per session', () => {
    const a = createSessionStore({ panes: PANES });
    const b = createSessionStore({ panes: PANES });
    a.getState().setActivePane('runbooks');
    expect(b.getState().activePane).toBe('fleet');
  });

  it('resolves the initial pane by id, title prefix or number', () => {
    expect(resolvePane(PANES, 'snap')).toBe('snapshots');
    expect(resolvePane(PANES, 'Runbooks')).toBe('runbooks');
    expect(resolvePane(PANES, '2')).toBe('snapshots');
    expect(resolvePane(PANES, 'nope')).toBeUndefined();
    const lost = createSessionStore({ panes: PANES, initialPane: 'nope' }).getState();
    expect(lost.activePane).toBe('fleet');
    expect(lost.flash?.text).toBe('no pane called "nope": panes are fleet, snapshots, runbooks');
  });

  it('digits, Tab and Shift-Tab switch panes with wrap-around', () => {
    const s = createSessionStore({ panes: PANES });
    press(s, '3');
    expect(s.getState().activePane).toBe('runbooks');
    press(s, 'tab');
    expect(s.getState().activePane).toBe('fleet');
    press(s, 'shift-tab');
    expect(s.getState().activePane).toBe('runbooks');
    expect(dispatchKey(s, k('9'))).toBe(false);
    expect(s.getState().activePane).toBe('runbooks');
  });

  it('q and Ctrl-C request quit; q inside the palette is just text', () => {
    const s = createSessionStore({ panes: PANES });
    press(s, ':', 'q');
    expect(s.getState().quitRequested).toBe(false);
    expect(s.getState().overlay).toMatchObject({ kind: 'palette', query: 'q' });
    press(s, 'ctrl-c');
    expect(s.getState().quitRequested).toBe(true);
    expect(s.getState().overlay).toBeUndefined();
    // Ctrl-C ends the session as interrupted (the process exits 130); q is a plain quit (0)
    expect(s.getState().interrupted).toBe(true);
    const q = createSessionStore({ panes: PANES });
    press(q, 'q');
    expect(q.getState()).toMatchObject({ quitRequested: true, interrupted: false });
  });

  it('while work runs, q explains instead of quitting; Ctrl-C cancels, then quits once the work has stopped', () => {
    const s = createSessionStore({ panes: PANES });
    let cancelled = 0;
    s.getState().setBusy({ label: 'a snapshot deletion', cancel: () => void cancelled++ });
    press(s, 'q');
    expect(s.getState().quitRequested).toBe(false);
    expect(s.getState().flash?.text).toContain('a snapshot deletion is running: press c to cancel it first');
    press(s, 'ctrl-c');
    expect(cancelled).toBe(1);
    expect(s.getState().quitRequested).toBe(false);
    s.getState().setBusy(undefined);
    expect(s.getState().quitRequested).toBe(true);

    // work that cannot be cancelled (an HAProxy apply) is waited for; a second Ctrl-C quits at once
    const t = createSessionStore({ panes: PANES });
    t.getState().setBusy({ label: 'an HAProxy apply' });
    press(t, 'ctrl-c');
    expect(t.getState().quitRequested).toBe(false);
    expect(t.getState().flash?.text).toContain('finishing an HAProxy apply');
    press(t, 'ctrl-c');
    expect(t.getState().quitRequested).toBe(true);

    // idle: q quits as before
    const u = createSessionStore({ panes: PANES });
    press(u, 'q');
    expect(u.getState().quitRequested).toBe(true);
  });

  it('a pane key handler that throws becomes an error in the footer, not a dead console', () => {
    const s = createSessionStore({ panes: PANES });
    const boom = (): void => {
      throw new Error('selected row vanished');
    };
    s.getState().setBindings('fleet', [{ keys: ['d'], label: 'drain', title: 'Drain the selected server', run: boom }]);
    expect(() => press(s, 'd')).not.toThrow();
    expect(s.getState().flash).toMatchObject({ level: 'error', text: 'drain failed: selected row vanished (a bug in opsdeck)' });
    s.getState().setFlash('');
    press(s, ':', 'd', 'r', 'a', 'i', 'n', 'enter');
    expect(s.getState().flash?.text).toBe('Fleet: Drain the selected server failed: selected row vanished (a bug in opsdeck)');
    press(s, '2');
    expect(s.getState().activePane).toBe('snapshots');
  });

  it('pane bindings come before global keys, overlays before both', () => {
    const s = createSessionStore({ panes: PANES });
    const hits: string[] = [];
    s.getState().setBindings('fleet', [{ keys: ['r'], label: 'refresh', run: () => hits.push('pane r') }]);
    press(s, 'r');
    expect(hits).toEqual(['pane r']);
    press(s, '?', 'r');
    expect(hits).toEqual(['pane r']);
    expect(s.getState().overlay?.kind).toBe('help');
    press(s, 'escape');
    expect(s.getState().overlay).toBeUndefined();
  });

  it('/ only opens on filterable panes; typing edits the pane filter; Esc clears it', () => {
    const s = createSessionStore({ panes: PANES });
    press(s, '/', 'w', 'e', 'b', 'x', 'backspace');
    expect(s.getState().slice('fleet').filter).toBe('web');
    press(s, 'enter');
    expect(s.getState().overlay).toBeUndefined();
    expect(s.getState().slice('fleet').filter).toBe('web');
    press(s, 'escape');
    expect(s.getState().slice('fleet').filter).toBe('');
    press(s, '3', '/');
    expect(s.getState().overlay).toBeUndefined();
    expect(s.getState().flash?.text).toContain('no list to filter');
  });

  it('while filtering, arrows still move through the list', () => {
    const s = createSessionStore({ panes: PANES });
    const ids = ['a', 'b', 'c'];
    s.getState().setBindings('fleet', listBindings(s, 'fleet', () => ids, () => 10));
    press(s, '/', 'j', 'down');
    expect(s.getState().slice('fleet')).toMatchObject({ filter: 'j', selectedId: 'b' });
  });

  it('the palette runs the chosen command', () => {
    const s = createSessionStore({ panes: PANES });
    press(s, ':', 'r', 'u', 'n', 'enter');
    expect(s.getState().activePane).toBe('runbooks');
    expect(s.getState().overlay).toBeUndefined();
  });

  it('the palette lists pane commands with titles, with their keys', () => {
    const s = createSessionStore({ panes: PANES });
    let ran = 0;
    s.getState().setBindings('fleet', [
      { keys: ['d'], label: 'delete', title: 'Delete the thing', run: () => ran++ },
      { keys: ['x'], label: 'untitled', run: () => ran++ },
    ]);
    const titles = filteredCommands(s, '').map((c) => c.title);
    expect(titles).toContain('Fleet: Delete the thing');
    expect(titles.some((t) => t.includes('untitled'))).toBe(false);
    press(s, ':', 'd', 'e', 'l', 'enter');
    expect(ran).toBe(1);
  });
});

describe('confirm', () => {
  it('starts on Cancel: Enter right away says no', async () => {
    const s = createSessionStore({ panes: PANES });
    const answer = s.getState().confirm({ title: 'Delete?', body: ['3 snapshots'] });
    expect(s.getState().overlay).toMatchObject({ kind: 'confirm', focus: 'cancel' });
    press(s, 'enter');
    await expect(answer).resolves.toBe(false);
  });

  it('Tab to Confirm then Enter says yes', async () => {
    const s = createSessionStore({ panes: PANES });
    const answer = s.getState().confirm({ title: 'Reload?', body: [] });
    press(s, 'tab', 'enter');
    await expect(answer).resolves.toBe(true);
    expect(s.getState().overlay).toBeUndefined();
  });

  it('a typed confirmation needs the exact string; Esc cancels', async () => {
    const s = createSessionStore({ panes: PANES });
    const answer = s.getState().confirm({ title: 'Delete 412 snapshots?', body: [], typed: '412' });
    press(s, 'tab', '4', '1', 'enter');
    expect(s.getState().overlay?.kind).toBe('confirm');
    const o = s.getState().overlay;
    expect(o?.kind === 'confirm' ? o.refusal : undefined).toBe('41 is not 412: nothing done; fix it, or Esc to cancel');
    press(s, '2', 'enter');
    await expect(answer).resolves.toBe(true);

    const second = s.getState().confirm({ title: 'Delete 412 snapshots?', body: [], typed: '412' });
    press(s, '4', '1', '2', 'escape');
    await expect(second).resolves.toBe(false);
  });

  it('typed: the typed word with Enter confirms whatever the focus; a wrong word is refused, never a silent close', async () => {
    const s = createSessionStore({ panes: PANES });
    const answer = s.getState().confirm({ title: 'Delete 412 snapshots?', body: [], typed: '412', destructive: true });
    // focus is on Cancel: the person typed the count and pressed Enter, as the prompt says
    expect(s.getState().overlay).toMatchObject({ focus: 'cancel' });
    press(s, '4', '1', '3', 'enter');
    const o = s.getState().overlay;
    expect(o?.kind === 'confirm' ? o.refusal : undefined).toBe('413 is not 412: nothing done; fix it, or Esc to cancel');
    press(s, 'backspace', '2', 'enter');
    await expect(answer).resolves.toBe(true);
    expect(s.getState().flash).toBeUndefined();
  });

  it('every way a dialog closes without confirming says so', async () => {
    for (const keys of [['escape'], ['enter']]) {
      const s = createSessionStore({ panes: PANES });
      const answer = s.getState().confirm({ title: 'Apply HAProxy change to /etc/haproxy/haproxy.cfg?', body: [] });
      press(s, ...keys);
      await expect(answer).resolves.toBe(false);
      expect(s.getState().flash?.text).toBe('cancelled: Apply HAProxy change to /etc/haproxy/haproxy.cfg: nothing done');
    }
  });

  it('keys never leak to the pane or the shell while the dialog is open', async () => {
    const s = createSessionStore({ panes: PANES });
    let ran = 0;
    s.getState().setBindings('fleet', [{ keys: ['d'], label: 'delete', run: () => ran++ }]);
    const answer = s.getState().confirm({ title: 'x', body: [] });
    press(s, 'd', '2', 'q');
    expect(ran).toBe(0);
    expect(s.getState().activePane).toBe('fleet');
    expect(s.getState().quitRequested).toBe(false);
    press(s, 'escape');
    await expect(answer).resolves.toBe(false);
  });

  it('quitting with a dialog open answers no', async () => {
    const s = createSessionStore({ panes: PANES });
    const answer = s.getState().confirm({ title: 'x', body: [] });
    press(s, 'ctrl-c');
    await expect(answer).resolves.toBe(false);
  });
});

describe('list navigation', () => {
  const ids = ['a', 'b', 'c', 'd', 'e'];
  it('moves and clamps by id', () => {
    expect(moveSelection(ids, undefined, 1)).toBe('b');
    expect(moveSelection(ids, 'd', 5)).toBe('e');
    expect(moveSelection(ids, 'b', -5)).toBe('a');
    expect(moveSelection(ids, 'c', 'end')).toBe('e');
    expect(moveSelection(ids, 'gone', 1)).toBe('b');
    expect(moveSelection([], 'a', 1)).toBeUndefined();
  });

  it('scrolls the window only when the selection leaves it', () => {
    expect(windowOffset(100, 5, 10, 0)).toBe(0);
    expect(windowOffset(100, 10, 10, 0)).toBe(1);
    expect(windowOffset(100, 50, 10, 45)).toBe(45);
    expect(windowOffset(100, 44, 10, 45)).toBe(44);
    expect(windowOffset(100, 99, 10, 0)).toBe(90);
    expect(windowOffset(5, 4, 10, 3)).toBe(0);
  });

  it('list keys page by the visible height', () => {
    const s = createSessionStore({ panes: PANES });
    const many = Array.from({ length: 100 }, (_, i) => `r${i}`);
    s.getState().setBindings('fleet', listBindings(s, 'fleet', () => many, () => 11));
    press(s, 'pagedown');
    expect(s.getState().slice('fleet').selectedId).toBe('r10');
    press(s, 'G');
    expect(s.getState().slice('fleet').selectedId).toBe('r99');
    press(s, 'pageup', 'k');
    expect(s.getState().slice('fleet').selectedId).toBe('r88');
    press(s, 'g');
    expect(s.getState().slice('fleet').selectedId).toBe('r0');
  });

  it('scroll keys move a text view within its bounds', () => {
    const s = createSessionStore({ panes: PANES });
    let off = 0;
    s.getState().setBindings('fleet', scrollBindings(() => off, (n) => (off = n), () => 10, () => 30));
    press(s, 'k');
    expect(off).toBe(0);
    press(s, 'j', 'j', 'pagedown');
    expect(off).toBe(11);
    press(s, 'G');
    expect(off).toBe(30);
    press(s, 'pagedown', 'j');
    expect(off).toBe(30);
    press(s, 'pageup', 'g');
    expect(off).toBe(0);
  });

  it('filters match every word, case-insensitively, in any field', () => {
    expect(matchesFilter('WEB 1b', ['web-3', 'us-east-1b'])).toBe(true);
    expect(matchesFilter('web 1c', ['web-3', 'us-east-1b'])).toBe(false);
    expect(matchesFilter('  ', ['x'])).toBe(true);
  });
});

describe('keys and labels', () => {
  it('normalises ink input into key names', () => {
    expect(normaliseKey('', { ...noKey, downArrow: true }).name).toBe('down');
    expect(normaliseKey('', { ...noKey, tab: true, shift: true }).name).toBe('shift-tab');
    expect(normaliseKey('c', { ...noKey, ctrl: true }).name).toBe('ctrl-c');
    expect(normaliseKey('', { ...noKey, escape: true, meta: true }).name).toBe('escape');
    expect(normaliseKey('', { ...noKey, delete: true }).name).toBe('backspace');
    expect(normaliseKey('G', { ...noKey, shift: true })).toEqual({ name: 'G', text: 'G' });
  });

  it('splits a burst of plain characters into one event per key; a single key or a named one stays whole', () => {
    expect(keyEvents('jj', noKey)).toEqual([{ name: 'j', text: 'j' }, { name: 'j', text: 'j' }]);
    expect(keyEvents('q\r\t\x7f\x03', noKey).map((e) => e.name)).toEqual(['q', 'enter', 'tab', 'backspace', 'ctrl-c']);
    expect(keyEvents('é🙂', noKey).map((e) => e.text)).toEqual(['é', '🙂']);
    expect(keyEvents('j', noKey)).toEqual([{ name: 'j', text: 'j' }]);
    expect(keyEvents('', { ...noKey, upArrow: true })).toEqual([{ name: 'up', text: '' }]);
  });

  it('ESC and a key in one read (what Ink calls Alt+key) are Esc, then the key: opsdeck binds no Alt keys', () => {
    expect(keyEvents('j', { ...noKey, meta: true }).map((e) => e.name)).toEqual(['escape', 'j']);
    expect(keyEvents('\r', { ...noKey, return: true, meta: true }).map((e) => e.name)).toEqual(['escape', 'enter']);
    expect(keyEvents('', { ...noKey, upArrow: true, meta: true }).map((e) => e.name)).toEqual(['escape', 'up']);
    // a lone ESC stays one Esc
    expect(keyEvents('', { ...noKey, escape: true, meta: true }).map((e) => e.name)).toEqual(['escape']);
  });

  it('footer and help read the same bindings', () => {
    const b: KeyBinding[] = [
      { keys: ['j', 'down'], label: 'down', footer: 'j/k move', run: () => {} },
      { keys: ['k', 'up'], label: 'up', footer: false, run: () => {} },
      { keys: ['enter'], label: 'details', title: 'Show details', run: () => {} },
    ];
    expect(footerHints(b)).toEqual([
      { keys: 'j/k', label: 'move' },
      { keys: 'Enter', label: 'details' },
    ]);
    expect(helpEntries(b).map((h) => `${h.keys} ${h.label}`)).toEqual(['j/↓ down', 'k/↑ up', 'Enter Show details']);
  });

  it('fuzzy filter finds subsequences, best first, ties in list order', () => {
    const items = ['Go to Fleet', 'Go to Snapshots', 'Fleet: Sort by the next column', 'Quit opsdeck'];
    expect(fuzzyFilter(items, 'snap', (x) => x)[0]).toBe('Go to Snapshots');
    expect(fuzzyFilter(items, 'qo', (x) => x)).toEqual(['Quit opsdeck']);
    expect(fuzzyFilter(items, 'go to', (x) => x).slice(0, 2)).toEqual(['Go to Fleet', 'Go to Snapshots']);
    expect(fuzzyFilter(items, 'zz', (x) => x)).toEqual([]);
  });
});

describe('read-only', () => {
  it('refuses mutations with a message only in a read-only session', async () => {
    const { refuseIfReadOnly } = await import('../../src/store/session.js');
    const ro = createSessionStore({ panes: PANES, context: { readOnly: true } });
    expect(refuseIfReadOnly(ro, 'deleting snapshots')).toBe(true);
    expect(ro.getState().flash).toMatchObject({ level: 'warn', text: expect.stringContaining('deleting snapshots is turned off') });
    const rw = createSessionStore({ panes: PANES });
    expect(refuseIfReadOnly(rw, 'deleting snapshots')).toBe(false);
    expect(rw.getState().flash).toBeUndefined();
  });
});
