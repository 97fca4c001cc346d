/**
 * What a frame captured from a real terminal (tmux capture-pane) must never
 * show: a frame taller than the terminal (its top scrolled away, into tmux's
 * history), a dialog that cuts a word or its own box, and a dialog body
 * that breaks a word across two lines. Pure functions over
 * the captured text, so the rules have tests of their own.
 */

export interface Capture {
  /** capture-pane -p: one string per terminal row */
  lines: readonly string[];
  rows: number;
  columns: number;
  /** #{history_size}: lines that scrolled off the top since the session started */
  historySize: number;
}

export interface Problem {
  rule: 'taller than the terminal' | 'cut word in a dialog' | 'dialog box cut' | 'word split across lines in a dialog';
  /** 0-based terminal row */
  row: number;
  text: string;
}

const TOP_LEFT = '╭╔┌';
const TOP_RIGHT = '╮╗┐';
const SIDE = '│║';
const BOTTOM_LEFT = '╰╚└';

/** `set.includes('')` is true: a row too short to reach the column must not count as a border. */
const oneOf = (set: string, c: string | undefined): boolean => c !== undefined && c !== '' && set.includes(c);

export interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** Bordered boxes (dialogs, help, the palette): a top-left corner with its top-right corner on the same row. */
export function dialogBoxes(lines: readonly string[]): Box[] {
  const boxes: Box[] = [];
  lines.forEach((line, top) => {
    const chars = [...line];
    chars.forEach((c, left) => {
      if (!oneOf(TOP_LEFT, c)) return;
      let right = left + 1;
      while (right < chars.length && !oneOf(TOP_RIGHT, chars[right])) right++;
      let bottom = top + 1;
      while (bottom < lines.length && oneOf(SIDE, [...(lines[bottom] ?? '')][left])) bottom++;
      boxes.push({ top, bottom, left, right });
    });
  });
  return boxes;
}

/** Every rule a frame breaks; `header` is what the first row starts with when nothing scrolled away. */
export function frameProblems(c: Capture, header = 'opsdeck'): Problem[] {
  const out: Problem[] = [];
  if (c.historySize > 0) out.push({ rule: 'taller than the terminal', row: 0, text: `${c.historySize} lines scrolled off the top` });
  if (c.lines.length > c.rows) out.push({ rule: 'taller than the terminal', row: c.rows, text: `${c.lines.length} rows on a ${c.rows}-row terminal` });
  if (!(c.lines[0] ?? '').startsWith(header)) out.push({ rule: 'taller than the terminal', row: 0, text: `the first row is not the header: ${c.lines[0] ?? ''}` });
  for (const box of dialogBoxes(c.lines)) {
    const top = [...(c.lines[box.top] ?? '')];
    if (box.right >= top.length) out.push({ rule: 'dialog box cut', row: box.top, text: c.lines[box.top] ?? '' });
    if (box.bottom >= c.lines.length || !oneOf(BOTTOM_LEFT, [...(c.lines[box.bottom] ?? '')][box.left])) {
      out.push({ rule: 'dialog box cut', row: Math.min(box.bottom, c.lines.length - 1), text: 'the box has no bottom border on screen' });
    }
    for (let row = box.top + 1; row < Math.min(box.bottom, c.lines.length); row++) {
      const chars = [...(c.lines[row] ?? '')];
      if (!oneOf(SIDE, chars[box.right])) {
        out.push({ rule: 'dialog box cut', row, text: c.lines[row] ?? '' });
        continue;
      }
      const inner = chars.slice(box.left + 1, box.right).join('');
      // text run into an ellipsis (a word, a path) was cut short; "…" between spaces is a deliberate mark (a date range)
      if (/\S…/u.test(inner)) out.push({ rule: 'cut word in a dialog', row, text: inner.trimEnd() });
    }
  }
  return out;
}

/** Letters and digits of a word, as the walk's frames show them whole: the vocabulary splitWords checks against. */
const WORD = /[\p{L}\p{N}]+/gu;
export function wordsIn(frames: readonly (readonly string[])[]): Set<string> {
  const out = new Set<string>();
  for (const lines of frames) for (const l of lines) for (const m of l.matchAll(WORD)) out.add(m[0].toLowerCase());
  return out;
}

/**
 * A word broken across two lines of a dialog body ("AMI-pin" / "ned"): a row
 * whose text runs to its last cell ending in a letter, the next row starting
 * with letters, and the two pieces together a word shown whole elsewhere
 * (another size of the same dialog, usually). A row that happens to end
 * exactly at the border with a whole word is told apart by the joined pieces
 * not being a word anywhere in the walk.
 * A token longer than a row (a path, an ARN) continues by design: not flagged.
 */
export function splitWords(lines: readonly string[], vocabulary: ReadonlySet<string>): Problem[] {
  const out: Problem[] = [];
  for (const box of dialogBoxes(lines)) {
    const inner = (row: number): string => [...(lines[row] ?? '')].slice(box.left + 1, box.right).join('');
    for (let row = box.top + 1; row + 1 < Math.min(box.bottom, lines.length); row++) {
      const text = inner(row);
      const next = inner(row + 1);
      // runs to its last cell: at most the box's padding after it
      if (text.trimEnd().length < text.length - 1 || text.trim() === '') continue;
      const a = /(?:^|[^\p{L}\p{N}])([\p{L}\p{N}]+)$/u.exec(text.trimEnd());
      const b = /^\s*([\p{L}\p{N}]+)/u.exec(next);
      if (!a?.[1] || !b?.[1]) continue;
      // one token filling the whole row is a long path or id wrapping by design
      if (!/\s/.test(text.trim())) continue;
      const [head, tail] = [a[1].toLowerCase(), b[1].toLowerCase()];
      if (vocabulary.has(head + tail)) {
        out.push({ rule: 'word split across lines in a dialog', row, text: `${a[1]}|${b[1]}` });
      }
    }
  }
  return out;
}
