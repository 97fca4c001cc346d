/**
 * Fuzzy matching for the command palette: the query's characters must appear
 * in order; consecutive runs and word starts score higher, so "gsn" finds
 * "Go to Snapshots" and "snap" ranks it above "Fleet: snapshot of volume".
 * Returns undefined when there is no match.
 */
export function fuzzyScore(query: string, text: string): number | undefined {
  const q = query.toLowerCase().replace(/\s+/g, '');
  if (q === '') return 0;
  const t = text.toLowerCase();
  let score = 0;
  let ti = 0;
  let prev = -2;
  for (const ch of q) {
    const found = t.indexOf(ch, ti);
    if (found < 0) return undefined;
    const wordStart = found === 0 || /[\s:/_-]/.test(t[found - 1] ?? '');
    score += 1 + (found === prev + 1 ? 3 : 0) + (wordStart ? 2 : 0);
    prev = found;
    ti = found + 1;
  }
  // Ties keep the list's own order (fuzzyFilter), which is the order people learn.
  return score;
}

/** Items matching `query`, best first; ties keep their original order. */
export function fuzzyFilter<T>(items: readonly T[], query: string, text: (item: T) => string): T[] {
  const scored: { item: T; score: number; i: number }[] = [];
  items.forEach((item, i) => {
    const score = fuzzyScore(query, text(item));
    if (score !== undefined) scored.push({ item, score, i });
  });
  if (query.trim() !== '') scored.sort((a, b) => b.score - a.score || a.i - b.i);
  return scored.map((s) => s.item);
}
