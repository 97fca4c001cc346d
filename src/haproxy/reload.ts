import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { OpsError } from '../core/errors.js';
import type { HaproxyConfig } from './config.js';
import { socketCommand } from './socket.js';

export interface ProcInfo {
  masterPid: number;
  /** master `reloads` column: counts every reload attempt */
  reloads: number;
  /** HAProxy 2.6 prints "[failed: N]" next to it: failed attempts since the last good one */
  failed: number;
  workers: number[];
}

/** Parses the master CLI's `show proc` (HAProxy 2.6+). */
export function parseShowProc(text: string): ProcInfo | undefined {
  let section = '';
  let info: ProcInfo | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('# ')) {
      section = line.slice(2).trim();
      continue;
    }
    const m = /^(\d+)\s+(master|worker)\s+(\d+)(?:\s+\[failed:\s*(\d+)\])?/.exec(line);
    if (!m) continue;
    if (m[2] === 'master') {
      info = { masterPid: Number(m[1]), reloads: Number(m[3]), failed: Number(m[4] ?? 0), workers: [] };
    } else if (info && section === 'workers') {
      info.workers.push(Number(m[1]));
    }
  }
  return info;
}

export interface ReloadResult {
  ok: boolean;
  method: HaproxyConfig['reload']['method'];
  message: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function showProc(masterSocket: string, timeoutMs = 1000): Promise<ProcInfo> {
  const info = parseShowProc(await socketCommand(masterSocket, 'show proc', { timeoutMs }));
  if (!info) throw new OpsError('IO', `the master CLI at ${masterSocket} did not answer "show proc" as expected`);
  return info;
}

/**
 * Master CLI `reload` returns nothing in 2.6 and the CLI goes quiet while the
 * master re-executes, so success is read afterwards from `show proc`: the
 * reload counter moved and a worker that did not exist before now serves.
 * A failed reload keeps the old worker (and bumps "[failed: N]").
 */
async function reloadViaMaster(masterSocket: string, deadlineMs: number): Promise<ReloadResult> {
  const end = Date.now() + deadlineMs;
  // Right after a reload (ours a moment ago, or anyone's) the master re-executes and its CLI is briefly
  // unreachable: wait for it instead of calling a good config's reload failed and rolling it back.
  let before: ProcInfo | undefined;
  for (;;) {
    try {
      before = await showProc(masterSocket);
      break;
    } catch (e) {
      if (Date.now() >= end) throw e;
      await sleep(100);
    }
  }
  await socketCommand(masterSocket, 'reload');
  while (Date.now() < end) {
    await sleep(100);
    let now: ProcInfo;
    try {
      now = await showProc(masterSocket);
    } catch {
      continue; // the master is busy re-executing
    }
    if (now.reloads <= before.reloads) continue;
    const fresh = now.workers.filter((w) => !before.workers.includes(w));
    if (fresh.length > 0) return { ok: true, method: 'master-cli', message: `new worker ${fresh.join(',')} serving` };
    // Compare with before: the counter may still hold an older failure.
    if (now.failed > before.failed) {
      return { ok: false, method: 'master-cli', message: `haproxy kept the old worker ${now.workers.join(',')}: the new config did not load (see the haproxy log)` };
    }
  }
  return { ok: false, method: 'master-cli', message: `no new worker within ${deadlineMs} ms of the reload` };
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}`.trim() });
    });
  });
}

/** Reloads haproxy by the configured method; never throws for a failed reload, reports it. */
export async function reloadHaproxy(cfg: HaproxyConfig, opts: { deadlineMs?: number } = {}): Promise<ReloadResult> {
  const deadlineMs = opts.deadlineMs ?? 15_000;
  const r = cfg.reload;
  try {
    switch (r.method) {
      case 'master-cli':
        return await reloadViaMaster(r.masterSocket, deadlineMs);
      case 'signal': {
        const pid = Number((await readFile(r.pidFile, 'utf8')).split('\n')[0]?.trim());
        if (!Number.isInteger(pid) || pid <= 1) return { ok: false, method: 'signal', message: `${r.pidFile} holds no pid` };
        process.kill(pid, 'SIGUSR2');
        return { ok: true, method: 'signal', message: `sent SIGUSR2 to ${pid}` };
      }
      case 'command': {
        // The command comes from the operator's own config file, never from the cloud.
        const res = await run('/bin/sh', ['-c', r.command], deadlineMs);
        return res.code === 0
          ? { ok: true, method: 'command', message: `${r.command}: ok` }
          : { ok: false, method: 'command', message: `${r.command} exited ${res.code}: ${res.output.slice(0, 300)}` };
      }
    }
  } catch (e) {
    return { ok: false, method: r.method, message: e instanceof Error ? e.message : String(e) };
  }
}

/** `haproxy -c -f <file>`: ok, failed with haproxy's own words, or missing binary. */
export async function checkConfig(binary: string, file: string): Promise<{ status: 'ok' | 'failed' | 'missing'; output: string }> {
  return new Promise((resolve) => {
    execFile(binary, ['-c', '-f', file], { timeout: 30_000 }, (err, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim();
      if (!err) return resolve({ status: 'ok', output });
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return resolve({ status: 'missing', output: `${binary} not found` });
      resolve({ status: 'failed', output: output || err.message });
    });
  });
}
