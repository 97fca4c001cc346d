import { describe, expect, it } from 'vitest';
import { dispatchKey, filteredCommands } from '../../src/store/dispatch.js';
import { createSessionStore, type PaneInfo } from '../../src/store/session.js';

const PANES: PaneInfo[] = [
  { id: 'fleet', title: 'Fleet', filterable: true },
  { id: 'snapshots', title: 'Snapshots', filterable: true },
];
const typeKeys = (store: ReturnType<typeof createSessionStore>, text: string): void => {
  for (const ch of text) dispatchKey(store, { name: ch === ' ' ? 'space' : ch, text: ch });
};
const key = (store: ReturnType<typeof createSessionStore>, name: string): void => void dispatchKey(store, { name, text: '' });

function withDrain() {
  const s = createSessionStore({ panes: PANES });
  const drained: string[] = [];
  s.getState().setBindings('fleet', [
    {
      keys: ['d'],
      label: 'drain',
      title: 'Drain the selected server',
      verb: { name: 'drain', argHint: 'NAME|ID', args: () => ['web-3', 'web-30', 'api-1'].map((n, i) => ({ value: `i-${i}`, label: `${n} i-${i}` })), run: (a) => drained.push(a) },
      run: () => drained.push('selected'),
    },
  ]);
  return { s, drained };
}

describe('palette verbs', () => {
  it(':pane NAME switches pane; Tab completes the name', () => {
    const s = createSessionStore({ panes: PANES });
    dispatchKey(s, { name: ':', text: ':' });
    typeKeys(s, 'pane sna');
    expect(filteredCommands(s, 'pane sna').map((c) => c.title)).toEqual(['pane snapshots (Snapshots)']);
    key(s, 'tab');
    expect(s.getState().overlay).toMatchObject({ kind: 'palette', query: 'pane snapshots' });
    key(s, 'enter');
    expect(s.getState().activePane).toBe('snapshots');
    dispatchKey(s, { name: ':', text: ':' });
    typeKeys(s, 'pane nope');
    key(s, 'enter');
    expect(s.getState().activePane).toBe('snapshots');
    expect(s.getState().flash?.text).toBe('no pane nope: fleet, snapshots');
  });

  it(':drain NAME runs the pane verb with the matching id; a full name beats a longer one', () => {
    const { s, drained } = withDrain();
    expect(filteredCommands(s, 'drain web-3')[0]?.title).toBe('drain web-3 i-0');
    dispatchKey(s, { name: ':', text: ':' });
    typeKeys(s, 'drain web-3');
    key(s, 'enter');
    expect(drained).toEqual(['i-0']);
  });

  it('the verb is listed as a command; choosing it types it, ready for the argument', () => {
    const { s, drained } = withDrain();
    expect(filteredCommands(s, '').map((c) => c.title)).toContain(':drain NAME|ID');
    dispatchKey(s, { name: ':', text: ':' });
    typeKeys(s, ':drain');
    key(s, 'enter');
    expect(s.getState().overlay).toMatchObject({ kind: 'palette', query: 'drain ' });
    expect(filteredCommands(s, 'drain ').map((c) => c.title)).toEqual(['drain web-3 i-0', 'drain web-30 i-1', 'drain api-1 i-2']);
    expect(drained).toEqual([]);
  });

  it('an argument nothing matches is passed as typed, so the pane says what is wrong', () => {
    const { s, drained } = withDrain();
    expect(filteredCommands(s, 'drain zzz').map((c) => c.title)).toEqual(['drain zzz']);
    dispatchKey(s, { name: ':', text: ':' });
    typeKeys(s, 'drain zzz');
    key(s, 'enter');
    expect(drained).toEqual(['zzz']);
  });
});
