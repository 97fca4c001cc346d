import { describe, expect, it } from 'vitest';
import { osc52 } from '../../src/core/osc52.js';

describe('osc52', () => {
  it('puts the base64 text in one OSC 52 sequence', () => {
    expect(osc52('i-0123', {})).toBe(`\x1b]52;c;${Buffer.from('i-0123').toString('base64')}\x07`);
  });

  it('inside tmux sends it plain and wrapped for passthrough, ESCs doubled', () => {
    const plain = osc52('snap-1', {});
    const both = osc52('snap-1', { TMUX: '/tmp/tmux-1000/default,1,0' });
    expect(both.startsWith(plain)).toBe(true);
    expect(both.slice(plain.length)).toBe(`\x1bPtmux;\x1b${plain}\x1b\\`);
  });
});
