import { describe, expect, it } from 'vitest';
import { dialogBoxes, frameProblems, splitWords, wordsIn, type Capture } from '../integration/tmux-frames.js';

const capture = (lines: string[], over: Partial<Capture> = {}): Capture => ({ lines, rows: lines.length, columns: 40, historySize: 0, ...over });
const header = 'opsdeck  sandbox@sandbox-1  SANDBOX';

describe('tmux frame rules', () => {
  const dialog = [
    header,
    ' 1 Fleet  [2 Snapshots]',
    '╔══════════════════════╗',
    '║ Delete 12 snapshots? ║',
    '║ kept: 3 (AMI-pinned  ║',
    '║ and newest)          ║',
    '╚══════════════════════╝',
    'Tab switch  Esc cancel',
  ];

  it('a frame that fits, with a dialog that wraps, breaks no rule', () => {
    expect(frameProblems(capture(dialog))).toEqual([]);
    expect(dialogBoxes(dialog)).toEqual([{ top: 2, bottom: 6, left: 0, right: 23 }]);
  });

  it('a word cut short in a dialog is found, with its row', () => {
    const cut = [...dialog];
    cut[4] = '║ kept: 3 (AMI-pinn…   ║';
    expect(frameProblems(capture(cut))).toEqual([{ rule: 'cut word in a dialog', row: 4, text: ' kept: 3 (AMI-pinn…' }]);
  });

  it('a path cut short in a dialog title is a cut too', () => {
    const cut = [...dialog];
    cut[3] = '║ Apply to /tmp/ha/…   ║';
    expect(frameProblems(capture(cut)).map((p) => [p.rule, p.row])).toEqual([['cut word in a dialog', 3]]);
  });

  it('an ellipsis after a space (a deliberate mark, "confirm …") is not a cut word', () => {
    const mark = [...dialog];
    mark[5] = '║ and newest) …        ║';
    expect(frameProblems(capture(mark))).toEqual([]);
  });

  it('a box without its right side or bottom on screen is cut', () => {
    const wide = [...dialog];
    wide[4] = '║ kept: 3 (AMI-pinned and';
    expect(frameProblems(capture(wide)).map((p) => [p.rule, p.row])).toEqual([['dialog box cut', 4]]);
    const noBottom = dialog.slice(0, 6);
    expect(frameProblems(capture(noBottom)).map((p) => p.rule)).toEqual(['dialog box cut']);
  });

  it('a frame taller than the terminal: lines scrolled into history, more rows than the terminal, or the header gone', () => {
    expect(frameProblems(capture(dialog, { historySize: 3 })).map((p) => p.rule)).toEqual(['taller than the terminal']);
    expect(frameProblems(capture(dialog, { rows: 7 })).map((p) => p.rule)).toEqual(['taller than the terminal']);
    expect(frameProblems(capture(dialog.slice(1))).map((p) => p.rule)).toContain('taller than the terminal');
  });

  it('a word broken across two lines of a dialog body is found when it shows whole elsewhere; a whole word at the border is not', () => {
    // a dialog row: its border, one cell of padding, the text
    const row = (t: string): string => `║ ${t.padEnd(21)}║`;
    const split = [...dialog];
    split[4] = row('kept: 3 (AMI-protect');
    split[5] = row('ed and newest)');
    // the same dialog wider, as the walk sees it at another size
    const wider = ['║ kept: 3 (AMI-protected and newest) ║'];
    expect(splitWords(split, wordsIn([split, wider]))).toEqual([{ rule: 'word split across lines in a dialog', row: 4, text: 'protect|ed' }]);
    // the row ends at the border with a whole word: "pinned" then "and" is no word
    const flush = [...dialog];
    flush[4] = row('kept: 3 (AMI-pinned');
    flush[5] = row('and newest)');
    expect(splitWords(flush, wordsIn([flush, wider]))).toEqual([]);
    // a row with room left wrapped at a space, whatever follows
    const room = [...split];
    room[4] = row('kept: 3 (AMI-');
    room[5] = row('protected and newest)');
    expect(splitWords(room, wordsIn([room, wider]))).toEqual([]);
    // one token longer than the row (a path) continues by design
    const path = [...dialog];
    path[4] = row('/var/lib/haproxy/back');
    path[5] = row('ups/x.cfg');
    expect(splitWords(path, wordsIn([path, ['backups']]))).toEqual([]);
  });

  it('finds help and palette boxes (rounded corners) beside the pane', () => {
    const help = [header, '  ╭────────╮', '  │ keys   │', '  ╰────────╯'];
    expect(dialogBoxes(help)).toEqual([{ top: 1, bottom: 3, left: 2, right: 11 }]);
    expect(frameProblems(capture(help))).toEqual([]);
  });
});
