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

/** Cuts a word wider than `width` into pieces that fit, on grapheme boundaries. */
function breakWord(word: string, width: number): string[] {
  if (cellWidth(word) <= width) return [word];
  const parts: string[] = [];
  let part = '';
  let used = 0;
  for (const { segment } of segmenter.segment(word)) {
    const w = cellWidth(segment);
    if (used + w > width && part !== '') {
      parts.push(part);
      part = '';
      used = 0;
    }
    part += segment;
    used += w;
  }
  return part === '' ? parts : [...parts, part];
}

/** Words onto lines of at most `width` cells; a word wider than a line (an ARN, a URL) is cut across lines. */
export function wrapWords(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean).flatMap((w) => breakWord(w, Math.max(1, width)))) {
    if (line !== '' && cellWidth(line) + 1 + cellWidth(word) > width) {
      out.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return out.length > 0 || line !== '' ? [...out, line] : [''];
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
