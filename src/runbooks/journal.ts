import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureDirSync } from '../core/dirs.js';
import { OpsError } from '../core/errors.js';
import { bootId, processAlive } from '../core/lock.js';
import type { InputValues } from './inputs.js';

/**
 * One append-only JSON-lines file per run: runs/<id>.jsonl. Each line is
 * written and fsynced before the engine goes on, so after a crash (kill -9,
 * power, a dropped laptop lid) the file says exactly which steps finished and
 * which one was in flight. Nothing is ever rewritten.
 */
export type StepStatus = 'done' | 'failed' | 'skipped' | 'cancelled' | 'declined';

export type JournalLine =
  | {
      t: 'run';
      at: string;
      runId: string;
      runbook: string;
      file: string;
      hash: string;
      stepHashes: string[];
      /** secret inputs are absent: resume asks for them again */
      inputs: InputValues;
      secretInputs: string[];
      rehearsal: boolean;
      user: string;
      host: string;
      pid: number;
      boot: string | undefined;
    }
  | { t: 'resumed'; at: string; pid: number; boot: string | undefined; user: string }
  | { t: 'approval'; at: string; step: string; by: string; via: 'tui' | 'yes' | 'confirm-flag' | 'rehearsal'; typed?: string }
  | { t: 'started'; at: string; step: string; attempt: number; shown: string[] }
  | {
      t: 'finished';
      at: string;
      step: string;
      status: StepStatus;
      outputs: Record<string, string>;
      exit?: number | null;
      durationMs: number;
      tail: string;
      error?: string;
      /** how an unknown step was settled on resume */
      settled?: 'verified' | 'retried' | 'skipped';
    }
  | { t: 'end'; at: string; status: RunStatus; message?: string };

export type RunStatus = 'done' | 'failed' | 'cancelled' | 'refused' | 'stopped';

export function newRunId(runbook: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${runbook}-${randomBytes(2).toString('hex')}`;
}

export const runsDirOf = (stateDir: string): string => path.join(stateDir, 'runs');

export class Journal {
  private fd: number | undefined;
  constructor(readonly file: string) {}

  static create(runsDir: string, runId: string): Journal {
    ensureDirSync(runsDir);
    return new Journal(path.join(runsDir, `${runId}.jsonl`));
  }

  append(line: JournalLine): void {
    if (this.fd === undefined) {
      try {
        this.fd = openSync(this.file, 'a', 0o600);
      } catch (e) {
        throw new OpsError('IO', `cannot write the run journal ${this.file}: ${(e as Error).message}`, { hint: 'check the state directory is writable; nothing was run' });
      }
    }
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** What a journal says about its run, read back. */
export interface RunRecord {
  file: string;
  head: Extract<JournalLine, { t: 'run' }>;
  lines: JournalLine[];
  /** the last `finished` line of each step */
  finished: Map<string, Extract<JournalLine, { t: 'finished' }>>;
  /** steps that started and have no `finished` after it: the run stopped mid-step */
  unknown: string[];
  status: RunStatus | 'running' | 'interrupted';
  startedAt: string;
  endedAt: string | undefined;
  /** where the journal is cut (a crash mid-write): the partial last line is ignored */
  truncatedTail: boolean;
}

export function parseJournal(text: string, file: string): RunRecord {
  const rawLines = text.split('\n');
  const lines: JournalLine[] = [];
  let truncatedTail = false;
  let lastLine = rawLines.length - 1;
  while (lastLine > 0 && (rawLines[lastLine] ?? '').trim() === '') lastLine--;
  rawLines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    try {
      lines.push(JSON.parse(raw) as JournalLine);
    } catch {
      // Only the last line can be partial (append-only, fsync per line); anything else is damage.
      if (i === lastLine) truncatedTail = true;
      else throw new OpsError('IO', `${file}:${i + 1}: the run journal is damaged (not JSON)`, { hint: 'the run cannot be resumed from this file; inspect it by hand' });
    }
  });
  const head = lines[0];
  if (head?.t !== 'run') throw new OpsError('IO', `${file}: not a run journal (no run line first)`);
  const finished = new Map<string, Extract<JournalLine, { t: 'finished' }>>();
  const open = new Map<string, boolean>();
  let end: Extract<JournalLine, { t: 'end' }> | undefined;
  let owner: { pid: number; boot: string | undefined } = { pid: head.pid, boot: head.boot };
  for (const l of lines) {
    if (l.t === 'started') open.set(l.step, true);
    else if (l.t === 'finished') {
      finished.set(l.step, l);
      open.delete(l.step);
    } else if (l.t === 'end') end = l;
    else if (l.t === 'resumed') {
      owner = { pid: l.pid, boot: l.boot };
      end = undefined;
    }
  }
  let status: RunRecord['status'];
  if (end) status = end.status;
  else {
    // Alive only if the same boot and the pid still runs: a pid reused after a reboot is not our run.
    const alive = owner.boot === bootId() && processAlive(owner.pid) && head.host === os.hostname();
    status = alive ? 'running' : 'interrupted';
  }
  const last = lines[lines.length - 1];
  return {
    file,
    head,
    lines,
    finished,
    unknown: [...open.keys()],
    status,
    startedAt: head.at,
    endedAt: end?.at ?? (status === 'interrupted' ? last?.at : undefined),
    truncatedTail,
  };
}

export async function readRun(file: string): Promise<RunRecord> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new OpsError('USAGE', `cannot read run journal ${file}: ${(e as Error).message}`, { hint: '`opsdeck runbook runs` lists the runs' });
  }
  return parseJournal(text, file);
}

/** Every run in the folder, newest first; damaged journals are skipped (they are listed by `runs` as such). */
export async function listRuns(runsDir: string): Promise<{ runs: RunRecord[]; damaged: string[] }> {
  let names: string[];
  try {
    names = (await readdir(runsDir)).filter((f) => f.endsWith('.jsonl'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { runs: [], damaged: [] };
    throw e;
  }
  const runs: RunRecord[] = [];
  const damaged: string[] = [];
  for (const n of names) {
    try {
      runs.push(await readRun(path.join(runsDir, n)));
    } catch {
      damaged.push(path.join(runsDir, n));
    }
  }
  runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  return { runs, damaged };
}

/** A run id, a unique prefix of one, or a journal path. */
export async function findRun(runsDir: string, ref: string): Promise<RunRecord> {
  if (ref.includes('/')) return readRun(ref);
  const { runs } = await listRuns(runsDir);
  const hits = runs.filter((r) => r.head.runId === ref || r.head.runId.startsWith(ref));
  if (hits.length === 1 && hits[0]) return hits[0];
  if (hits.length > 1) throw new OpsError('USAGE', `"${ref}" matches ${hits.length} runs`, { details: hits.map((h) => h.head.runId), hint: 'give more of the run id' });
  throw new OpsError('USAGE', `no run "${ref}" in ${runsDir}`, { hint: '`opsdeck runbook runs` lists the runs' });
}
