/**
 * For the crash tests: one ingest in its own process (webcam-ingest-child.ts)
 * that can be killed -9 at a chosen moment, and a seeded random source so
 * the kill points are the same on every run.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '../../src/cloud/sandbox/rng.js';
import type { ChildArgs } from './webcam-ingest-child.js';

const CHILD = fileURLToPath(new URL('./webcam-ingest-child.ts', import.meta.url));

/** the kill points are random but the same on every run of a test */
export const rng = mulberry32;

/** Runs one ingest process; with killAfterMs, kill -9 it that long after it starts ingesting. */
export function ingestProcess(args: ChildArgs, killAfterMs?: number): Promise<{ killed: boolean; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let out = '';
    let killed = false;
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (killAfterMs !== undefined && out.includes('ready\n') && !killed) {
        killed = true;
        setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') return resolve({ killed: true, out });
      if (code !== 0) return reject(new Error(`ingest exited ${code}: ${out}`));
      resolve({ killed: false, out });
    });
  });
}
