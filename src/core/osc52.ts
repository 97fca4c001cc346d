/**
 * OSC 52: the terminal puts text on the clipboard of the machine it runs on,
 * so a copy works over SSH. tmux either takes OSC 52 itself (set-clipboard
 * on) or passes a wrapped one through (allow-passthrough): inside tmux both
 * are sent, since which one it honours depends on settings we cannot see.
 */
export function osc52(text: string, env: Readonly<Record<string, string | undefined>>): string {
  const plain = `\x1b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\x07`;
  if (!env.TMUX) return plain;
  // DCS passthrough: every ESC inside is doubled
  return `${plain}\x1bPtmux;${plain.replace(/\x1b/g, '\x1b\x1b')}\x1b\\`;
}
