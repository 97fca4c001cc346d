import { chmod, chown, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AuditLog } from '../core/audit.js';
import type { Clock } from '../core/clock.js';
import { ExitCode, OpsError, refused } from '../core/errors.js';
import { withLock } from '../core/lock.js';
import type { HaproxyConfig } from './config.js';
import { readOptional, sha256, type SyncPlan } from './plan.js';
import { reloadHaproxy, showProc, type ReloadResult } from './reload.js';
import { serversIn } from './render.js';
import { liveServers } from './runtime.js';
import { socketCommand } from './socket.js';
import { redactMessage } from './redact.js';
import { validateFile } from './validate.js';

export interface ApplyDeps {
  haproxy: HaproxyConfig;
  audit: AuditLog;
  clock: Clock;
  /** sandbox: validation may be skipped when haproxy is missing; the reload is simulated */
  sandbox?: boolean;
  readOnly?: boolean;
  /** lock directory (tests); default: the shared lock dir */
  lockDir?: string;
  /** the caller already holds SYNC_LOCK (batch sync takes it before discovery) */
  lockHeld?: boolean;
  /** how long a reload may take to show the new servers */
  reloadDeadlineMs?: number;
  /** progress lines for stderr / the pane */
  log?: (line: string) => void;
}

export interface ApplyResult {
  applied: boolean;
  backup: string | undefined;
  validation: string;
  reload: string;
  verified: string;
}

export const SYNC_LOCK = 'haproxy-sync';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Writes next to `file` for an atomic rename, keeping the live file's mode and
 * owner: a haproxy.cfg made 0640 because it holds a stats password must not
 * come back world-readable after a sync.
 */
