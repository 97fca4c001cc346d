import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipeBetween, pipeFailure } from '../../src/remote/pipe.js';
import { connectSsh, type SshConnection } from '../../src/remote/ssh.js';
import { readRun } from '../../src/runbooks/journal.js';
import { startSshd, type SshdHandle } from '../services/sshd.js';
import { rigInventory, RunbookRig } from './runbook-rig.js';

let sshd: SshdHandle;
let a: SshConnection;
let b: SshConnection;
let rig: RunbookRig;

beforeAll(async () => {
  [sshd, rig] = await Promise.all([startSshd(), RunbookRig.create()]);
  const target = {
    host: sshd.host,
    port: sshd.port,
    user: sshd.user,
    privateKeyPath: sshd.clientKeyPath,
    knownHostsPath: sshd.knownHostsPath,
  };
  // Two connections stand in for two hosts: the bytes still cross both channels.
  [a, b] = await Promise.all([connectSsh(target), connectSsh(target)]);
});

afterAll(async () => {
  a?.close();
  b?.close();
  await Promise.all([sshd?.stop(), rig?.stop()]);
});

/** The host is this machine: wait up to 5 s for no process to carry `marker` in its command line. */
async function goneFromHost(marker: string): Promise<boolean> {
  const alive = (): boolean => execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).includes(marker);
  for (let i = 0; i < 100 && alive(); i++) await new Promise((res) => setTimeout(res, 50));
  return !alive();
}

function seqText(n: number): string {
  let s = '';
  for (let i = 1; i <= n; i++) s += `${i}\n`;
  return s;
}

