/**
 * What a pane wants seen from any pane (a DOWN server, a broken replica, a
 * running deletion), and the headless probe that finds it out while the pane
 * is not on screen: a hidden pane does not refresh (views/hooks.ts), and a
 * pane never shown is not even mounted, so without a probe the tab bar would
 * stay silent at 3 a.m. about what nobody opened.
 */
import type { CommandContext } from './context.js';
import { deadline, raceSignal } from './deadline.js';

export interface Attention {
  /** bad: something is wrong (red); warn: degraded, worth a look (yellow); running: work in progress (yellow) */
  level: 'bad' | 'warn' | 'running';
  /** a few words for the tab: "1 DOWN", "120/412" */
  text: string;
}

/** Looks once; undefined when all is well. `signal` aborts at the probe's deadline: pass it to calls that take one. */
export type AttentionProbe = (ctx: CommandContext, signal: AbortSignal) => Promise<Attention | undefined>;

export type ProbeOutcome = { ok: true; value: Attention | undefined } | { ok: false; error: unknown };

/**
 * Runs a probe within `ms`. A probe that fails or hangs says nothing about
 * the pane's health (the pane's own error panel does, when opened): the caller
 * leaves the mark as it was rather than raising or clearing one.
 */
export async function runAttentionProbe(probe: AttentionProbe, ctx: CommandContext, ms: number, what: string): Promise<ProbeOutcome> {
  const d = deadline(ms, `the ${what} attention probe`, 'the tab mark stays as it was; open the pane to see why');
  try {
    return { ok: true, value: await raceSignal(probe(ctx, d.signal), d.signal) };
  } catch (error) {
    return { ok: false, error };
  } finally {
    d.dispose();
  }
}
