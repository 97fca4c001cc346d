import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/** Repository root, so benches run the built CLI wherever they are started from. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const builtEntry = fileURLToPath(new URL('../../dist/views/main.js', import.meta.url));

export interface Sample {
  medianMs: number;
  p95Ms: number;
  runs: number;
}

export function summarize(samples: number[]): Sample {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { medianMs: at(0.5), p95Ms: at(0.95), runs: s.length };
}

/** Wall time of a process from spawn to exit; rejects on a non-zero exit. */
export function timeProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - t0;
      if (code === 0) resolve(ms);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.slice(0, 400)}`));
    });
  });
}

/**
 * Time from launch until the TUI has drawn its first frame, under a real
 * pseudo-terminal (util-linux `script`), since Ink only renders on a TTY.
 * "First frame" = the output contains `marker` (text the header always shows).
 */
export function timeFirstFrame(marker: string, args: string[], timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const inner = `stty cols 100 rows 30; exec node ${JSON.stringify(builtEntry)} ${args.join(' ')}`;
    const t0 = performance.now();
    const child = spawn('script', ['-qfec', inner, '/dev/null'], {
      cwd: repoRoot,
      env: { ...process.env, TERM: 'xterm-256color' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let done = false;
    const finish = (fn: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // q quits the app cleanly; the kill is a backstop so a bench never leaves a process behind.
      child.stdin.write('q');
      setTimeout(() => child.kill('SIGKILL'), 500).unref();
      fn();
    };
    const timer = setTimeout(
      () => finish(() => reject(new Error(`no first frame within ${timeoutMs} ms; output: ${out.slice(-300)}`))),
      timeoutMs,
    );
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(marker)) {
        const ms = performance.now() - t0;
        finish(() => resolve(ms));
      }
    });
    child.on('exit', () => finish(() => reject(new Error(`exited before first frame; output: ${out.slice(-300)}`))));
  });
}

export async function repeat(n: number, fn: () => Promise<number>): Promise<Sample> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) samples.push(await fn());
  return summarize(samples);
}
