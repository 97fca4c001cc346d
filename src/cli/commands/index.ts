import type { Command } from 'commander';
import type { PlainWrapper } from '../context.js';
import type { ActionWrapper, RegisterArea } from '../types.js';
import { registerConfig } from './config.js';
import { registerInit } from './init.js';

/**
 * Each area's module, by the one top-level command it registers, in the order
 * `opsdeck --help` lists them. Loaded on demand: haproxy and snapshots bring
 * their cores and zod, about 40% of the CPU a cron `opsdeck instances` run
 * spent, so a run that names one command loads only that area.
 */
export const AREAS: Readonly<Record<string, () => Promise<RegisterArea>>> = {
  instances: async () => (await import('./instances.js')).register,
  haproxy: async () => (await import('./haproxy.js')).register,
  snapshots: async () => (await import('./snapshots.js')).register,
  runbook: async () => (await import('./runbook.js')).register,
  db: async () => (await import('./db.js')).register,
  scaling: async () => (await import('./scaling.js')).register,
  webcam: async () => (await import('./webcam.js')).register,
};

/** Commands that are not areas: they need no area module at all. */
const SHELL_COMMANDS = new Set(['config', 'init', 'tui']);

/**
 * The command a run names: the first operand, skipping options and the
 * values of `valueOptions` (`--config x`). Undefined for a bare `opsdeck`.
 */
export function commandWord(argv: readonly string[], valueOptions: ReadonlySet<string>): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') return argv[i + 1];
    if (!a.startsWith('-')) return a;
    if (valueOptions.has(a)) i++;
  }
  return undefined;
}

/**
 * Registers the commands `word` needs: its own area, none for config/init/tui,
 * every area otherwise (bare opsdeck, --help, a typo that wants a suggestion).
 */
export async function registerAll(program: Command, action: ActionWrapper, plain: PlainWrapper, word?: string): Promise<void> {
  const names = word !== undefined && word in AREAS ? [word] : word !== undefined && SHELL_COMMANDS.has(word) ? [] : Object.keys(AREAS);
  const registers = await Promise.all(names.map((n) => AREAS[n]!()));
  for (const register of registers) register(program, action);
  // These two must work without a valid config, so they skip the context.
  registerConfig(program, plain);
  registerInit(program, plain);
}
