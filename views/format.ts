/** Display helpers shared by panes and components (no React, no I/O). */

import stringWidth from 'string-width';

export { formatAge, formatDuration } from '../src/core/format.js';

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * Terminal cells a string takes: CJK and most emoji take two, combining marks
 * none. Instance names and tags are user data, so a column measured in
 * characters would push everything right of a wide name out of line.
 * ASCII (nearly every row) skips the Unicode tables.
 */
export function cellWidth(text: string): number {
  return PRINTABLE_ASCII.test(text) ? text.length : stringWidth(text);
}

/** Fits `text` into exactly `width` cells: cut with an ellipsis, padded with spaces. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  // Control characters from API data (C0, DEL, C1) would move the cursor and corrupt the frame.
  const clean = text.replace(/[\x00-\x1f\x7f-\x9f]/g, ' ');
  const w = cellWidth(clean);
  let cut = clean;
  let used = w;
  if (w > width) {
    cut = '';
    used = 0;
    // Cut on grapheme boundaries so a wide character is never split in half.
    for (const { segment } of segmenter.segment(clean)) {
      const sw = cellWidth(segment);
      if (used + sw > width - 1) break;
      cut += segment;
      used += sw;
    }
    cut += '…';
    used += 1;
  }
  const pad = ' '.repeat(Math.max(0, width - used));
  return align === 'right' ? pad + cut : cut + pad;
}

/** The head of `word` that fits in `cells` (at least one grapheme, so a loop over it always ends), and the rest. */
function takeCells(word: string, cells: number): [string, string] {
  let head = '';
  let used = 0;
  for (const { segment } of segmenter.segment(word)) {
    const w = cellWidth(segment);
    if (used + w > cells && head !== '') break;
    head += segment;
    used += w;
  }
  return [head, word.slice(head.length)];
}

/**
 * Words onto lines of at most `width` cells. A word wider than a line (an ARN,
 * a URL, a backup path) fills the rest of the current line and continues on
 * the next ones, so a wrapped message loses no room to it.
 */
export function wrapWords(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const sep = line === '' ? 0 : 1;
    if (cellWidth(line) + sep + cellWidth(word) <= w) {
      line = line === '' ? word : `${line} ${word}`;
      continue;
    }
    if (cellWidth(word) <= w) {
      out.push(line);
      line = word;
      continue;
    }
    let rest = word;
    if (line !== '') {
      const room = w - cellWidth(line) - 1;
      if (room > 0) {
        const [head, tail] = takeCells(rest, room);
        line = `${line} ${head}`;
        rest = tail;
      }
      out.push(line);
    }
    while (cellWidth(rest) > w) {
      const [head, tail] = takeCells(rest, w);
      out.push(head);
      rest = tail;
    }
    line = rest;
  }
  if (line !== '' || out.length === 0) out.push(line);
  return out;
}

/**
 * One line of a plan wrapped at `width` rather than cut: a line that fits is
 * kept exactly (its spacing lines up columns); otherwise its words go onto
 * lines whose continuations hang under its text, past its indent and a list
 * marker ("  3. ", "- "), or two cells in, so each line still reads as one
 * item.
 */
export function wrapHanging(line: string, width: number): string[] {
  if (cellWidth(line) <= width || line.trim() === '') return [line];
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  const marker = /^\s*(?:\d+\.|[-*•])\s+/.exec(line)?.[0];
  const hang = ' '.repeat(Math.min(marker ? marker.length : indent.length + 2, Math.max(0, width - 8)));
  const [first = '', ...rest] = wrapWords(line, Math.max(1, width - indent.length));
  const tail = rest.join(' ');
  return [`${indent}${first}`, ...(tail ? wrapWords(tail, Math.max(1, width - hang.length)).map((l) => `${hang}${l}`) : [])];
}

/**
 * A status message on at most `maxLines` lines of `width` cells: an error's
 * hint comes at its end, so cutting at one line lost exactly the part that
 * says what to do. Beyond `maxLines` the last line ends in an ellipsis.
 */
export function wrapMessage(text: string, width: number, maxLines: number): string[] {
  const all = wrapWords(text.replace(/[\x00-\x1f\x7f-\x9f]/g, ' '), Math.max(1, width));
  const kept = all.length <= maxLines ? all : [...all.slice(0, maxLines - 1), all.slice(maxLines - 1).join(' ')];
  return kept.map((l) => fit(l, width).trimEnd());
}

/** 10000 -> "10,000" */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
