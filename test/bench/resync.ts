import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startSshd } from '../services/sshd.js';
import { alternatingMedians, loopbackExecutors, loopbackInventory, runBenchRunbook, shellWords, sshArgs, timeOpensshPipe } from './loopback.js';

/**
 * Issue 8's copy step on a 1 GiB datadir-like tree over loopback: `transfer:
 * relay` (a stream step, source tar → opsdeck → target tar x) and `transfer:
 * direct` (an ssh step on the source running `tar c | ssh target 'tar x'`),
 * each run through the engine, against `ssh a 'tar c' | ssh b 'tar x'`.
 */

const MiB = 1024 * 1024;

export interface Tree {
  bytes: number;
  files: number;
}

/**
 * A datadir's shape: a system tablespace, redo and undo logs, a few large
 * tables and thousands of small ones (a .frm and an .ibd each). The data is a
 * random block written over and over: incompressible to anything with a window
 * under its size, and written at disk speed instead of /dev/urandom's.
 */
export function makeDatadir(dir: string, mib: number): Tree {
  const block = randomBytes(8 * MiB);
  const tables = Math.min(2000, Math.max(10, Math.floor(mib * 2)));
  const small = { frm: 9 * 1024, ibd: 48 * 1024 };
  const smallBytes = tables * (small.frm + small.ibd);
  // the rest by weight over the big files, so the tree totals `mib` MiB
  const big: [string, number][] = [
    ['ibdata1', 20],
    ['ib_logfile0', 10],
    ['ib_logfile1', 10],
    ['undo001', 3],
    ['undo002', 3],
    ['shop/orders.ibd', 26],
    ['shop/order_items.ibd', 16],
    ['app/events.ibd', 12],
  ];
  const weight = big.reduce((n, [, w]) => n + w, 0);
  const rest = Math.max(0, mib * MiB - smallBytes);
  let files = 0;
  const write = (file: string, size: number, skew: number): void => {
    mkdirSync(path.dirname(file), { recursive: true });
    const fd = openSync(file, 'w');
    try {
      // each file starts at its own offset in the block, so no two files are byte-identical
      for (let done = 0; done < size; ) {
        const at = (skew + done) % block.length;
        const n = Math.min(size - done, block.length - at);
        writeSync(fd, block, at, n);
        done += n;
      }
    } finally {
      closeSync(fd);
    }
    files++;
  };
  big.forEach(([name, w], i) => write(path.join(dir, name), Math.floor((rest * w) / weight / 16384) * 16384, i * 4099 * 16));
  for (let t = 0; t < tables; t++) {
    const schema = path.join(dir, `db${t % 20}`);
    write(path.join(schema, `t${t}.frm`), small.frm, t * 131);
    write(path.join(schema, `t${t}.ibd`), small.ibd, t * 977 + 7);
  }
  return { bytes: treeOf(dir).bytes, files };
}

/** Regular files and their bytes under `dir`: a copy must come out the same. */
export function treeOf(dir: string): Tree {
  let bytes = 0;
  let files = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    bytes += statSync(path.join(e.parentPath, e.name)).size;
    files++;
  }
  return { bytes, files };
}

export interface ResyncFigures extends Tree {
  relayMs: number;
  directMs: number;
  opensshMs: number;
}

/** The copy of a `mib` MiB datadir three ways, the median of three alternating rounds each. */
export async function measureResyncCopy(mib: number): Promise<ResyncFigures> {
  const sshd = await startSshd();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opsdeck-bench-resync-'));
  try {
    const src = path.join(dir, 'datadir');
    const out = path.join(dir, 'copy');
    const tree = makeDatadir(src, mib);
    // `direct` has the source host log in to the target with a key of its own, as a real source host would.
    const hostKey = path.join(dir, 'source_host_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'opsdeck-bench-source-host', '-f', hostKey]);
    appendFileSync(path.join(sshd.dir, 'authorized_keys'), readFileSync(`${hostKey}.pub`));
    const inventory = loopbackInventory(sshd);
    const tarC = `tar cf - -C ${src} .`;
    const tarX = `tar xf - -C ${out}`;
    const runbook = (steps: string): string => `name: bench-resync\ntitle: bench resync copy\ndescription: bench\nsteps:\n${steps}`;
    const relay = runbook(`  - id: copy
    title: copy the datadir through opsdeck
    kind: stream
    from: { host: a, command: ${JSON.stringify(tarC)} }
    to: { host: b, command: ${JSON.stringify(tarX)} }
    sizeBytes: '${tree.bytes}'
`);
    const direct = runbook(`  - id: copy
    title: copy the datadir host to host
    kind: ssh
    host: a
    command: ${JSON.stringify(`${tarC} | ssh ${shellWords(sshArgs(sshd, hostKey))} ${shellWords([tarX])}`)}
`);
    /** One run through the engine (fresh executors: it closes them), the copy checked whole afterwards. */
    const viaEngine = (text: string) => async (): Promise<number> => {
      const t0 = performance.now();
      await runBenchRunbook(text, loopbackExecutors(sshd), inventory, path.join(dir, 'state'));
      const ms = performance.now() - t0;
      checkCopy(out, tree);
      return ms;
    };
    const m = await alternatingMedians(3, out, {
      relay: viaEngine(relay),
      direct: viaEngine(direct),
      openssh: async () => {
        const ms = await timeOpensshPipe(sshd, tarC, tarX);
        checkCopy(out, tree);
        return ms;
      },
    });
    return { ...tree, relayMs: m.relay, directMs: m.direct, opensshMs: m.openssh };
  } finally {
    await sshd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function checkCopy(out: string, want: Tree): void {
  const got = treeOf(out);
  if (got.bytes !== want.bytes || got.files !== want.files) throw new Error(`the copy has ${got.files} files / ${got.bytes} bytes, the datadir ${want.files} / ${want.bytes}`);
}

// `node --import tsx test/bench/resync.ts` prints the figures (BENCH_RESYNC_MIB sets the size).
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0')) {
  const mib = Number(process.env.BENCH_RESYNC_MIB ?? 1024);
  const r = await measureResyncCopy(mib);
  const rate = (ms: number): string => `${(r.bytes / MiB / (ms / 1000)).toFixed(0)} MiB/s`;
  for (const [name, ms] of [['relay', r.relayMs], ['direct', r.directMs], ['ssh | ssh', r.opensshMs]] as const) {
    console.log(`${name}: ${(ms / 1000).toFixed(2)} s, ${rate(ms)}, ${(r.opensshMs / ms).toFixed(2)}x ssh | ssh`);
  }
  process.exit(0);
}
