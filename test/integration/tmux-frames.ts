/**
 * What a frame captured from a real terminal (tmux capture-pane) must never
 * show: a frame taller than the terminal (its top scrolled away, into tmux's
 * history) and a dialog that cuts a word or its own box. Pure functions over
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
  rule: 'taller than the terminal' | 'cut word in a dialog' | 'dialog box cut';
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
