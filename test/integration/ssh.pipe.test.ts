import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipeBetween } from '../../src/remote/pipe.js';
import { connectSsh, type SshConnection } from '../../src/remote/ssh.js';
import { startSshd, type SshdHandle } from '../services/sshd.js';

let sshd: SshdHandle;
let a: SshConnection;
let b: SshConnection;

beforeAll(async () => {
  sshd = await startSshd();
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
  await sshd?.stop();
});

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

  it('gives the receiver EOF and reports failure when the sender fails midway', async () => {
    const r = await pipeBetween({ conn: a, command: 'echo partial; echo "dump: lost connection" >&2; exit 3' }, { conn: b, command: 'wc -l' }, { timeoutMs: 10_000 });
    expect(r.ok).toBe(false);
    expect(r.from).toMatchObject({ code: 3, stderr: 'dump: lost connection\n' });
    expect(r.to).toMatchObject({ code: 0, stdout: '1\n' });
  });
});
