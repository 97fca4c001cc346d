/**
 * `opsdeck runbook list|show|run|resume|runs`: guided procedures in batch.
 * Progress and step output go to stderr, the outcome to stdout; the journal
 * path is printed before step 1 so a person can follow or resume it.
 */
import type { Command } from 'commander';
import { HOUR, MINUTE } from '../../core/deadline.js';
import type { RegisterArea } from '../types.js';
import type { RunOpts } from './runbook-run.js';

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];
const body = (): Promise<typeof import('./runbook-run.js')> => import('./runbook-run.js');

export const register: RegisterArea = (program: Command, action) => {
  const rb = program
    .command('runbook')
    .description('guided procedures: plan, run step by step, journal, resume')
    .addHelpText(
      'after',
      `
Examples:
  opsdeck runbook list --batch
  opsdeck runbook show haproxy-maintenance --batch          every step, rendered (the dry run)
  opsdeck runbook run haproxy-maintenance --sandbox --batch --yes   a complete rehearsal
  opsdeck runbook run NAME --input host=db2 --confirm wipe=WIPE --yes
  opsdeck runbook runs --batch                               history, status, duration
  opsdeck runbook resume RUN --batch --yes                   finished steps never run twice

Exit codes: 0 done, 1 a step failed, 2 usage or a bad runbook, 3 refused (a
check or precondition, a confirmation not given, a changed runbook), 4 another
run holds the same targets, 130/143 cancelled (resumable).`,
    );
  rb.command('list').description('the runbooks (shipped and your own), with their last run').action(action(async (ctx) => (await body()).list(ctx), { timeoutMs: MINUTE }));
  rb.command('show <name>')
    .description('the plan: every step with its command, resolved from the inputs')
    .option('--input <name=value>', 'an input (repeatable)', collect)
    .action(action<RunOpts>(async (ctx, opts, [name]) => (await body()).show(ctx, name ?? '', opts), { timeoutMs: MINUTE }));
  const runOpts = (c: Command): Command =>
    c
      .option('--input <name=value>', 'an input (repeatable)', collect)
      .option('--confirm <step=word>', 'pass a typed confirmation (or `done` for a manual step) in batch (repeatable)', collect)
      .option('--retry-unknown', 'a step interrupted mid-way and not verified done: run it again')
      .option('--skip-unknown', 'a step interrupted mid-way and not verified done: treat it as done');
  runOpts(rb.command('run <name>')).description('run a runbook; without --yes only prints the plan').action(action<RunOpts>(async (ctx, opts, [name]) => (await body()).run(ctx, name ?? '', opts), { timeoutMs: 24 * HOUR }));
  runOpts(rb.command('resume <run>')).description('continue a stopped run where it stopped').action(action<RunOpts>(async (ctx, opts, [ref]) => (await body()).resumeRun(ctx, ref ?? '', opts), { timeoutMs: 24 * HOUR }));
  rb.command('runs').description('run history: status, steps done, duration').action(action(async (ctx) => (await body()).runs(ctx), { timeoutMs: MINUTE }));
};
