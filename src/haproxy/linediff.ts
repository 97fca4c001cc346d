/**
 * A line diff that stays linear-ish on big pools: patience-style anchors on
 * lines unique to both sides (server lines are unique by instance id), the
 * longest increasing run of those anchors, then prefix/suffix matching in the
 * gaps. Myers on a 5,000-server file with a few hundred scattered changes
 * costs ~100 ms; this costs a few.
 */
export type Op = { t: ' ' | '-' | '+'; line: string };

function counts(lines: readonly string[], from: number, to: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = from; i < to; i++) m.set(lines[i] as string, (m.get(lines[i] as string) ?? 0) + 1);
  return m;
}

/** Longest increasing subsequence of b-indexes (a-order is the array order): indexes into `pairs`. */
function lis(bs: readonly number[]): number[] {
  const tails: number[] = [];
  const prev = new Array<number>(bs.length).fill(-1);
  for (let i = 0; i < bs.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((bs[tails[mid] as number] as number) < (bs[i] as number)) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1] as number;
    tails[lo] = i;
  }
  const out: number[] = [];
  for (let k = tails.length ? (tails[tails.length - 1] as number) : -1; k !== -1; k = prev[k] as number) out.push(k);
  return out.reverse();
}

function diffRange(a: readonly string[], a0: number, a1: number, b: readonly string[], b0: number, b1: number, out: Op[], depth: number): void {
  while (a0 < a1 && b0 < b1 && a[a0] === b[b0]) out.push({ t: ' ', line: a[a0++] as string }), b0++;
  const tail: Op[] = [];
  while (a1 > a0 && b1 > b0 && a[a1 - 1] === b[b1 - 1]) tail.push({ t: ' ', line: a[--a1] as string }), b1--;
  if (a0 < a1 && b0 < b1 && depth < 8) {
    const ca = counts(a, a0, a1);
    const cb = counts(b, b0, b1);
    const posB = new Map<string, number>();
    for (let j = b0; j < b1; j++) if (cb.get(b[j] as string) === 1) posB.set(b[j] as string, j);
    const pa: number[] = [];
    const pb: number[] = [];
    for (let i = a0; i < a1; i++) {
      const j = ca.get(a[i] as string) === 1 ? posB.get(a[i] as string) : undefined;
      if (j !== undefined) pa.push(i), pb.push(j);
    }
    const keep = lis(pb);
    if (keep.length > 0) {
      let ia = a0;
      let ib = b0;
      for (const k of keep) {
        const i = pa[k] as number;
        const j = pb[k] as number;
        diffRange(a, ia, i, b, ib, j, out, depth + 1);
        out.push({ t: ' ', line: a[i] as string });
        ia = i + 1;
        ib = j + 1;
      }
      diffRange(a, ia, a1, b, ib, b1, out, depth + 1);
      for (let k = tail.length - 1; k >= 0; k--) out.push(tail[k] as Op);
      return;
    }
  }
  for (let i = a0; i < a1; i++) out.push({ t: '-', line: a[i] as string });
  for (let j = b0; j < b1; j++) out.push({ t: '+', line: b[j] as string });
  for (let k = tail.length - 1; k >= 0; k--) out.push(tail[k] as Op);
}

export function diffLinesFast(a: readonly string[], b: readonly string[]): Op[] {
  const out: Op[] = [];
  diffRange(a, 0, a.length, b, 0, b.length, out, 0);
  return out;
}

/** Unified diff text (git style headers, `context` lines around each change). */
export function unifiedFromOps(ops: readonly Op[], oldName: string, newName: string, context = 3): string {
  const lines: string[] = [`--- ${oldName}`, `+++ ${newName}`];
  const n = ops.length;
  // Old/new line numbers before each op.
  const oldAt = new Array<number>(n + 1);
  const newAt = new Array<number>(n + 1);
  oldAt[0] = 1;
  newAt[0] = 1;
  for (let i = 0; i < n; i++) {
    const t = (ops[i] as Op).t;
    oldAt[i + 1] = (oldAt[i] as number) + (t === '+' ? 0 : 1);
    newAt[i + 1] = (newAt[i] as number) + (t === '-' ? 0 : 1);
  }
  let i = 0;
  while (i < n) {
    if ((ops[i] as Op).t === ' ') {
      i++;
      continue;
    }
    const start = Math.max(0, i - context);
    let end = i;
    // Extend while the next change is within 2*context unchanged lines.
    for (;;) {
      while (end < n && (ops[end] as Op).t !== ' ') end++;
      let k = end;
      while (k < n && (ops[k] as Op).t === ' ' && k - end < 2 * context) k++;
      if (k < n && (ops[k] as Op).t !== ' ') end = k;
      else break;
    }
    const stop = Math.min(n, end + context);
    let oldCount = 0;
    let newCount = 0;
    const body: string[] = [];
    for (let k = start; k < stop; k++) {
      const op = ops[k] as Op;
      if (op.t !== '+') oldCount++;
      if (op.t !== '-') newCount++;
      body.push(`${op.t}${op.line}`);
    }
    const oldStart = oldCount === 0 ? (oldAt[start] as number) - 1 : (oldAt[start] as number);
    const newStart = newCount === 0 ? (newAt[start] as number) - 1 : (newAt[start] as number);
    lines.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`, ...body);
    i = stop;
  }
  return `${lines.join('\n')}\n`;
}
