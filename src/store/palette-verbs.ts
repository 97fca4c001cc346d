import { fuzzyFilter } from './fuzzy.js';
import type { PaletteVerb, SessionState, SessionStore } from './session.js';

/**
 * Palette commands with an argument, as in k9s: `:pane snapshots`,
 * `:drain web-3`. The first word picks the verb; the rest is completed
 * from the verb's arguments (fuzzy), and Tab writes the chosen one out.
 */

/** One line of the palette; `complete` is what Tab puts in the query. */
export interface VerbEntry {
  id: string;
  title: string;
  key?: string;
  complete?: string;
  run(): void;
}

/** `:pane NAME`, and the verbs every mounted pane has offered (kept while the pane is in a sub-view). */
export function paletteVerbs(store: SessionStore): PaletteVerb[] {
  const s: SessionState = store.getState();
  const pane: PaletteVerb = {
    name: 'pane',
    argHint: 'NAME',
    args: () => store.getState().panes.map((p) => ({ value: p.id, label: `${p.id} (${p.title})` })),
    run: (arg) => {
      const st = store.getState();
      const want = arg.toLowerCase();
      const target = st.panes.find((p) => p.id === want || p.title.toLowerCase() === want);
      if (target) st.setActivePane(target.id);
      else st.setFlash(`no pane ${arg}: ${st.panes.map((p) => p.id).join(', ')}`, 'warn');
    },
  };
  return [pane, ...Object.values(s.verbs).filter((v) => v.name !== pane.name)];
}

/** A query that starts with a verb and a space: the verb and the argument typed so far. */
export function verbQuery(verbs: readonly PaletteVerb[], query: string): { verb: PaletteVerb; arg: string } | undefined {
  const m = /^\s*(\S+)\s+(.*)$/.exec(query);
  if (!m) return undefined;
  const verb = verbs.find((v) => v.name === m[1]!.toLowerCase());
  return verb ? { verb, arg: m[2]!.trim() } : undefined;
}

/**
 * The palette's lines for a verb query: the arguments matching what is
 * typed, best first; when none does, the typed argument as is, so the
 * command says what is wrong with it rather than doing nothing.
 */
export function verbEntries(store: SessionStore, q: { verb: PaletteVerb; arg: string }): VerbEntry[] {
  const { verb, arg } = q;
  const entries = verb.args().map((a) => ({ id: `${verb.name}:${a.value}`, title: `${verb.name} ${a.label ?? a.value}`, complete: `${verb.name} ${a.value}`, match: `${a.value} ${a.label ?? ''}`, run: () => verb.run(a.value) }));
  const found = arg === '' ? entries : fuzzyFilter(entries, arg, (e) => e.match);
  // web-3 typed in full goes first, before web-30 and anything fuzzier
  const exact = found.find((e) => e.match.split(/\s+/).includes(arg));
  if (exact) return [exact, ...found.filter((e) => e !== exact)];
  if (found.length > 0 || arg === '') return found;
  return [{ id: `${verb.name}:typed`, title: `${verb.name} ${arg}`, run: () => verb.run(arg) }];
}

/** The verbs themselves, for a query without a space: choosing one types it, ready for its argument. */
export function verbStarters(store: SessionStore, verbs: readonly PaletteVerb[]): VerbEntry[] {
  return verbs.map((v) => ({
    id: `verb:${v.name}`,
    title: `:${v.name} ${v.argHint}`,
    complete: `${v.name} `,
    run: () => store.getState().openOverlay({ kind: 'palette', query: `${v.name} `, index: 0 }),
  }));
}