async function writeAtomic(file: string, text: string): Promise<string> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.opsdeck-${process.pid}.tmp`);
  const was = await stat(file).catch(() => undefined);
  await writeFile(tmp, text, { mode: was ? was.mode & 0o777 : 0o644 });
  if (was) {
    await chmod(tmp, was.mode & 0o777); // writeFile's mode is filtered by the umask
    await chown(tmp, was.uid, was.gid).catch(() => {}); // only root may give a file away; otherwise it stays ours
  }
  return tmp;
}

async function keepNewest(dir: string, prefix: string, keep: number): Promise<void> {
  const names = (await readdir(dir)).filter((n) => n.startsWith(prefix)).sort();
  for (const n of names.slice(0, Math.max(0, names.length - keep))) await rm(path.join(dir, n), { force: true });
}

/** Waits until the running worker serves exactly the planned servers in every synced backend. */
async function verifyServers(cfg: HaproxyConfig, expectedConfig: string, deadlineMs: number): Promise<{ ok: boolean; message: string }> {
  const expected = serversIn(expectedConfig, cfg.backends);
  const end = Date.now() + deadlineMs;
  let last = '';
  do {
    try {
      const live = await liveServers(cfg.runtimeSocket, cfg.backends);
      const bad = cfg.backends.filter((b) => {
        const want = [...(expected.get(b)?.keys() ?? [])].sort().join(',');
        const have = live.filter((s) => s.backend === b).map((s) => s.name).sort().join(',');
        return want !== have;
      });
      if (bad.length === 0) return { ok: true, message: `runtime API lists the planned servers in ${cfg.backends.join(', ')}` };
      last = `backend ${bad.join(', ')} does not list the planned servers`;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await sleep(100);
  } while (Date.now() < end);
  return { ok: false, message: last };
}

/**
 * Before anything is written: can this sync reload haproxy and then check it?
 * A socket path that is wrong, or a haproxy that is not running, otherwise
 * shows up only after the new file is in place, costs a reload deadline and a
 * rollback, and names the wrong part. A master CLI that is briefly away (it
 * re-executes after another reload) gets a few seconds.
 */
async function preflight(cfg: HaproxyConfig): Promise<void> {
  const unreachable = (key: string, what: string, e: unknown, hint: string): OpsError =>
    new OpsError('RELOAD_UNREACHABLE', `${key} ${what} does not answer (${e instanceof OpsError ? e.message.replace(/^.*: /, '') : String(e)}): nothing was written`, { hint });
  const r = cfg.reload;
  if (r.method === 'master-cli') {
    const end = Date.now() + 3000;
    for (;;) {
      try {
        await showProc(r.masterSocket);
        break;
      } catch (e) {
        if (Date.now() >= end) throw unreachable('haproxy.reload.masterSocket', r.masterSocket, e, 'start haproxy in master-worker mode with -W -S <that path>, or set haproxy.reload.method to signal or command');
        await sleep(200);
      }
    }
  } else if (r.method === 'signal') {
    let pid = NaN;
    try {
      pid = Number((await readFile(r.pidFile, 'utf8')).split('\n')[0]?.trim());
      if (!Number.isInteger(pid) || pid <= 1) throw new Error('no pid in it');
      process.kill(pid, 0);
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ESRCH' ? `pid ${pid} is not running` : e instanceof Error ? e.message : String(e);
      throw new OpsError('RELOAD_UNREACHABLE', `haproxy.reload.pidFile ${r.pidFile}: ${why}: nothing was written`, { hint: 'point haproxy.reload.pidFile at the master pid file of the running haproxy' });
    }
  }
  try {
    await socketCommand(cfg.runtimeSocket, 'show info', { timeoutMs: 3000 });
  } catch (e) {
    throw unreachable('haproxy.runtimeSocket', cfg.runtimeSocket, e, 'point it at the stats socket (level admin) of this haproxy: the sync checks the new servers there');
  }
}

/** ok only when haproxy reloaded AND its runtime API lists the planned servers; the message says which part failed. */
async function reloadAndVerify(cfg: HaproxyConfig, text: string, deadlineMs: number): Promise<ReloadResult & { verified: string }> {
  const r = await reloadHaproxy(cfg, { deadlineMs });
  if (!r.ok) return { ...r, verified: 'not verified: the reload failed' };
  const v = await verifyServers(cfg, text, deadlineMs);
  return v.ok
    ? { ...r, verified: v.message }
    : { ...r, ok: false, message: `reloaded (${r.message}) but the runtime API at ${cfg.runtimeSocket} did not confirm the planned servers: ${v.message}`, verified: v.message };
}

/**
 * Applies exactly `plan`: validate the planned text with `haproxy -c`, back up
 * the live file, rename atomically, reload, check the runtime API; when the
 * reload fails, restore the backup and reload that.
 */
export async function applySync(plan: SyncPlan, deps: ApplyDeps): Promise<ApplyResult> {
  const cfg = deps.haproxy;
  const log = deps.log ?? (() => {});
  if (deps.readOnly) throw new OpsError('READ_ONLY', 'read-only mode: not applying the HAProxy change', { hint: 'run without --read-only to apply' });
  if (!plan.allowed) {
    const why = plan.guards.filter((g) => !g.ok).map((g) => g.message);
    throw new OpsError('REFUSED', why[0] ?? 'the plan was refused', { details: why.slice(1), hint: 'nothing was written; the live config is unchanged' });
  }
  if (plan.configPath !== cfg.configPath) throw new OpsError('PLAN_STALE', `the plan is for ${plan.configPath}, the config now says ${cfg.configPath}`);
  if (!plan.changed) return { applied: false, backup: undefined, validation: plan.validation.message, reload: 'nothing to do', verified: '' };

  const locked = <T>(fn: () => Promise<T>): Promise<T> => (deps.lockHeld ? fn() : withLock(SYNC_LOCK, fn, deps.lockDir ? { dir: deps.lockDir } : {}));
  return locked(
    async () => {
      const live = await readOptional(cfg.configPath);
      if ((live === undefined ? '' : sha256(live)) !== plan.liveHash) {
        throw new OpsError('PLAN_STALE', `${cfg.configPath} changed since the plan was made`, { hint: 'plan again and review the new diff' });
      }
      if (!deps.sandbox) await preflight(cfg);
      const tmp = await writeAtomic(cfg.configPath, plan.newConfig);
      const validation = await validateFile(cfg.binary, tmp, deps.sandbox ?? false);
      if (validation.status === 'failed') {
        await rm(tmp, { force: true });
        await deps.audit.append({ action: 'haproxy.sync', target: cfg.configPath, result: 'refused', details: { reason: validation.message } });
        throw new OpsError('VALIDATION_FAILED', `haproxy -c rejects the new config: ${validation.message}`, {
          exitCode: ExitCode.Refused,
          hint: 'nothing was written; fix the template or the server options',
        });
      }
      log(validation.message);

      let backup: string | undefined;
      if (live !== undefined) {
        const dir = cfg.backupDir ?? path.join(path.dirname(cfg.configPath), 'opsdeck-backups');
        await mkdir(dir, { recursive: true });
        const base = path.basename(cfg.configPath);
        backup = path.join(dir, `${base}.${deps.clock.now().toISOString().replace(/[:.]/g, '-')}`);
        await writeFile(backup, live, { mode: 0o600 });
        await keepNewest(dir, `${base}.`, cfg.keepBackups);
        log(`backup: ${backup}`);
      }

      if (cfg.serverStateFile && !deps.sandbox) {
        // Drain/maint survive the reload only if the new worker can read them back (load-server-state-from-file).
        try {
          await writeFile(cfg.serverStateFile, await socketCommand(cfg.runtimeSocket, 'show servers state'));
        } catch (e) {
          log(`warning: could not save server state to ${cfg.serverStateFile}: ${(e as Error).message}`);
        }
      }

      await rename(tmp, cfg.configPath);
      // A guard overridden (--force, --allow-empty, F in the pane) is part of the trace: who emptied half the pool, and knowingly.
      const overridden = plan.guards.filter((g) => g.ok && (g.guard === 'removal' || g.guard === 'empty')).map((g) => g.message);
      const details = {
        added: plan.summary.added.length,
        removed: plan.summary.removed.length,
        changed: plan.summary.changed.length,
        after: plan.summary.after,
        backup,
        ...(overridden.length ? { overridden } : {}),
      };
      if (deps.sandbox) {
        await deps.audit.append({ action: 'haproxy.sync', target: cfg.configPath, result: 'ok', details: { ...details, reload: 'simulated' } });
        return { applied: true, backup, validation: validation.message, reload: 'sandbox: reload simulated', verified: 'sandbox: not verified' };
      }

      const deadline = deps.reloadDeadlineMs ?? 15_000;
      const answer = await reloadAndVerify(cfg, plan.newConfig, deadline);
      // The master CLI's and haproxy's words may quote a config line, or a secret word of one.
      const r = { ...answer, message: redactMessage(answer.message, plan.newConfig) };
      if (r.ok) {
        await deps.audit.append({ action: 'haproxy.sync', target: cfg.configPath, result: 'ok', details: { ...details, reload: r.method } });
        return { applied: true, backup, validation: validation.message, reload: r.message, verified: r.verified };
      }

      log(`reload failed (${r.message}); restoring the previous config`);
      let restored = 'no previous config to restore: the new file was removed';
      if (live !== undefined) {
        await rename(await writeAtomic(cfg.configPath, live), cfg.configPath);
        const back = await reloadAndVerify(cfg, live, deadline);
        restored = back.ok ? 'previous config restored and reloaded' : `previous config restored, but reloading it did not succeed either: ${back.message}`;
      } else {
        await rm(cfg.configPath, { force: true });
      }
      await deps.audit.append({ action: 'haproxy.sync', target: cfg.configPath, result: 'failed', details: { ...details, reload: r.message, restored } });
      const reloaded = r.verified !== 'not verified: the reload failed';
      throw new OpsError('RELOAD_FAILED', `haproxy reload failed: ${r.message}`, {
        details: [restored],
        hint: reloaded
          ? 'the live file is the one from before this sync; check that haproxy.runtimeSocket names the stats socket (level admin) of this same haproxy'
          : 'the live file is the one from before this sync; check the haproxy log for why the new config did not load',
      });
    },
  );
}
