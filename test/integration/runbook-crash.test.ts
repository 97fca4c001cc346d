import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type SshdHandle } from '../services/sshd.js';

/**
 * kill -9 of the opsdeck process in the middle of a long ssh step and of a
 * stream step, then `runbook resume`: the journal says what finished, no
 * finished step runs twice (counted on the remote side), and the step that
 * was in flight is settled by its verify probe (or an explicit --retry-unknown).
 */
const repo = path.resolve(import.meta.dirname, '../..');
const entry = path.join(repo, 'views', 'main.ts');
const tsx = import.meta.resolve('tsx');
let root: string;
let sshd: SshdHandle;

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-crash-'));
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
  rmSync(root, { recursive: true, force: true });
});

const STREAM_BYTES = 30 * 200_000;

function runbookYaml(dir: string): string {
  const count = path.join(dir, 'count');
  return `name: crashy
title: A run that is killed twice
description: test
steps:
  - id: before
    title: before
    kind: ssh
    host: alpha
    command: echo before >> ${count}
  - id: long
    title: long
    kind: ssh
    host: alpha
    command: echo long-start >> ${count}; touch ${dir}/long.done; sleep 5; echo long-end >> ${count}
    verify:
      probe: { kind: ssh, host: alpha, command: 'test -e ${dir}/long.done' }
  - id: copy
    title: stream
    kind: stream
    from: { host: alpha, command: 'for i in $(seq 1 30); do head -c 200000 /dev/zero; sleep 0.1; done' }
    to: { host: beta, command: 'cat > ${dir}/copy.out; echo copy-end >> ${count}' }
    sizeBytes: '${STREAM_BYTES}'
    verify:
      probe: { kind: ssh, host: beta, command: 'stat -c %s ${dir}/copy.out' }
      captures:
        size: { regex: '(\\d+)' }
      expect: outputs.size == ${STREAM_BYTES}
  - id: after
    title: after
    kind: ssh
    host: alpha
    command: echo after >> ${count}
`;
}

interface Proc {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function opsdeck(home: string, args: string[], killWhen?: () => boolean): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', tsx, entry, '--config', path.join(home, 'opsdeck.yaml'), ...args, '--batch'], {
    cwd: home,
    env: { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_STATE_HOME: path.join(home, 'state'), TMPDIR: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`opsdeck ${args.join(' ')} did not end; stderr:\n${stderr}`));
    }, 60_000);
    const poll = killWhen
      ? setInterval(() => {
          if (killWhen()) child.kill('SIGKILL');
        }, 20)
      : undefined;
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (poll) clearInterval(poll);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function journalOf(home: string): string {
  const dir = path.join(home, 'state', 'opsdeck', 'runs');
  const f = readdirSync(dir).find((n) => n.endsWith('.jsonl'));
  if (!f) throw new Error('no journal');
  return path.join(dir, f);
}
const journalText = (home: string): string => {
  try {
    return readFileSync(journalOf(home), 'utf8');
  } catch {
    return '';
  }
};
const startedStep = (home: string, id: string): boolean => journalText(home).includes(`"t":"started","at"`) && new RegExp(`"t":"started"[^\\n]*"step":"${id}"`).test(journalText(home));

describe('a run killed with SIGKILL resumes without running a finished step twice', () => {
  it('settles the interrupted ssh step by its verify probe and retries the interrupted stream on request', async () => {
    const home = mkdtempSync(path.join(root, 'home-'));
    const remote = path.join(home, 'remote');
    mkdirSync(remote);
    mkdirSync(path.join(home, 'config', 'opsdeck', 'runbooks'), { recursive: true });
    writeFileSync(path.join(home, 'config', 'opsdeck', 'runbooks', 'crashy.yaml'), runbookYaml(remote));
    const host = `    host: ${sshd.host}\n    port: ${sshd.port}\n    user: ${sshd.user}\n    identityFile: ${sshd.clientKeyPath}\n    knownHosts: ${sshd.knownHostsPath}\n`;
    writeFileSync(path.join(home, 'opsdeck.yaml'), `hosts:\n  alpha:\n${host}  beta:\n${host}`);

    // 1. Killed while `long` runs on the host, after its effect (long.done) is there.
    const first = await opsdeck(home, ['runbook', 'run', 'crashy', '--yes'], () => startedStep(home, 'long') && existsSync(path.join(remote, 'long.done')));
    expect(first.signal).toBe('SIGKILL');
    const runId = path.basename(journalOf(home), '.jsonl');
    expect((await opsdeck(home, ['runbook', 'runs'])).stdout).toMatch(new RegExp(`${runId}\\s+crashy\\s+interrupted\\s+1/4`));

    // 2. Resumed, and killed again in the middle of the stream.
    const second = await opsdeck(home, ['runbook', 'resume', runId, '--yes'], () => startedStep(home, 'copy') && existsSync(path.join(remote, 'copy.out')) && statSync(path.join(remote, 'copy.out')).size > 0);
    expect(second.signal, second.stderr).toBe('SIGKILL');
    expect(second.stderr).toContain(`resuming ${runId}`);
    expect(journalText(home)).toMatch(/"step":"long","status":"done".*"settled":"verified"/);

    // 3. Without a decision, batch does not guess about the interrupted stream.
    await new Promise((r) => setTimeout(r, 500));
    const undecided = await opsdeck(home, ['runbook', 'resume', runId, '--yes']);
    expect(undecided.code).toBe(3);
    expect(undecided.stderr).toMatch(/step copy was running when the run stopped and its verify probe says not done \(outputs\.size == 6000000 is false/);
    expect(undecided.stderr).toContain('--retry-unknown');

    const last = await opsdeck(home, ['runbook', 'resume', runId, '--yes', '--retry-unknown']);
    expect(last.code).toBe(0);
    expect(last.stdout).toContain(`done: crashy (run ${runId})`);
    expect(statSync(path.join(remote, 'copy.out')).size).toBe(STREAM_BYTES);

    const count = readFileSync(path.join(remote, 'count'), 'utf8').trim().split('\n');
    expect(count.filter((l) => l === 'before')).toHaveLength(1);
    expect(count.filter((l) => l === 'long-start')).toHaveLength(1);
    // The host finished the command on its own after the client died; verify saw its effect, so it never ran again.
    expect(count.filter((l) => l === 'long-end')).toHaveLength(1);
    expect(count.filter((l) => l === 'after')).toHaveLength(1);
    const runs = JSON.parse((await opsdeck(home, ['runbook', 'runs', '--json'])).stdout) as { runs: { id: string; status: string; steps: string }[] };
    expect(runs.runs).toEqual([expect.objectContaining({ id: runId, status: 'done', steps: '4/4' })]);
  }, 120_000);
});
