import { diffLinesFast, unifiedFromOps } from './linediff.js';
import { serversIn } from './render.js';

export interface PoolSummary {
  /** server names (instance ids) that appear */
  added: string[];
  /** server names that go away */
  removed: string[];
  /** same name, different line (address, port or options) */
  changed: string[];
  unchanged: number;
  /** distinct servers in the pool before / after, across the synced backends */
  before: number;
  after: number;
}

/** Unified diff of two configs ('' when equal); see linediff.ts for why not Myers. */
export function unifiedDiff(oldText: string, newText: string, path: string): string {
  if (oldText === newText) return '';
  const split = (t: string): string[] => {
    const l = t.split('\n');
    if (l[l.length - 1] === '') l.pop();
    return l;
  };
  return unifiedFromOps(diffLinesFast(split(oldText), split(newText)), `a/${path}`, `b/${path}`);
}

export function summarize(liveText: string, newText: string, backends: readonly string[]): PoolSummary {
  const before = merge(serversIn(liveText, backends));
  const after = merge(serversIn(newText, backends));
  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  let unchanged = 0;
  for (const [name, line] of after) {
    const old = before.get(name);
    if (old === undefined) added.push(name);
    else if (old !== line) changed.push(name);
    else unchanged++;
  }
  for (const name of before.keys()) if (!after.has(name)) removed.push(name);
  return { added: added.sort(), removed: removed.sort(), changed: changed.sort(), unchanged, before: before.size, after: after.size };
}

/** Servers across backends keyed by name; a line differing in any backend counts as changed. */
function merge(per: Map<string, Map<string, string>>): Map<string, string> {
  if (per.size === 1) return per.values().next().value as Map<string, string>;
  const out = new Map<string, string>();
  for (const servers of per.values()) {
    for (const [name, line] of servers) {
      const prev = out.get(name);
      out.set(name, prev === undefined || prev === line ? line : `${prev}\n${line}`);
    }
  }
  return out;
}
