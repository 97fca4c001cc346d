import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { STARTER_CONFIG } from '../../config/template.js';
import { ExitCode, OpsError } from '../../core/errors.js';
import type { PlainWrapper } from '../context.js';

export function registerInit(program: Command, plain: PlainWrapper): void {
  program
    .command('init')
    .description('write a commented starter config (default ./opsdeck.yaml)')
    .option('--path <file>', 'where to write it (default: --config, else ./opsdeck.yaml)')
    .option('--force', 'overwrite an existing file')
    .action(
      plain<{ path?: string; force?: boolean }>(async (io, opts) => {
        const target = path.resolve(io.cwd, opts.path ?? io.options.config ?? 'opsdeck.yaml');
        await fsp.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
        try {
          // 'wx' refuses to clobber atomically, even if the file appears between a check and the write.
          await fsp.writeFile(target, STARTER_CONFIG, { mode: 0o600, flag: opts.force ? 'w' : 'wx' });
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'EEXIST') {
            throw new OpsError('USAGE', `${target} already exists; not overwriting it`, {
              hint: 'pass --force to replace it, or --path to write somewhere else',
            });
          }
          throw new OpsError('IO', `cannot write ${target} (${code ?? 'error'})`, { cause: e });
        }
        if (io.options.json) io.stdout(JSON.stringify({ path: target }));
        else io.stdout(`wrote ${target}\nnext: edit it, then run \`opsdeck config check${opts.path ? ` --config ${opts.path}` : ''}\``);
        return ExitCode.Ok;
      }),
    );
}
