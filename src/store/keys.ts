/**
 * Key events, independent of Ink: the dispatcher and every key handler work on
 * these names so they can be driven headless in tests without a terminal.
 */

/**
 * `name` is what bindings match on: a printable character as typed ('j', 'G',
 * '?', '1') or a named key: up, down, left, right, pageup, pagedown, home,
 * end, enter, escape, tab, shift-tab, backspace, delete, ctrl-<letter>.
 * `text` is the printable text the key produced (for text inputs), '' for
 * named keys; a paste arrives as one event with the whole string.
 */
export interface KeyEvent {
  name: string;
  text: string;
}

/** The shape of Ink's `Key` that we read; declared here so src/ never imports ink. */
export interface InkKeyLike {
  upArrow: boolean;
  downArrow: boolean;
  leftArrow: boolean;
  rightArrow: boolean;
  pageDown: boolean;
  pageUp: boolean;
  home?: boolean;
  end?: boolean;
  return: boolean;
  escape: boolean;
  ctrl: boolean;
  shift: boolean;
  tab: boolean;
  backspace: boolean;
  delete: boolean;
  meta: boolean;
}

/** Turns Ink's (input, key) pair into one KeyEvent. */
export function normaliseKey(input: string, key: InkKeyLike): KeyEvent {
  const named = (name: string): KeyEvent => ({ name, text: '' });
  if (key.upArrow) return named('up');
  if (key.downArrow) return named('down');
  if (key.leftArrow) return named('left');
  if (key.rightArrow) return named('right');
  if (key.pageUp) return named('pageup');
  if (key.pageDown) return named('pagedown');
  if (key.home) return named('home');
  if (key.end) return named('end');
  if (key.return) return named('enter');
  if (key.tab) return named(key.shift ? 'shift-tab' : 'tab');
  // Terminals send DEL (0x7f) for the Backspace key; Ink reports it as `delete`.
  if (key.backspace || key.delete) return named('backspace');
  if (key.escape && input === '') return named('escape');
  if (key.ctrl && input.length === 1) return named(`ctrl-${input.toLowerCase()}`);
  if (input === '\r' || input === '\n') return named('enter');
  return { name: input, text: input };
}

/** One character of a burst: Enter, Tab, Backspace and ctrl-letters by name, the rest as typed. */
function charEvent(ch: string): KeyEvent {
  if (ch === '\r' || ch === '\n') return { name: 'enter', text: '' };
  if (ch === '\t') return { name: 'tab', text: '' };
  if (ch === '\x7f' || ch === '\b') return { name: 'backspace', text: '' };
  const code = ch.codePointAt(0) ?? 0;
  if (code >= 1 && code <= 26) return { name: `ctrl-${String.fromCharCode(code + 96)}`, text: '' };
  return { name: ch, text: ch };
}

/**
 * Ink hands over a burst of plain characters as one input ("jjj" from key
 * repeat over a slow ssh link, "qui\r" typed fast into the palette, a paste).
 * Matched as one key it would be dropped, so a burst becomes one event per
 * character; escape sequences (arrows, ...) Ink already splits and names.
 */
export function keyEvents(input: string, key: InkKeyLike): KeyEvent[] {
  // Ink reads ESC followed by a key in one read as Alt+key. opsdeck binds no
  // Alt keys, and over a laggy ssh link (or with fast fingers) Esc then j do
  // arrive together: it is Esc, then the key.
  if (key.meta && !key.escape) return [{ name: 'escape', text: '' }, ...keyEvents(input, { ...key, meta: false })];
  const chars = Array.from(input);
  const named = key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.home || key.end || key.return || key.tab || key.backspace || key.delete || key.ctrl || key.meta;
  if (chars.length <= 1 || named) return [normaliseKey(input, key)];
  return chars.map(charEvent);
}

/** Human form of a key name for the footer and help: arrows as glyphs. */
export function keyLabel(name: string): string {
  switch (name) {
    case 'up':
      return '↑';
    case 'down':
      return '↓';
    case 'left':
      return '←';
    case 'right':
      return '→';
    case 'pageup':
      return 'PgUp';
    case 'pagedown':
      return 'PgDn';
    case 'home':
      return 'Home';
    case 'end':
      return 'End';
    case 'enter':
      return 'Enter';
    case ' ':
      return 'Space';
    case 'escape':
      return 'Esc';
    case 'tab':
      return 'Tab';
    case 'shift-tab':
      return 'S-Tab';
    case 'backspace':
      return 'Bksp';
    default:
      return name.startsWith('ctrl-') ? `^${name.slice(5).toUpperCase()}` : name;
  }
}

/** A printable text event (typed character or paste), as opposed to a named key. */
export function isText(ev: KeyEvent): boolean {
  return ev.text !== '' && !/[\x00-\x1f\x7f]/.test(ev.text);
}
