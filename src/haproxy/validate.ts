import { execFile } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { redactMessage } from './redact.js';
import { checkConfig } from './reload.js';

export interface Validation {
  status: 'ok' | 'failed' | 'skipped';
  message: string;
}

const CHECK_PREFIX = 'opsdeck-haproxy-check-';
/** Check dirs in use: a copy of a config may hold secrets, so one left by a quit mid-check is removed at exit. */
const inFlight = new Set<string>();
let started = false;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Once per process: an exit hook for our own dirs, and a sweep of dirs left by
 * processes that are gone (killed, or test workers torn down mid-check), whose
 * pid is part of the name.
 */
function startOnce(): void {
  if (started) return;
  started = true;
  process.once('exit', () => {
    for (const d of inFlight) rmSync(d, { recursive: true, force: true });
  });
  try {
    for (const name of readdirSync(os.tmpdir())) {
      const pid = Number(/^opsdeck-haproxy-check-(\d+)-/.exec(name)?.[1]);
      if (pid > 0 && pid !== process.pid && !alive(pid)) rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
    }
  } catch {
    // best effort: a tmp dir we cannot list holds nothing of ours to sweep
  }
}

/** Runs `haproxy -c` on the text in a private temp dir; the live file is never touched. */
export async function validateText(binary: string, text: string, configPath: string, sandbox: boolean): Promise<Validation> {
  startOnce();
  const dir = await mkdtemp(path.join(os.tmpdir(), `${CHECK_PREFIX}${process.pid}-`));
  inFlight.add(dir);
  try {
    const file = path.join(dir, path.basename(configPath));
    await writeFile(file, text, { mode: 0o600 });
    return await validateFile(binary, file, sandbox);
  } finally {
    await rm(dir, { recursive: true, force: true });
    inFlight.delete(dir);
  }
}

/** "HAProxy version 2.6.12-1+deb12u4 ..." -> [2, 6]; older builds print "HA-Proxy version". */
export function parseHaproxyVersion(text: string): { major: number; minor: number; text: string } | undefined {
  const m = /HA-?Proxy version ((\d+)\.(\d+)\S*)/.exec(text);
  return m ? { major: Number(m[2]), minor: Number(m[3]), text: m[1] as string } : undefined;
}

const versionChecks = new Map<string, Promise<string | undefined>>();

/** Why this binary is too old for opsdeck (undefined when fine); asked once per binary and process. */
function versionProblem(binary: string): Promise<string | undefined> {
  let p = versionChecks.get(binary);
  if (!p) {
    p = new Promise((resolve) => {
      execFile(binary, ['-v'], { timeout: 10_000 }, (_err, stdout, stderr) => {
        const v = parseHaproxyVersion(`${stdout}${stderr}`);
        if (!v) return resolve(`${binary} -v did not print an HAProxy version`);
        // 2.6 is where the master CLI's reload and show proc behave as reload.ts expects.
        resolve(v.major > 2 || (v.major === 2 && v.minor >= 6) ? undefined : `${binary} is HAProxy ${v.text}; opsdeck needs 2.6 or newer`);
      });
    });
    versionChecks.set(binary, p);
  }
  return p;
}

export async function validateFile(binary: string, file: string, sandbox: boolean): Promise<Validation> {
  const r = await checkConfig(binary, file);
  if (r.status === 'ok') {
    const old = await versionProblem(binary);
    if (old) return { status: 'failed', message: `${old} (set haproxy.binary to a 2.6+ build)` };
    return { status: 'ok', message: `${binary} -c: configuration is valid` };
  }
  if (r.status === 'missing') {
    // Only the sandbox may go on without the binary; on a real host an unvalidated config is never written.
    return sandbox
      ? { status: 'skipped', message: 'haproxy not installed: skipped validation' }
      : { status: 'failed', message: `${binary} not found: cannot validate (install haproxy or set haproxy.binary)` };
  }
  // Point at our temp file's lines as "line N" so the message reads the same as for the live file.
  const lines = r.output.replaceAll(file, 'new config').split('\n').filter((l) => /ALERT|error/i.test(l))
    .map((l) => l.replace(/^\[ALERT\]\s+\(\d+\) : (config : )?/, ''));
  // haproxy quotes the offending line, or a word of it, which may be a secret.
  const text = await readFile(file, 'utf8').catch(() => '');
  return { status: 'failed', message: redactMessage((lines.length ? lines : [r.output]).slice(0, 4).join(' | '), text) };
}
