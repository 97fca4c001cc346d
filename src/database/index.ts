import type { CommandContext } from '../core/context.js';
import { OpsError } from '../core/errors.js';
import type { DatabaseFleet } from './fleet.js';

/** The servers a session watches: the sandbox's simulated ones, or the config's mysql: targets. */
export async function databaseFleet(ctx: Pick<CommandContext, 'options' | 'config' | 'configPath' | 'clock'>): Promise<DatabaseFleet> {
  if (ctx.options.sandbox) return (await import('./sandbox.js')).sandboxFleet(ctx.clock);
  if (Object.keys(ctx.config.mysql).length === 0) {
    throw new OpsError('USAGE', 'no MySQL servers in the config', { hint: 'add them under mysql: (host, port, user, password: ${env:...}); `opsdeck init` writes an example' });
  }
  return (await import('./fleet.js')).configFleet(ctx.config, ctx.configPath);
}
