import { main } from '../../src/cli/main.js';
import type { SandboxWorld } from '../../src/cloud/sandbox/index.js';

/** main() on a test's world with exactly these arguments, its home and state in `dir`. */
export async function runCli(world: SandboxWorld, dir: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    isTTY: false,
    cwd: dir,
    env: { HOME: dir, XDG_CONFIG_HOME: dir, XDG_STATE_HOME: dir, TMPDIR: dir },
    createCloud: async () => world,
    clock: world.clock,
  });
  return { code, out, err };
}