describe('stdin and pipes over ssh', () => {
  it('closes stdin when none is given, so a command that reads it does not hang', async () => {
    const r = await a.exec('cat; echo done', { timeoutMs: 5000 });
    expect(r.stdout).toBe('done\n');
  });

  it('feeds a string or a stream to the command', async () => {
    expect((await a.exec('wc -c', { stdin: 'abc' })).stdout.trim()).toBe('3');
    const lines = Readable.from(['one\n', 'two\n', 'three\n']);
    expect((await a.exec('sort', { stdin: lines })).stdout).toBe('one\nthree\ntwo\n');
  });

  it('streams one host\'s output into another\'s command intact', async () => {
    const n = 300_000;
    const expected = seqText(n);
    const progress: number[] = [];
    const r = await pipeBetween({ conn: a, command: `seq 1 ${n}` }, { conn: b, command: 'sha256sum' }, { onBytes: (t) => progress.push(t) });
    expect(r.ok).toBe(true);
    expect(r.bytes).toBe(Buffer.byteLength(expected));
    expect(r.to.stdout.split(' ')[0]).toBe(createHash('sha256').update(expected).digest('hex'));
    expect(r.from.stdout).toBe(''); // streamed, not buffered
    expect(progress.at(-1)).toBe(r.bytes);
    expect(progress.length).toBeGreaterThan(1);
  });

  it('a sender that exits while a slow receiver has not read its output yet still ends the stream (no hang)', async () => {
    // mysqldump done while mysql still loads: the exit status arrives with MBs still buffered in the relay
    const bytes = 6 * 1024 * 1024;
    const r = await pipeBetween({ conn: a, command: `head -c ${bytes} /dev/zero` }, { conn: b, command: 'sleep 2; wc -c' }, { timeoutMs: 20_000 });
    expect(r.ok, JSON.stringify({ from: r.from.stderr, to: r.to.stderr })).toBe(true);
    expect(r.to.stdout.trim()).toBe(String(bytes));
  }, 30_000);

  it('stops the receiver without an EOF when the sender fails midway, and names the sender', async () => {
    const marker = path.join(rig.dir, 'receiver-saw-eof');
    const r = await pipeBetween(
      { conn: a, command: 'echo partial; echo "dump: lost connection" >&2; exit 3' },
      { conn: b, command: `cat >/dev/null; echo loaded > ${marker}` },
      { timeoutMs: 10_000 },
    );
    expect(r.ok).toBe(false);
    expect(r.failed).toBe('from');
    expect(r.from).toMatchObject({ code: 3, stderr: 'dump: lost connection\n', stopped: false });
    expect(r.to.stopped).toBe(true);
    // a half dump must not be taken for a whole one: the receiver never saw a clean end of input
    await new Promise((res) => setTimeout(res, 300));
    expect(existsSync(marker)).toBe(false);
    expect(pipeFailure(r, { from: 'alpha', to: 'beta' })).toBe('the sender on alpha exited 3: dump: lost connection; the receiver on beta was stopped');
  });

  it('stops the sender on its host when the receiver fails after a few bytes, and names the receiver', async () => {
    const marker = `opsdeck-pipe-sender-${process.pid}-a`;
    // a relay that hung on the sender would end in the timeout's error, not in a result
    const r = await pipeBetween(
      { conn: a, command: `yes ${marker}` },
      { conn: b, command: 'head -c 1000 >/dev/null; echo "restore: disk full" >&2; exit 1' },
      { timeoutMs: 20_000 },
    );
    expect(r.ok).toBe(false);
    expect(r.failed).toBe('to');
    expect(r.to).toMatchObject({ code: 1, stderr: 'restore: disk full\n', stopped: false });
    expect(r.from.stopped).toBe(true);
    expect(await goneFromHost(marker), 'the sender still runs on the host').toBe(true);
    expect(pipeFailure(r, { from: 'alpha', to: 'beta' })).toBe('the receiver on beta exited 1: restore: disk full; the sender on alpha was stopped');
  });

  it('stops the sender when the receiver quits early with 0, and calls that a failure', async () => {
    const marker = `opsdeck-pipe-sender-${process.pid}-b`;
    const r = await pipeBetween({ conn: a, command: `yes ${marker}` }, { conn: b, command: 'head -c 100 >/dev/null' }, { timeoutMs: 20_000 });
    expect(r).toMatchObject({ ok: false, failed: 'to', to: { code: 0 }, from: { stopped: true } });
    expect(await goneFromHost(marker)).toBe(true);
    expect(pipeFailure(r, { from: 'alpha', to: 'beta' })).toMatch(/^the receiver on beta exited 0 before reading all of the sender's output; the sender on alpha was stopped$/);
  });

  it('is fine with a receiver that stops at its own end marker once the sender has sent everything', async () => {
    // like tar x, which stops at the archive's end blocks: the sender's output ended, its exit status may come after
    const r = await pipeBetween({ conn: a, command: 'printf abc; exec >/dev/null 2>&1; sleep 1' }, { conn: b, command: 'head -c 3' }, { timeoutMs: 10_000 });
    expect(r).toMatchObject({ ok: true, failed: undefined, bytes: 3, to: { code: 0, stdout: 'abc' }, from: { code: 0 } });
  });

  it('a cancel stops both ends on their hosts and rejects as cancelled', async () => {
    const sender = `opsdeck-pipe-sender-${process.pid}-d`;
    const receiver = `opsdeck-pipe-receiver-${process.pid}-d`;
    const ac = new AbortController();
    const p = pipeBetween({ conn: a, command: `yes ${sender}` }, { conn: b, command: `cat >/dev/null; echo ${receiver}` }, { signal: ac.signal, onBytes: (n) => n > 1_000_000 && ac.abort(new Error('Ctrl-C')) });
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
    expect(await goneFromHost(sender), 'the sender still runs').toBe(true);
    expect(await goneFromHost(receiver), 'the receiver still runs').toBe(true);
  });

  it('fails the runbook stream step quickly with the receiver\'s error, the sender gone from its host', async () => {
    const marker = `opsdeck-pipe-sender-${process.pid}-c`;
    const loaded = await rig.load(`name: receiver-fails
title: receiver fails
description: test
steps:
  - id: copy
    title: copy
    kind: stream
    from: { host: alpha, command: 'yes ${marker}' }
    to: { host: beta, command: 'head -c 5000 >/dev/null; echo "tar: Cannot write: No space left on device" >&2; exit 2' }
  - id: after
    title: after
    kind: ssh
    host: alpha
    command: echo should not run
`);
    const t0 = Date.now();
    const r = await rig.run(loaded, rigInventory(sshd));
    // the step's own deadline is hours: without the relay stopping the sender this waits for the test's timeout
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(r.outcome.status).toBe('failed');
    expect(r.outcome.steps.get('copy')).toBe('failed');
    expect(r.outcome.steps.get('after')).not.toBe('done');
    const rec = await readRun(r.outcome.journal);
    expect(rec.finished.get('copy')?.error).toBe('stream alpha → beta failed: the receiver on beta exited 2: tar: Cannot write: No space left on device; the sender on alpha was stopped');
    expect(rec.finished.get('copy')?.exit).toBe(2);
    expect(await goneFromHost(marker), 'the sender still runs on the host').toBe(true);
  });
});
