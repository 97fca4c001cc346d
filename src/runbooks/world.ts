import path from 'node:path';
import { lockDirOf, type CommandContext } from '../core/context.js';
import { syncSettings, type SyncSettings } from '../haproxy/sandbox.js';
import type { Executors } from './executors.js';
import { realExecutors } from './executors-real.js';
import { sandboxExecutors, sandboxInventory } from './executors-sandbox.js';
import { inventoryOf, type Inventory } from './inputs.js';
import { runsDirOf } from './journal.js';

/**
 * Everything a run needs from a command context, the same for batch and the
 * pane: the inventory inputs are checked against, the executors (real, or
 * the sandbox's rehearsal), and where journals and locks live.
 */
export interface RunbookWorld {
  inventory: Inventory;
  executors: () => Executors;
  runsDir: string;
  lockDir: string;
  rehearsal: boolean;
}

export async function runbookWorld(ctx: CommandContext, opts: { env?: NodeJS.ProcessEnv; latencyMs?: number } = {}): Promise<RunbookWorld> {
  const env = opts.env ?? process.env;
  let settings: Promise<SyncSettings> | undefined;
  const haproxy = (): Promise<SyncSettings> => (settings ??= syncSettings(ctx.config, ctx.sandboxDir));
  const runsDir = runsDirOf(ctx.stateDir);
  const lockDir = lockDirOf(ctx);
  if (ctx.options.sandbox) {
    const cloud = await ctx.cloud();
    const ids = (cloud as { ids?: { dbReplica?: string; volumes?: { mysqlData?: string } } }).ids;
    const inventory = sandboxInventory(ctx.config, { volume: ids?.volumes?.mysqlData ?? 'vol-0000000000000000a', instance: ids?.dbReplica ?? 'i-0000000000000000a' });
    return {
      inventory,
      executors: () => sandboxExecutors({ cloud: ctx.cloud, haproxy, clock: ctx.clock, audit: ctx.audit, latencyMs: opts.latencyMs ?? 0 }),
      runsDir,
      lockDir,
      rehearsal: true,
    };
  }
  const inventory = inventoryOf(ctx.config);
  return {
    inventory,
    executors: () => realExecutors({ inventory, configPath: ctx.configPath, env, haproxy, cloud: ctx.cloud }),
    runsDir,
    lockDir,
    rehearsal: false,
  };
}

export const journalName = (file: string): string => path.basename(file, '.jsonl');
